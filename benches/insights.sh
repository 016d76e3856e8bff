#!/usr/bin/env bash
# Insights on about 1 GB of interactions plus 1,000,000 items, both generated on the fly, with
# wall time and peak RSS; measured in the same run, as baselines: `wc -l` and `preflight
# validate` on the same files, so that the figures are ratios (a markdown table). The data is
# deleted afterwards (KEEP=1 keeps it).
#
#   benches/insights.sh                      # 1G of interactions, 1,000,000 items
#   SIZE=100M ITEMS=100000 benches/insights.sh
#   INTERACTIONS=/data/i.csv benches/insights.sh   # an interactions file you have (kept)
#
# The interactions draw their ITEM_IDs from the same 1,000,000 items and 1,000,000 users, so
# the coverage join matches nearly every ID (the generator writes item IDs with 7 digits in the
# Items file and 6 in interactions: the Items file is rewritten to 6 digits).
# `benches/compare.sh` runs this script on its interactions file.
#
# Needs: cargo, /usr/bin/time, python3. Data goes to $BENCH_DIR (default
# $TMPDIR/preflight-insights-bench); the other settings (PREFLIGHT_BIN_DIR, BENCH_LOCK, RESULTS,
# MIN_FREE_GB) are described in benches/lib.sh.
set -euo pipefail
SIZE="${SIZE:-1G}"
ITEMS="${ITEMS:-1000000}"
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
BENCH_DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/preflight-insights-bench}"
bench_scratch
TABLE=
if [ -z "${RESULTS:-}" ]; then
  RESULTS="$BENCH_TMP/results.tsv"
  : > "$RESULTS"
  TABLE=1
fi
INT_FILE="${INTERACTIONS:-$BENCH_DIR/insights-interactions-$SIZE.csv}"
ITEMS_FILE="$BENCH_DIR/insights-items-$ITEMS.csv"
cleanup() {
  rm -rf "$BENCH_TMP"
  if [ -z "${KEEP:-}" ]; then
    rm -f "$ITEMS_FILE"
    [ -n "${INTERACTIONS:-}" ] || rm -f "$INT_FILE"
  fi
}
trap cleanup EXIT
bench_build

if [ -z "${INTERACTIONS:-}" ]; then
  bench_gen "$INT_FILE" --type interactions --size "$SIZE" --seed 7 --users 1000000 --items "$ITEMS"
fi
if [ ! -s "$ITEMS_FILE" ]; then
  echo "== generate $ITEMS items" >&2
  bench_lock
  "$BIN/gen" --type items --rows "$ITEMS" --seed 8 | sed -E '2,$s/^item_0/item_/' > "$ITEMS_FILE.part.$$"
  bench_unlock
  mv "$ITEMS_FILE.part.$$" "$ITEMS_FILE"
fi
BYTES=$(($(stat -c %s "$INT_FILE") + $(stat -c %s "$ITEMS_FILE")))

cat "$INT_FILE" "$ITEMS_FILE" > /dev/null
echo "== wc -l, preflight validate (interactions, then items), preflight insights" >&2
bench_measure "wc -l (insights inputs)" "$BYTES" wc -l "$INT_FILE" "$ITEMS_FILE"
# Both validations in one measured command (its peak RSS is the larger of the two).
# shellcheck disable=SC2016 # expanded by that shell
MAX_OK=1 WC="wc -l (insights inputs)" bench_measure "validate (insights inputs)" "$BYTES" \
  sh -c 'c=0; "$0" validate --no-config --dataset-type interactions --format json "$1" || c=$?
         "$0" validate --no-config --dataset-type items --format json "$2" || c=$((c > $? ? c : $?)); exit "$c"' \
  "$BIN/preflight" "$INT_FILE" "$ITEMS_FILE"
MAX_OK=1 WC="wc -l (insights inputs)" BASE="validate (insights inputs)" OUT="$BENCH_TMP/insights.out" \
  bench_measure "insights (interactions + items)" "$BYTES" \
  "$BIN/preflight" insights --no-config --interactions "$INT_FILE" --items "$ITEMS_FILE" --format json
python3 - "$BENCH_TMP/insights.out" <<'PY' >&2 || true
import json, sys
v = json.load(open(sys.argv[1]))
for d in v["datasets"]:
    for c in d.get("insights", {}).get("coverage", []):
        print("   coverage %s: %d interaction IDs, %d missing from %s; %d of %d without interactions; %d near matches"
              % (c["field"], c["interaction_ids"], c["missing_ids"], c["dataset"], c["without_interactions"], c["dataset_ids"], c["near_ids"]))
PY
if [ -n "$TABLE" ]; then
  printf 'interactions %s bytes, items %s bytes, %s cores, %s\n\n' \
    "$(stat -c %s "$INT_FILE")" "$(stat -c %s "$ITEMS_FILE")" "$(nproc)" "$(date -u +%FT%TZ)"
  bench_table
fi
