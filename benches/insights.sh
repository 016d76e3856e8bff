#!/usr/bin/env bash
# Insights on about 1 GB of interactions plus 1,000,000 items, both generated on the fly, with
# wall time and peak RSS (/usr/bin/time -v); measured in the same run, as baselines: `wc -l` on
# the interactions and `preflight validate` on the same files, so that the figures are ratios.
# The data is deleted afterwards (KEEP=1 keeps it).
#
#   benches/insights.sh                      # 1G of interactions, 1,000,000 items
#   SIZE=100M ITEMS=100000 benches/insights.sh
#
# The interactions draw their ITEM_IDs from the same 1,000,000 items and 1,000,000 users, so
# the coverage join matches nearly every ID (the generator writes item IDs with 7 digits in the
# Items file and 6 in interactions: the Items file is rewritten to 6 digits).
#
# Needs: cargo, /usr/bin/time. Data goes to $BENCH_DIR (default $TMPDIR/preflight-insights-bench).
set -euo pipefail
SIZE="${SIZE:-1G}"
ITEMS="${ITEMS:-1000000}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/preflight-insights-bench}"
mkdir -p "$DIR"
if [ -z "${KEEP:-}" ]; then
  trap 'rm -rf "$DIR"' EXIT
fi

echo "== build (release)" >&2
cargo build --release --locked -q -p personalize-preflight -p preflight-benches --manifest-path "$ROOT/Cargo.toml"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"

if [ ! -s "$DIR/interactions.csv" ]; then
  echo "== generate $SIZE of interactions" >&2
  "$BIN/gen" --type interactions --size "$SIZE" --seed 7 --users 1000000 --items "$ITEMS" -o "$DIR/interactions.csv"
fi
if [ ! -s "$DIR/items.csv" ]; then
  echo "== generate $ITEMS items" >&2
  "$BIN/gen" --type items --rows "$ITEMS" --seed 8 | sed -E '2,$s/^item_0/item_/' > "$DIR/items.csv"
fi

# measure NAME COMMAND...: wall seconds and peak RSS (MiB) into $DIR/NAME.time
measure() {
  local name="$1"
  shift
  set +e
  /usr/bin/time -v "$@" > "$DIR/$name.out" 2> "$DIR/$name.time"
  local code=$?
  set -e
  if [ "$code" -gt 1 ]; then
    cat "$DIR/$name.time" >&2
    exit "$code"
  fi
}
wall() { grep "Elapsed (wall clock)" "$DIR/$1.time" | awk '{print $NF}' | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }'; }
rss() { grep "Maximum resident set size" "$DIR/$1.time" | awk '{printf "%.1f", $NF / 1024}'; }

echo "== wc -l" >&2
measure wc wc -l "$DIR/interactions.csv" "$DIR/items.csv"
echo "== preflight validate (interactions, then items)" >&2
measure validate_i "$BIN/preflight" validate --no-config --dataset-type interactions "$DIR/interactions.csv" --format json
measure validate_t "$BIN/preflight" validate --no-config --dataset-type items "$DIR/items.csv" --format json
echo "== preflight insights --interactions --items" >&2
measure insights "$BIN/preflight" insights --no-config --interactions "$DIR/interactions.csv" --items "$DIR/items.csv" --format json

W_WC=$(wall wc)
W_VAL=$(awk -v a="$(wall validate_i)" -v b="$(wall validate_t)" 'BEGIN {print a + b}')
W_INS=$(wall insights)
R_VAL=$(awk -v a="$(rss validate_i)" -v b="$(rss validate_t)" 'BEGIN {print (a > b ? a : b)}')
printf 'interactions  %s bytes, %s lines\nitems         %s bytes, %s lines\n' \
  "$(stat -c %s "$DIR/interactions.csv")" "$(wc -l < "$DIR/interactions.csv")" \
  "$(stat -c %s "$DIR/items.csv")" "$(wc -l < "$DIR/items.csv")"
printf '%-34s %8s %10s %9s %12s\n' "run" "wall s" "peak MiB" "× wc -l" "× validate"
row() { awk -v n="$1" -v w="$2" -v r="$3" -v wc="$W_WC" -v v="$W_VAL" 'BEGIN {printf "%-34s %8.2f %10s %9.1f %12.2f\n", n, w, r, w / wc, w / v}'; }
row "wc -l (both files)" "$W_WC" "$(rss wc)"
row "preflight validate (both files)" "$W_VAL" "$R_VAL"
row "preflight insights" "$W_INS" "$(rss insights)"
python3 - "$DIR/insights.out" <<'PY' || true
import json, sys
v = json.load(open(sys.argv[1]))
for d in v["datasets"]:
    for c in d.get("insights", {}).get("coverage", []):
        print("coverage  %s: %d interaction IDs, %d missing from %s; %d of %d without interactions; %d near matches"
              % (c["field"], c["interaction_ids"], c["missing_ids"], c["dataset"], c["without_interactions"], c["dataset_ids"], c["near_ids"]))
PY
