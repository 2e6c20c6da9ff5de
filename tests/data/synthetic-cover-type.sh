#!/usr/bin/env bash
# Generates `tests/data/synthetic-cover-type`: a 7-class table shaped like Kaggle's forest
# cover type contest (numbers, one-hot areas and soils, integer classes 1-7 in `Cover_Type`),
# for carrying recipes to a multiclass contest no recipe covers. Deterministic: a Lehmer
# generator in awk whose products are exact in doubles, so any awk writes the same
# bytes. Run from anywhere:
#   bash tests/data/synthetic-cover-type.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)/synthetic-cover-type"
mkdir -p "$here"
awk -v dir="$here" 'BEGIN {
  state = 12345
  header = "Elevation,Aspect,Slope,Horizontal_Distance_To_Hydrology,Hillshade_Noon"
  header = header ",Wilderness_Area1,Wilderness_Area2,Wilderness_Area3,Wilderness_Area4"
  header = header ",Soil_Type1,Soil_Type2,Soil_Type3,Soil_Type4"
  print "Id," header ",Cover_Type" > (dir "/train.csv")
  print "Id," header > (dir "/test.csv")
  print "Id,Cover_Type" > (dir "/sample_submission.csv")
  for (id = 1; id <= 1000; id++) {
    elevation = 1900 + int(uniform() * 1700)
    # Seven elevation bands, one class each; one row in six takes a neighbouring class.
    class = 1 + int((elevation - 1900) / 243)
    if (class > 7) class = 7
    if (uniform() < 1 / 6) class = (class % 7) + 1
    area = int(uniform() * 4)
    soil = (area + int(uniform() * 2)) % 4
    row = id "," elevation "," int(uniform() * 360) "," int(uniform() * 45) ","
    row = row int(uniform() * 900) "," (180 + int(uniform() * 75))
    for (k = 0; k < 4; k++) row = row "," (k == area ? 1 : 0)
    for (k = 0; k < 4; k++) row = row "," (k == soil ? 1 : 0)
    if (id <= 700) {
      print row "," class > (dir "/train.csv")
    } else {
      print row > (dir "/test.csv")
      print id ",1" > (dir "/sample_submission.csv")
    }
  }
}
function uniform() {
  # The minimal standard generator of Park and Miller: every product is exact in a double.
  state = (state * 16807) % 2147483647
  return state / 2147483647
}'
