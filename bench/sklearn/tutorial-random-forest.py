"""titanic/tutorial-random-forest in pandas + scikit-learn (Alexis Cook's tutorial).

No validation in the notebook or the recipe: one fit, training score, test predictions.
"""

import pandas as pd
from sklearn.ensemble import RandomForestClassifier

from common import accuracy, data, out_path, replay

train, test = data("titanic")
features = ["Pclass", "Sex", "SibSp", "Parch"]
# get_dummies on each frame separately, as the notebook (recipe: fit_on = "each").
x = pd.get_dummies(train[features]).to_numpy(float)
x_test = pd.get_dummies(test[features]).to_numpy(float)
model = RandomForestClassifier(n_estimators=100, max_depth=5, random_state=1)
pred = replay(model, x, train["Survived"].to_numpy(), x_test, None, accuracy)
pd.DataFrame({"PassengerId": test.PassengerId, "Survived": pred}).to_csv(out_path(), index=False)
