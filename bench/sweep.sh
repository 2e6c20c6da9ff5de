#!/usr/bin/env bash
# A named grid as a whole process: 48 random-forest configurations of the Titanic tutorial
# recipe with 3-fold CV. Reports configurations per second and peak memory (max RSS).
# Usage: bench/sweep.sh [jobs, default: all cores]
set -euo pipefail
cd "$(dirname "$0")/.."
export KREPLAY_MIRROR="${KREPLAY_MIRROR:-$(cd .. && pwd)/shared/data}"
cargo build --release --quiet
bin="$PWD/target/release/kreplay"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export KREPLAY_HOME="$work/home"
jobs=()
if [ -n "${1:-}" ]; then jobs=(--jobs "$1"); fi
grid=(titanic/tutorial-random-forest validation.scheme=kfold validation.k=3
  model.n_estimators=50,100,200 model.max_depth=3,5,7,none
  model.max_features=sqrt,all model.min_samples_leaf=1,5)
/usr/bin/time -f "%e %M" -o "$work/t" "$bin" sweep "${grid[@]}" ${jobs[@]+"${jobs[@]}"} --json > "$work/out.json"
read -r secs kib < "$work/t"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["trials"]))' "$work/out.json")
printf "%d configurations in %.2f s: %.2f configurations/s, peak RSS %.1f MiB\n" "$n" "$secs" \
  "$(echo "$n / $secs" | bc -l)" "$(echo "$kib / 1024" | bc -l)"
