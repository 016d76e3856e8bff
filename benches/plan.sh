#!/usr/bin/env bash
# Plans an import of generated interactions and reports wall time, CPU time, peak RSS and the
# plan's throughput (bytes of new + existing data per second) against `preflight validate` on
# the same files in the same run (the target: plan throughput ≥ 0.5 × validate's), as a
# markdown table. The data is deleted afterwards (KEEP=1 keeps it; KEEP=existing keeps the
# existing data only, for another plan against it).
#
#   benches/plan.sh                                  # INCREMENTAL, 999,000,000 bytes new, 10 GiB existing
#   MODE=full NEW=3G EXISTING=1G benches/plan.sh     # FULL 3 GB new vs 1 GB existing
#   NEW=100M EXISTING=1G MEMORY=64MiB benches/plan.sh  # a small budget: out of core
#   WRITE=1 benches/plan.sh                          # also --write-merged (writes EXISTING+NEW)
#
# MEMORY is --memory-limit (default 1GiB); past it the plan runs out of core, its partitions in
# $BENCH_DIR/plan-tmp (the disk it needs is printed first). The new batch of the default stays
# just under 10^9 bytes so that the INCREMENTAL size gate (PF311) passes. `benches/compare.sh`
# runs this script for each of its plan sizes. Figures: docs/performance.md.
#
# Needs: cargo, /usr/bin/time, python3. Data goes to $BENCH_DIR (default
# $TMPDIR/preflight-plan-bench); the other settings (PREFLIGHT_BIN_DIR, BENCH_LOCK, RESULTS,
# MIN_FREE_GB) are described in benches/lib.sh.
set -euo pipefail
NEW="${NEW:-999000000}"
EXISTING="${EXISTING:-10G}"
MODE="${MODE:-incremental}"
MEMORY="${MEMORY:-1GiB}"
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
BENCH_DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/preflight-plan-bench}"
mkdir -p "$BENCH_DIR"
TABLE=
if [ -z "${RESULTS:-}" ]; then
  RESULTS="$BENCH_DIR/plan-results.tsv"
  : > "$RESULTS"
  TABLE=1
fi
EX_FILE="$BENCH_DIR/plan-existing-$EXISTING.csv"
NEW_FILE="$BENCH_DIR/plan-new-$NEW.csv"
TMP="$BENCH_DIR/plan-tmp"
cleanup() {
  rm -rf "$TMP" "$BENCH_DIR/plan.out" "$BENCH_DIR/merged.csv"
  case "${KEEP:-}" in
    1) ;;
    existing) rm -f "$NEW_FILE" ;;
    *) rm -f "$NEW_FILE" "$EX_FILE" ;;
  esac
}
trap cleanup EXIT
bench_build
mkdir -p "$TMP"

# Different seeds: the two files share users, items and time range, but hardly any record.
bench_gen "$EX_FILE" --type interactions --size "$EXISTING" --seed 1 --users 1000000 --items 100000
bench_gen "$NEW_FILE" --type interactions --size "$NEW" --seed 2 --users 1000000 --items 100000
EX_B=$(stat -c %s "$EX_FILE")
NEW_B=$(stat -c %s "$NEW_FILE")
BYTES=$((EX_B + NEW_B))
# The partitions take about 18 bytes per record of either file (+10 per new one, INCREMENTAL);
# a record is about 49 bytes.
bench_room "$BENCH_DIR" $((BYTES * 2 / 5 / 1000000000 + 1)) "the plan's temporary files" || exit 0
EXTRA=()
if [ -n "${WRITE:-}" ]; then
  rm -f "$BENCH_DIR/merged.csv"
  EXTRA=(--write-merged "$BENCH_DIR/merged.csv")
  bench_room "$BENCH_DIR" $((BYTES / 1000000000 + 1)) "--write-merged" || exit 0
fi
LABEL="$MODE $NEW new + $EXISTING existing"
[ "$MEMORY" = 1GiB ] || LABEL="$LABEL, --memory-limit $MEMORY"
[ -z "${WRITE:-}" ] || LABEL="$LABEL, --write-merged"

cat "$EX_FILE" "$NEW_FILE" > /dev/null   # page cache warm (as far as it holds them)
echo "== preflight validate, then plan ($LABEL)" >&2
MAX_OK=1 bench_measure "validate ($LABEL)" "$BYTES" \
  "$BIN/preflight" validate --no-config --dataset-type interactions --format json "$EX_FILE" "$NEW_FILE"
MAX_OK=1 BASE="validate ($LABEL)" OUT="$BENCH_DIR/plan.out" bench_measure "plan ($LABEL)" "$BYTES" \
  "$BIN/preflight" plan --no-config --mode "$MODE" --dataset-type interactions --memory-limit "$MEMORY" \
  --temp-dir "$TMP" --existing "$EX_FILE" "$NEW_FILE" --format json "${EXTRA[@]}"
grep '^note:' "$BENCH_DIR/last.err" >&2 || true
python3 - "$BENCH_DIR/plan.out" <<'PY' >&2 || true
import json, sys
p = json.load(open(sys.argv[1]))["plan"]
print("   plan: existing %d records, batch %d records: %d new, %d collapsed, %d dropped; %d after the job"
      % (p["existing"]["records"], p["batch"]["records"], p["new"], p["collapsed"], p["dropped"] or 0, p["result_records"]))
PY
left=$(find "$TMP" -mindepth 1 | wc -l)
echo "   temporary files left after the plan: $left" >&2
if [ -n "$TABLE" ]; then
  printf 'existing %s bytes, new %s bytes, %s cores, %s\n\n' "$EX_B" "$NEW_B" "$(nproc)" "$(date -u +%FT%TZ)"
  bench_table
fi
