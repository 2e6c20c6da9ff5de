#!/usr/bin/env bash
# Side by side: the seeded tree recipes replayed by kreplay and the same work written in pandas +
# scikit-learn (bench/sklearn/<recipe>.py: steps, model, CV, final fit, submission), then a
# synthetic 100-tree forest on one thread each, then bench/sweep.sh's 48-configuration grid.
# Each case alternates a kreplay run and a Python run `runs` times (so both see the same machine
# state) and reports median wall time, peak RSS and the ratio sklearn / kreplay (> 1: kreplay
# is faster). Whole processes are timed, start-up and CSV reading included, as a user sees them.
# Usage: bench/trees.sh [runs, default 3] [name filter], e.g. `bench/trees.sh 1 srinivasan`.
# Needs target/py (python3 -m venv target/py && target/py/bin/pip install -r
# .ci/sklearn-requirements.txt); without it only kreplay's side runs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
filter="${2:-}"
export KREPLAY_MIRROR="${KREPLAY_MIRROR:-$(cd .. && pwd)/shared/data}"
# KREPLAY_BENCH_BUILD=0 times the release binary as it is (e.g. while another build is running);
# KREPLAY_BIN=FILE times that binary instead (a copy stays the same while target/ is rebuilt).
if [ -z "${KREPLAY_BIN:-}" ] && [ "${KREPLAY_BENCH_BUILD:-1}" != 0 ]; then cargo build --release --quiet; fi
bin="${KREPLAY_BIN:-$PWD/target/release/kreplay}"
py="$PWD/target/py/bin/python"
if [ ! -x "$py" ]; then
  echo "note: no $py, so the scikit-learn side (and the synthetic case, whose table numpy writes) is skipped" >&2
  py=""
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export KREPLAY_HOME="$work/home"  # the sweep records its trials: keep them out of the user's store
export PYTHONWARNINGS=ignore      # pinned sklearn's deprecation notices; env, so loky workers get it

# Runs "$@" under /usr/bin/time; prints "seconds KiB". Output goes to $work/out and $work/err.
timed() {
  if ! /usr/bin/time -f "%e %M" -o "$work/t" "$@" >"$work/out" 2>"$work/err"; then
    echo "failed: $*" >&2
    tail -20 "$work/err" >&2
    return 1
  fi
  tail -1 "$work/t"
}
median() { printf "%s\n" "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
mib() { echo "$1 / 1024" | bc -l; }
# kreplay's --json report -> its CV mean, else its training score.
kscore() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); v=r["cv_mean"]
print("%.4f" % (r["train"] if v is None else v))' "$1" 2>/dev/null || echo -
}
# The Python scripts' last line: "cv <mean> (...), train <score>" or "cv -, train <score>".
sscore() { awk '/^cv /{ s = ($2 == "-," ? $NF : $2) } END { print (s == "" ? "-" : s) }' "$1"; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
notes=()
# One comparison. $1 name, $2 note, then the kreplay command, "--", the Python script and args.
compare() {
  local name="$1" note="$2"; shift 2
  local kcmd=() scmd=()
  while [ "$1" != "--" ]; do kcmd+=("$1"); shift; done
  shift
  scmd=("$@")
  local kt=() st=() kpeak=0 speak=0 ks=- ss=- secs kib
  for _ in $(seq "$runs"); do
    read -r secs kib < <(timed "${kcmd[@]}")
    kt+=("$secs"); [ "$kib" -gt "$kpeak" ] && kpeak=$kib
    ks=$(kscore "$work/out")
    if [ -n "$py" ]; then
      read -r secs kib < <(cd bench/sklearn && timed "$py" "${scmd[@]}")
      st+=("$secs"); [ "$kib" -gt "$speak" ] && speak=$kib
      ss=$(sscore "$work/out")
    fi
  done
  local km; km=$(median "${kt[@]}")
  if [ -n "$py" ]; then
    local sm; sm=$(median "${st[@]}")
    rows+=("$(printf "%-72s %9s %9.1f %9s %9.1f %7.2f   %s / %s" "$name" "$km" "$(mib "$kpeak")" \
      "$sm" "$(mib "$speak")" "$(echo "$sm / $km" | bc -l)" "$ks" "$ss")")
  else
    rows+=("$(printf "%-72s %9s %9.1f %9s %9s %7s   %s / -" "$name" "$km" "$(mib "$kpeak")" - - - "$ks")")
  fi
  notes+=("$name: $note")
  printf "%s\n" "${rows[-1]}" >&2  # progress, as each case ends
}

declare -A note=(
  [titanic/tutorial-random-forest]="no CV in the recipe: one 100-tree fit, so mostly process start-up"
  [titanic/zlatankr-random-forest]="3-fold stratified CV + refit, 700 trees; sklearn n_jobs=-1 (the notebook's)"
  [titanic/ghouzam-ensemble]="10-fold CV of the soft vote + refit; sklearn n_jobs=4 (the notebook's, loky processes; peak = largest process); AdaBoost runs SAMME (SAMME.R is gone from sklearn)"
  [titanic/anisotropic-stacking]="5-fold CV over the 25-fit stack + refit; XGBClassifier meta (2000 rounds, n_jobs=1; kreplay's default build runs its forust stand-in); AdaBoost SAMME"
  [bike-sharing-demand/srinivasan-ensemble]="no CV: 10-tree windspeed forest + 4000-stage GradientBoostingRegressor, training RMSLE"
  [house-prices-advanced-regression-techniques/serigne-stacked-regressions]="5-fold CV of the blend + refit; XGBRegressor and LGBMRegressor with n_jobs=1 (kreplay's default build runs its forust stand-in)"
)
for r in titanic/tutorial-random-forest titanic/zlatankr-random-forest titanic/ghouzam-ensemble \
  titanic/anisotropic-stacking bike-sharing-demand/srinivasan-ensemble \
  house-prices-advanced-regression-techniques/serigne-stacked-regressions; do
  case "$r" in *"$filter"*) ;; *) continue ;; esac
  compare "$r" "${note[$r]}" "$bin" replay "$r" -o "$work/sub.csv" --no-record --json -- \
    "${r#*/}.py" "$work/sk.csv"
