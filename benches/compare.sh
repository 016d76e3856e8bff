#!/usr/bin/env bash
# The whole comparison in one command, every figure from the same run on the same generated
# files (ratios, not absolute times, are what transfers between machines), printed as a
# markdown table with the machine and the date:
#
#   - on one Interactions file of SIZE (default 1G): `wc -l`, `xan count -c` (a full SIMD CSV
#     parse on one thread), `preflight validate` (all threads, 1 thread), `preflight fix` (safe fixes, and
#     `--unsafe-fixes`), `preflight insights` (benches/insights.sh, with 1,000,000 items), the
#     polars / DuckDB / pandas scripts of benches/peers (a handful of preflight's checks), and
#     qsv when it is on PATH;
#   - `preflight stage` of that file against `aws s3 cp` of it, to the same bucket of the same
#     S3 server on loopback (the s3s-fs server of crates/s3-test-server): each with its default
#     checksum, then both with SHA-256;
#   - the plans of PLANS (benches/plan.sh), each beside `validate` of the same bytes.
#
# Usage:
#   benches/compare.sh [SIZE]            # SIZE: 100M, 1G (default), 10G ...
#   QUICK=1 benches/compare.sh           # 100M, and plans of 100M-1G: a try-out in minutes
#   RUNS=1 SKIP=peers,plan benches/compare.sh 1G
#   benches/compare.sh --help
#
# Settings (environment):
#   RUNS    runs of each measurement on the SIZE file, the median kept (default 3; plans run once)
#   PEER_RUNS  runs of the polars, DuckDB and pandas scripts (default RUNS)
#   PLANS   MODE:NEW:EXISTING ... (default the issue's sizes: "incremental:999000000:10G
#           full:3G:1G full:10G:10G"; 10G + 10G is 20 GB of data and about 8 GB of the plan's
#           temporary files; a plan whose data would leave less than MIN_FREE_GB is skipped)
#   SKIP    comma-separated parts to leave out: xan, fix, peers, insights, stage, plan
#   KEEP=1  keep the generated data (else the plans' data is deleted after them; the SIZE file
#           is kept for the next run)
#   BENCH_DIR (default $TMPDIR/preflight-bench), PREFLIGHT_BIN_DIR, BENCH_LOCK, MIN_FREE_GB:
#           see benches/lib.sh (with BENCH_LOCK, the lock is held over each part: the SIZE
#           file's tools, the peer scripts, insights and stage, each plan; a few minutes each)
#
# Needs: cargo, python3 (throwaway venvs get polars, duckdb, pandas, and awscli), /usr/bin/time.
# `xan` 0.61.0 is installed with cargo into $BENCH_DIR/tools unless it is on PATH (about 8
# minutes on 2 cores, once). The table also goes to $BENCH_DIR/compare.md.
set -euo pipefail
case "${1:-}" in
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
esac
if [ -n "${QUICK:-}" ]; then
  SIZE="${1:-${SIZE:-100M}}"
  PLANS="${PLANS:-incremental:100M:1G full:300M:100M full:1G:1G}"
else
  SIZE="${1:-${SIZE:-1G}}"
  PLANS="${PLANS:-incremental:999000000:10G full:3G:1G full:10G:10G}"
fi
RUNS="${RUNS:-3}"
SKIP=",${SKIP:-},"
skip() { [[ "$SKIP" == *",$1,"* ]]; }
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
BENCH_DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/preflight-bench}"
bench_scratch
RESULTS="$BENCH_TMP/results.tsv"
: > "$RESULTS"
export BENCH_DIR RESULTS MIN_FREE_GB
[ -z "${BENCH_LOCK:-}" ] || export BENCH_LOCK
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
  fi
  rm -rf "$BENCH_TMP"
}
trap cleanup EXIT

BENCH_SERVE=1 bench_build
export PREFLIGHT_BIN_DIR="$BIN"

# xan: on PATH, else installed once into $BENCH_DIR/tools (the version checked to build here).
XAN=
if ! skip xan; then
  if command -v xan > /dev/null; then
    XAN=xan
  else
    if [ ! -x "$BENCH_DIR/tools/bin/xan" ]; then
      echo "== cargo install xan 0.61.0 into $BENCH_DIR/tools (once)" >&2
      bench_lock
      cargo install --locked --quiet xan@0.61.0 --root "$BENCH_DIR/tools" || echo "   xan could not be installed: not measured" >&2
      bench_unlock
    fi
    [ ! -x "$BENCH_DIR/tools/bin/xan" ] || XAN="$BENCH_DIR/tools/bin/xan"
  fi
