"""titanic/milla-decision-tree in pandas + scikit-learn (Diego Milla's notebook, the recipe's
work: its features, a depth-3 tree, 10-fold CV without shuffling, the final fit).

Missing ages are random integers in [mean - std, mean + std) of each frame, as the notebook
(seeded here; the depth-3 tree does not split on Age).
"""

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier

from common import accuracy, data, out_path, replay

train, test = data("titanic")
rng = np.random.default_rng(0)
fare_median = train["Fare"].median()
for df in (train, test):
    df["Has_Cabin"] = df["Cabin"].notna().astype(int)
    df["FamilySize"] = df["SibSp"] + df["Parch"] + 1
    df["IsAlone"] = (df["FamilySize"] == 1).astype(int)
    df["Embarked"] = df["Embarked"].fillna("S")
    df["Fare"] = df["Fare"].fillna(fare_median)
    mean, std, missing = df["Age"].mean(), df["Age"].std(), df["Age"].isna()
    df.loc[missing, "Age"] = rng.integers(int(mean - std), int(mean + std), missing.sum())
    df["Age"] = df["Age"].astype(int)
    title = df["Name"].str.extract(r" ([A-Za-z]+)\.", expand=False)
    title = title.replace(["Lady", "Countess", "Capt", "Col", "Don", "Dr", "Major", "Rev", "Sir",
                           "Jonkheer", "Dona"], "Rare").replace({"Mlle": "Miss", "Ms": "Miss", "Mme": "Mrs"})
    df["Title"] = title.map({"Mr": 1, "Master": 2, "Mrs": 3, "Miss": 4, "Rare": 5}).fillna(0)
    df["Sex"] = df["Sex"].map({"female": 0, "male": 1})
    df["Embarked"] = df["Embarked"].map({"S": 0, "C": 1, "Q": 2})
    df["Fare"] = np.digitize(df["Fare"], [7.91, 14.454, 31], right=True).astype(int)
    age = df["Age"]
    df["Age"] = np.select([age <= 16, age <= 32, age <= 48, age <= 64], [0, 1, 2, 3], age)

features = ["Pclass", "Sex", "Age", "Parch", "Fare", "Embarked", "Has_Cabin", "FamilySize",
            "IsAlone", "Title"]
model = DecisionTreeClassifier(max_depth=3)
pred = replay(model, train[features].to_numpy(float), train["Survived"].to_numpy(),
              test[features].to_numpy(float), KFold(10, shuffle=False), accuracy)
pd.DataFrame({"PassengerId": test.PassengerId, "Survived": pred}).to_csv(out_path(), index=False)
