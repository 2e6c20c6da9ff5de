#!/usr/bin/env bash
# The coordination cost of shared sweeps (#17), on a throwaway PostgreSQL server
# (.ci/postgres.sh, or $KREPLAY_TEST_POSTGRES if set):
#  1. trials claimed and recorded per second by 8 workers whose trials do almost nothing (the
#     gender rule on Titanic, one trial per recipe.seed value);
#  2. the 48-configuration random-forest grid of bench/sweep.sh run by 1, 2 and 4 worker
#     processes (one job each) against `kreplay sweep --jobs 2` in one process.
# Usage: bench/study.sh [near-empty trials, default 400]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-400}"
export KREPLAY_MIRROR="${KREPLAY_MIRROR:-$(cd .. && pwd)/shared/data}"
if [ -z "${KREPLAY_TEST_POSTGRES:-}" ]; then eval "$(bash .ci/postgres.sh 55433)"; fi
url="$KREPLAY_TEST_POSTGRES"
if [ -z "${KREPLAY_BIN:-}" ] && [ "${KREPLAY_BENCH_BUILD:-1}" != 0 ]; then cargo build --release --quiet; fi
bin="${KREPLAY_BIN:-$PWD/target/release/kreplay}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export KREPLAY_HOME="$work/home"
tag="$$-$(date +%s)"
now() { date +%s.%N; }

# Starts $1 workers (one job each) on study $2 and waits for them; prints the wall seconds.
workers() {
  local k="$1" study="$2" start pids=()
  start=$(now)
  for _ in $(seq "$k"); do
    "$bin" worker --storage "$url" --study "$study" --jobs 1 >/dev/null 2>>"$work/err" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  echo "$(now) - $start" | bc -l
}

study="empty-$tag"
"$bin" sweep titanic/gender "recipe.seed=range(0,$n)" --storage "$url" --study "$study" \
  --workers 0 >/dev/null 2>>"$work/err"
secs=$(workers 8 "$study")
printf "near-empty trials: %d claimed and recorded by 8 workers in %.2f s = %.0f trials/s\n" \
  "$n" "$secs" "$(echo "$n / $secs" | bc -l)"

grid=(titanic/tutorial-random-forest validation.scheme=kfold validation.k=3
  model.n_estimators=50,100,200 model.max_depth=3,5,7,none
  model.max_features=sqrt,all model.min_samples_leaf=1,5)
start=$(now)
"$bin" sweep "${grid[@]}" --jobs 2 --no-record >/dev/null 2>>"$work/err"
local_secs=$(echo "$(now) - $start" | bc -l)
printf "48-configuration forest grid, one process, --jobs 2: %.2f s\n" "$local_secs"
for k in 1 2 4; do
  study="grid-$k-$tag"
  "$bin" sweep "${grid[@]}" --storage "$url" --study "$study" --workers 0 >/dev/null 2>>"$work/err"
  secs=$(workers "$k" "$study")
  printf "48-configuration forest grid, %d worker processes: %.2f s (%.2fx the one-process time)\n" \
    "$k" "$secs" "$(echo "$secs / $local_secs" | bc -l)"
done
echo "machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
