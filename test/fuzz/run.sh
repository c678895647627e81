#!/usr/bin/env bash
# Builds the libFuzzer targets of the core (ASan + UBSan, clang) and runs each for a bounded time.
#   bash test/fuzz/run.sh                 30 s per target
#   FUZZ_SECONDS=300 bash test/fuzz/run.sh
#   FUZZ_TARGETS=fuzz_rules bash test/fuzz/run.sh
# Builds in build-fuzz/ (CMake, -DVID_FUZZ=ON); fuzzes copies of test/fuzz/corpus/<target>/ in a
# temporary directory, so the repository is left as it was. Prints the executions per target and
# exits non-zero when a target crashes, trips a sanitizer, breaks an invariant, times out or runs
# out of memory; the input that did it is kept and its path printed (replay it with
# build-fuzz/<target> <file>).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SECONDS_PER_TARGET=${FUZZ_SECONDS:-30}
TARGETS=${FUZZ_TARGETS:-fuzz_rules fuzz_config}
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
CXX_FUZZ=${FUZZ_CXX:-clang++-14}

max_len() {
    case $1 in
        fuzz_rules) echo 64 ;;
        fuzz_config) echo 512 ;;
        *) echo 256 ;;
    esac
}

echo "== build ($CXX_FUZZ, $BUILD)"
mkdir -p "$BUILD"
[ -e "$BUILD/.gitignore" ] || echo '*' >"$BUILD/.gitignore"  # a build tree is never committed
# shellcheck disable=SC2086
if ! { cmake -S "$ROOT" -B "$BUILD" -DVID_FUZZ=ON -DCMAKE_CXX_COMPILER="$CXX_FUZZ" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/configure.log" 2>&1 &&
    cmake --build "$BUILD" -j"$(nproc)" --target $TARGETS >"$BUILD/build.log" 2>&1; }; then
    tail -n 40 "$BUILD/configure.log" "$BUILD/build.log" 2>/dev/null
    echo "fuzz: build failed"
    exit 1
fi

WORK=$(mktemp -d /tmp/vid-fuzz.XXXXXX)
failed=()
for t in $TARGETS; do
    mkdir -p "$WORK/$t/corpus" "$WORK/$t/artifacts"
    cp -r "$ROOT/test/fuzz/corpus/$t/." "$WORK/$t/corpus/" 2>/dev/null || true
    echo "== $t (${SECONDS_PER_TARGET} s, -max_len=$(max_len "$t"))"
    # -timeout: one input must finish in 10 s (they take milliseconds); the sanitizers abort on
    # the first error (-fno-sanitize-recover) and libFuzzer exits non-zero for any finding.
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$BUILD/$t" "$WORK/$t/corpus" \
        -max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$t")" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$WORK/$t/artifacts/" \
        >"$WORK/$t/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$t/log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$WORK/$t/log" | tail -n 1)
    found=$(find "$WORK/$t/artifacts" -type f | head -n 1)
    if [ "$rc" -ne 0 ] || [ -n "$found" ] || [ -z "$execs" ]; then
        failed+=("$t")
        echo "   FAILED (exit $rc) after ${execs:-?} executions; last lines of $WORK/$t/log:"
        grep -v '^"' "$WORK/$t/log" | tail -n 40 | sed 's/^/   | /'
        [ -n "$found" ] && echo "   input: $found (replay: $BUILD/$t $found)"
    else
        echo "   ok: $execs executions ($rate/s), corpus $(find "$WORK/$t/corpus" -type f | wc -l) inputs"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]} (logs and inputs in $WORK)"
    exit 1
fi
rm -rf "$WORK"
echo "fuzz: ok"
