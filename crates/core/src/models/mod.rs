//! The model zoo behind one trait.
//!
//! Each model kind is defined once, in its own file, as a [`ModelDef`]: the [`ModelSpec`] the
//! recipe parser, `kreplay models` and overrides read, and `build`. Where linfa reproduces the
//! semantics published numbers rely on, the model wraps linfa; where it does not, the model is
//! the project's own seeded implementation, and the file says why.

mod adaboost;
mod boosting;
mod cart;
mod coordinate_descent;
mod elastic_net;
mod extra_trees;
mod forest;
mod gradient_boosting;
mod kernel_ridge;
mod knn;
mod lasso_cv;
mod lbfgs;
#[cfg(any(feature = "lightgbm", feature = "xgboost"))]
mod library;
#[cfg(feature = "lightgbm")]
mod lightgbm_engine;
mod linear;
mod logistic;
mod naive_bayes;
mod ols;
mod ridge;
mod smo;
mod svm;
mod tree;
#[cfg(feature = "xgboost")]
pub mod xgboost_engine;

#[cfg(test)]
mod sklearn_parity;

use kreplay_recipe::{ModelSpec, Params, Task};

use crate::error::{Error, Result};
use crate::matrix::{Matrix, Rows};

/// What a model is trained on: rows of a feature matrix (a fold's are indices into the shared
/// one) and their targets, `y[i]` the target of row `i` of `x`. For classification `y` holds
/// the raw class labels.
pub struct Training<'a> {
    pub x: Rows<'a>,
    pub y: &'a [f64],
    pub task: Task,
}

/// Labels (classification) or values (regression), and P(class 1) for binary models that have it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub values: Vec<f64>,
    pub proba: Option<Vec<f64>>,
}

/// A model kind with its parameters set, ready to fit.
pub trait Model: Send + Sync {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>>;
}

/// What a fitted model says of its own features ([`Trained::explain`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// What the values measure, as a report names them.
    pub measure: &'static str,
    /// One value per feature, in the matrix's column order.
    pub values: Vec<f64>,
}

/// Impurity importances: scikit-learn's `feature_importances_` of tree models.
pub const IMPURITY: &str = "impurity decrease (scikit-learn's feature_importances_)";
/// Linear models' |coefficients|, on the scale of the model's input.
pub const COEFFICIENT: &str = "|coefficient| (on the model's input scale)";

/// A fitted model.
pub trait Trained: Send + Sync {
    fn predict(&self, x: &Matrix) -> Result<Prediction>;

    /// The model's own account of its features: impurity decrease (trees), |coefficient|
    /// (linear models); `None` for models without one (permutation importance is theirs).
    fn explain(&self) -> Option<Explanation> {
        None
    }

    /// For models built in stages (boosting), how many stages there are.
    fn stages(&self) -> Option<usize> {
        None
    }

    /// scikit-learn's `staged_predict`: the predictions after each of `stages` (1-based,
    /// ascending, at most [`Trained::stages`]); `None` for models without stages.
    fn staged(&self, _x: &Matrix, _stages: &[usize]) -> Option<Vec<Prediction>> {
        None
    }
}

pub struct ModelDef {
    pub spec: ModelSpec,
    /// Builds the model from checked parameters; `seed` is the recipe's seed for models whose
    /// own `seed` is not set.
    pub build: fn(&Params, u64) -> Result<Box<dyn Model>>,
}

pub static MODELS: &[&ModelDef] = &[
    &logistic::LOGISTIC_REGRESSION,
    &tree::DECISION_TREE,
    &forest::RANDOM_FOREST,
    &boosting::XGBOOST,
    &boosting::LIGHTGBM,
    &extra_trees::EXTRA_TREES,
    &gradient_boosting::GRADIENT_BOOSTING,
    &adaboost::ADABOOST,
    &knn::KNN,
    &naive_bayes::GAUSSIAN_NB,
    &svm::SVM,
    &ols::LINEAR_REGRESSION,
    &ridge::RIDGE,
    &kernel_ridge::KERNEL_RIDGE,
    &elastic_net::LASSO,
    &elastic_net::ELASTIC_NET,
    &lasso_cv::LASSO_CV,
];

