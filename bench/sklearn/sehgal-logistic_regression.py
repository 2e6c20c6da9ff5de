"""titanic/sehgal:logistic_regression in pandas + scikit-learn (Manav Sehgal's notebook): its
features, LogisticRegression() fit on every row, training accuracy, test predictions."""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from common import accuracy, data, out_path, replay

train, test = data("titanic")
for df in (train, test):
    title = df["Name"].str.extract(r" ([A-Za-z]+)\.", expand=False)
    title = title.replace(["Lady", "Countess", "Capt", "Col", "Don", "Dr", "Major", "Rev", "Sir",
                           "Jonkheer", "Dona"], "Rare").replace({"Mlle": "Miss", "Ms": "Miss", "Mme": "Mrs"})
    df["Title"] = title.map({"Mr": 1, "Miss": 2, "Mrs": 3, "Master": 4, "Rare": 5}).fillna(0)
    df["Sex"] = df["Sex"].map({"female": 1, "male": 0})
    # Age medians by sex and class of each frame, rounded to halves.
    medians = df.groupby(["Sex", "Pclass"])["Age"].transform("median")
    df["Age"] = df["Age"].fillna((medians / 0.5 + 0.5).astype(int) * 0.5).astype(int)
    age = df["Age"]
    df["Age"] = np.select([age <= 16, age <= 32, age <= 48, age <= 64], [0, 1, 2, 3], age)
    df["IsAlone"] = (df["SibSp"] + df["Parch"] == 0).astype(int)
    df["Age*Class"] = df["Age"] * df["Pclass"]
    df["Embarked"] = df["Embarked"].fillna(train["Embarked"].mode()[0]).map({"S": 0, "C": 1, "Q": 2})
    df["Fare"] = df["Fare"].fillna(df["Fare"].median())
    df["Fare"] = np.digitize(df["Fare"], [7.91, 14.454, 31], right=True).astype(int)

features = ["Pclass", "Sex", "Age", "Fare", "Embarked", "Title", "IsAlone", "Age*Class"]
pred = replay(LogisticRegression(), train[features].to_numpy(float), train["Survived"].to_numpy(),
              test[features].to_numpy(float), None, accuracy)
pd.DataFrame({"PassengerId": test.PassengerId, "Survived": pred}).to_csv(out_path(), index=False)