fi
# Throwaway venvs: the peer scripts' libraries, and the AWS CLI.
# (Made in place, since a venv's scripts name its path; `.complete` marks one whose install
# finished.)
venv() { # DIR PACKAGES...
  local dir="$1"
  shift
  if [ ! -e "$dir/.complete" ]; then
    echo "== throwaway venv $dir with $*" >&2
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q "$@" >&2
    touch "$dir/.complete"
  fi
}
skip peers || venv "$BENCH_DIR/venv" polars duckdb pandas
skip stage || venv "$BENCH_DIR/aws-venv" awscli

DATA="$BENCH_DIR/interactions-$SIZE.csv"
bench_gen "$DATA" --type interactions --size "$SIZE" --seed 42 --defect-rate 0.0001 --users 1000000 --items 100000
BYTES=$(stat -c %s "$DATA")
cat "$DATA" > /dev/null # page cache warm: every tool reads from memory

echo "== the $SIZE file ($RUNS runs each: median wall time, max peak RSS)" >&2
export RUNS
V="validate (all threads)"
bench_lock
bench_measure "wc -l" "$BYTES" wc -l "$DATA"
MAX_OK=1 WC="wc -l" BASE="$V" bench_measure "$V" "$BYTES" \
  "$BIN/preflight" validate --no-config --dataset-type interactions "$DATA"
MAX_OK=1 WC="wc -l" BASE="$V" bench_measure "validate (1 thread)" "$BYTES" \
  "$BIN/preflight" validate --no-config --dataset-type interactions --threads 1 "$DATA"
# The defects repaired, the output validated (the target: at most 2× validate's time): `fix`
# as it runs by default (the safe fixes), then with the unsafe ones, which also drop duplicates
# and so write the output twice. Each run writes a new file, as `fix -o NEW` does: the previous
# run's output is removed first, outside the timing (renaming over an existing 1 GB file makes
# ext4 start writing the new one out at once (`auto_da_alloc`), 0.5 to 1.5 s more here).
no_output() { rm -f "$BENCH_TMP/fixed.csv"; }
skip fix || BEFORE=no_output MAX_OK=1 WC="wc -l" BASE="$V" bench_measure "fix" "$BYTES" \
  "$BIN/preflight" fix --no-config --dataset-type interactions --force "$DATA" -o "$BENCH_TMP/fixed.csv"
rm -f "$BENCH_TMP/fixed.csv"
skip fix || BEFORE=no_output MAX_OK=1 WC="wc -l" BASE="$V" bench_measure "fix --unsafe-fixes" "$BYTES" \
  "$BIN/preflight" fix --no-config --dataset-type interactions --unsafe-fixes --force "$DATA" -o "$BENCH_TMP/fixed.csv"
rm -f "$BENCH_TMP/fixed.csv"
# xan: `count -c` stops at the first record with a field too many (the file has some on
# purpose), so it and validate are also measured on a twin of the file without defects.
if [ -n "$XAN" ]; then
  CLEAN="$BENCH_DIR/interactions-$SIZE-clean.csv"
  if bench_gen "$CLEAN" --type interactions --size "$SIZE" --seed 42 --users 1000000 --items 100000; then
    CLEAN_BYTES=$(stat -c %s "$CLEAN")
    cat "$CLEAN" > /dev/null
    MAX_OK=1 WC="wc -l" BASE="$V" bench_measure "validate (all threads), no defects" "$CLEAN_BYTES" \
      "$BIN/preflight" validate --no-config --dataset-type interactions "$CLEAN"
    WC="wc -l" BASE="validate (all threads), no defects" bench_measure "xan count -c (1 thread), no defects" "$CLEAN_BYTES" \
      "$XAN" count -c "$CLEAN"
    [ -n "${KEEP:-}" ] || rm -f "$CLEAN"
  fi
fi
bench_unlock
if ! skip peers; then
  bench_lock
  for p in polars duckdb pandas; do
    RUNS="${PEER_RUNS:-$RUNS}" WC="wc -l" BASE="$V" bench_measure "$p script" "$BYTES" "$BENCH_DIR/venv/bin/python" "$BENCH_ROOT/benches/peers/${p}_check.py" "$DATA"
  done
  bench_unlock
fi
if command -v qsv > /dev/null; then
  MAX_OK=1 WC="wc -l" BASE="$V" bench_measure "qsv validate" "$BYTES" qsv validate "$DATA" "$BENCH_ROOT/benches/peers/interactions.jsonschema.json"
fi

bench_lock
# The file's ITEM_IDs are drawn from 100,000 items: the Items file has those.
skip insights || INTERACTIONS="$DATA" ITEMS=100000 bash "$BENCH_ROOT/benches/insights.sh"

