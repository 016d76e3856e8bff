#!/usr/bin/env bash
# Compare `preflight validate` with `wc -l` and peer scripts on one generated Interactions file,
# all measured in the same run (ratios, not absolute times, are what transfers between machines).
#
#   benches/compare.sh 1G            # size: 100M, 1G, 10G ...
#   RUNS=3 KEEP=1 benches/compare.sh 1G
#
# Needs: cargo, python3 (a throwaway venv gets polars, duckdb and pandas), /usr/bin/time.
# qsv is measured when it is on PATH. Data and venv go to $BENCH_DIR (default $TMPDIR/preflight-bench).
set -euo pipefail
SIZE="${1:-1G}"
RUNS="${RUNS:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/preflight-bench}"
mkdir -p "$DIR"
DATA="$DIR/interactions-$SIZE.csv"
SKIP_PEERS="${SKIP_PEERS:-}"

if [ -n "${PREFLIGHT_BIN_DIR:-}" ]; then
  BIN="$PREFLIGHT_BIN_DIR"   # prebuilt `preflight` and `gen`
else
  echo "== build (release)" >&2
  cargo build --release --locked -q -p personalize-preflight -p preflight-benches --manifest-path "$ROOT/Cargo.toml"
  BIN="$ROOT/target/release"
fi

if [ ! -s "$DATA" ]; then
  echo "== generate $SIZE of interactions (seed 42, defect rate 1e-4)" >&2
  "$BIN/gen" --type interactions --size "$SIZE" --seed 42 --defect-rate 0.0001 --users 1000000 --items 100000 -o "$DATA"
fi
BYTES=$(stat -c %s "$DATA")

PY=python3
if [ -z "$SKIP_PEERS" ]; then
  if [ ! -x "$DIR/venv/bin/python" ]; then
    echo "== throwaway venv with polars, duckdb, pandas" >&2
    python3 -m venv "$DIR/venv"
    "$DIR/venv/bin/pip" install -q polars duckdb pandas >&2
  fi
  PY="$DIR/venv/bin/python"
fi

# Warm the page cache so every tool reads from memory.
cat "$DATA" > /dev/null

# measure NAME CMD...: runs CMD $RUNS times, records the median wall time and the max peak RSS.
declare -A WALL RSS FAILED
ORDER=()
measure() {
  local name="$1"; shift
  local times=() rss=0 t m
  for _ in $(seq "$RUNS"); do
    local start=$EPOCHREALTIME
    local rc=0
    /usr/bin/time -f "%M" -o "$DIR/time.out" "$@" > /dev/null 2> "$DIR/stderr.out" || rc=$?
    # preflight exits 1 when it finds errors (the data has defects on purpose); anything else
    # from any tool means the run did not complete and its time means nothing.
    if [ "$rc" -gt 1 ]; then
      echo "   $name FAILED (exit $rc): $(tail -n 3 "$DIR/stderr.out" | tr '\n' ' ')" >&2
      FAILED[$name]=1
    fi
    local end=$EPOCHREALTIME
    t=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
    m=$(tail -n 1 "$DIR/time.out")
    times+=("$t"); [ "$m" -gt "$rss" ] && rss="$m"
  done
  WALL[$name]=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  RSS[$name]=$rss
  ORDER+=("$name")
  echo "   $name: ${WALL[$name]} s" >&2
}

echo "== measure ($RUNS runs each, median wall time, max peak RSS)" >&2
measure "wc -l" wc -l "$DATA"
measure "preflight (1 thread)" "$BIN/preflight" validate --dataset-type interactions --threads 1 "$DATA"
measure "preflight (all threads)" "$BIN/preflight" validate --dataset-type interactions "$DATA"
# `preflight fix` on the same file (its defects repaired, the output validated): the issue's
# target is a time at most 2× validate's (× preflight ≤ 2.0, i.e. ≥ 0.5× its throughput).
measure "preflight fix" "$BIN/preflight" fix --dataset-type interactions --unsafe-fixes --force "$DATA" -o "$DIR/fixed.csv"
if [ -z "$SKIP_PEERS" ]; then
  measure "polars script" "$PY" "$ROOT/benches/peers/polars_check.py" "$DATA"
  measure "duckdb script" "$PY" "$ROOT/benches/peers/duckdb_check.py" "$DATA"
  measure "pandas script" "$PY" "$ROOT/benches/peers/pandas_check.py" "$DATA"
fi
if command -v qsv > /dev/null; then
  measure "qsv validate" qsv validate "$DATA" "$ROOT/benches/peers/interactions.jsonschema.json"
fi

echo
printf 'file: %s (%s bytes), %s cores, %s\n' "$DATA" "$BYTES" "$(nproc)" "$(date -u +%FT%TZ)"
printf '%-24s %9s %10s %10s %10s %12s\n' tool "wall s" "MB/s" "peak MB" "× wc -l" "× preflight"
wc_t=${WALL["wc -l"]}
pf_t=${WALL["preflight (all threads)"]}
for name in "${ORDER[@]}"; do
  [ -n "${FAILED[$name]:-}" ] && name_shown="$name (FAILED)" || name_shown="$name"
  awk -v n="$name_shown" -v t="${WALL[$name]}" -v m="${RSS[$name]}" -v b="$BYTES" -v w="$wc_t" -v p="$pf_t" 'BEGIN {
    printf "%-24s %9.3f %10.0f %10.1f %10.2f %12.2f\n", n, t, (t > 0 ? b / 1e6 / t : 0), m / 1024, (w > 0 ? t / w : 0), (p > 0 ? t / p : 0)
  }'
done
echo "(× wc -l and × preflight are time ratios: higher is slower.)"
[ -n "${KEEP:-}" ] || true
