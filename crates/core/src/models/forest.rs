//! Random forests on the project's own CART, as scikit-learn's `RandomForestClassifier/
//! Regressor` grow them: each tree's `random_state` drawn in order from the forest's
//! ([`estimator_seeds`]), its bootstrap rows drawn from that seed and counted into sample
//! weights ([`bootstrap_weights`]), its splitter seeded from it again, and class probabilities
//! (or values) averaged over the trees in order. Trees grow in parallel, so the forest is
//! identical whatever the thread count.

use rayon::prelude::*;

use kreplay_recipe::declare::concat;
use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty, Value};

use super::cart::{
    bootstrap_weights, estimator_seeds, splitter_seed_of, Columns, Splitter, Target, Tree, Trees,
};
use super::tree::{Growth, TreeEnsemble, TreeSettings, MAX_FEATURES};
use super::{seed_or, Classes, Model, ModelDef, Trained, Training, SEED_DOC};
use crate::error::Result;

params! {
    /// How many trees: the first parameter of the random forest and the extra trees.
    pub struct Count {
        n_estimators: usize = optional(Ty::Int, Lit::Int(100), "number of trees").min(1.0),
    }
}

/// `max_features` of the tree ensembles: unset means sklearn's default, which depends on the task.
pub const ENSEMBLE_MAX_FEATURES_DOC: &str = "features searched per split: a count, a fraction, sqrt, log2 or all (default as sklearn: sqrt for classification, all for regression)";

params! {
    /// The random forest's own parameters, after the trees' [`Growth`].
    pub struct RandomForestParams {
        max_features: Value = optional(Ty::FloatOr(MAX_FEATURES), Lit::None, ENSEMBLE_MAX_FEATURES_DOC),
        bootstrap: bool = optional(Ty::Bool, Lit::Bool(true), "draw each tree's rows with replacement"),
        seed: Option<usize> = optional(Ty::OptInt, Lit::None, SEED_DOC),
    }
}

pub static RANDOM_FOREST: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "random_forest",
        summary: "random forest (sklearn RandomForestClassifier/Regressor): bootstrap + per-split feature sampling",
        params: &concat::<9>(&[Count::SPECS, Growth::SPECS, RandomForestParams::SPECS]),
        tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
        engine: "kreplay CART forest, scikit-learn 1.9 tree for tree (its seeds, bootstrap and splits)",
        stand_in: None,
    },
    build: |p, seed| {
        let own = RandomForestParams::read(p)?;
        Ok(Box::new(Forest {
            kind: "random_forest",
            n_estimators: Count::read(p)?.n_estimators,
            settings: TreeSettings::new(Growth::read(p)?, own.max_features, Splitter::Best),
            bootstrap: own.bootstrap,
            seed: seed_or(own.seed, seed),
        }))
    },
};

/// Trees grown from seeds drawn in order, on bootstrap weights or all rows: the random forest,
/// and the extra trees with the random splitter in their settings.
pub struct Forest {
    pub kind: &'static str,
    pub n_estimators: usize,
    pub settings: TreeSettings,
    pub bootstrap: bool,
    pub seed: u64,
}

impl Model for Forest {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let params = self.settings.resolve(t.task, t.x.cols(), self.kind)?;
        let classes = if t.task.is_classification() {
            Some(Classes::new(t.y, self.kind)?)
        } else {
            None
        };
        let target = match &classes {
            Some(c) => Target::Classes(&c.index, c.labels.len()),
            None => Target::Values(t.y),
        };
        let n = t.x.len();
        let x = Columns::of(t.x);
        let grower = Trees::new(&x, &target, &params);
        let trees: Vec<Tree> = estimator_seeds(self.seed, self.n_estimators)
            .into_par_iter()
            .map_init(
                || grower.scratch(),
                |scratch, seed| {
                    let weight = if self.bootstrap {
                        bootstrap_weights(seed, n, n)
                    } else {
                        vec![1.0; n]
                    };
                    grower.grow(scratch, &weight, splitter_seed_of(seed))
                },
            )
            .collect();
        Ok(Box::new(TreeEnsemble {
            trees,
            classes,
            forest: true,
            n_features: t.x.cols(),
        }))
    }
}