# stage against `aws s3 cp`: the same file, server and bucket, the bucket emptied before each
# run (stage would otherwise find its run folder complete and upload nothing). Both use 8 MiB
# parts; stage's default concurrency is 4 parts, the CLI's 10 requests.
STAGE_NOTE=
if ! skip stage && bench_room "$BENCH_DIR" $((BYTES * 3 / 1000000000 + 1)) "stage vs aws s3 cp"; then
  S3="$BENCH_TMP/s3"
  mkdir -p "$S3"
  "$BIN/examples/serve" "$S3" bench > "$BENCH_TMP/s3.endpoint" 2> "$BENCH_TMP/s3.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    [ -s "$BENCH_TMP/s3.endpoint" ] && break
    sleep 0.1
  done
  EP=$(head -n 1 "$BENCH_TMP/s3.endpoint")
  echo "== stage vs aws s3 cp, S3 server at $EP" >&2
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  # (s3s-fs keeps each object's metadata beside the bucket folder, the shim in .shim)
  empty_bucket() { find "$S3" -mindepth 1 -delete && mkdir -p "$S3/bench" "$S3/.shim"; }
  # --force: the benchmark file has defects on purpose; stage uploads it anyway.
  BEFORE=empty_bucket WC="wc -l" BASE="$V" bench_measure "stage (validate + upload)" "$BYTES" \
    "$BIN/preflight" stage --no-config --dataset-type interactions --force --progress never \
    --endpoint-url "$EP" --to s3://bench/preflight/ "$DATA"
  BEFORE=empty_bucket WC="wc -l" BASE="$V" bench_measure "aws s3 cp" "$BYTES" \
    "$BENCH_DIR/aws-venv/bin/aws" --endpoint-url "$EP" s3 cp --only-show-errors "$DATA" s3://bench/aws/interactions.csv
  # The same with the same checksum on both sides: the CLI sends a CRC32 of each part by
  # default (a composite checksum, which the server stores as it receives the parts), stage a
  # CRC64NVME of the whole object (which the test server combines from the parts' CRC64NVMEs
  # when the upload completes, as S3 does). With SHA-256 both send a checksum of each part.
  BEFORE=empty_bucket WC="wc -l" BASE="$V" bench_measure "stage --checksum sha256" "$BYTES" \
    "$BIN/preflight" stage --no-config --dataset-type interactions --force --progress never \
    --checksum sha256 --endpoint-url "$EP" --to s3://bench/preflight/ "$DATA"
  BEFORE=empty_bucket WC="wc -l" BASE="$V" bench_measure "aws s3 cp --checksum-algorithm SHA256" "$BYTES" \
    "$BENCH_DIR/aws-venv/bin/aws" --endpoint-url "$EP" s3 cp --only-show-errors \
    --checksum-algorithm SHA256 "$DATA" s3://bench/aws/interactions.csv
  STAGE_NOTE="stage: --part-size 8 MiB × --concurrency 4 = 32 MiB of part buffers (the defaults)"
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2> /dev/null || true
  SERVER_PID=
  rm -rf "$S3"
fi
bench_unlock

if ! skip plan; then
  read -r -a specs <<< "$PLANS"
  for i in "${!specs[@]}"; do
    IFS=: read -r mode new existing <<< "${specs[$i]}"
    # Keep the existing data when a later plan reads the same.
    keep="${KEEP:-}"
    for later in "${specs[@]:$((i + 1))}"; do
      [ "${later##*:}" != "$existing" ] || keep="${KEEP:-existing}"
    done
    bench_lock
    RUNS=1 KEEP="$keep" MODE="$mode" NEW="$new" EXISTING="$existing" bash "$BENCH_ROOT/benches/plan.sh" || echo "   plan $mode $new/$existing FAILED" >&2
    bench_unlock
  done
fi

{
  # shellcheck disable=SC2016 # the backquotes are markdown
  printf '`benches/compare.sh %s` (RUNS=%s), %s, commit %s\n\n' "$SIZE" "$RUNS" "$(date -u +'%F %H:%M UTC')" "$(git -C "$BENCH_ROOT" rev-parse --short HEAD 2> /dev/null || echo '?')"
  printf 'machine: %s cores (%s), %s GiB RAM; the %s file: %s bytes, %s lines\n\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')" "$(free -g | awk '/^Mem:/ {print $2}')" \
    "$SIZE" "$BYTES" "$(wc -l < "$DATA")"
  bench_table
  echo
  echo "× wc -l and × validate: wall-time ratios (higher is slower) to \`wc -l\` and to \`validate\` (all threads) of the same bytes; throughput ÷ validate: MB/s over validate's MB/s on the same bytes (the plan's target: ≥ 0.5)."
  [ -z "$STAGE_NOTE" ] || echo "$STAGE_NOTE; \`aws s3 cp\`: 8 MiB parts, 10 requests at once (its defaults)."
} | tee "$BENCH_DIR/compare.md"
