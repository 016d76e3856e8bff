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
# a scratch folder in $BENCH_DIR (the disk it needs is printed first). The new batch of the
# default stays just under 10^9 bytes so that the INCREMENTAL size gate (PF311) passes.
# `benches/compare.sh` runs this script for each of its plan sizes. Figures:
# docs/performance.md.
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
bench_scratch
TABLE=
if [ -z "${RESULTS:-}" ]; then
  RESULTS="$BENCH_TMP/results.tsv"
  : > "$RESULTS"
  TABLE=1
fi
EX_FILE="$BENCH_DIR/plan-existing-$EXISTING.csv"
NEW_FILE="$BENCH_DIR/plan-new-$NEW.csv"
TMP="$BENCH_TMP/partitions"
cleanup() {
  rm -rf "$BENCH_TMP"
  case "${KEEP:-}" in
    1) ;;
    existing) rm -f "$NEW_FILE" ;;
    *) rm -f "$NEW_FILE" "$EX_FILE" ;;
  esac
}
trap cleanup EXIT
bench_build
mkdir -p "$TMP"

LABEL="$MODE $NEW new + $EXISTING existing"
[ "$MEMORY" = 1GiB ] || LABEL="$LABEL, --memory-limit $MEMORY"
[ -z "${WRITE:-}" ] || LABEL="$LABEL, --write-merged"

# Disk, checked before anything is written: the files not generated yet, the partitions (about
# 18 bytes per record of either file, +10 per new one for INCREMENTAL; a record is about 49
# bytes), and the merged file with WRITE. Short of room, the plan is skipped (a row says so).
SIZES=$(($(bench_size "$EXISTING") + $(bench_size "$NEW")))
NEED=$((SIZES * 2 / 5))
[ -s "$EX_FILE" ] || NEED=$((NEED + $(bench_size "$EXISTING")))
[ -s "$NEW_FILE" ] || NEED=$((NEED + $(bench_size "$NEW")))
[ -z "${WRITE:-}" ] || NEED=$((NEED + SIZES))
if ! bench_room "$BENCH_DIR" $((NEED / 1000000000 + 1)) "plan ($LABEL)"; then
  printf 'plan (%s)\t%s\t0\t0\t0\t\t\tskipped: %s GB of disk needed, %s GB free (MIN_FREE_GB=%s)\n' \
    "$LABEL" "$SIZES" "$((NEED / 1000000000 + 1))" "$(bench_free_gb "$BENCH_DIR")" "$MIN_FREE_GB" >> "$RESULTS"
  [ -z "$TABLE" ] || bench_table
  exit 0
fi

# Different seeds: the two files share users, items and time range, but hardly any record.
bench_gen "$EX_FILE" --type interactions --size "$EXISTING" --seed 1 --users 1000000 --items 100000
bench_gen "$NEW_FILE" --type interactions --size "$NEW" --seed 2 --users 1000000 --items 100000
EX_B=$(stat -c %s "$EX_FILE")
NEW_B=$(stat -c %s "$NEW_FILE")
BYTES=$((EX_B + NEW_B))
EXTRA=()
[ -z "${WRITE:-}" ] || EXTRA=(--write-merged "$BENCH_TMP/merged.csv")

cat "$EX_FILE" "$NEW_FILE" > /dev/null   # page cache warm (as far as it holds them)
echo "== preflight validate, then plan ($LABEL)" >&2
MAX_OK=1 bench_measure "validate ($LABEL)" "$BYTES" \
  "$BIN/preflight" validate --no-config --dataset-type interactions --format json "$EX_FILE" "$NEW_FILE"
MAX_OK=1 BASE="validate ($LABEL)" OUT="$BENCH_TMP/plan.out" bench_measure "plan ($LABEL)" "$BYTES" \
  "$BIN/preflight" plan --no-config --mode "$MODE" --dataset-type interactions --memory-limit "$MEMORY" \
  --temp-dir "$TMP" --existing "$EX_FILE" "$NEW_FILE" --format json "${EXTRA[@]}"
grep '^note:' "$BENCH_TMP/last.err" >&2 || true
python3 - "$BENCH_TMP/plan.out" <<'PY' >&2 || true
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
