"""Writes the synthetic table of bench/scale.sh: <dir>/train.csv with <rows> rows and test.csv
with 100,000, seeded; needs only Python's standard library (so the kreplay side of the
benchmark runs without numpy), and streams, so 10,000,000 rows take no memory.

Usage: python scale.py <dir> <rows>
Columns: Id; Group (text, "a".."e"); x1..x18 (floats, 4 decimals); y (0/1 from a noisy
logistic rule over x1..x6 and Group, so a linear model and a forest both have signal).
"""

import math
import random
import sys
from pathlib import Path

out, rows = Path(sys.argv[1]), int(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(20261206)
groups = "abcde"
header = ["Id", "Group"] + [f"x{j}" for j in range(1, 19)]


def write(path, n, first_id, with_target):
    with open(path, "w") as f:
        f.write(",".join(header + (["y"] if with_target else [])) + "\n")
        for i in range(n):
            g = rng.randrange(5)
            x = [rng.gauss(0.0, 1.0) for _ in range(18)]
            cells = [str(first_id + i), groups[g]] + [f"{v:.4f}" for v in x]
            if with_target:
                z = 1.2 * x[0] - 0.8 * x[1] + 0.5 * x[2] * x[3] + 0.3 * x[4] - 0.6 * (g == 2) + 0.4 * x[5]
                cells.append("1" if rng.random() < 1.0 / (1.0 + math.exp(-z)) else "0")
            f.write(",".join(cells) + "\n")


write(out / "train.csv", rows, 1, True)
write(out / "test.csv", 100_000, rows + 1, False)
