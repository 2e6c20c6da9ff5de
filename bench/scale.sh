#!/usr/bin/env bash
# Real-size data (issue #13): each Titanic and House Prices recipe replayed on its training rows
# repeated k times (ids renumbered, test rows unchanged), then a synthetic table
# (bench/synthetic/scale.py) for a rule, a forest and a logistic regression. For each: wall
# time and peak memory (max RSS) of the whole process, and the growth exponent from the size
# before (log t2/t1 over log n2/n1: 1 is linear). Where bench/sklearn has the same
# work in pandas + scikit-learn and target/py exists, it runs on the same files beside it.
# The data is generated into a scratch folder, never committed.
#
# Usage: bench/scale.sh [factors, default "1 10 100"] [name filter] [synthetic rows, default
# "1000000 10000000"; "" skips], e.g. `bench/scale.sh "1 10 100 1000" milla ""`.
# KREPLAY_BIN=FILE times that binary (default: target/release/kreplay, built first);
# KREPLAY_SCALE_LIMIT caps each run (default 30m; a run cut off shows as failed).
set -euo pipefail
cd "$(dirname "$0")/.."
factors="${1:-1 10 100}"
filter="${2:-}"
synthetic="${3-1000000 10000000}"
limit="${KREPLAY_SCALE_LIMIT:-30m}"
mirror="${KREPLAY_MIRROR:-$(cd .. && pwd)/shared/data}"
if [ -z "${KREPLAY_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${KREPLAY_BIN:-$PWD/target/release/kreplay}"
py="$PWD/target/py/bin/python"
[ -x "$py" ] || py=""
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export KREPLAY_HOME="$work/home" PYTHONWARNINGS=ignore

# Runs "$@" under /usr/bin/time, for at most $limit; prints "seconds MiB", or "failed" (with
# the end of its error output on stderr).
timed() {
  if /usr/bin/time -f "%e %M" -o "$work/t" timeout "$limit" "$@" >"$work/out" 2>"$work/err"; then
    awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$work/t"
  else
    echo "failed"
    tail -3 "$work/err" | sed 's/^/    /' >&2
  fi
}
# Growth exponent from (n1, t1) to (n2, t2).
exponent() { awk -v n1="$1" -v t1="$2" -v n2="$3" -v t2="$4" 'BEGIN {
  if (t1 > 0 && t2 > 0 && n2 != n1) printf "%.2f", log(t2 / t1) / log(n2 / n1); else printf "-" }'; }

# $1 competition, $2 factor: the competition's files with train repeated (the id is the first
# column in both contests).
scaled() {
  local dir="$work/data-$2/$1"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    cp "$mirror/$1"/*.csv "$dir/"
    # Copy c > 0 of row id i gets id c * 10^7 + i, so ids stay unique and never meet the test's.
    awk -F, -v k="$2" 'NR == 1 { print; next } { rows[++n] = $0 }
      END { for (c = 0; c < k; c++) for (i = 1; i <= n; i++) {
        line = rows[i]; if (c > 0) { id = substr(line, 1, index(line, ",") - 1); line = (c * 10000000 + id) substr(line, index(line, ",")) }
        print line } }' "$mirror/$1/train.csv" > "$dir/train.csv"
  fi
  echo "$work/data-$2"
}

printf "%-52s %10s %9s %7s %9s %7s %9s\n" case rows "kreplay s" MiB "sklearn s" MiB exponent
# $1 label, $2 rows, $3 data root, $4 recipe (a name or a file), $5 bench/sklearn script.
# Prints a row with kreplay's growth exponent from the previous size ($prev_n, $prev_t) and
# moves those on.
one() {
  local k s=(- -) growth=-
  read -r -a k <<< "$(KREPLAY_MIRROR="$3" timed "$bin" replay "$4" -o "$work/sub.csv" --no-record)"
  if [ -n "$py" ] && [ -f "bench/sklearn/$5" ]; then
    read -r -a s <<< "$(KREPLAY_MIRROR="$3" timed "$py" "bench/sklearn/$5" "$work/sk.csv")"
  fi
  if [ -n "$prev_n" ] && [ "${k[0]}" != failed ] && [ "$prev_t" != failed ]; then
    growth=$(exponent "$prev_n" "$prev_t" "$2" "${k[0]}")
  fi
  printf "%-52s %10s %9s %7s %9s %7s %9s\n" "$1" "$2" "${k[0]}" "${k[1]:--}" "${s[0]}" "${s[1]:--}" "$growth"
  prev_n=$2 prev_t=${k[0]}
}

recipes=$("$bin" list --json | python3 -c 'import json,sys
for r in json.load(sys.stdin):
    if r["name"].startswith(("titanic/", "house-prices")): print(r["name"])' | grep -F -- "$filter" || true)
# The issue's cases that are variants: the logistic regression and naive Bayes of Sehgal.
for v in titanic/sehgal:logistic_regression titanic/sehgal:naive_bayes; do
  if grep -qxF -- "$v" <<< "$recipes"; then continue; fi
  case "$v" in *"$filter"*) recipes="$recipes"$'\n'"$v" ;; esac
done
for r in $recipes; do
  competition="${r%%/*}"
  base=$(( $(wc -l < "$mirror/$competition/train.csv") - 1 ))
  prev_n="" prev_t=""
  for f in $factors; do
    one "$r ×$f" $(( base * f )) "$(scaled "$competition" "$f")" "$r" "$(echo "${r#*/}" | tr : -).py"
  done
done

if [ -n "$synthetic" ]; then
  for m in rule logistic forest; do
    case "synthetic/$m" in *"$filter"*) ;; *) continue ;; esac
    prev_n="" prev_t=""
    for n in $synthetic; do
      root="$work/synthetic-$n"
      [ -d "$root" ] || python3 bench/synthetic/scale.py "$root/synthetic-scale" "$n"
      one "synthetic/$m" "$n" "$root" "bench/synthetic/scale-$m.toml" "scale-$m.py"
    done
  done
fi
