#!/bin/sh
# Runs every fuzz target for $SECS seconds (default 600), two at a time, and prints each
# target's final libFuzzer stats. Build first: RUSTC_BOOTSTRAP=1 cargo fuzz build -O
# Logs: fuzz/logs/<target>.log (gitignored with fuzz/artifacts).
set -u
cd "$(dirname "$0")"
SECS=${SECS:-600}
BIN=target/x86_64-unknown-linux-gnu/release
TARGETS=${*:-"mixin_body mixin_decrypt themis_key themis_message themis_verify themis_decrypt themis_cell vector_file iut_reply protocol_request"}
mkdir -p logs
run() {
    mkdir -p "corpus/$1" "artifacts/$1"
    "$BIN/$1" "corpus/$1" "regressions/$1" -max_total_time="$SECS" -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="artifacts/$1/" > "logs/$1.log" 2>&1
    echo "$1 exit $?: $(grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' "logs/$1.log" | tr '\n' ' ')"
}
set -- $TARGETS
while [ $# -gt 0 ]; do
    a=$1; shift
    if [ $# -gt 0 ]; then
        b=$1; shift
        run "$a" & run "$b" & wait
    else
        run "$a"
    fi
done
