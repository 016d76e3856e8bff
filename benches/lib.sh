# shellcheck shell=bash
# What the benchmark scripts share (sourced by compare.sh, plan.sh and insights.sh): the build,
# data generated once, measurement of one command, and the markdown table of the results.
#
# Environment every script reads:
#   BENCH_DIR          where data, tools and outputs go (each script has its own default)
#   PREFLIGHT_BIN_DIR  prebuilt `preflight`, `gen` (and `examples/serve` for stage); else a
#                      release build of this checkout into $CARGO_TARGET_DIR (or target/)
#   BENCH_LOCK         a lock file (flock) taken around each build, generation and measured run
#                      and released in between, for a machine whose cores are shared
#   MIN_FREE_GB        free disk a script never goes under (default 10): a step that would is
#                      skipped and reported
#   RESULTS            a file the rows are appended to (tab-separated; see bench_measure)
#
# Each script keeps its scratch files (outputs, the plan's partitions, the S3 server's folder)
# in a folder of its own, $BENCH_TMP (see bench_scratch), so that runs sharing BENCH_DIR do not
# mix them; data files are shared and reused.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIN_FREE_GB="${MIN_FREE_GB:-10}"

# bench_scratch: creates $BENCH_TMP in $BENCH_DIR (the caller removes it on exit).
bench_scratch() {
  mkdir -p "$BENCH_DIR"
  BENCH_TMP=$(mktemp -d "$BENCH_DIR/.scratch-XXXXXX")
}

# bench_lock / bench_unlock: take and release $BENCH_LOCK (nothing without it). They nest: a
# script may hold the lock over a group of measurements (and the scripts it runs, which
# inherit it through BENCH_LOCK_DEPTH) so as not to queue again for each one.
BENCH_LOCK_DEPTH="${BENCH_LOCK_DEPTH:-0}"
bench_lock() {
  [ -n "${BENCH_LOCK:-}" ] || return 0
  if [ "$BENCH_LOCK_DEPTH" -eq 0 ]; then
    exec {BENCH_LOCK_FD}> "$BENCH_LOCK"
    flock "$BENCH_LOCK_FD"
  fi
  BENCH_LOCK_DEPTH=$((BENCH_LOCK_DEPTH + 1))
  export BENCH_LOCK_DEPTH
}
bench_unlock() {
  [ "$BENCH_LOCK_DEPTH" -gt 0 ] || return 0
  BENCH_LOCK_DEPTH=$((BENCH_LOCK_DEPTH - 1))
  export BENCH_LOCK_DEPTH
  if [ "$BENCH_LOCK_DEPTH" -eq 0 ] && [ -n "${BENCH_LOCK_FD:-}" ]; then
    exec {BENCH_LOCK_FD}>&-
    unset BENCH_LOCK_FD
  fi
}

# bench_build: sets BIN to the folder with `preflight` and `gen` (and, with BENCH_SERVE=1,
# `examples/serve`, the S3 server of crates/s3-test-server), building them unless
# PREFLIGHT_BIN_DIR is set.
bench_build() {
  if [ -n "${PREFLIGHT_BIN_DIR:-}" ]; then
    BIN="$PREFLIGHT_BIN_DIR"
    return
  fi
  echo "== build (release)" >&2
  bench_lock
  cargo build --release --locked -q -p personalize-preflight -p preflight-benches --manifest-path "$BENCH_ROOT/Cargo.toml"
  if [ -n "${BENCH_SERVE:-}" ]; then
    cargo build --release --locked -q -p preflight-s3-test-server --example serve --manifest-path "$BENCH_ROOT/Cargo.toml"
  fi
  bench_unlock
  BIN="${CARGO_TARGET_DIR:-$BENCH_ROOT/target}/release"
}

# bench_free_gb: free space (GB, 10^9 bytes) of the file system holding $1.
bench_free_gb() {
  df -P -B1 "$1" | awk 'NR == 2 {printf "%d", $4 / 1e9}'
}

# bench_room DIR GB WHAT: true when DIR's disk keeps MIN_FREE_GB free after GB more; else says so.
bench_room() {
  local free
  free=$(bench_free_gb "$1")
  if [ "$((free - $2))" -lt "$MIN_FREE_GB" ]; then
    echo "   skipped $3: it needs about $2 GB and $1 has $free GB free (MIN_FREE_GB=$MIN_FREE_GB)" >&2
    return 1
  fi
}

# bench_size SIZE: bytes of a size as `gen --size` reads it (100M, 1G = 2^30, 999000000).
bench_size() {
  awk -v s="$1" 'BEGIN {
    m = 1; u = substr(s, length(s)); n = s
    if (u ~ /[kK]/) m = 2^10; else if (u ~ /[mM]/) m = 2^20; else if (u ~ /[gG]/) m = 2^30
    if (m > 1) n = substr(s, 1, length(s) - 1)
    printf "%d", n * m
  }'
}

