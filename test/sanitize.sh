#!/usr/bin/env bash
# The core's GoogleTest suite under AddressSanitizer + UndefinedBehaviorSanitizer.
#   bash test/sanitize.sh                  g++ (the system's c++), in build-asan/
#   CXX=clang++-14 bash test/sanitize.sh   another compiler (use a fresh VID_ASAN_BUILD_DIR)
# Configures with -DVID_SANITIZE=ON (every sanitizer error aborts: -fno-sanitize-recover=all),
# builds vid_core_tests and runs it through ctest. Exits non-zero when the build or any test fails.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${VID_ASAN_BUILD_DIR:-$ROOT/build-asan}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "== build (${CXX:-c++}, $BUILD)"
mkdir -p "$BUILD"
[ -e "$BUILD/.gitignore" ] || echo '*' >"$BUILD/.gitignore"  # a build tree is never committed
if ! cmake -S "$ROOT" -B "$BUILD" -DVID_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/configure.log" 2>&1; then
    cat "$BUILD/configure.log"
    echo "sanitize: configure failed"
    exit 1
fi
# The tests are discovered after the link by running the binary, so a sanitizer error at start-up
# already fails here.
if ! cmake --build "$BUILD" -j"$(nproc)" --target vid_core_tests >"$BUILD/build.log" 2>&1; then
    grep -E 'error|Error|ERROR|runtime error|Sanitizer' "$BUILD/build.log" | head -n 60
    echo "   (full log: $BUILD/build.log)"
    echo "sanitize: build failed"
    exit 1
fi

echo "== ctest"
(cd "$BUILD" && ctest --output-on-failure -j"$(nproc)") >"$BUILD/ctest.log" 2>&1
rc=$?
# gtest_discover_tests puts the printed parameters in the test names: keep the summary short.
grep -E '^[0-9]+% tests passed|^Total Test time' "$BUILD/ctest.log"
if [ $rc -ne 0 ]; then
    sed -n '/The following tests FAILED/,$p' "$BUILD/ctest.log" | sed 's/  # GetParam() = .*$//'
    grep -E -A30 'runtime error|ERROR: (Address|Leak)Sanitizer|Failure$' "$BUILD/ctest.log" | head -n 60
    echo "sanitize: FAILED (ctest exit $rc; full log: $BUILD/ctest.log)"
    exit 1
fi
echo "sanitize: ok"
