#!/usr/bin/env bash
# Download throughput and peak memory of `kreplay fetch` from the local Kaggle-compatible
# server (`kreplay host`) on loopback, for one large file. Usage: bench/fetch.sh [MiB, default 256]
set -euo pipefail
cd "$(dirname "$0")/.."
mib="${1:-256}"
port=18080
cargo build --release --quiet
bin="$PWD/target/release/kreplay"
work="$(mktemp -d)"
trap 'kill "$host" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/data/big"
head -c "$((mib * 1024 * 1024))" /dev/urandom > "$work/data/big/data.bin"
"$bin" host "$work/data" --port "$port" --token bench > "$work/host.log" &
host=$!
for _ in $(seq 50); do grep -q serving "$work/host.log" 2>/dev/null && break; sleep 0.1; done
export KREPLAY_KAGGLE_URL="http://127.0.0.1:$port/v1" KAGGLE_API_TOKEN=bench KREPLAY_CACHE="$work/cache"
/usr/bin/time -f "%e %M" -o "$work/t" "$bin" fetch big -q
read -r secs kib < "$work/t"
cmp "$work/data/big/data.bin" "$work/cache/competitions/big/data.bin"
printf "file %d MiB: %.2f s, %.1f MB/s, peak RSS %.1f MiB\n" "$mib" "$secs" \
  "$(echo "$mib * 1.048576 / $secs" | bc -l)" "$(echo "$kib / 1024" | bc -l)"
