#!/usr/bin/env bash
# Plans an import of generated interactions and reports wall time, CPU time, peak RSS and the
# plan's throughput (bytes of new + existing data per second) against `preflight validate` on
# the same files in the same run (the target: plan throughput ≥ 0.5 × validate's). The data is
# deleted afterwards (KEEP=1 keeps it).
#
#   benches/plan.sh                                  # INCREMENTAL, 999,000,000 bytes new, 10 GiB existing
#   MODE=full NEW=3G EXISTING=1G benches/plan.sh     # FULL 3 GB new vs 1 GB existing
#   NEW=100M EXISTING=1G MEMORY=64MiB benches/plan.sh  # a small budget: out of core
#   WRITE=1 benches/plan.sh                          # also --write-merged (writes EXISTING+NEW)
#
# MEMORY is --memory-limit (default 1GiB); past it the plan runs out of core, its partitions in
# $BENCH_DIR/tmp (the disk it needs is printed first). The new batch of the default stays just
# under 10^9 bytes so that the INCREMENTAL size gate (PF311) passes. Figures: docs/performance.md.
#
# Needs: cargo, /usr/bin/time. Data goes to $BENCH_DIR (default $TMPDIR/preflight-plan-bench).
# PREFLIGHT_BIN_DIR: prebuilt `preflight` and `gen` (else a release build of this checkout).
set -euo pipefail
NEW="${NEW:-999000000}"
EXISTING="${EXISTING:-10G}"
MODE="${MODE:-incremental}"
MEMORY="${MEMORY:-1GiB}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/preflight-plan-bench}"
mkdir -p "$DIR"
if [ -z "${KEEP:-}" ]; then
  trap 'rm -rf "$DIR"' EXIT
fi

if [ -n "${PREFLIGHT_BIN_DIR:-}" ]; then
  BIN="$PREFLIGHT_BIN_DIR"
else
  echo "== build (release)" >&2
  cargo build --release --locked -q -p personalize-preflight -p preflight-benches --manifest-path "$ROOT/Cargo.toml"
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
fi
mkdir -p "$DIR/tmp"

# Different seeds: the two files share users, items and time range, but hardly any record.
if [ ! -s "$DIR/existing.csv" ]; then
  echo "== generate $EXISTING of existing interactions" >&2
  "$BIN/gen" --type interactions --size "$EXISTING" --seed 1 --users 1000000 --items 100000 -o "$DIR/existing.csv"
fi
if [ ! -s "$DIR/new.csv" ]; then
  echo "== generate $NEW bytes of new interactions" >&2
  "$BIN/gen" --type interactions --size "$NEW" --seed 2 --users 1000000 --items 100000 -o "$DIR/new.csv"
fi
EXTRA=()
if [ -n "${WRITE:-}" ]; then
  rm -f "$DIR/merged.csv"
  EXTRA=(--write-merged "$DIR/merged.csv")
fi

cat "$DIR/existing.csv" "$DIR/new.csv" > /dev/null   # page cache warm for both runs

# run NAME CMD...: wall, CPU and peak RSS of one run into $DIR/NAME.time
run() {
  local name="$1"; shift
  set +e
  /usr/bin/time -v "$@" > "$DIR/$name.out" 2> "$DIR/$name.time"
  local code=$?
  set -e
  if [ "$code" -gt 1 ]; then
    cat "$DIR/$name.time" >&2
    exit "$code"
  fi
}
secs() { grep "Elapsed (wall clock)" "$1" | awk '{n=split($NF,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}'; }
cpu() { grep -E "User time|System time" "$1" | awk '{s += $NF} END {printf "%.1f", s}'; }
rss() { grep "Maximum resident set size" "$1" | awk '{printf "%.0f", $NF / 1024}'; }

echo "== preflight validate (the same files)" >&2
run validate "$BIN/preflight" validate --dataset-type interactions --format json "$DIR/existing.csv" "$DIR/new.csv"
echo "== preflight plan --mode $MODE --memory-limit $MEMORY" >&2
run plan "$BIN/preflight" plan --mode "$MODE" --dataset-type interactions --memory-limit "$MEMORY" \
  --temp-dir "$DIR/tmp" --existing "$DIR/existing.csv" "$DIR/new.csv" --format json "${EXTRA[@]}"
grep '^note:' "$DIR/plan.time" >&2 || true
EX_B=$(stat -c %s "$DIR/existing.csv"); NEW_B=$(stat -c %s "$DIR/new.csv")
V=$(secs "$DIR/validate.time"); P=$(secs "$DIR/plan.time")
printf 'existing  %s bytes\nnew       %s bytes\nmode      %s, --memory-limit %s\n' "$EX_B" "$NEW_B" "$MODE" "$MEMORY"
awk -v b="$((EX_B + NEW_B))" -v v="$V" -v p="$P" -v vc="$(cpu "$DIR/validate.time")" -v pc="$(cpu "$DIR/plan.time")" \
  -v vr="$(rss "$DIR/validate.time")" -v pr="$(rss "$DIR/plan.time")" 'BEGIN {
  printf "validate  %7.2f s wall %7.1f s CPU %6d MiB peak RSS %7.0f MB/s\n", v, vc, vr, b / 1e6 / v
  printf "plan      %7.2f s wall %7.1f s CPU %6d MiB peak RSS %7.0f MB/s\n", p, pc, pr, b / 1e6 / p
  printf "plan throughput / validate throughput: %.2f (target >= 0.5)\n", v / p
}'
python3 - "$DIR/plan.out" <<'PY' || true
import json, sys
p = json.load(open(sys.argv[1]))["plan"]
print("plan      existing %d records, batch %d records: %d new, %d collapsed, %d dropped; %d after the job"
      % (p["existing"]["records"], p["batch"]["records"], p["new"], p["collapsed"], p["dropped"] or 0, p["result_records"]))
PY
left=$(find "$DIR/tmp" -mindepth 1 | wc -l)
echo "temporary files left: $left"
