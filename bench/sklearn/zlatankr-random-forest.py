"""titanic/zlatankr-random-forest in pandas + scikit-learn (the notebook's functions, condensed).

Both train->test index-alignment bugs are kept (Age and the Cabin_num bands of test come from
train's rows at the same index), since the recipe replays them. The notebook's oob_score=True
is left out: kreplay computes no out-of-bag score, and the work should match.
"""

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold

from common import accuracy, data, out_path, replay

train, test = data("titanic")

for df in (train, test):
    df["Name_Len"] = df["Name"].str.len()
    df["Name_Title"] = df["Name"].str.split(",").str[1].str.split().str[0]
    del df["Name"]

groups = train.groupby(["Name_Title", "Pclass"])["Age"]
for df in (train, test):
    df["Age_Null_Flag"] = df["Age"].isna().astype(int)
    # A Series indexed like train, assigned to test too: pandas aligns it on the index.
    df["Age"] = groups.transform(lambda a: a.fillna(a.mean()))

for df in (train, test):
    # str(x) as the notebook: NaN becomes "nan" (pandas 3's astype(str) would keep NaN).
    num = df["Cabin"].map(lambda v: str(v).split(" ")[-1][1:])
    df["Cabin_num1"] = pd.to_numeric(num.replace({"an": np.nan, "": np.nan}))
bands = pd.qcut(train["Cabin_num1"], 3)  # train's bands, aligned onto test's index as well
train = pd.concat((train, pd.get_dummies(bands, prefix="Cabin_num")), axis=1)
test = pd.concat((test, pd.get_dummies(bands.iloc[: len(test)], prefix="Cabin_num")), axis=1)
for df in (train, test):
    del df["Cabin_num1"]
    df["Cabin_Letter"] = df["Cabin"].map(lambda v: str(v)[0])
    del df["Cabin"]
    df["Embarked"] = df["Embarked"].fillna("S")
    fam = df["SibSp"] + df["Parch"]
    df["Fam_Size"] = np.where(fam == 0, "Solo", np.where(fam <= 3, "Nuclear", "Big"))
    del df["SibSp"], df["Parch"]
test["Fare"] = test["Fare"].fillna(train["Fare"].mean())
for df in (train, test):
    first = df["Ticket"].str[0]
    df["Ticket_Lett"] = np.where(first.isin(list("123SPCA")), first,
                                 np.where(first.isin(list("W4765L8")), "Low_ticket", "Other_ticket"))
    df["Ticket_Len"] = df["Ticket"].str.len()
    del df["Ticket"]

# Dummies of the levels present in both frames, in train's order of appearance.
for col in ["Pclass", "Sex", "Embarked", "Ticket_Lett", "Cabin_Letter", "Name_Title", "Fam_Size"]:
    train[col], test[col] = train[col].astype(str), test[col].astype(str)
    good = [f"{col}_{v}" for v in train[col].unique() if v in set(test[col])]
    train = pd.concat((train, pd.get_dummies(train[col], prefix=col)[good]), axis=1)
    test = pd.concat((test, pd.get_dummies(test[col], prefix=col)[good]), axis=1)
    del train[col], test[col]

features = [c for c in train.columns if c not in ("PassengerId", "Survived")]
assert len(features) == 44, len(features)
x, y = train[features].to_numpy(float), train["Survived"].to_numpy()
model = RandomForestClassifier(criterion="gini", n_estimators=700, min_samples_split=10,
                               min_samples_leaf=1, max_features="sqrt", random_state=1,
                               n_jobs=-1)  # the notebook's n_jobs
pred = replay(model, x, y, test[features].to_numpy(float), StratifiedKFold(3), accuracy)
pd.DataFrame({"PassengerId": test.PassengerId, "Survived": pred}).to_csv(out_path(), index=False)