done

# Synthetic: the table is written by numpy (seeded); sklearn on one thread (n_jobs=1,
# RandomForestClassifier's default), kreplay on one and then on both cores (issue #12 lets it
# use them; its results do not depend on the thread count).
if [[ "synthetic/forest-100-trees" == *"$filter"* ]] && [ -n "$py" ]; then
  "$py" bench/synthetic/forest.py "$work/mirror/synthetic-forest"
  for threads in 1 2; do
    name=synthetic/forest-100-trees
    [ "$threads" = 1 ] || name+="-$threads-threads"
    KREPLAY_MIRROR="$work/mirror" RAYON_NUM_THREADS=$threads OMP_NUM_THREADS=1 compare "$name" \
      "12,000 x 54, 7 classes: 5-fold stratified CV + refit of a 100-tree forest; RAYON_NUM_THREADS=$threads / n_jobs=1" \
      "$bin" replay "$PWD/bench/synthetic/synthetic-forest.toml" -o "$work/sub.csv" --no-record --json -- \
      synthetic-forest.py "$work/sk.csv"
  done
fi

# The sweep: the grid of bench/sweep.sh on 2 jobs against GridSearchCV(n_jobs=2).
sweep_row=""
if [[ "sweep/tutorial-48-configs" == *"$filter"* ]]; then
  grid=(titanic/tutorial-random-forest validation.scheme=kfold validation.k=3
    model.n_estimators=50,100,200 model.max_depth=3,5,7,none
    model.max_features=sqrt,all model.min_samples_leaf=1,5)
  kt=() st=()
  for _ in $(seq "$runs"); do
    read -r secs _ < <(timed "$bin" sweep "${grid[@]}" --jobs 2 --json)
    kt+=("$secs")
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["trials"]))' "$work/out")
    if [ -n "$py" ]; then
      read -r secs _ < <(cd bench/sklearn && timed "$py" sweep.py)
      st+=("$secs")
      sn=$(awk '{ print $1 }' "$work/out")
    fi
  done
  km=$(median "${kt[@]}")
  sweep_row=$(printf "sweep (bench/sweep.sh grid, 2 jobs): kreplay %d configurations in %s s = %.2f/s" \
    "$n" "$km" "$(echo "$n / $km" | bc -l)")
  if [ -n "$py" ]; then
    sm=$(median "${st[@]}")
    sweep_row+=$(printf "; GridSearchCV(cv=KFold(3), n_jobs=2) %d in %s s = %.2f/s; ratio %.2f" \
      "$sn" "$sm" "$(echo "$sn / $sm" | bc -l)" "$(echo "($n / $km) / ($sn / $sm)" | bc -l)")
    sweep_row+=" (kreplay also refits all 48 configurations: 192 fits against 145)"
  fi
fi

echo
# Other load skews both sides (alternating runs share it), HistGradientBoosting and joblib most.
echo "load average at start: $load0; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs per case: $runs (median shown); kreplay on all $(nproc) cores unless noted; ratio = sklearn s / kreplay s"
printf "%-72s %9s %9s %9s %9s %7s   %s\n" case "kreplay s" "k MiB" "sklearn s" "sk MiB" ratio "score kreplay / sklearn"
[ ${#rows[@]} -gt 0 ] && printf "%s\n" "${rows[@]}"
[ -n "$sweep_row" ] && echo "$sweep_row"
echo
echo "score = CV mean (accuracy or RMSE), or the training score where the recipe has no CV."
[ ${#notes[@]} -gt 0 ] && printf "  %s\n" "${notes[@]}"
exit 0
