#!/usr/bin/env bash
# Cuts the small competition tables the default test tier runs on (`tests/data/<competition>`)
# from the real mirror: the header and every Nth training row (so the cut spans the whole
# table), and the first N test rows with their sample submission's (so the ids line up and
# the first ids are the real ones). Run from anywhere:
#   bash tests/data/cut.sh /path/to/mirror
set -euo pipefail
mirror="${1:?usage: cut.sh MIRROR}"
here="$(cd "$(dirname "$0")" && pwd)"

# COMPETITION TRAIN-STRIDE TEST-ROWS SAMPLE-SUBMISSION
cut() {
  local competition="$1" stride="$2" rows="$3" sample="$4" file
  mkdir -p "$here/$competition"
  awk -v n="$stride" 'NR == 1 || (NR - 2) % n == 0' "$mirror/$competition/train.csv" \
    > "$here/$competition/train.csv"
  for file in test.csv "$sample"; do
    head -n "$((rows + 1))" "$mirror/$competition/$file" > "$here/$competition/$file"
  done
}

cut titanic 3 140 gender_submission.csv
cut house-prices-advanced-regression-techniques 5 290 sample_submission.csv
cut spaceship-titanic 29 300 sample_submission.csv
cut bike-sharing-demand 36 300 sampleSubmission.csv
# The bundle tests want a competition with a file that is not a table.
head -n 40 "$mirror/house-prices-advanced-regression-techniques/data_description.txt" \
  > "$here/house-prices-advanced-regression-techniques/data_description.txt"
