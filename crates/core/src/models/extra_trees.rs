//! Extremely randomized trees (sklearn `ExtraTreesClassifier/Regressor`) on the project's own
//! CART with the random splitter: each visited feature gets one threshold drawn uniformly
//! between the node's min and max, and the best of those wins. linfa has no such model. As in
//! sklearn, trees see every row unless `bootstrap` is set, `max_features` defaults to sqrt for
//! classifiers and to all features for regressors (sklearn ≥ 1.1; older regressors said "auto",
//! which also meant all), and class probabilities are averaged over trees. Each tree has its own
//! seed drawn in order from the model's, so the ensemble does not depend on the thread count.

use kreplay_recipe::declare::concat;
use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty, Value};

use super::cart::Splitter;
use super::forest::{Count, Forest, ENSEMBLE_MAX_FEATURES_DOC};
use super::tree::{Growth, TreeSettings, MAX_FEATURES};
use super::{seed_or, ModelDef, SEED_DOC};

params! {
    /// The extra trees' own parameters, after the trees' [`Growth`]: the forest's, except that
    /// trees see every row by default.
    pub struct ExtraTreesParams {
        max_features: Value = optional(Ty::FloatOr(MAX_FEATURES), Lit::None, ENSEMBLE_MAX_FEATURES_DOC),
        bootstrap: bool = optional(Ty::Bool, Lit::Bool(false), "draw each tree's rows with replacement"),
        seed: Option<usize> = optional(Ty::OptInt, Lit::None, SEED_DOC),
    }
}

pub static EXTRA_TREES: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "extra_trees",
        summary: "extremely randomized trees (sklearn ExtraTreesClassifier/Regressor): random thresholds, per-split feature sampling",
        params: &concat::<9>(&[Count::SPECS, Growth::SPECS, ExtraTreesParams::SPECS]),
        tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
        engine: "kreplay CART, random splitter, scikit-learn 1.9 tree for tree",
        stand_in: None,
    },
    build: |p, seed| {
        let own = ExtraTreesParams::read(p)?;
        Ok(Box::new(Forest {
            kind: "extra_trees",
            n_estimators: Count::read(p)?.n_estimators,
            settings: TreeSettings::new(Growth::read(p)?, own.max_features, Splitter::Random),
            bootstrap: own.bootstrap,
            seed: seed_or(own.seed, seed),
        }))
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Matrix;
    use crate::matrix::Rows;
    use crate::models::cart::{Columns, Target, Tree};
    use crate::models::{Model, Training};

    fn model(n_estimators: usize, max_features: &str, seed: u64) -> Forest {
        use kreplay_recipe::Value;
        let mut settings = TreeSettings::for_tests(Value::Str(max_features.into()));
        settings.splitter = Splitter::Random;
        Forest {
            kind: "extra_trees",
            n_estimators,
            settings,
            bootstrap: false,
            seed,
        }
    }

    /// 60 rows, 3 features: y depends on a and b, c is noise.
    fn table() -> (Matrix, Vec<f64>, Vec<f64>) {
        let n = 60;
        let mut data = Vec::new();
        let mut yc = Vec::new();
        let mut yr = Vec::new();
        for i in 0..n {
            let a = (i % 10) as f64;
            let b = ((i * 7) % 13) as f64;
            let c = ((i * 31) % 17) as f64;
            data.extend([a, b, c]);
            yc.push(if a + 0.5 * b > 7.0 { 1.0 } else { 0.0 });
            yr.push(2.0 * a - b + 0.1 * c);
        }
        let x = Matrix {
            data,
            rows: n,
            cols: 3,
            names: vec!["a".into(), "b".into(), "c".into()],
        };
        (x, yc, yr)
    }

    #[test]
    fn fits_the_training_rows_and_is_deterministic() {
        let (x, yc, yr) = table();
        // Off-grid points, where the random thresholds of different seeds disagree.
        let mut between = x.clone();
        between.data.iter_mut().for_each(|v| *v += 0.5);
        let fit_on = |task, y: &[f64], seed, at: &Matrix| {
            let t = Training {
                x: Rows::all(&x),
                y,
                task,
            };
            model(20, "all", seed).fit(&t).unwrap().predict(at).unwrap()
        };
        let fit = |task, y: &[f64], seed| fit_on(task, y, seed, &x);
        let a = fit(Task::Binary, &yc, 3);
        assert_eq!(a, fit(Task::Binary, &yc, 3));
        // Fully grown trees on all rows reproduce their training labels exactly.
        assert_eq!(a.values, yc);
        let p = a.proba.unwrap();
        assert!(p.iter().all(|v| (0.0..=1.0).contains(v)));
        let r = fit(Task::Regression, &yr, 3);
        assert_eq!(r, fit(Task::Regression, &yr, 3));
        for (p, y) in r.values.iter().zip(&yr) {
            assert!((p - y).abs() < 1e-9, "{p} vs {y}");
        }
        // Another seed draws other thresholds, so the probabilities move.
        let p3 = fit_on(Task::Binary, &yc, 3, &between).proba.unwrap();
        let p4 = fit_on(Task::Binary, &yc, 4, &between).proba.unwrap();
        assert_ne!(p3, p4);
    }

    #[test]
    fn random_thresholds_differ_from_the_best_splitter() {
        // A depth-1 extra tree cuts the single feature at a random point, not at the best
        // midpoint 2.5, so its leaf means differ from the exact split's (2 and 11 on each side).
        let x = Matrix {
            data: vec![0.0, 1.0, 2.0, 3.0, 10.0, 11.0],
            rows: 6,
            cols: 1,
            names: vec!["a".into()],
        };
        let y = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0];
        let mut params = TreeSettings::for_tests(kreplay_recipe::Value::Str("all".into()))
            .resolve(Task::Regression, 1, "extra_trees")
            .unwrap();
        params.max_depth = Some(1);
        let mut cuts = std::collections::BTreeSet::new();
        for seed in 0..20 {
            params.splitter = Splitter::Random;
            let t = Tree::grow(
                &Columns::new(&x),
                &Target::Values(&y),
                &[1.0; 6],
                &params,
                seed,
            );
            cuts.insert((t.leaf(&[0.0])[0] * 1000.0) as i64);
        }
        assert!(cuts.len() > 1, "{cuts:?}");
    }
}
