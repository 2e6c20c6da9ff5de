"""Shared by the bench/sklearn scripts: where the data is, and the replay's outer loop.

Each script does what `kreplay replay <recipe>` does for that recipe, written the way a Kaggle
user would in pandas + scikit-learn: CV under the recipe's [validation], a final fit on every
train row, the training score, test predictions, the submission CSV (path = argv[1]).
"""

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone


def data(competition):
    """train, test frames from $KREPLAY_MIRROR/<competition>/ (bench/trees.sh sets it)."""
    root = Path(os.environ.get("KREPLAY_MIRROR", Path(__file__).resolve().parents[3] / "shared/data"))
    return pd.read_csv(root / competition / "train.csv"), pd.read_csv(root / competition / "test.csv")


def out_path():
    return sys.argv[1] if len(sys.argv) > 1 else "submission.csv"


def replay(model, x, y, x_test, cv, metric, n_jobs=None):
    """CV (if any), final fit, training score; returns test predictions.

    The CV is an explicit loop (not cross_val_score) only when n_jobs is None, so that the
    process stays single; with n_jobs it is cross_val_score(n_jobs=...), as the notebook ran it.
    """
    scores = []
    if cv is not None:
        if n_jobs is None:
            for tr, va in cv.split(x, y):
                m = clone(model).fit(x[tr], y[tr])
                scores.append(metric(y[va], m.predict(x[va])))
        else:
            from sklearn.metrics import make_scorer
            from sklearn.model_selection import cross_val_score

            scores = list(cross_val_score(model, x, y, cv=cv, n_jobs=n_jobs,
                                          scoring=make_scorer(metric)))
    final = clone(model).fit(x, y)
    train = metric(y, final.predict(x))
    cv_text = f"cv {np.mean(scores):.4f} (std {np.std(scores):.4f}, {len(scores)} folds)" if scores else "cv -"
    print(f"{cv_text}, train {train:.4f}")
    return final.predict(x_test)


def accuracy(y, p):
    return float(np.mean(np.asarray(y) == np.asarray(p)))


def rmse(y, p):
    return float(np.sqrt(np.mean((np.asarray(y) - np.asarray(p)) ** 2)))
