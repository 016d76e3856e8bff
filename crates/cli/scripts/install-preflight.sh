#!/usr/bin/env bash
# Makes `preflight` available, for the GitHub Action (action.yml) and the pre-commit hook.
#
#   install-preflight.sh DEST_DIR [VERSION]
#
# VERSION (or the environment variable PREFLIGHT_VERSION): a release (0.1.0 or v0.1.0),
# `latest`, or `source`; empty: the version of this checkout (crates/cli/Cargo.toml), so an
# action or hook pinned to a tag gets that release.
# Prints the directory that holds the `preflight` binary. In order:
#   1. a `preflight` already on PATH, of VERSION (any version for `latest`), is used as it is;
#   2. one this script installed into DEST_DIR before;
#   3. the release archive for this platform, checked against the release's SHA256SUMS: an
#      archive whose checksum does not match, or a release without SHA256SUMS, is refused and
#      the script stops (exit 2) instead of trying anything else;
#   4. the wheel: `pip install personalize-preflight==VERSION` into DEST_DIR/venv;
#   5. a build from this checkout: cargo install --locked --path crates/cli.
# Steps 3 and 4 need the network; PREFLIGHT_NO_DOWNLOAD=1 skips them.
# Environment:
#   PREFLIGHT_DOWNLOAD_URL  where the release files are (default: the GitHub release of VERSION)
#   PREFLIGHT_REPOSITORY    owner/name of the GitHub repository (default: the upstream one)
#   PREFLIGHT_TARGET        the release build to take (default: this platform's; on Linux the
#                           glibc build, or the static musl build where the glibc one cannot run)
# Progress goes to stderr; only the directory goes to stdout.
set -euo pipefail

dest="${1:?usage: install-preflight.sh DEST_DIR [VERSION]}"
want="${2:-${PREFLIGHT_VERSION:-}}"
want="${want#v}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../../.." && pwd)"
repo="${PREFLIGHT_REPOSITORY:-personalize-preflight/personalize-preflight}"

say() { echo "preflight: $*" >&2; }

if [ -z "$want" ]; then
    want="$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$src/Cargo.toml" | head -n 1)"
    [ -n "$want" ] || want=latest
fi

# Prints the version a `preflight` binary reports, or nothing when it does not run here.
version_of() {
    { "$1" --version 2>/dev/null || true; } | awk 'NR == 1 && $1 == "preflight" {print $2}'
}

if bin="$(command -v preflight 2>/dev/null)"; then
    have="$(version_of "$bin")"
    if [ -n "$have" ] && { [ "$want" = "latest" ] || [ "$want" = "$have" ]; }; then
        say "using $bin ($have)"
        dirname "$bin"
        exit 0
    fi
    say "$bin is version ${have:-unknown}, not $want"
fi

for dir in "$dest/bin" "$dest/venv/bin" "$dest/venv/Scripts"; do
    for exe in preflight preflight.exe; do
        have=""
        if [ -x "$dir/$exe" ]; then have="$(version_of "$dir/$exe")"; fi
        if [ -n "$have" ] && { [ "$want" = "$have" ] || [ "$want" = "latest" ] || [ "$want" = "source" ]; }; then
            say "using $dir/$exe ($have)"
            echo "$dir"
            exit 0
        fi
    done
done

mkdir -p "$dest/bin"
# The download directory of the archive being checked: removed however the script ends.
tmp=""
trap 'if [ -n "$tmp" ]; then rm -rf "$tmp"; fi' EXIT

sha256_of() {
    if command -v sha256sum >/dev/null; then
        sha256sum "$1" | awk '{print $1}'
    elif command -v shasum >/dev/null; then
        shasum -a 256 "$1" | awk '{print $1}'
    elif command -v openssl >/dev/null; then
        openssl dgst -sha256 "$1" | awk '{print $NF}'
    else
        return 1
    fi
}

# Downloads URL to FILE; fails quietly (the caller says what it means).
fetch() {
    curl -fsSL --retry 2 --proto '=https,http,file' "$1" -o "$2" 2>/dev/null
}

# Checks FILE (named NAME in the release) against SUMS; exits 2 on any doubt.
verify() {
    local file="$1" name="$2" sums="$3" expected actual
    expected="$(awk -v n="$name" '{f = $2; sub(/^\*/, "", f); if (f == n) {print tolower($1); exit}}' "$sums")"
    if [ -z "$expected" ]; then
        say "refusing $name: SHA256SUMS of the release has no line for it"
        exit 2
    fi
    if ! actual="$(sha256_of "$file")"; then
        say "refusing $name: no sha256sum, shasum or openssl to check it with"
        exit 2
    fi
    if [ "$actual" != "$expected" ]; then
        say "refusing $name: its SHA-256 is $actual, SHA256SUMS says $expected (a corrupted or tampered download; nothing was installed)"
        exit 2
    fi
    say "verified $name (sha256 $actual)"
}

