"""The synthetic case of bench/trees.sh: RandomForestClassifier(n_estimators=100,
random_state=0), unshuffled StratifiedKFold(5) + refit + predict, one thread (n_jobs=1),
on $KREPLAY_MIRROR/synthetic-forest (written by bench/synthetic/forest.py)."""

import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold

from common import accuracy, data, out_path, replay

train, test = data("synthetic-forest")
features = [c for c in train.columns if c not in ("Id", "Cover_Type")]
model = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1)
pred = replay(model, train[features].to_numpy(float), train["Cover_Type"].to_numpy(),
              test[features].to_numpy(float), StratifiedKFold(5), accuracy)
pd.DataFrame({"Id": test.Id, "Cover_Type": pred}).to_csv(out_path(), index=False)
