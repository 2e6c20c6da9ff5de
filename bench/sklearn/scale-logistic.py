"""bench/synthetic/scale-logistic.toml in pandas + scikit-learn: one-hot Group, logistic
regression (lbfgs, the defaults), fit, training score, test predictions."""

import os
from pathlib import Path

import pandas as pd
from sklearn.linear_model import LogisticRegression

from common import accuracy, out_path, replay

root = Path(os.environ["KREPLAY_MIRROR"]) / "synthetic-scale"
train, test = pd.read_csv(root / "train.csv"), pd.read_csv(root / "test.csv")
x = pd.get_dummies(train.drop(columns=["Id", "y"]), columns=["Group"]).to_numpy(float)
x_test = pd.get_dummies(test.drop(columns=["Id"]), columns=["Group"]).to_numpy(float)
pred = replay(LogisticRegression(), x, train["y"].to_numpy(), x_test, None, accuracy)
pd.DataFrame({"Id": test.Id, "y": pred}).to_csv(out_path(), index=False)
