#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (gitignored) from the
# repository's testdata/ and schemas/ and, when it is there, ../shared/realdata (read only; its
# files are cut to their first 64 KiB, so the seeds stay small and nothing is committed).
#
# Seed formats (see each target's doc comment):
#   csv:    one selector byte (schema and block size), then the file
#   schema: the file as is
#   plan:   one selector byte, the existing file, 0xFF, the new file
set -euo pipefail
cd "$(dirname "$0")"
repo=..
realdata=${REALDATA:-$repo/../shared/realdata}
out=corpus
mkdir -p "$out/csv" "$out/schema" "$out/plan"

n=0
seed() { # target name selector-byte-octal file...
    local target=$1 name=$2 sel=$3; shift 3
    {
        [ -n "$sel" ] && printf "\\$sel"
        local first=1
        for f in "$@"; do
            [ $first = 1 ] || printf '\377'
            first=0
            head -c 65536 "$f"
        done
    } > "$out/$target/$name"
    n=$((n + 1))
}

csvs=$(find "$repo/testdata" -name '*.csv' | sort)
[ -d "$realdata" ] && csvs="$csvs $(find "$realdata" -name '*.csv' | sort)"
i=0
for f in $csvs; do
    i=$((i + 1))
    # Interactions, items, users and a built-in schema; the default block and a small one.
    for sel in 000 001 002 003 004; do
        seed csv "$i-$sel" "$sel" "$f"
    done
done

jsons=$(find "$repo/testdata" "$repo/schemas" -name '*.json' | sort)
[ -d "$realdata" ] && jsons="$jsons $(find "$realdata" -name '*.json' -size -64k | sort)"
i=0
for f in $jsons; do
    i=$((i + 1))
    seed schema "$i" "" "$f"
done

# Plan: the testdata/plan pairs (existing, new), and every CSV planned against itself.
i=0
for existing in "$repo"/testdata/plan/*existing*.csv; do
    new=${existing/existing/new}
    [ -f "$new" ] || continue
    i=$((i + 1))
    # Items (selector ≡ 0 mod 3) with each mode, block, chunk and write flag.
    for sel in 000 014 030 060 074 044; do
        seed plan "pair$i-$sel" "$sel" "$existing" "$new"
    done
done
i=0
for f in $(find "$repo/testdata" -name '*.csv' -size -8k | sort); do
    i=$((i + 1))
    seed plan "self$i" 001 "$f" "$f"
    seed plan "new$i" 001 "$f"
done

echo "seeded $n inputs: $(ls "$out/csv" | wc -l) csv, $(ls "$out/schema" | wc -l) schema, $(ls "$out/plan" | wc -l) plan"
