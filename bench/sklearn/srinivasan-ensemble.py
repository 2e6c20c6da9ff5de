"""bike-sharing-demand/srinivasan-ensemble in pandas + scikit-learn: calendar parts, the
windspeed random forest (10 trees, fitted on train+test rows with windspeed != 0), a log1p
target and GradientBoostingRegressor(n_estimators=4000, alpha=0.01).

No validation (the notebook reports the training RMSLE, through exp of both sides). Seeds:
the recipe's 0 for the imputer (unseeded in the notebook) and the booster. year is an int
here: the notebook's string column is what old scikit-learn converted to a number anyway,
and its category casts change nothing scikit-learn sees, so they are left out.
"""

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor

from common import data, out_path, replay

SEED = 0
train, test = data("bike-sharing-demand")
df = pd.concat([train, test]).reset_index(drop=True)
when = pd.to_datetime(df["datetime"], format="%Y-%m-%d %H:%M:%S")
df["hour"], df["year"], df["weekday"], df["month"] = when.dt.hour, when.dt.year, when.dt.day_of_week, when.dt.month

wind = ["season", "weather", "humidity", "month", "temp", "year", "atemp"]
zero = df["windspeed"] == 0
imputer = RandomForestRegressor(n_estimators=10, random_state=SEED)
imputer.fit(df.loc[~zero, wind], df.loc[~zero, "windspeed"])
df.loc[zero, "windspeed"] = imputer.predict(df.loc[zero, wind])

features = ["season", "holiday", "workingday", "weather", "temp", "atemp", "humidity",
            "windspeed", "hour", "year", "weekday", "month"]
tr, te = df[df["count"].notna()], df[df["count"].isna()]
y = np.log1p(tr["count"].to_numpy())


def rmsle_exp(truth, pred):
    # The notebook's helper on exp() of both sides: truth becomes count + 1, as published.
    return float(np.sqrt(np.mean((np.log1p(np.exp(truth)) - np.log1p(np.exp(pred))) ** 2)))


gbm = GradientBoostingRegressor(n_estimators=4000, alpha=0.01, random_state=SEED)
pred = replay(gbm, tr[features].to_numpy(float), y, te[features].to_numpy(float), None, rmsle_exp)
pd.DataFrame({"datetime": te["datetime"], "count": np.maximum(0, np.exp(pred))}).to_csv(out_path(), index=False)
