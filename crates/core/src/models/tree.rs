//! Decision trees (classifier and regressor) on the project's own CART (see `cart.rs` for why
//! not linfa's). `splitter = "random"` is sklearn's `DecisionTreeClassifier(splitter="random")`,
//! which some published grids use as AdaBoost's base.

use rayon::prelude::*;

use kreplay_recipe::declare::concat;
use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty, Value};

use super::cart::{
    resolve_max_features, splitter_seed_of, Columns, Criterion, Rows32, Splitter, Target, Tree,
    TreeParams, Trees,
};
use super::{seed_or, Classes, Explanation, Model, ModelDef, Prediction, Trained, Training};
use crate::error::{Error, Result};
use crate::matrix::Matrix;

params! {
    /// How a tree grows: shared by the tree, the forest and the extra trees, declared once.
    pub struct Growth {
        criterion: Option<Criterion> = optional(
            Ty::Choice(Criterion::NAMES),
            Lit::None,
            "split quality (default: gini for classification, squared_error for regression)",
        ),
        max_depth: Option<usize> = optional(
            Ty::OptInt,
            Lit::None,
            "depth limit (none: grow until pure)",
        )
        .min(1.0),
        min_samples_split: usize = optional(
            Ty::Int,
            Lit::Int(2),
            "fewest samples a node needs to be split",
        )
        .min(2.0),
        min_samples_leaf: usize = optional(
            Ty::Int,
            Lit::Int(1),
            "fewest samples in each child",
        )
        .min(1.0),
        min_impurity_decrease: f64 = optional(
            Ty::Float,
            Lit::Float(0.0),
            "a split must decrease weighted impurity by at least this",
        )
        .min(0.0),
    }
}

/// The names `max_features` takes besides a count or a fraction.
pub const MAX_FEATURES: &[&str] = &["sqrt", "log2", "all"];

params! {
    /// The decision tree's own parameters, after [`Growth`]'s.
    pub struct DecisionTreeParams {
        max_features: Value = optional(
            Ty::FloatOr(MAX_FEATURES),
            Lit::Str("all"),
            "features searched per split: a count, a fraction, sqrt, log2 or all",
        ),
        splitter: Splitter = optional(
            Ty::Choice(Splitter::NAMES),
            Lit::Str("best"),
            "best: every threshold of each searched feature; random: one uniform threshold per feature (Extra-Trees)",
        ),
        seed: Option<usize> = optional(
            Ty::OptInt,
            Lit::None,
            "seed for the feature order (default: recipe.seed)",
        ),
    }
}

pub static DECISION_TREE: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "decision_tree",
        summary: "CART decision tree (sklearn DecisionTreeClassifier/Regressor)",
        params: &concat::<8>(&[Growth::SPECS, DecisionTreeParams::SPECS]),
        tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
        engine: "kreplay CART, scikit-learn 1.9 tree for tree (its random numbers and arithmetic)",
        stand_in: None,
    },
    build: |p, seed| {
        let own = DecisionTreeParams::read(p)?;
        Ok(Box::new(DecisionTree {
            settings: TreeSettings::new(Growth::read(p)?, own.max_features, own.splitter),
            seed: seed_or(own.seed, seed),
        }))
    },
};

/// Tree settings before the number of features is known.
#[derive(Clone)]
pub struct TreeSettings {
    criterion: Option<Criterion>,
    max_depth: Option<usize>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    min_impurity_decrease: f64,
    max_features: Value,
    pub splitter: Splitter,
}

impl TreeSettings {
    pub fn new(growth: Growth, max_features: Value, splitter: Splitter) -> Self {
        TreeSettings {
            criterion: growth.criterion,
            max_depth: growth.max_depth,
            min_samples_split: growth.min_samples_split,
            min_samples_leaf: growth.min_samples_leaf,
            min_impurity_decrease: growth.min_impurity_decrease,
            max_features,
            splitter,
        }
    }

    /// sklearn's defaults with the given `max_features`, for tests that build models directly.
    #[cfg(test)]
    pub fn for_tests(max_features: Value) -> Self {
        TreeSettings {
            criterion: None,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            min_impurity_decrease: 0.0,
            max_features,
            splitter: Splitter::Best,
        }
    }

    pub fn resolve(&self, task: Task, n_features: usize, model: &str) -> Result<TreeParams> {
        let criterion = match (self.criterion, task.is_classification()) {
            (None, true) => Criterion::Gini,
            (None, false) => Criterion::SquaredError,
            (Some(Criterion::SquaredError | Criterion::FriedmanMse), true) => {
                return Err(Error::model(
                    model,
                    "criteria squared_error and friedman_mse are for regression; use gini or entropy",
                ))
            }
            (Some(Criterion::Gini | Criterion::Entropy), false) => {
                return Err(Error::model(
                    model,
                    "gini and entropy are for classification; use squared_error",
                ))
            }
            (Some(c), _) => c,
        };
        Ok(TreeParams {
            criterion,
            max_depth: self.max_depth,
            min_samples_split: self.min_samples_split,
            min_samples_leaf: self.min_samples_leaf,
            max_features: match &self.max_features {
                // Unset: sklearn's forest defaults, sqrt for classifiers and all for regressors.
                Value::None if task.is_classification() => {
                    resolve_max_features(&Value::Str("sqrt".into()), n_features)
                }
                v => resolve_max_features(v, n_features),
            },
            min_impurity_decrease: self.min_impurity_decrease,
            splitter: self.splitter,
        })
    }
}

