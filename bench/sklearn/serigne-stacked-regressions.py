"""house-prices-advanced-regression-techniques/serigne-stacked-regressions in pandas +
scikit-learn: the notebook's all_data steps (quirks kept: every numeric column Box-Cox'd,
alphabetical label codes), then StackingAveragedModels(ENet, GBoost, KRR; meta Lasso) with
inner KFold(5, shuffle, 156), under the recipe's unshuffled 5-fold CV, final fit, submission.

The model is kreplay's: 0.7*stacked + 0.15*XGBRegressor + 0.15*LGBMRegressor, averaged in
expm1 space (the notebook's final blend), with the notebook's parameters and n_jobs=1 for the
two libraries, as kreplay fits them. Where xgboost or lightgbm is not installed, the blend
is the stacked model alone (a note says so), and this side does less work than kreplay's: no
2200 XGB and 720 LGB rounds per fit (6 fits: 5 folds + final).
"""

import sys

import numpy as np
import pandas as pd
from scipy.special import boxcox1p
from scipy.stats import skew
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import ElasticNet, Lasso
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, RobustScaler

from common import data, out_path, replay, rmse

train, test = data("house-prices-advanced-regression-techniques")
test_id = test["Id"]
train, test = train.drop(columns="Id"), test.drop(columns="Id")
train = train.drop(train[(train["GrLivArea"] > 4000) & (train["SalePrice"] < 300000)].index)
y = np.log1p(train["SalePrice"].to_numpy())
n_train = len(train)
all_data = pd.concat((train, test)).reset_index(drop=True).drop(columns="SalePrice")

for col in ["PoolQC", "MiscFeature", "Alley", "Fence", "FireplaceQu", "GarageType", "GarageFinish",
            "GarageQual", "GarageCond", "BsmtQual", "BsmtCond", "BsmtExposure", "BsmtFinType1",
            "BsmtFinType2", "MasVnrType"]:
    all_data[col] = all_data[col].fillna("None")
all_data["LotFrontage"] = all_data.groupby("Neighborhood")["LotFrontage"].transform(lambda s: s.fillna(s.median()))
for col in ["GarageYrBlt", "GarageArea", "GarageCars", "BsmtFinSF1", "BsmtFinSF2", "BsmtUnfSF",
            "TotalBsmtSF", "BsmtFullBath", "BsmtHalfBath", "MasVnrArea"]:
    all_data[col] = all_data[col].fillna(0)
for col in ["MSZoning", "Electrical", "KitchenQual", "Exterior1st", "Exterior2nd", "SaleType"]:
    all_data[col] = all_data[col].fillna(all_data[col].mode()[0])
all_data = all_data.drop(columns="Utilities")
all_data["Functional"] = all_data["Functional"].fillna("Typ")
for col in ["MSSubClass", "OverallCond", "YrSold", "MoSold"]:
    all_data[col] = all_data[col].astype(str)
for col in ["FireplaceQu", "BsmtQual", "BsmtCond", "GarageQual", "GarageCond", "ExterQual",
            "ExterCond", "HeatingQC", "PoolQC", "KitchenQual", "BsmtFinType1", "BsmtFinType2",
            "Functional", "Fence", "BsmtExposure", "GarageFinish", "LandSlope", "LotShape",
            "PavedDrive", "Street", "Alley", "CentralAir", "MSSubClass", "OverallCond", "YrSold",
            "MoSold"]:
    all_data[col] = LabelEncoder().fit_transform(list(all_data[col].values))
all_data["TotalSF"] = all_data["TotalBsmtSF"] + all_data["1stFlrSF"] + all_data["2ndFlrSF"]
# The notebook's filter kept every numeric column (it was applied to a DataFrame). Its
# `dtypes != "object"` test would also pick pandas 3's str columns, so select numbers instead.
numeric = all_data.select_dtypes(include="number").columns
skewness = all_data[numeric].apply(lambda s: skew(s.dropna()))
assert len(skewness) == 59, len(skewness)
for col in numeric:
    all_data[col] = boxcox1p(all_data[col], 0.15)