# Downloads, verifies and unpacks the archive of TARGET from BASE into a fresh directory and
# sets `got` to the binary in it; leaves `got` empty when the release has no archive for TARGET.
# Exits 2 when the archive cannot be trusted.
got=""
release_binary() {
    local target="$1" base="$2" ext=tar.gz exe=preflight name
    got=""
    case "$target" in *windows*) ext=zip exe=preflight.exe ;; esac
    name="preflight-$target.$ext"
    tmp="$(mktemp -d "$dest/download.XXXXXX")"
    say "downloading $base/$name"
    if ! fetch "$base/$name" "$tmp/$name"; then
        rm -rf "$tmp"
        return 0
    fi
    if ! fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS"; then
        rm -rf "$tmp"
        say "refusing $name: the release has no SHA256SUMS to check it against (nothing was installed)"
        exit 2
    fi
    verify "$tmp/$name" "$name" "$tmp/SHA256SUMS"
    mkdir "$tmp/out"
    if [ "$ext" = zip ]; then
        unzip -q -o "$tmp/$name" "$exe" -d "$tmp/out" >&2 || true
    else
        tar -xzf "$tmp/$name" -C "$tmp/out" "$exe" >&2 || true
    fi
    if [ ! -f "$tmp/out/$exe" ]; then
        rm -rf "$tmp"
        say "refusing $name: it holds no $exe"
        exit 2
    fi
    chmod +x "$tmp/out/$exe"
    got="$tmp/out/$exe"
}

download_ok=1
[ "${PREFLIGHT_NO_DOWNLOAD:-0}" = "1" ] && download_ok=0
[ "$want" = "source" ] && download_ok=0

if [ "$download_ok" = 1 ] && command -v curl >/dev/null; then
    if [ -n "${PREFLIGHT_TARGET:-}" ]; then
        targets="$PREFLIGHT_TARGET"
    else
        case "$(uname -s)-$(uname -m)" in
            Linux-x86_64) targets="x86_64-unknown-linux-gnu x86_64-unknown-linux-musl" ;;
            Linux-aarch64 | Linux-arm64) targets="aarch64-unknown-linux-gnu aarch64-unknown-linux-musl" ;;
            Darwin-arm64) targets=aarch64-apple-darwin ;;
            Darwin-x86_64) targets=x86_64-apple-darwin ;;
            MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) targets=x86_64-pc-windows-msvc ;;
            *) targets="" ;;
        esac
    fi
    if [ -n "${PREFLIGHT_DOWNLOAD_URL:-}" ]; then
        base="${PREFLIGHT_DOWNLOAD_URL%/}"
    elif [ "$want" = "latest" ]; then
        base="https://github.com/$repo/releases/latest/download"
    else
        base="https://github.com/$repo/releases/download/v$want"
    fi
    for target in $targets; do
        release_binary "$target" "$base"
        if [ -z "$got" ]; then
            say "no release archive for $target"
            continue
        fi
        have="$(version_of "$got")"
        if [ -z "$have" ]; then
            # The glibc build on a system with an older glibc: the static build comes next.
            say "the $target build does not run here"
            rm -rf "$tmp"
            continue
        fi
        if [ "$want" != "latest" ] && [ "$have" != "$want" ]; then
            rm -rf "$tmp"
            say "refusing the $target archive: it holds version $have, not $want"
            exit 2
        fi
        mv -f "$got" "$dest/bin/"
        rm -rf "$tmp"
        say "installed release $have ($target) into $dest/bin"
        echo "$dest/bin"
        exit 0
    done
fi

if [ "$download_ok" = 1 ]; then
    python="$(command -v python3 || command -v python || true)"
    if [ -n "$python" ]; then
        spec=personalize-preflight
        [ "$want" = "latest" ] || spec="personalize-preflight==$want"
        say "pip install $spec into $dest/venv"
        if "$python" -m venv "$dest/venv" >&2; then
            vpy="$dest/venv/bin/python"
            [ -x "$vpy" ] || vpy="$dest/venv/Scripts/python"
            if "$vpy" -m pip install --quiet --disable-pip-version-check "$spec" >&2; then
                for dir in "$dest/venv/bin" "$dest/venv/Scripts"; do
                    for exe in preflight preflight.exe; do
                        if [ -x "$dir/$exe" ] && [ -n "$(version_of "$dir/$exe")" ]; then
                            say "installed the wheel into $dest/venv"
                            echo "$dir"
                            exit 0
                        fi
                    done
                done
            fi
        fi
        rm -rf "$dest/venv"
        say "no wheel of $spec could be installed"
    fi
fi

if ! command -v cargo >/dev/null; then
    say "cannot install: no release binary, no wheel and no cargo (install a Rust toolchain)"
    exit 2
fi
say "cargo install --locked --path $src/crates/cli"
cargo install --locked --quiet --path "$src/crates/cli" --root "$dest" >&2
echo "$dest/bin"
