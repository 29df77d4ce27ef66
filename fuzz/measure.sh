#!/bin/sh
# Measures the exec/s of the named targets: each for $SECS seconds (default 60), one at a
# time, from a fresh copy of the same seed corpus (seed_corpus.py) plus regressions/, with
# -seed=1; prints libFuzzer's final stats. BIN: the built targets' directory.
# Build first: RUSTC_BOOTSTRAP=1 cargo fuzz build -O
set -eu
cd "$(dirname "$0")"
SECS=${SECS:-60}
BIN=${BIN:-target/x86_64-unknown-linux-gnu/release}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 seed_corpus.py --out "$work/seeds" >/dev/null
for t in "$@"; do
    mkdir -p "$work/run/$t"
    if [ -d "$work/seeds/$t" ]; then cp -R "$work/seeds/$t/." "$work/run/$t/"; fi
    rc=0
    "$BIN/$t" "$work/run/$t" "regressions/$t" -seed=1 -max_total_time="$SECS" \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$work/" \
        > "$work/$t.log" 2>&1 || rc=$?
    stats=$(grep -E 'stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
        "$work/$t.log" | awk '{printf "%s %s  ", $1, $2}')
    echo "$t exit $rc: $stats"
    if [ "$rc" != 0 ]; then tail -n 40 "$work/$t.log"; exit 1; fi
done
