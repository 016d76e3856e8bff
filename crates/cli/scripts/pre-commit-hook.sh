#!/usr/bin/env bash
# The `preflight-validate` pre-commit hook (.pre-commit-hooks.yaml): checks the files pre-commit
# passes (CSV files and schema JSON) against the datasets of preflight.toml. Uses `preflight` from
# PATH, else builds it once into this hook repository's checkout (pre-commit's cache).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$("$here/install-preflight.sh" "$here/../../../.preflight-build")"
exec "$dir/preflight" validate "$@"
