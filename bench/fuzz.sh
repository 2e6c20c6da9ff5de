#!/usr/bin/env bash
# Runs the fuzz targets of tests/integration/fuzz.rs (the recipe parser with overrides and
# sweep domains, and the submission validator) for a bounded number of inputs each (debug
# build: it shares the tests' build, and debug assertions catch more).
# Usage: bench/fuzz.sh [inputs per target, default 20000]
# A failing input is shrunk and kept under proptest-regressions/ (commit it with the fix);
# it is replayed first on every later run. Not part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-20000}"
# The CLI parses on its main thread (8 MiB of stack); give the test threads as much.
export RUST_MIN_STACK=8388608
export KREPLAY_FUZZ_CASES="$cases"
for target in fuzz_recipe_parser fuzz_submission_validator; do
  start=$(date +%s.%N)
  cargo test --quiet --test integration -- --ignored --exact "fuzz::$target" >/dev/null
  end=$(date +%s.%N)
  printf "%-28s %8s inputs, none crashed, %6.1f s\n" "$target" "$cases" "$(echo "$end - $start" | bc -l)"
done
