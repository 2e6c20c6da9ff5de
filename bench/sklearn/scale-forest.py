"""bench/synthetic/scale-forest.toml in pandas + scikit-learn: one-hot Group, a 20-tree random
forest of depth 10 (one process, as kreplay's default), fit, training score, predictions."""

import os
from pathlib import Path

import pandas as pd
from sklearn.ensemble import RandomForestClassifier

from common import accuracy, out_path, replay

root = Path(os.environ["KREPLAY_MIRROR"]) / "synthetic-scale"
train, test = pd.read_csv(root / "train.csv"), pd.read_csv(root / "test.csv")
x = pd.get_dummies(train.drop(columns=["Id", "y"]), columns=["Group"]).to_numpy(float)
x_test = pd.get_dummies(test.drop(columns=["Id"]), columns=["Group"]).to_numpy(float)
model = RandomForestClassifier(n_estimators=20, max_depth=10, random_state=0, n_jobs=-1)
pred = replay(model, x, train["y"].to_numpy(), x_test, None, accuracy)
pd.DataFrame({"Id": test.Id, "y": pred}).to_csv(out_path(), index=False)