# bench_gen FILE GEN-ARGS...: generates FILE with `gen` unless it exists. It is written under a
# temporary name and renamed when complete, so a file with the final name is always whole (and
# two runs sharing BENCH_DIR reuse it).
bench_gen() {
  local file="$1"
  shift
  [ -s "$file" ] && return 0
  local size=1 prev=
  local a
  for a in "$@"; do
    [ "$prev" = --size ] && size=$(($(bench_size "$a") / 1000000000 + 1))
    prev="$a"
  done
  bench_room "$(dirname "$file")" "$size" "generating $(basename "$file")" || return 1
  echo "== generate $(basename "$file") (gen $*)" >&2
  bench_lock
  "$BIN/gen" "$@" -o "$file.part.$$"
  bench_unlock
  mv "$file.part.$$" "$file"
}

# bench_measure NAME BYTES CMD...: runs CMD $RUNS times (default 1) and appends one row to
# $RESULTS: name, bytes read, median wall s, its CPU s, max peak RSS KiB, the row it is compared
# with ($BASE: a validate of the same bytes), the `wc -l` row ($WC), and `ok` or `FAILED (…)`.
# A run that exits above $MAX_OK (default 0; 1 for preflight, which exits 1 on findings) is a
# failure and its time means nothing. $BEFORE, if set, is run before each run, untimed.
# The command's stdout goes to $OUT (default /dev/null), stderr to $BENCH_TMP/last.err.
bench_measure() {
  local name="$1" bytes="$2"
  shift 2
  local runs="${RUNS:-1}" status=ok rows=() i rc start end
  for ((i = 0; i < runs; i++)); do
    [ -z "${BEFORE:-}" ] || eval "$BEFORE"
    bench_lock
    rc=0
    start=$EPOCHREALTIME
    /usr/bin/time -f "%U %S %M" -o "$BENCH_TMP/time.out" "$@" > "${OUT:-/dev/null}" 2> "$BENCH_TMP/last.err" || rc=$?
    end=$EPOCHREALTIME
    bench_unlock
    if [ "$rc" -gt "${MAX_OK:-0}" ]; then
      status="FAILED (exit $rc)"
      echo "   $name FAILED (exit $rc): $(grep -v '^Command exited' "$BENCH_TMP/last.err" | tail -n 3 | tr '\n' ' ')" >&2
    fi
    rows+=("$(awk -v s="$start" -v e="$end" -v t="$(tail -n 1 "$BENCH_TMP/time.out")" \
      'BEGIN {split(t, a, " "); printf "%.3f %.2f %d", e - s, a[1] + a[2], a[3]}')")
  done
  local row
  row=$(printf '%s\n' "${rows[@]}" | sort -g | awk '{w[NR] = $1; c[NR] = $2; if ($3 > m) m = $3}
    END {k = int((NR + 1) / 2); printf "%s\t%s\t%d", w[k], c[k], m}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$bytes" "$row" "${BASE:-}" "${WC:-}" "$status" >> "$RESULTS"
  echo "   $name: $(cut -f1 <<< "$row") s, $(awk -v k="$(cut -f3 <<< "$row")" 'BEGIN {printf "%.0f", k / 1024}') MiB" >&2
}

# bench_table: the rows of $RESULTS as a markdown table. `× wc -l` and
# `× validate` are time ratios (higher is slower) to the rows named in the WC and BASE columns;
# `÷ validate` is throughput over that validate's throughput on the same bytes (the plan's
# target is ≥ 0.5).
bench_table() {
  awk -F '\t' '
    { name[NR] = $1; bytes[NR] = $2; wall[NR] = $3; cpu[NR] = $4; rss[NR] = $5; base[NR] = $6; wc[NR] = $7; st[NR] = $8; at[$1] = NR }
    END {
      print "| run | input MB | wall s | CPU s | MB/s | peak RSS MiB | × wc -l | × validate | throughput ÷ validate |"
      print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
      for (i = 1; i <= NR; i++) {
        x = (wc[i] != "" && (wc[i] in at) && wall[at[wc[i]]] > 0) ? sprintf("%.2f", wall[i] / wall[at[wc[i]]]) : ""
        b = (base[i] != "" && (base[i] in at) && wall[at[base[i]]] > 0) ? at[base[i]] : 0
        v = b ? sprintf("%.2f", wall[i] / wall[b]) : ""
        t = b ? sprintf("%.2f", (bytes[i] / wall[i]) / (bytes[b] / wall[b])) : ""
        n = name[i] (st[i] == "ok" ? "" : " **" st[i] "**")
        printf "| %s | %.0f | %.2f | %.1f | %.0f | %.0f | %s | %s | %s |\n", n, bytes[i] / 1e6, wall[i], cpu[i], (wall[i] > 0 ? bytes[i] / 1e6 / wall[i] : 0), rss[i] / 1024, x, v, t
      }
    }' "$RESULTS"
}
