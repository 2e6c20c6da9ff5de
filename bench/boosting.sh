#!/usr/bin/env bash
# The `lightgbm` and `xgboost` kinds three ways on each case: kreplay's default build (the
# forust stand-in), kreplay built with `--features lightgbm,xgboost` (LightGBM and XGBoost
# themselves), and, where target/py has the Python packages, the same work in pandas + their
# scikit-learn wrappers (the 7-class table only: on the recipes, tests/replays/engines.rs holds
# the library build equal to the packages). Prints each score and wall time, and the stand-in's
# gap to the library (positive: the stand-in scores worse).
# Usage: bench/boosting.sh [name filter], e.g. `bench/boosting.sh synthetic`.
# KREPLAY_BIN_STAND_IN / KREPLAY_BIN_LIBRARY name prebuilt binaries (else both are built: the
# library build needs cmake >= 3.28 and libclang, see the README); KREPLAY_XGBOOST_LIB defaults
# to target/py's xgboost package's own library.
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-}"
export KREPLAY_MIRROR="${KREPLAY_MIRROR:-$(cd .. && pwd)/shared/data}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
py="$PWD/target/py/bin/python"
if [ ! -x "$py" ] || ! "$py" -c 'import lightgbm, xgboost' 2>/dev/null; then
  echo "note: no lightgbm/xgboost in $py: the Python column (and the synthetic cases, whose table numpy writes) are skipped" >&2
  py=""
fi
stand_in="${KREPLAY_BIN_STAND_IN:-}"
if [ -z "$stand_in" ]; then
  cargo build --release --quiet
  stand_in="$work/kreplay-stand-in"
  cp target/release/kreplay "$stand_in"
fi
library="${KREPLAY_BIN_LIBRARY:-}"
if [ -z "$library" ]; then
  cargo build --release --quiet --features lightgbm,xgboost
  library="$work/kreplay-library"
  cp target/release/kreplay "$library"
fi
if [ -z "${KREPLAY_XGBOOST_LIB:-}" ] && [ -n "$py" ]; then
  KREPLAY_XGBOOST_LIB="$("$py" -c 'import os, xgboost; print(os.path.join(os.path.dirname(xgboost.__file__), "lib", "libxgboost.so"))')"
  export KREPLAY_XGBOOST_LIB
fi

# Runs "$@"; prints "seconds score" (the --json report's CV mean, or the Python script's "cv").
run() {
  local kind="$1"; shift
  if ! /usr/bin/time -f "%e" -o "$work/t" "$@" >"$work/out" 2>"$work/err"; then
    echo "failed: $*" >&2
    tail -20 "$work/err" >&2
    return 1
  fi
  local score
  if [ "$kind" = kreplay ]; then
    score=$(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["cv_mean"])' "$work/out")
  else
    score=$(awk '/^cv /{ print $2 }' "$work/out")
  fi
  echo "$(tail -1 "$work/t") $score"
}

printf "%-58s %-8s %17s %17s %17s %8s\n" case metric "stand-in (s)" "library (s)" "Python (s)" gap
# One case: name, metric (accuracy: higher is better; rmse: lower), kreplay's recipe and
# arguments, then "--" and the Python script's arguments (none: no Python run).
case_() {
  local name="$1" metric="$2"; shift 2
  local args=() pyargs=()
  while [ "$1" != "--" ]; do args+=("$1"); shift; done
  shift
  pyargs=("$@")
  [[ "$name" == *"$filter"* ]] || return 0
  read -r st ss < <(run kreplay "$stand_in" replay "${args[@]}" --json --no-record --no-submission)
  read -r lt ls < <(run kreplay "$library" replay "${args[@]}" --json --no-record --no-submission)
  local pcol=-
  if [ -n "$py" ] && [ "${#pyargs[@]}" -gt 0 ]; then
    read -r pt ps < <(cd bench/sklearn && run python "$py" "${pyargs[@]}" "$work/sk.csv")
    pcol="$ps ($pt)"
  fi
  local gap
  if [ "$metric" = accuracy ]; then gap=$(echo "$ls - $ss" | bc -l); else gap=$(echo "$ss - $ls" | bc -l); fi
  printf "%-58s %-8s %17s %17s %17s %+8.4f\n" "$name" "$metric" "$ss ($st)" "$ls ($lt)" "$pcol" "$gap"
}

case_ spaceship-titanic/dantas-lgbm accuracy spaceship-titanic/dantas-lgbm --
case_ serigne:xgb rmse house-prices-advanced-regression-techniques/serigne-stacked-regressions:xgb --
case_ serigne:lgb rmse house-prices-advanced-regression-techniques/serigne-stacked-regressions:lgb --
case_ titanic/anisotropic-stacking accuracy titanic/anisotropic-stacking --
if [ -n "$py" ] && [[ "synthetic" == *"$filter"* || "$filter" == synthetic* ]]; then
  "$py" bench/synthetic/forest.py "$work/mirror/synthetic-forest"
  export KREPLAY_MIRROR="$work/mirror"
  case_ "synthetic/lightgbm (12,000 x 54, 7 classes, 100 leaves)" accuracy \
    "$PWD/bench/synthetic/synthetic-lightgbm.toml" -- synthetic-boosting.py lightgbm
  case_ "synthetic/xgboost (12,000 x 54, 7 classes, depth 6)" accuracy \
    "$PWD/bench/synthetic/synthetic-xgboost.toml" -- synthetic-boosting.py xgboost
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