struct DecisionTree {
    settings: TreeSettings,
    seed: u64,
}

/// Trees plus what is needed to turn leaf outputs into predictions.
pub struct TreeEnsemble {
    pub trees: Vec<Tree>,
    pub classes: Option<Classes>,
    /// A forest (importances averaged over trees) rather than one decision tree.
    pub forest: bool,
    pub n_features: usize,
}

impl TreeEnsemble {
    /// Averages the trees' leaf outputs (class probabilities or values), as sklearn does: each
    /// row's sum adds the trees in order, so blocks of rows can run on any thread, each block
    /// walking one tree at a time (its nodes stay in cache).
    pub fn predict(&self, x: &Matrix) -> Prediction {
        const BLOCK: usize = 256;
        let width = self.classes.as_ref().map_or(1, |c| c.labels.len());
        let x32 = Rows32::new(x);
        let probas: Vec<Vec<f64>> = (0..x.rows.div_ceil(BLOCK))
            .into_par_iter()
            .flat_map_iter(|block| {
                let rows = block * BLOCK..((block + 1) * BLOCK).min(x.rows);
                let mut acc = vec![vec![0.0; width]; rows.len()];
                let mut leaves = vec![0u32; rows.len()];
                for t in &self.trees {
                    t.apply_rows(&x32, rows.start, &mut leaves);
                    for (a, &leaf) in acc.iter_mut().zip(&leaves) {
                        for (a, v) in a.iter_mut().zip(t.leaf_value(leaf)) {
                            *a += v;
                        }
                    }
                }
                for a in &mut acc {
                    a.iter_mut().for_each(|a| *a /= self.trees.len() as f64);
                }
                acc
            })
            .collect();
        let values = probas
            .iter()
            .map(|acc| match &self.classes {
                Some(c) => c.argmax(acc),
                None => acc[0],
            })
            .collect();
        let proba = self
            .classes
            .as_ref()
            .and_then(|c| c.positive_proba(&probas));
        Prediction { values, proba }
    }
}

impl Trained for TreeEnsemble {
    fn predict(&self, x: &Matrix) -> Result<Prediction> {
        Ok(TreeEnsemble::predict(self, x))
    }

    /// A tree's `feature_importances_`, or a forest's: the mean of its splitting trees'
    /// (each normalised), normalised again.
    fn explain(&self) -> Option<Explanation> {
        let values = match (self.forest, self.trees.as_slice()) {
            (false, [tree]) => tree.feature_importances(self.n_features, true),
            _ => {
                let each: Vec<Vec<f64>> = self
                    .trees
                    .iter()
                    .filter(|t| t.splits())
                    .map(|t| t.feature_importances(self.n_features, true))
                    .collect();
                normalised_mean(&each, self.n_features)
            }
        };
        Some(Explanation {
            measure: super::IMPURITY,
            values,
        })
    }
}

/// numpy's `mean(axis=0)` of per-tree importances (rows added in order), divided by its
/// `sum`; zeros when no tree splits.
pub fn normalised_mean(each: &[Vec<f64>], n_features: usize) -> Vec<f64> {
    if each.is_empty() {
        return vec![0.0; n_features];
    }
    let mut mean = vec![0.0; n_features];
    for row in each {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= each.len() as f64);
    let total = kreplay_metrics::numpy_sum::sum(&mean);
    mean.iter_mut().for_each(|m| *m /= total);
    mean
}

impl Model for DecisionTree {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let params = self.settings.resolve(t.task, t.x.cols(), "decision_tree")?;
        let weight = vec![1.0; t.x.len()];
        let x = Columns::of(t.x);
        // DecisionTreeClassifier(random_state=seed) seeds its splitter from RandomState(seed).
        let rand_r = splitter_seed_of(self.seed as u32);
        let (tree, classes) = if t.task.is_classification() {
            let classes = Classes::new(t.y, "decision_tree")?;
            let target = Target::Classes(&classes.index, classes.labels.len());
            let grower = Trees::new(&x, &target, &params);
            let tree = grower.grow(&mut grower.scratch(), &weight, rand_r);
            (tree, Some(classes))
        } else {
            (
                Tree::grow(&x, &Target::Values(t.y), &weight, &params, rand_r),
                None,
            )
        };
        Ok(Box::new(TreeEnsemble {
            trees: vec![tree],
            classes,
            forest: false,
            n_features: t.x.cols(),
        }))
    }
}
