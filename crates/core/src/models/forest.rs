//! Random forests on the project's own CART, as scikit-learn's `RandomForestClassifier/
//! Regressor` grow them: each tree's `random_state` drawn in order from the forest's
//! ([`estimator_seeds`]), its bootstrap rows drawn from that seed and counted into sample
//! weights ([`bootstrap_weights`]), its splitter seeded from it again, and class probabilities
//! (or values) averaged over the trees in order. Trees grow in parallel, so the forest is
//! identical whatever the thread count.

use rayon::prelude::*;

use kreplay_recipe::{Lit, ModelSpec, ParamSpec, Task, Ty};

use super::cart::{
    bootstrap_weights, estimator_seeds, splitter_seed_of, Columns, Target, Tree, Trees,
};
use super::tree::{TreeEnsemble, TreeSettings, TREE_PARAMS};
use super::{seed_of, Classes, Model, ModelDef, Trained, Training};
use crate::error::Result;

/// The parameters of the tree ensembles (random forest, extra trees): the tree's own, then
/// the ensemble's; only the default of `bootstrap` differs between them, as in sklearn.
pub(super) const fn forest_params(bootstrap: bool) -> [ParamSpec; 9] {
    [
        ParamSpec::optional("n_estimators", Ty::Int, Lit::Int(100), "number of trees").min(1.0),
        TREE_PARAMS[0],
        TREE_PARAMS[1],
        TREE_PARAMS[2],
        TREE_PARAMS[3],
        TREE_PARAMS[4],
        ParamSpec::optional("max_features", Ty::FloatOr(&["sqrt", "log2", "all"]), Lit::None, "features searched per split: a count, a fraction, sqrt, log2 or all (default as sklearn: sqrt for classification, all for regression)"),
        ParamSpec::optional("bootstrap", Ty::Bool, Lit::Bool(bootstrap), "draw each tree's rows with replacement"),
        ParamSpec::optional("seed", Ty::OptInt, Lit::None, "seed (sklearn's random_state; default: recipe.seed)"),
    ]
}

pub static RANDOM_FOREST: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "random_forest",
        summary: "random forest (sklearn RandomForestClassifier/Regressor): bootstrap + per-split feature sampling",
        params: &forest_params(true),
        tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
        engine: "kreplay CART forest, scikit-learn 1.9 tree for tree (its seeds, bootstrap and splits)",
    },
    build: |p, seed| {
        Ok(Box::new(Forest {
            kind: "random_forest",
            n_estimators: p.usize("n_estimators")?,
            settings: TreeSettings::new(p)?,
            bootstrap: p.bool("bootstrap")?,
            seed: seed_of(p, seed)?,
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
        let params = self.settings.resolve(t.task, t.x.cols, self.kind)?;
        let classes = if t.task.is_classification() {
            Some(Classes::new(t.y, self.kind)?)
        } else {
            None
        };
        let target = match &classes {
            Some(c) => Target::Classes(&c.index, c.labels.len()),
            None => Target::Values(t.y),
        };
        let n = t.x.rows;
        let x = Columns::new(t.x);
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
        Ok(Box::new(TreeEnsemble { trees, classes }))
    }
}
