"""scikit-learn's side of the tree differential tests (crates/core/src/models/sklearn_parity.rs).

Builds the tables (real Titanic features, and generated ones with ties), fits each case with
scikit-learn, and prints one JSON document: every table and every case with scikit-learn's
predictions, probabilities and, for single trees, their structure. Floats travel as the bits
of their IEEE doubles, so nothing is lost in decimal.

Usage: python trees.py <titanic train.csv> <titanic test.csv>
"""

import json
import struct
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    AdaBoostClassifier,
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

SEEDS = [0, 1, 42, 2017]


def bits(a):
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float64)).ravel()
    return [struct.unpack("<Q", struct.pack("<d", float(v)))[0] for v in a]


def titanic(train_csv, test_csv):
    def features(df, fare, age):
        return np.column_stack(
            [
                df["Pclass"],
                (df["Sex"] == "female").astype(float),
                df["Age"].fillna(age),
                df["SibSp"],
                df["Parch"],
                df["Fare"].fillna(fare),
                df["Embarked"].fillna("S").map({"S": 0, "C": 1, "Q": 2}),
            ]
        ).astype(np.float64)

    train, test = pd.read_csv(train_csv), pd.read_csv(test_csv)
    fare, age = train["Fare"].median(), train["Age"].median()
    return features(train, fare, age), train["Survived"].to_numpy(float), features(test, fare, age)


def tables(train_csv, test_csv):
    x, y, xt = titanic(train_csv, test_csv)
    out = {"titanic": (x, y, xt)}
    # Titanic's fare as a regression target, from the other columns.
    out["titanic_fare"] = (np.delete(x, 5, axis=1), x[:, 5].copy(), np.delete(xt, 5, axis=1))
    # Generated tables, rounded so that many values tie.
    xc, yc = make_classification(
        n_samples=700, n_features=10, n_informative=5, n_redundant=2, n_classes=3,
        random_state=0,
    )
    xc = np.round(xc, 1)
    out["three_classes"] = (xc[:500], yc[:500].astype(float), xc[500:])
    xr, yr = make_regression(n_samples=600, n_features=8, noise=10.0, random_state=0)
    xr = np.round(xr, 2)
    out["regression"] = (xr[:450], np.round(yr[:450], 3), xr[450:])
    return out


