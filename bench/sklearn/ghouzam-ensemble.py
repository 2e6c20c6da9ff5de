"""titanic/ghouzam-ensemble in pandas + scikit-learn: the recipe's model, the soft vote.

The vote's five members carry the recipe's parameters (the best grid cells) and seeds. Not
reproducible here: AdaBoost's SAMME.R (removed in scikit-learn 1.6), so the member runs SAMME
(2 trees, a negligible share of the work). n_jobs=4 is the notebook's (its cross_val_score and
VotingClassifier), so this side forks loky workers; /usr/bin/time's peak is the largest process.
"""

from collections import Counter

import numpy as np
import pandas as pd
from sklearn.ensemble import (AdaBoostClassifier, ExtraTreesClassifier,
                              GradientBoostingClassifier, RandomForestClassifier,
                              VotingClassifier)
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from common import accuracy, data, out_path, replay

SEED = 2
train, test = data("titanic")

# Tukey fences; rows outside them in more than 2 columns go (Age's NaN fences flag nothing).
flags = Counter()
for col in ["Age", "SibSp", "Parch", "Fare"]:
    q1, q3 = np.percentile(train[col], 25), np.percentile(train[col], 75)
    step = 1.5 * (q3 - q1)
    flags.update(train[(train[col] < q1 - step) | (train[col] > q3 + step)].index)
train = train.drop([i for i, n in flags.items() if n > 2]).reset_index(drop=True)
n_train = len(train)

ds = pd.concat([train, test]).reset_index(drop=True)
ds["Fare"] = ds["Fare"].fillna(ds["Fare"].median())
ds["Fare"] = ds["Fare"].map(lambda f: np.log(f) if f > 0 else 0)
ds["Embarked"] = ds["Embarked"].fillna("S")
ds["Sex"] = ds["Sex"].map({"male": 0, "female": 1})
# One row at a time, each median seeing the ages filled before it (the notebook's loop).
for i in ds.index[ds["Age"].isna()]:
    row = ds.loc[i]
    same = ds["Age"][(ds.SibSp == row.SibSp) & (ds.Parch == row.Parch) & (ds.Pclass == row.Pclass)]
    pred = same.median()
    ds.loc[i, "Age"] = pred if not np.isnan(pred) else ds["Age"].median()
ds["Title"] = [n.split(",")[1].split(".")[0].strip() for n in ds["Name"]]
ds["Title"] = ds["Title"].replace(["Lady", "the Countess", "Countess", "Capt", "Col", "Don", "Dr",
                                   "Major", "Rev", "Sir", "Jonkheer", "Dona"], "Rare")
ds["Title"] = ds["Title"].map({"Master": 0, "Miss": 1, "Ms": 1, "Mme": 1, "Mlle": 1, "Mrs": 1,
                               "Mr": 2, "Rare": 3}).astype(int)
ds = ds.drop(columns="Name")
ds["Fsize"] = ds["SibSp"] + ds["Parch"] + 1
ds["Single"] = (ds.Fsize == 1).astype(int)
ds["SmallF"] = (ds.Fsize == 2).astype(int)
ds["MedF"] = ds.Fsize.between(3, 4).astype(int)
ds["LargeF"] = (ds.Fsize >= 5).astype(int)
ds = pd.get_dummies(ds, columns=["Title"])
ds = pd.get_dummies(ds, columns=["Embarked"], prefix="Em")
ds["Cabin"] = [c[0] if not pd.isnull(c) else "X" for c in ds["Cabin"]]
ds = pd.get_dummies(ds, columns=["Cabin"], prefix="Cabin")
ds["Ticket"] = ["X" if t.isdigit() else t.replace(".", "").replace("/", "").strip().split(" ")[0]
                for t in ds["Ticket"]]
ds = pd.get_dummies(ds, columns=["Ticket"], prefix="T")
ds = pd.get_dummies(ds, columns=["Pclass"], prefix="Pc")
ds = ds.drop(columns="PassengerId")

tr, te = ds[:n_train], ds[n_train:].drop(columns="Survived")
x, y = tr.drop(columns="Survived").to_numpy(float), tr["Survived"].astype(int).to_numpy()
assert x.shape == (881, 66), x.shape

members = [
    ("rfc", RandomForestClassifier(n_estimators=100, max_features=10, min_samples_split=10,
                                   min_samples_leaf=1, bootstrap=False, criterion="gini",
                                   random_state=SEED)),
    ("extc", ExtraTreesClassifier(n_estimators=300, max_features=10, min_samples_split=3,
                                  min_samples_leaf=1, bootstrap=False, criterion="gini",
                                  random_state=SEED)),
    ("svc", SVC(kernel="rbf", probability=True, gamma=0.01, C=10, random_state=SEED)),
    ("adac", AdaBoostClassifier(DecisionTreeClassifier(criterion="entropy", splitter="best",
                                                       max_depth=None, random_state=7),
                                n_estimators=2, learning_rate=0.2, random_state=7)),
    ("gbc", GradientBoostingClassifier(loss="log_loss", n_estimators=300, learning_rate=0.1,
                                       max_depth=8, min_samples_leaf=100, max_features=0.3,
                                       random_state=SEED)),
]
vote = VotingClassifier(estimators=members, voting="soft", n_jobs=4)
pred = replay(vote, x, y, te.to_numpy(float), StratifiedKFold(10), accuracy, n_jobs=4)
pd.DataFrame({"PassengerId": test.PassengerId, "Survived": pred.astype(int)}).to_csv(out_path(), index=False)
