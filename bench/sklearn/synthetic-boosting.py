"""bench/boosting.sh's 7-class cases in the Python packages: LGBMClassifier(n_estimators=100,
num_leaves=100, learning_rate=0.05) or XGBClassifier(n_estimators=100, max_depth=6,
learning_rate=0.1), n_jobs=1 (as kreplay runs each fit), unshuffled StratifiedKFold(5) + refit
+ predict, on $KREPLAY_MIRROR/synthetic-forest (written by bench/synthetic/forest.py).

Usage: python synthetic-boosting.py lightgbm|xgboost <submission.csv>
"""

import sys

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from common import accuracy, data, replay

library = sys.argv.pop(1)
train, test = data("synthetic-forest")
features = [c for c in train.columns if c not in ("Id", "Cover_Type")]
y = train["Cover_Type"].to_numpy()
if library == "lightgbm":
    from lightgbm import LGBMClassifier

    model = LGBMClassifier(n_estimators=100, num_leaves=100, learning_rate=0.05, n_jobs=1,
                           verbosity=-1)
    labels = y
else:
    from xgboost import XGBClassifier

    model = XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.1, n_jobs=1)
    # XGBClassifier wants classes 0..k-1.
    classes, labels = np.unique(y, return_inverse=True)
pred = replay(model, train[features].to_numpy(float), labels, test[features].to_numpy(float),
              StratifiedKFold(5), accuracy)
if library == "xgboost":
    pred = classes[pred]
pd.DataFrame({"Id": test.Id, "Cover_Type": pred}).to_csv(sys.argv[1], index=False)
