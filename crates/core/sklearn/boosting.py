"""LightGBM's and XGBoost's side of the boosting differential tests
(crates/core/src/models/sklearn_parity.rs, with the `lightgbm` and `xgboost` features).

Fits each case with the Python packages' scikit-learn wrappers (LGBMRegressor/LGBMClassifier,
XGBRegressor/XGBClassifier), as the notebooks do, on the tables of trees.py (real Titanic
features, generated tables with ties): the keyword arguments are the recipe's parameters, seeds
go in as random_state, and n_jobs=1 (kreplay runs each fit on one thread). Prints one JSON
document like trees.py's, with LightGBM's gain importances and staged predictions.

Usage: python boosting.py <titanic train.csv> <titanic test.csv>
"""

import json
import os
import sys

import lightgbm
import numpy as np
import xgboost

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trees import bits, tables  # noqa: E402

SEEDS = [0, 1, 42, 2017]
TABLES = {
    "titanic": "binary",
    "titanic_fare": "regression",
    "three_classes": "multiclass",
    "regression": "regression",
}


def lightgbm_cases():
    c = []
    for table, task in TABLES.items():
        c.append((table, task, {}))
        c.append((table, task, {"num_leaves": 5, "learning_rate": 0.05, "n_estimators": 150,
                                "max_bin": 55, "min_child_samples": 10}))
        for s in SEEDS:
            # Serigne's LGBMRegressor shape: bagging every 5 rounds, its own seeds.
            c.append((table, task, {"num_leaves": 5, "learning_rate": 0.05, "n_estimators": 120,
                                    "max_bin": 55, "bagging_fraction": 0.8, "bagging_freq": 5,
                                    "feature_fraction": 0.6, "feature_fraction_seed": s,
                                    "bagging_seed": s, "min_data_in_leaf": 6,
                                    "min_sum_hessian_in_leaf": 11}))
            c.append((table, task, {"subsample": 0.7, "subsample_freq": 1,
                                    "colsample_bytree": 0.6, "reg_lambda": 1.0, "seed": s,
                                    "n_estimators": 60}))
    return c


def xgboost_cases():
    c = []
    for table, task in TABLES.items():
        c.append((table, task, {}))
        c.append((table, task, {"tree_method": "hist", "max_bin": 64, "max_depth": 4,
                                "n_estimators": 80}))
        for s in SEEDS:
            # Serigne's XGBRegressor shape (fewer rounds).
            c.append((table, task, {"colsample_bytree": 0.4603, "gamma": 0.0468,
                                    "learning_rate": 0.05, "max_depth": 3,
                                    "min_child_weight": 1.7817, "n_estimators": 150,
                                    "reg_alpha": 0.464, "reg_lambda": 0.8571,
                                    "subsample": 0.5213, "seed": s}))
    return c


def wrapper_kwargs(params):
    """The recipe's parameters as a notebook passes them: the seed as random_state."""
    kwargs = dict(params)
    if "seed" in kwargs:
        kwargs["random_state"] = kwargs.pop("seed")
    kwargs["n_jobs"] = 1
    return kwargs


def fit(kind, task, params, x, y):
    kwargs = wrapper_kwargs(params)
    if kind == "lightgbm":
        kwargs["verbosity"] = -1
        make = lightgbm.LGBMRegressor if task == "regression" else lightgbm.LGBMClassifier
    else:
        make = xgboost.XGBRegressor if task == "regression" else xgboost.XGBClassifier
        if task != "regression":
            y = np.unique(y, return_inverse=True)[1]
    return make(**kwargs).fit(x, y)


def main():
    data = tables(sys.argv[1], sys.argv[2])
    out = {
        "sklearn": f"lightgbm {lightgbm.__version__}, xgboost {xgboost.__version__}",
        "tables": {
            name: {"cols": x.shape[1], "x": bits(x), "y": bits(y), "test": bits(xt)}
            for name, (x, y, xt) in data.items()
        },
        "cases": [],
    }
    for kind, cases in (("lightgbm", lightgbm_cases()), ("xgboost", xgboost_cases())):
        for table, task, params in cases:
            x, y, xt = data[table]
            model = fit(kind, task, params, x, y)
            predict = model.predict(xt)
            if kind == "xgboost" and task != "regression":
                predict = np.unique(y)[predict]
            case = {"table": table, "kind": kind, "task": task, "params": params,
                    "predict": bits(predict)}
            if task != "regression":
                case["proba"] = bits(model.predict_proba(xt))
            if kind == "lightgbm":
                case["importances"] = bits(model.booster_.feature_importance("gain"))
                n = model.booster_.current_iteration()
                stages = sorted({1, max(1, n // 2), n})
                case["staged"] = {
                    "stages": stages,
                    "predict": [bits(model.predict(xt, num_iteration=s)) for s in stages],
                }
            out["cases"].append(case)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
