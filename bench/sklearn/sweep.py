"""bench/sweep.sh's grid in scikit-learn: the 48 random-forest configurations of the Titanic
tutorial recipe, GridSearchCV with 3 folds on 2 jobs. Prints one line: configurations, seconds.

cv is KFold(3), unshuffled, because that is what the kreplay sweep runs (validation.k=3 with
the default stratified = false); GridSearchCV's cv=3 would stratify. Work differs in one way:
each kreplay trial is a whole replay, so it also refits every configuration on all rows (48
refits, 192 fits in all), where GridSearchCV refits only the best (145 fits).
"""

import time

import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, KFold

from common import data

start = time.perf_counter()
train, _ = data("titanic")
x = pd.get_dummies(train[["Pclass", "Sex", "SibSp", "Parch"]]).to_numpy(float)
grid = {"n_estimators": [50, 100, 200], "max_depth": [3, 5, 7, None],
        "max_features": ["sqrt", None], "min_samples_leaf": [1, 5]}
search = GridSearchCV(RandomForestClassifier(random_state=1), grid, cv=KFold(3), n_jobs=2)
search.fit(x, train["Survived"].to_numpy())
n = len(search.cv_results_["params"])
print(f"{n} {time.perf_counter() - start:.3f} best {search.best_score_:.4f} {search.best_params_}")
