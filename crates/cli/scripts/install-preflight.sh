#!/usr/bin/env bash
# Makes `preflight` available, for the GitHub Action (action.yml) and the pre-commit hook.
#
#   install-preflight.sh DEST_DIR [VERSION]
#
# Prints the directory that holds the `preflight` binary. In order:
#   1. a `preflight` already on PATH (of VERSION, when one is given) is used as it is;
#   2. the release binary for this platform, when the release has one (PREFLIGHT_NO_DOWNLOAD=1
#      skips this);
#   3. otherwise it is built from this checkout: cargo install --locked --path crates/cli.
# Progress goes to stderr; only the directory goes to stdout.
set -euo pipefail

dest="${1:?usage: install-preflight.sh DEST_DIR [VERSION]}"
want="${2:-}"
want="${want#v}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../../.." && pwd)"
repo="${PREFLIGHT_REPOSITORY:-personalize-preflight/personalize-preflight}"

if bin="$(command -v preflight 2>/dev/null)"; then
    have="$("$bin" --version 2>/dev/null | awk '{print $2}')"
    if [ -z "$want" ] || [ "$want" = "latest" ] || [ "$want" = "$have" ]; then
        echo "preflight: using $bin ($have)" >&2
        dirname "$bin"
        exit 0
    fi
fi

if [ -x "$dest/bin/preflight" ]; then
    echo "preflight: using $dest/bin/preflight" >&2
    echo "$dest/bin"
    exit 0
fi

mkdir -p "$dest/bin"

if [ "${PREFLIGHT_NO_DOWNLOAD:-0}" != "1" ] && [ "$want" != "source" ] && command -v curl >/dev/null; then
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64) target=x86_64-unknown-linux-gnu ;;
        Linux-aarch64) target=aarch64-unknown-linux-gnu ;;
        Darwin-arm64) target=aarch64-apple-darwin ;;
        Darwin-x86_64) target=x86_64-apple-darwin ;;
        *) target="" ;;
    esac
    if [ -n "$target" ]; then
        if [ -z "$want" ] || [ "$want" = "latest" ]; then
            url="https://github.com/$repo/releases/latest/download/preflight-$target.tar.gz"
        else
            url="https://github.com/$repo/releases/download/v$want/preflight-$target.tar.gz"
        fi
        echo "preflight: downloading $url" >&2
        if curl -fsSL --retry 2 "$url" -o "$dest/preflight.tar.gz" 2>/dev/null \
            && tar -xzf "$dest/preflight.tar.gz" -C "$dest/bin" preflight; then
            rm -f "$dest/preflight.tar.gz"
            echo "$dest/bin"
            exit 0
        fi
        echo "preflight: no release binary for $target; building from source" >&2
    fi
fi

if ! command -v cargo >/dev/null; then
    echo "preflight: cannot install: no release binary and no cargo (install a Rust toolchain)" >&2
    exit 2
fi
echo "preflight: cargo install --locked --path $src/crates/cli" >&2
cargo install --locked --quiet --path "$src/crates/cli" --root "$dest" >&2
echo "$dest/bin"
