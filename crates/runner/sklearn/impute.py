"""Replays a `model_impute` step in scikit-learn on the table kreplay exported.

Usage: python impute.py <export dir> <raw train.csv> <raw test.csv> '<spec JSON>'

The spec names the imputed column, which cells were replaced ("when": "zero" or "missing"),
the feature columns, whether the model was fitted on "train" or "train+test", and the
scikit-learn estimator ("class", "params") the notebook used. The features are read from the
export (they are the columns the step's model saw; the step changes only its own column), the
column's original values from the raw files. Prints JSON: for each replaced cell, in
train-then-test row order, scikit-learn's prediction ("expected") and the exported value
("exported").
"""

import json
import sys

import numpy as np
import pandas as pd
from sklearn import ensemble, tree

CLASSES = {
    name: getattr(module, name)
    for module in (ensemble, tree)
    for name in dir(module)
    if name[0].isupper()
}


def main():
    folder, raw_train, raw_test, spec = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    column, features = spec["column"], spec["features"]
    exported = pd.concat(
        [pd.read_csv(f"{folder}/train.csv"), pd.read_csv(f"{folder}/test.csv")], ignore_index=True
    )
    raw = pd.concat([pd.read_csv(raw_train), pd.read_csv(raw_test)], ignore_index=True)
    original = raw[column].to_numpy(np.float64)
    replaced = original == 0 if spec["when"] == "zero" else np.isnan(original)
    learn = ~replaced
    if spec.get("fit_on", "train") == "train":
        learn[len(pd.read_csv(raw_train)):] = False
    x = exported[features].to_numpy(np.float64)
    model = CLASSES[spec["class"]](**spec["params"]).fit(x[learn], original[learn])
    json.dump(
        {
            "expected": [float(v) for v in model.predict(x[replaced])],
            "exported": [float(v) for v in exported[column].to_numpy(np.float64)[replaced]],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
