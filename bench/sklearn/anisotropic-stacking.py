"""titanic/anisotropic-stacking in pandas + scikit-learn: the notebook's get_oof stack.

The recipe's CV (unshuffled KFold(5)) is over the whole stack, so each outer fold refits the
25 base fits (5 members x 5 inner folds) and the meta-model, then the final fit does it once more.
The meta-model is XGBClassifier with the notebook's parameters (n_jobs=1, as kreplay fits it).
Not reproducible here:
  * where xgboost is not installed, HistGradientBoostingClassifier stands in for the meta-model
    with the same rounds, depth and learning rate (2000, 4, 0.1; no early stopping) and
    colsample 0.8 as max_features; gamma, min_child_weight and subsample have no counterpart;
  * AdaBoost's SAMME.R was removed in scikit-learn 1.6: SAMME runs the same 500 stumps;
  * the random ages are drawn by numpy (seed 0), not kreplay's generator, so they differ.
n_jobs=-1 for the forest and extra trees, as the notebook's parameters have it. The stand-in
runs on one OpenMP thread: on ~700 rows its per-node thread sync costs more than a second core
gains (2 s a fit alone, over 60 s with 2 threads when the other core is busy), and a slow
stand-in would flatter kreplay.
"""

import re
import sys

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import (AdaBoostClassifier, ExtraTreesClassifier,
                              GradientBoostingClassifier, HistGradientBoostingClassifier,
                              RandomForestClassifier)
from sklearn.model_selection import KFold
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from common import accuracy, data, out_path, replay

SEED = 0
_one_thread = threadpool_limits(1, "openmp")  # only the HistGradientBoosting stand-in uses OpenMP
np.random.seed(SEED)
train, test = data("titanic")
for df in (train, test):
    df["Name_length"] = df["Name"].apply(len)
    df["Has_Cabin"] = df["Cabin"].isna().map({True: 0, False: 1})
    df["FamilySize"] = df["SibSp"] + df["Parch"] + 1
    df["IsAlone"] = (df["FamilySize"] == 1).astype(int)
    df["Embarked"] = df["Embarked"].fillna("S")
    df["Fare"] = df["Fare"].fillna(train["Fare"].median())
    avg, std, nulls = df["Age"].mean(), df["Age"].std(), df["Age"].isna().sum()
    df.loc[df["Age"].isna(), "Age"] = np.random.randint(avg - std, avg + std, size=nulls)
    df["Age"] = df["Age"].astype(int)
    df["Title"] = df["Name"].map(lambda n: (m := re.search(r" ([A-Za-z]+)\.", n)) and m.group(1) or "")
    df["Title"] = df["Title"].replace(["Lady", "Countess", "Capt", "Col", "Don", "Dr", "Major", "Rev",
                                       "Sir", "Jonkheer", "Dona"], "Rare")
    df["Title"] = df["Title"].replace({"Mlle": "Miss", "Ms": "Miss", "Mme": "Mrs"})
    df["Title"] = df["Title"].map({"Mr": 1, "Miss": 2, "Mrs": 3, "Master": 4, "Rare": 5}).fillna(0)
    df["Sex"] = df["Sex"].map({"female": 0, "male": 1}).astype(int)
    df["Embarked"] = df["Embarked"].map({"S": 0, "C": 1, "Q": 2}).astype(int)
    df["Fare"] = np.digitize(df["Fare"], [7.91, 14.454, 31], right=True)
    df["Age"] = np.digitize(df["Age"], [16, 32, 48, 64], right=True)
cols = ["Pclass", "Sex", "Age", "Parch", "Fare", "Embarked", "Name_length", "Has_Cabin",
        "FamilySize", "IsAlone", "Title"]
x, y, x_test = train[cols].to_numpy(float), train["Survived"].to_numpy(), test[cols].to_numpy(float)


class OofStack(BaseEstimator, ClassifierMixin):
    """get_oof as an estimator: hard out-of-fold labels feed the meta-model; a new row's input
    is the mean of the five fold models' labels."""

    def __init__(self, bases, meta, folds=5):
        self.bases, self.meta, self.folds = bases, meta, folds

    def fit(self, x, y):
        self.classes_ = np.unique(y)
        oof = np.zeros((len(y), len(self.bases)))
        self.fold_models_ = [[] for _ in self.bases]
        for j, base in enumerate(self.bases):
            for tr, va in KFold(self.folds).split(x):
                m = clone(base).fit(x[tr], y[tr])
                oof[va, j] = m.predict(x[va])
                self.fold_models_[j].append(m)
        self.meta_ = clone(self.meta).fit(oof, y)
        return self

    def predict(self, x):
        z = np.column_stack([np.mean([m.predict(x) for m in ms], axis=0) for ms in self.fold_models_])
        return self.meta_.predict(z)


bases = [  # the notebook's order: et, rf, ada, gb, svc
    ExtraTreesClassifier(n_estimators=500, max_depth=8, min_samples_leaf=2, n_jobs=-1, random_state=SEED),
    RandomForestClassifier(n_estimators=500, max_depth=6, min_samples_leaf=2, max_features="sqrt",
                           n_jobs=-1, random_state=SEED),
    AdaBoostClassifier(n_estimators=500, learning_rate=0.75, random_state=SEED),
    GradientBoostingClassifier(n_estimators=500, max_depth=5, min_samples_leaf=2, random_state=SEED),
    SVC(kernel="linear", C=0.025, random_state=SEED),
]
try:
    from xgboost import XGBClassifier

    meta = XGBClassifier(n_estimators=2000, max_depth=4, min_child_weight=2, gamma=0.9,
                         subsample=0.8, colsample_bytree=0.8, learning_rate=0.1,
                         scale_pos_weight=1, random_state=SEED, n_jobs=1)
except ImportError:
    print("note: no xgboost: HistGradientBoostingClassifier stands in for the meta-model",
          file=sys.stderr)
    meta = HistGradientBoostingClassifier(max_iter=2000, max_depth=4, learning_rate=0.1,
                                          max_features=0.8, early_stopping=False,
                                          random_state=SEED)
pred = replay(OofStack(bases, meta), x, y, x_test, KFold(5), accuracy)
pd.DataFrame({"PassengerId": test.PassengerId, "Survived": pred.astype(int)}).to_csv(out_path(), index=False)
