"""The libraries' side of the test that the forust stand-in places its bins as LightGBM and
XGBoost's exact method place theirs (crates/core/src/models/sklearn_parity.rs,
`the_stand_in_bins_as_the_libraries_do`).

For each table (trees.py's, and one generated to reach every branch of LightGBM's FindBin:
more distinct values than bins, heavy ties, zeros, negatives, missing values):
- LightGBM, under several `max_bin`/`min_data_in_bin`: each feature's number of bins
  (`Dataset.feature_num_bin`) and the split thresholds of a model grown to use as many bins as
  it can (bin upper bounds);
- XGBoost 1.x's exact method: the splits (features and values) of each tree of a 5-round
  model, which the stand-in is to grow alike.
Numbers go out as bits.

Usage: python boosting_bins.py <titanic train.csv> <titanic test.csv>
"""

import json
import os
import sys

import lightgbm
import numpy as np
import xgboost

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trees import bits, tables  # noqa: E402

ROUNDS = 5


def edge_table():
    rng = np.random.RandomState(7)
    n = 2000
    cols = [
        rng.standard_normal(n) * 100,                        # continuous: greedy bins
        np.round(rng.exponential(3.0, n), 1) - 2.0,          # ties, negatives, zero
        np.where(rng.rand(n) < 0.6, 0.0, rng.standard_normal(n)),  # mostly zero
        np.where(rng.rand(n) < 0.2, np.nan, rng.randint(0, 40, n).astype(float)),  # missing
        np.round(rng.lognormal(0, 2, n), 3),                 # long tail, all positive
        -np.abs(rng.standard_normal(n)),                     # all negative
        rng.randint(0, 2, n).astype(float),                  # two values
    ]
    return np.column_stack(cols)


def case(name, x, max_bin, min_data_in_bin):
    y = np.random.RandomState(1).standard_normal(len(x))
    params = {"objective": "regression", "max_bin": max_bin, "min_data_in_bin": min_data_in_bin,
              "num_leaves": 128, "min_data_in_leaf": 1, "min_sum_hessian_in_leaf": 0.0,
              "feature_pre_filter": False, "num_threads": 1, "verbosity": -1, "seed": 0}
    ds = lightgbm.Dataset(x, y, params=params, free_raw_data=False).construct()
    booster = lightgbm.train(params, ds, num_boost_round=40)
    thresholds = [[] for _ in range(x.shape[1])]
    feature = None
    for line in booster.model_to_string().splitlines():
        if line.startswith("split_feature="):
            feature = [int(v) for v in line.split("=", 1)[1].split()]
        elif line.startswith("threshold="):
            for f, t in zip(feature, line.split("=", 1)[1].split()):
                thresholds[f].append(float(t))
    return {"table": name, "max_bin": max_bin, "min_data_in_bin": min_data_in_bin,
            "cols": x.shape[1], "x": bits(x),
            "num_bin": [ds.feature_num_bin(i) for i in range(x.shape[1])],
            "thresholds": [bits(sorted(set(t))) for t in thresholds]}


def steps_table():
    """Integer, half-integer and continuous columns, some missing, under a step target."""
    rng = np.random.RandomState(3)
    n = 600
    x = np.column_stack([rng.randint(0, 10, n), rng.randint(0, 30, n) * 0.5,
                         np.round(rng.standard_normal(n), 2), rng.rand(n) * 100]).astype(float)
    x[rng.rand(n) < 0.1, 2] = np.nan
    y = (3.0 * (x[:, 0] > 4) + 2.0 * (x[:, 1] > 9.75) + 1.5 * (x[:, 3] > 37.2)
         + 0.05 * rng.standard_normal(n))
    return x, y


def xgboost_case(name, x, y):
    """The trees of XGBoost's exact method, depth 3, 5 rounds: their splits."""
    booster = xgboost.train(
        {"tree_method": "exact", "max_depth": 3, "eta": 0.3, "base_score": 0.5, "nthread": 1,
         "seed": 0},
        xgboost.DMatrix(x, y), num_boost_round=ROUNDS)
    trees = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    splits = [
        [[f, bits([float(np.float32(v))])[0]]
         for left, f, v in zip(t["left_children"], t["split_indices"], t["split_conditions"])
         if left != -1]
        for t in trees]
    return {"table": name, "cols": x.shape[1], "x": bits(x), "y": bits(y), "rounds": ROUNDS,
            "splits": splits}


def main():
    named = {name: t[0] for name, t in tables(sys.argv[1], sys.argv[2]).items()}
    named["edges"] = edge_table()
    cases = []
    for name, x in named.items():
        for max_bin, min_data_in_bin in [(255, 3), (55, 3), (15, 1), (63, 10)]:
            cases.append(case(name, x, max_bin, min_data_in_bin))
    fare = tables(sys.argv[1], sys.argv[2])["titanic_fare"]
    exact = [xgboost_case("titanic_fare", fare[0], fare[1]), xgboost_case("steps", *steps_table())]
    for name, x in named.items():
        # A noisy target on the first column, whose deeper splits fit the noise.
        y = np.round(x[:, 0] * 0.5 + np.random.RandomState(1).standard_normal(len(x)), 2)
        exact.append(xgboost_case(name + " (noisy)", x, np.nan_to_num(y)))
    json.dump({"lightgbm": lightgbm.__version__, "cases": cases,
               "xgboost": xgboost.__version__, "exact": exact}, sys.stdout)


if __name__ == "__main__":
    main()
