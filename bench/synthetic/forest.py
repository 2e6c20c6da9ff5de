"""Writes a seeded forest-cover-type-like table: <dir>/train.csv (12,000 rows) and test.csv.

Usage: python forest.py <dir> [train rows, default 12000] [test rows, default 3000]
54 predictors as in Kaggle's Forest Cover Type data: 10 integer-valued continuous columns,
4 one-hot Wilderness_Area and 40 one-hot Soil_Type columns; Cover_Type in 1..7 from a noisy
rule (elevation bands, shifted by wilderness area, soil, slope and hydrology, plus noise), so
trees have real structure to find and the classes overlap.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

out = Path(sys.argv[1])
n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 12000
n_test = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
n = n_train + n_test
rng = np.random.default_rng(20240611)

elev = rng.normal(2750, 280, n)
cols = {
    "Elevation": elev,
    "Aspect": rng.uniform(0, 360, n),
    "Slope": rng.gamma(3.0, 4.5, n),
    "Horizontal_Distance_To_Hydrology": rng.exponential(250, n),
    "Vertical_Distance_To_Hydrology": rng.normal(45, 60, n),
    "Horizontal_Distance_To_Roadways": rng.exponential(2300, n),
    "Hillshade_9am": rng.normal(212, 27, n),
    "Hillshade_Noon": rng.normal(223, 20, n),
    "Hillshade_3pm": rng.normal(142, 38, n),
    "Horizontal_Distance_To_Fire_Points": rng.exponential(1900, n),
}
frame = pd.DataFrame({k: np.clip(np.round(v), -200 if k.startswith("Vert") else 0, None).astype(int)
                      for k, v in cols.items()})
# Wilderness area and soil type depend on elevation, as in the real data.
area = np.clip((elev - 2200) / 300 + rng.normal(0, 0.9, n), 0, 3.999).astype(int)
soil = np.clip((elev - 1900) / 45 + rng.normal(0, 5, n), 0, 39.999).astype(int)
for a in range(4):
    frame[f"Wilderness_Area{a + 1}"] = (area == a).astype(int)
for s in range(40):
    frame[f"Soil_Type{s + 1}"] = (soil == s).astype(int)

score = ((elev - 2750) / 180 + 0.4 * area - 0.35 * (soil % 3) + 0.02 * (cols["Slope"] - 13)
         - cols["Horizontal_Distance_To_Hydrology"] / 900 + rng.normal(0, 0.4, n))
frame["Cover_Type"] = np.digitize(score, [-2.2, -1.2, -0.4, 0.4, 1.2, 2.2]) + 1
frame.insert(0, "Id", np.arange(1, n + 1))

out.mkdir(parents=True, exist_ok=True)
frame[:n_train].to_csv(out / "train.csv", index=False)
frame[n_train:].drop(columns="Cover_Type").to_csv(out / "test.csv", index=False)
