#!/usr/bin/env bash
# Runs every test of vid on a throwaway cluster and ends with "tests: N passed, N failed".
#   bash test/all.sh            everything
#   VID_TEST_ONLY="regress pgtap" bash test/all.sh   a subset of the stages below
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
bash tools/install-deps.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh

WORK=$(mktemp -d /tmp/vid-test.XXXXXX)
chmod 755 "$WORK"
PORT=${VID_TEST_PORT:-55432}
passed=0
failed=0
failed_names=()
cleanup() { cluster_stop "$WORK/pg" immediate; [ "$failed" = 0 ] && rm -rf "$WORK"; }
trap cleanup EXIT

stage() {  # stage NAME COMMAND...: runs one stage, logs to $WORK/NAME.log, counts it
    local name=$1
    shift
    if [ -n "${VID_TEST_ONLY:-}" ] && [[ " $VID_TEST_ONLY " != *" $name "* ]]; then return; fi
    local start=$SECONDS
    echo "== $name"
    if "$@" >"$WORK/$name.log" 2>&1; then
        passed=$((passed + 1))
        echo "   ok ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1))
        failed_names+=("$name")
        echo "   FAILED ($((SECONDS - start)) s); last lines of $WORK/$name.log:"
        tail -n 40 "$WORK/$name.log" | sed 's/^/   | /'
    fi
}

core_tests() {
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
        cmake --build "$ROOT/build" -j2 &&
        (cd "$ROOT/build" && ctest --output-on-failure)
}

regress_tests() {
    make -s installcheck PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config || { cat regression.diffs 2>/dev/null; return 1; }
}

pgtap_tests() {
    createdb vid_tap &&
        pg_prove -d vid_tap --ext .sql -v test/pgtap/
}

version_test() { bash test/version_check.sh; }

concurrency_tests() { scripts_in test/concurrency; }

# Runs every script of a folder (lib.sh files are sourced by the others).
scripts_in() {
    local t
    for t in "$1"/*.sh; do
        [ "$(basename "$t")" = lib.sh ] && continue
        echo "--- $t"
        bash "$t" || { echo "FAILED: $t"; return 1; }
    done
}
worker_tests() { scripts_in test/worker; }
crash_tests() { scripts_in test/crash; }
reliability_tests() { scripts_in test/reliability; }
fuzz_tests() { FUZZ_SECONDS=${FUZZ_SECONDS:-30} bash test/fuzz/run.sh; }
sanitizer_tests() { bash test/sanitize.sh; }

echo "== build and install"
if ! bash tools/build.sh >"$WORK/build.log" 2>&1; then
    cat "$WORK/build.log"
    echo "tests: 0 passed, 1 failed"
    exit 1
fi
cluster_new "$WORK/pg" "$PORT" || { echo "tests: 0 passed, 1 failed"; exit 1; }

stage core core_tests
stage version version_test
stage regress regress_tests
stage pgtap pgtap_tests
stage concurrency concurrency_tests
stage worker worker_tests
stage crash crash_tests
stage reliability reliability_tests
stage fuzz fuzz_tests
stage sanitizers sanitizer_tests

echo
[ "$failed" = 0 ] || echo "failed stages: ${failed_names[*]} (logs in $WORK)"
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