/// An error unless `x` has the `fitted` number of feature columns a model was fitted on.
pub(crate) fn same_width(kind: &str, fitted: usize, x: &Matrix) -> Result<()> {
    if x.cols == fitted {
        return Ok(());
    }
    Err(Error::model(
        kind,
        format!(
            "fitted on {fitted} features, asked to predict from {}",
            x.cols
        ),
    ))
}

/// The library a kind runs in this build, as a replay names it (its version, and for a library
/// loaded at run time, its file); `None` where kreplay's own code or a stand-in runs the kind.
pub fn library_of(kind: &str) -> Option<String> {
    match kind {
        #[cfg(feature = "lightgbm")]
        "lightgbm" => Some("LightGBM 4.7.0 (built in)".into()),
        #[cfg(feature = "xgboost")]
        "xgboost" => xgboost_engine::loaded(),
        _ => None,
    }
}

pub fn def(kind: &str) -> Option<&'static ModelDef> {
    MODELS.iter().copied().find(|d| d.spec.kind == kind)
}

/// Class labels, sorted, and each row's class index.
pub struct Classes {
    pub labels: Vec<f64>,
    pub index: Vec<usize>,
}

impl Classes {
    pub fn new(y: &[f64], model: &str) -> Result<Classes> {
        let mut labels: Vec<f64> = Vec::new();
        for v in y {
            if v.is_nan() {
                return Err(Error::model(model, "the target has missing values"));
            }
            if !labels.contains(v) {
                labels.push(*v);
            }
        }
        labels.sort_by(f64::total_cmp);
        if labels.len() < 2 {
            return Err(Error::model(
                model,
                "the target has a single class in these rows",
            ));
        }
        let index = y
            .iter()
            .map(|v| labels.iter().position(|l| l == v).expect("collected"))
            .collect();
        Ok(Classes { labels, index })
    }

    /// P(class 1) for a binary problem from per-class probability rows.
    pub fn positive_proba(&self, proba: &[Vec<f64>]) -> Option<Vec<f64>> {
        (self.labels.len() == 2 && self.labels[1] == 1.0)
            .then(|| proba.iter().map(|p| p[1]).collect())
    }

    /// The label of the most probable class; ties go to the first (numpy argmax).
    pub fn argmax(&self, p: &[f64]) -> f64 {
        let mut best = 0;
        for (i, v) in p.iter().enumerate() {
            if *v > p[best] {
                best = i;
            }
        }
        self.labels[best]
    }
}

/// The doc of a seeded model's `seed` parameter.
pub const SEED_DOC: &str = "seed (sklearn's random_state; default: recipe.seed)";

/// A kind's own `seed` (a model's, or a seeded step's), or the recipe's.
pub fn seed_or(own: Option<usize>, recipe_seed: u64) -> u64 {
    own.map_or(recipe_seed, |s| s as u64)
}

#[cfg(test)]
mod tests {
    use kreplay_recipe::declare::choices;
    use kreplay_recipe::Value;

    use super::MODELS;
    use crate::error::Error;
    use crate::testing::{model_params, required_samples};

    /// Every kind builds from its defaults, and from each value of each of its choices: a
    /// declaration and the code reading it cannot disagree on a name or a type. A choice an
    /// engine refuses (xgboost's softmax on forust) must say so, naming the parameter.
    #[test]
    fn every_kind_builds_from_its_defaults_and_every_choice() {
        for def in MODELS {
            let spec = &def.spec;
            let required = required_samples(spec.params);
            let built = (def.build)(&model_params(spec, &required), 0);
            assert!(built.is_ok(), "{}: {:?}", spec.kind, built.err());
            for param in spec.params {
                for choice in choices(param) {
                    let mut set = required.clone();
                    set.retain(|(n, _)| *n != param.name);
                    set.push((param.name, Value::Str(choice.to_string())));
                    let built = (def.build)(&model_params(spec, &set), 0);
                    let refused = matches!(&built, Err(Error::Model { message, .. })
                        if message.contains(param.name) && message.contains("not supported"));
                    assert!(
                        built.is_ok() || refused,
                        "{}.{} = {choice:?}: {:?}",
                        spec.kind,
                        param.name,
                        built.err()
                    );
                }
            }
        }
    }
}
