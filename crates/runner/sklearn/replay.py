"""Replays a recipe's model in scikit-learn on the table kreplay fitted it on.

Usage: python replay.py <export dir> '<estimator JSON>'

The export dir is written by `kreplay replay --export-features DIR` (train.csv with the
target, test.csv, validation.json; with steps fitted per fold, fold-<i>/ tables too, which
are used instead of drawing the folds). The estimator JSON names a scikit-learn class and its
keyword arguments, e.g. {"class": "RandomForestClassifier", "params": {"n_estimators": 700,
"random_state": 1}} (a parameter may itself be such an object, or a list of them); class
"OofStack" is the notebooks' hand-written out-of-fold stacking (below); optional "proba": true predicts P(class 1) rather than the class; "inverse" ("exp", "expm1") and "clip_min": <number> turn the test
predictions into the submission's values as the notebook does (in float64, as kreplay does: numpy
would keep XGBoost's float32 predictions in float32). Prints JSON: the fold scores
under the recipe's validation scheme (drawn by scikit-learn's own splitters) and the
predictions for test.csv after a fit on every row.
"""

import glob
import json
import sys

import numpy as np
import pandas as pd
from sklearn import ensemble, svm, tree
from sklearn.base import clone
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

CLASSES = {
    name: getattr(module, name)
    for module in (ensemble, svm, tree)
    for name in dir(module)
    if name[0].isupper()
}
# The boosting libraries' scikit-learn wrappers, where installed (kreplay's `lightgbm` and
# `xgboost` features run the same libraries).
try:
    from lightgbm import LGBMClassifier, LGBMRegressor

    CLASSES.update(LGBMClassifier=LGBMClassifier, LGBMRegressor=LGBMRegressor)
except ImportError:
    pass
try:
    from xgboost import XGBClassifier, XGBRegressor

    CLASSES.update(XGBClassifier=XGBClassifier, XGBRegressor=XGBRegressor)
except ImportError:
    pass


class OofStack:
    """Anisotropic's get_oof and Serigne's StackingAveragedModels: each member is fitted on
    the training rows of every unshuffled KFold(folds) split and predicts its held-out rows,
    which make the meta estimator's training columns (members in order); a test row's column
    is the mean of the member's fold models' predictions (not a refit, unlike sklearn's
    StackingClassifier)."""

    def __init__(self, members, meta, folds=5):
        self.members, self.meta, self.folds = members, meta, folds

    def fit(self, x, y):
        splits = list(KFold(n_splits=self.folds).split(x))
        oof = np.zeros((len(y), len(self.members)))
        self.fold_models_ = []
        for j, member in enumerate(self.members):
            models = []
            for tr, va in splits:
                model = clone(member).fit(x[tr], y[tr])
                oof[va, j] = model.predict(x[va])
                models.append(model)
            self.fold_models_.append(models)
        self.meta_ = clone(self.meta).fit(oof, y)
        return self

    def predict(self, x):
        columns = [np.mean([m.predict(x) for m in models], axis=0) for models in self.fold_models_]
        return self.meta_.predict(np.column_stack(columns))


CLASSES["OofStack"] = OofStack


def is_spec(v):
    return isinstance(v, dict) and "class" in v


def build(spec):
    """The estimator a spec names; a parameter that is itself a spec (AdaBoost's `estimator`,
    a stack's `meta`) or a list of specs (a stack's `members`) is built the same way."""
    params = {
        k: build(v) if is_spec(v) else [build(e) for e in v]
        if isinstance(v, list) and v and all(map(is_spec, v)) else v
        for k, v in spec["params"].items()
    }
    return CLASSES[spec["class"]](**params)


def score(metric, y, p):
    if metric == "accuracy":
        return accuracy_score(y, p)
    if metric == "rmse":
        return float(np.sqrt(mean_squared_error(y, p)))
    raise SystemExit(f"metric {metric} is not replayed here")


def main():
    folder, spec = sys.argv[1], json.loads(sys.argv[2])
    v = json.load(open(f"{folder}/validation.json"))
    train = pd.read_csv(f"{folder}/train.csv")
    y = train.pop(v["target"]).to_numpy()
    x = train.to_numpy(dtype=np.float64)
    make = lambda: build(spec)
    scheme = v["validation"]
    folds = []
    fold_dirs = sorted(glob.glob(f"{folder}/fold-*"), key=lambda d: int(d.rsplit("-", 1)[1]))
    if fold_dirs:
        # Steps fitted per fold: each fold's own tables, as kreplay built them.
        for d in fold_dirs:
            tr, va = pd.read_csv(f"{d}/train.csv"), pd.read_csv(f"{d}/valid.csv")
            ytr, yva = tr.pop(v["target"]).to_numpy(), va.pop(v["target"]).to_numpy()
            model = make().fit(tr.to_numpy(np.float64), ytr)
            folds.append(score(v["metric"], yva, model.predict(va.to_numpy(np.float64))))
    elif scheme["scheme"] == "kfold":
        seed = scheme["seed"] if scheme["shuffle"] else None
        cls = StratifiedKFold if scheme["stratified"] else KFold
        splits = cls(n_splits=scheme["k"], shuffle=scheme["shuffle"], random_state=seed).split(x, y)
        for tr, va in splits:
            folds.append(score(v["metric"], y[va], make().fit(x[tr], y[tr]).predict(x[va])))
    elif scheme["scheme"] == "holdout":
        tr, va = train_test_split(
            np.arange(len(y)), test_size=scheme["fraction"],
            random_state=scheme["seed"] if scheme["shuffle"] else None,
            shuffle=scheme["shuffle"], stratify=y if scheme["stratified"] else None,
        )
        folds.append(score(v["metric"], y[va], make().fit(x[tr], y[tr]).predict(x[va])))
    out = {"fold_scores": folds, "cv_mean": float(np.mean(folds)) if folds else None}
    try:
        test = pd.read_csv(f"{folder}/test.csv").to_numpy(np.float64)
        model = make().fit(x, y)
        predictions = model.predict_proba(test)[:, 1] if spec.get("proba") else model.predict(test)
        # XGBoost predicts float32, which numpy's inverse would keep; kreplay inverts in f64.
        predictions = np.asarray(predictions, dtype=np.float64)
        inverse = {"exp": np.exp, "expm1": np.expm1}.get(spec.get("inverse"))
        if inverse is not None:
            predictions = inverse(predictions)
        if "clip_min" in spec:
            predictions = np.maximum(spec["clip_min"], predictions)
        out["test_predictions"] = [float(p) for p in predictions]
    except FileNotFoundError:
        pass
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