all_data = pd.get_dummies(all_data).astype(float)
assert all_data.shape[1] == 220, all_data.shape
x, x_test = all_data[:n_train].to_numpy(), all_data[n_train:].to_numpy()


class StackingAveragedModels(BaseEstimator, RegressorMixin):
    """The notebook's class: one clone per inner fold and base model; a new row's base input is
    the mean of the fold clones' predictions."""

    def __init__(self, base_models, meta_model, n_folds=5):
        self.base_models, self.meta_model, self.n_folds = base_models, meta_model, n_folds

    def fit(self, x, y):
        self.base_models_ = [[] for _ in self.base_models]
        oof = np.zeros((x.shape[0], len(self.base_models)))
        for i, model in enumerate(self.base_models):
            for tr, ho in KFold(self.n_folds, shuffle=True, random_state=156).split(x, y):
                m = clone(model).fit(x[tr], y[tr])
                self.base_models_[i].append(m)
                oof[ho, i] = m.predict(x[ho])
        self.meta_model_ = clone(self.meta_model).fit(oof, y)
        return self

    def predict(self, x):
        z = np.column_stack([np.column_stack([m.predict(x) for m in ms]).mean(axis=1)
                             for ms in self.base_models_])
        return self.meta_model_.predict(z)


lasso = make_pipeline(RobustScaler(), Lasso(alpha=0.0005, random_state=1))
enet = make_pipeline(RobustScaler(), ElasticNet(alpha=0.0005, l1_ratio=0.9, random_state=3))
krr = KernelRidge(alpha=0.6, kernel="polynomial", degree=2, coef0=2.5)
gboost = GradientBoostingRegressor(n_estimators=3000, learning_rate=0.05, max_depth=4,
                                   max_features="sqrt", min_samples_leaf=15, min_samples_split=10,
                                   loss="huber", random_state=5)
stacked = StackingAveragedModels(base_models=(enet, gboost, krr), meta_model=lasso)


class ExpBlend(BaseEstimator, RegressorMixin):
    """The notebook's ensemble: members' expm1 predictions weighted, back to log1p space."""

    def __init__(self, models, weights):
        self.models, self.weights = models, weights

    def fit(self, x, y):
        self.models_ = [clone(m).fit(x, y) for m in self.models]
        return self

    def predict(self, x):
        return np.log1p(sum(w * np.expm1(m.predict(x)) for m, w in zip(self.models_, self.weights)))


try:
    from lightgbm import LGBMRegressor
    from xgboost import XGBRegressor

    xgb = XGBRegressor(colsample_bytree=0.4603, gamma=0.0468, learning_rate=0.05, max_depth=3,
                       min_child_weight=1.7817, n_estimators=2200, reg_alpha=0.4640,
                       reg_lambda=0.8571, subsample=0.5213, random_state=7, n_jobs=1)
    lgb = LGBMRegressor(objective="regression", num_leaves=5, learning_rate=0.05, n_estimators=720,
                        max_bin=55, bagging_fraction=0.8, bagging_freq=5, feature_fraction=0.2319,
                        feature_fraction_seed=9, bagging_seed=9, min_data_in_leaf=6,
                        min_sum_hessian_in_leaf=11, n_jobs=1, verbosity=-1)
    model = ExpBlend([stacked, xgb, lgb], [0.7, 0.15, 0.15])
except ImportError:
    print("note: no xgboost/lightgbm: the stacked model alone (less work than kreplay's)",
          file=sys.stderr)
    model = stacked
pred = replay(model, x, y, x_test, KFold(5), rmse)
pd.DataFrame({"Id": test_id, "SalePrice": np.expm1(pred)}).to_csv(out_path(), index=False)
