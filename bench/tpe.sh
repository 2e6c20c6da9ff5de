#!/usr/bin/env bash
# kreplay's TPE beside Optuna's TPE and random search on published test functions (Branin),
# the issue's tree space (two integers and a category) and a log-scale parameter: the mean
# best value after 10, 20 and 30 trials over 20 seeds (lower is better). Installs Optuna in a
# venv under target/. Usage: bench/tpe.sh [trials] [seeds]
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-30}" seeds="${2:-20}"
venv=target/bench-optuna
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet optuna
fi
cargo build --release --quiet -p kreplay-recipe --example tpe_bench
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mean_at() { # FILE TRIAL: the mean best after TRIAL trials
  awk -F, -v t="$2" 'NR > 1 && $2 == t { s += $3; n++ } END { printf "%.4f", s / n }' "$1"
}
printf "%-8s %-22s %10s %10s %10s\n" function sampler "best@10" "best@20" "best@$trials"
for f in branin tree log; do
  target/release/examples/tpe_bench "$f" "$trials" "$seeds" > "$tmp/kreplay.csv"
  "$venv/bin/python" bench/tpe_optuna.py "$f" "$trials" "$seeds" tpe > "$tmp/optuna.csv"
  "$venv/bin/python" bench/tpe_optuna.py "$f" "$trials" "$seeds" random > "$tmp/random.csv"
  for s in kreplay optuna random; do
    label="$s"
    [ "$s" = kreplay ] && label="kreplay TPE"
    [ "$s" = optuna ] && label="Optuna $("$venv/bin/python" -c 'import optuna; print(optuna.__version__)') TPE"
    [ "$s" = random ] && label="Optuna random"
    printf "%-8s %-22s %10s %10s %10s\n" "$f" "$label" \
      "$(mean_at "$tmp/$s.csv" 10)" "$(mean_at "$tmp/$s.csv" 20)" "$(mean_at "$tmp/$s.csv" "$trials")"
  done
done
