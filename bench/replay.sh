#!/usr/bin/env bash
# Times each shipped recipe's replay as a whole process (release build) and reports wall time
# and peak memory (max RSS). Usage: bench/replay.sh [runs per recipe, default 3] [name filter]
# e.g. `bench/replay.sh 3 titanic/` times the Titanic recipes only.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
filter="${2:-}"
export KREPLAY_MIRROR="${KREPLAY_MIRROR:-$(cd .. && pwd)/shared/data}"
cargo build --release --quiet
bin="$PWD/target/release/kreplay"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
recipes=$("$bin" list --json | python3 -c 'import json,sys; print("\n".join(r["name"] for r in json.load(sys.stdin)))' | grep -F -- "$filter" || true)
printf "%-80s %10s %10s %12s\n" recipe "best s" "median s" "peak MiB"
for r in $recipes; do
  times=()
  peak=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/t" "$bin" replay "$r" -o "$work/sub.csv" --no-record >/dev/null
    read -r secs kib < "$work/t"
    times+=("$secs")
    [ "$kib" -gt "$peak" ] && peak=$kib
  done
  sorted=$(printf "%s\n" "${times[@]}" | sort -n)
  best=$(echo "$sorted" | head -1)
  median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  printf "%-80s %10s %10s %12.1f\n" "$r" "$best" "$median" "$(echo "$peak / 1024" | bc -l)"
done