def cases():
    """(table, kreplay kind, task, kreplay params, scikit-learn estimator factory).

    AdaBoost's probabilities go through numpy's vectorised exp (softmax), which differs from
    the C library's exp in the last bit (and between CPUs): those cases compare probabilities
    to 1e-12 relative ("rtol"); every other number is compared bit for bit.
    """
    c = []
    for seed in SEEDS:
        for crit in ["gini", "entropy"]:
            for mf, skmf in [("all", None), ("sqrt", "sqrt")]:
                c.append(("titanic", "decision_tree", "binary",
                          {"criterion": crit, "max_features": mf, "seed": seed},
                          lambda s=seed, cr=crit, m=skmf: DecisionTreeClassifier(
                              criterion=cr, max_features=m, random_state=s)))
        c.append(("three_classes", "decision_tree", "multiclass",
                  {"max_features": 3, "min_samples_leaf": 2, "seed": seed},
                  lambda s=seed: DecisionTreeClassifier(max_features=3, min_samples_leaf=2, random_state=s)))
        c.append(("regression", "decision_tree", "regression",
                  {"max_features": 0.5, "max_depth": 8, "seed": seed},
                  lambda s=seed: DecisionTreeRegressor(max_features=0.5, max_depth=8, random_state=s)))
        c.append(("titanic_fare", "decision_tree", "regression",
                  {"seed": seed, "min_samples_split": 5},
                  lambda s=seed: DecisionTreeRegressor(min_samples_split=5, random_state=s)))
        c.append(("titanic", "random_forest", "binary",
                  {"n_estimators": 40, "seed": seed},
                  lambda s=seed: RandomForestClassifier(n_estimators=40, random_state=s)))
        c.append(("titanic", "random_forest", "binary",
                  {"n_estimators": 25, "criterion": "entropy", "max_depth": 6, "min_samples_split": 4, "seed": seed},
                  lambda s=seed: RandomForestClassifier(
                      n_estimators=25, criterion="entropy", max_depth=6, min_samples_split=4, random_state=s)))
        c.append(("three_classes", "random_forest", "multiclass",
                  {"n_estimators": 20, "max_features": 0.3, "seed": seed},
                  lambda s=seed: RandomForestClassifier(n_estimators=20, max_features=0.3, random_state=s)))
        c.append(("regression", "random_forest", "regression",
                  {"n_estimators": 15, "seed": seed},
                  lambda s=seed: RandomForestRegressor(n_estimators=15, random_state=s)))
        c.append(("titanic", "extra_trees", "binary",
                  {"n_estimators": 30, "seed": seed},
                  lambda s=seed: ExtraTreesClassifier(n_estimators=30, random_state=s)))
        c.append(("three_classes", "extra_trees", "multiclass",
                  {"n_estimators": 20, "min_samples_leaf": 3, "seed": seed},
                  lambda s=seed: ExtraTreesClassifier(n_estimators=20, min_samples_leaf=3, random_state=s)))
        c.append(("regression", "extra_trees", "regression",
                  {"n_estimators": 15, "max_features": "sqrt", "seed": seed},
                  lambda s=seed: ExtraTreesRegressor(n_estimators=15, max_features="sqrt", random_state=s)))
        c.append(("regression", "gradient_boosting", "regression",
                  {"n_estimators": 40, "subsample": 0.7, "max_features": "sqrt", "criterion": "squared_error", "seed": seed},
                  lambda s=seed: GradientBoostingRegressor(
                      n_estimators=40, subsample=0.7, max_features="sqrt", random_state=s)))
        c.append(("titanic_fare", "gradient_boosting", "regression",
                  {"n_estimators": 30, "loss": "huber", "criterion": "squared_error", "seed": seed},
                  lambda s=seed: GradientBoostingRegressor(n_estimators=30, loss="huber", random_state=s)))
        c.append(("titanic", "gradient_boosting", "binary",
                  {"n_estimators": 40, "subsample": 0.8, "criterion": "squared_error", "seed": seed},
                  lambda s=seed: GradientBoostingClassifier(n_estimators=40, subsample=0.8, random_state=s)))
        c.append(("three_classes", "gradient_boosting", "multiclass",
                  {"n_estimators": 20, "max_depth": 2, "criterion": "squared_error", "seed": seed},
                  lambda s=seed: GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=s)))
        c.append(("titanic", "adaboost", "binary",
                  {"n_estimators": 30, "seed": seed},
                  lambda s=seed: AdaBoostClassifier(n_estimators=30, random_state=s)))
        c.append(("three_classes", "adaboost", "multiclass",
                  {"n_estimators": 20, "base_splitter": "random", "seed": seed},
                  lambda s=seed: AdaBoostClassifier(
                      estimator=DecisionTreeClassifier(max_depth=1, splitter="random"),
                      n_estimators=20, random_state=s)))
    return c


def document(data):
    """The printed JSON document: the version, every table, and (filled by the caller) cases."""
    return {
        "sklearn": sklearn.__version__,
        "tables": {
            name: {"cols": x.shape[1], "x": bits(x), "y": bits(y), "test": bits(xt)}
            for name, (x, y, xt) in data.items()
        },
        "cases": [],
    }


def main():
    data = tables(sys.argv[1], sys.argv[2])
    out = document(data)
    for table, kind, task, params, make in cases():
        x, y, xt = data[table]
        model = make().fit(x, y)
        case = {"table": table, "kind": kind, "task": task, "params": params,
                "predict": bits(model.predict(xt))}
        if kind == "adaboost":
            case["rtol"] = 1e-12
        if task != "regression":
            case["proba"] = bits(model.predict_proba(xt))
        if kind == "decision_tree":
            t = model.tree_
            case["tree"] = {"feature": [int(f) for f in t.feature], "threshold": bits(t.threshold)}
        # What the report shows: impurity importances, and boosting's staged predictions.
        case["importances"] = bits(model.feature_importances_)
        if kind in ("gradient_boosting", "adaboost"):
            n = len(model.estimators_)
            stages = sorted({1, max(1, n // 2), n})
            staged = list(model.staged_predict(xt))
            case["staged"] = {"stages": stages, "predict": [bits(staged[s - 1]) for s in stages]}
        out["cases"].append(case)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
