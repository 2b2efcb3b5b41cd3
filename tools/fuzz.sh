#!/bin/sh
# Fuzzes wm's readers with libFuzzer, one reader at a time on one core.
#   tools/fuzz.sh [SECONDS_PER_READER] [READER ...]      readers: safetensors dataset npz scene (default: all)
# Builds Fuzz/ (every Swift target with -sanitize=fuzzer, the C targets with coverage), then runs each reader for
# SECONDS_PER_READER (default 600) from the committed corpus Tests/WorldModelTests/Fuzz/Corpus/READER, growing a
# working corpus in /tmp/wm-fuzz/READER/corpus. A crash, hang or out-of-memory input lands in
# /tmp/wm-fuzz/READER/artifacts/; copy it into the committed corpus once fixed, so `swift test` replays it.
# Prints the executions of each run (libFuzzer's final stats).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
[ $# -gt 0 ] && shift
readers=${*:-safetensors dataset npz scene}

(cd "$root/Fuzz" && swift build -c release -Xswiftc -sanitize=fuzzer -Xcc -fsanitize=fuzzer-no-link -Xcxx -fsanitize=fuzzer-no-link)
fuzzer="$root/Fuzz/.build/release/FuzzReaders"

status=0
for reader in $readers; do
    work=/tmp/wm-fuzz/$reader
    mkdir -p "$work/corpus" "$work/artifacts"
    echo "fuzzing $reader for $seconds s (log: $work/fuzz.log)"
    # SWIFT_BACKTRACE off: Swift's crash reporter would take the signal before libFuzzer could save the input.
    if (cd "$work" && SWIFT_BACKTRACE=enable=no WM_FUZZ_READER=$reader "$fuzzer" "$work/corpus" "$root/Tests/WorldModelTests/Fuzz/Corpus/$reader" \
        -max_total_time="$seconds" -jobs=1 -workers=1 -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" >/dev/null 2>&1); then
        :
    else
        status=1
    fi
    log=$(ls -t "$work"/fuzz-*.log 2>/dev/null | head -1)
    [ -n "$log" ] && mv "$log" "$work/fuzz.log"
    executions=$(grep -h "stat::number_of_executed_units" "$work/fuzz.log" 2>/dev/null | tail -1 | awk '{print $2}')
    crashes=$(ls "$work/artifacts" | wc -l)
    echo "$reader: ${executions:-?} executions, $crashes artifact(s) in $work/artifacts"
    [ "$crashes" -gt 0 ] && status=1
done
exit $status
