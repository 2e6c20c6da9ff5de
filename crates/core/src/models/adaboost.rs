//! AdaBoost for classification (sklearn `AdaBoostClassifier`) on the project's own CART, because
//! linfa has no boosting and published notebooks rely on sklearn's exact reweighting. Both of
//! sklearn's algorithms are here:
//!
//! * `SAMME` (the only one from sklearn 1.6 on): each tree votes for its class with weight
//!   `learning_rate·(ln((1−err)/err) + ln(K−1))`, misclassified rows are up-weighted by that
//!   factor; fitting stops at a perfect tree (kept, weight 1) or at one no better than chance
//!   (dropped). The decision and probabilities follow sklearn ≥ 1.6: votes coded +w / −w/(K−1),
//!   probabilities the softmax of decision/(K−1);
//! * `SAMME.R` (sklearn's default until 1.4, removed in 1.6, so 2017-era notebooks used it),
//!   following sklearn 1.3: each tree adds `(K−1)·(ln p − mean ln p)` of its class probabilities
//!   clipped at machine epsilon, and rows are reweighted by
//!   `exp(−lr·(K−1)/K · Σ y_code·ln p)`.
//!
//! Trees are grown on the boosting weights (normalised to sum 1 and clipped at machine epsilon
//! before each fit, as sklearn does), each from its own seed drawn in order from the model's
//! (`randint(2^31 - 1)` of numpy's `RandomState(seed)`, as sklearn's `_make_estimator`).

use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty};

use super::cart::{
    estimator_seeds, splitter_seed_of, Columns, Criterion, Rows32, Splitter, Target, Tree,
    TreeParams,
};
use super::{
    seed_or, Classes, Explanation, Model, ModelDef, Prediction, Trained, Training, SEED_DOC,
};
use crate::error::{Error, Result};
use crate::matrix::Matrix;
use kreplay_metrics::numpy_sum as np_sum;

const KIND: &str = "adaboost";

kreplay_recipe::named_enum! {
    /// sklearn's two AdaBoost algorithms.
    pub enum Algorithm {
        Samme = "SAMME",
        SammeR = "SAMME.R",
    }
}

kreplay_recipe::named_enum! {
    /// The criteria of AdaBoost's classification trees.
    pub enum BaseCriterion {
        Gini = "gini",
        Entropy = "entropy",
    }
}

params! {
    /// AdaBoost's parameters; `base_*` set the trees it boosts.
    pub struct AdaBoostParams {
        n_estimators: usize = optional(Ty::Int, Lit::Int(50), "most boosting rounds (fitting stops early at a perfect tree)").min(1.0),
        learning_rate: f64 = optional(Ty::Float, Lit::Float(1.0), "shrinks each tree's contribution").min(0.0),
        algorithm: Algorithm = optional(
            Ty::Choice(Algorithm::NAMES),
            Lit::Str("SAMME"),
            "SAMME (sklearn ≥ 1.6, weighted votes) or SAMME.R (sklearn ≤ 1.5's default, class probabilities)",
        ),
        base_max_depth: Option<usize> = optional(Ty::OptInt, Lit::Int(1), "depth of each tree (1: stumps, sklearn's default base)").min(1.0),
        base_criterion: BaseCriterion = optional(Ty::Choice(BaseCriterion::NAMES), Lit::Str("gini"), "split criterion of each tree"),
        base_splitter: Splitter = optional(Ty::Choice(Splitter::NAMES), Lit::Str("best"), "best or random (DecisionTreeClassifier's splitter)"),
        seed: Option<usize> = optional(Ty::OptInt, Lit::None, SEED_DOC),
    }
}

pub static ADABOOST: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: KIND,
        summary: "AdaBoost over CART trees (sklearn AdaBoostClassifier, SAMME or SAMME.R)",
        params: AdaBoostParams::SPECS,
        tasks: &[Task::Binary, Task::Multiclass],
        engine: "kreplay AdaBoost on its CART, scikit-learn 1.9 SAMME (seeds and reweighting)",
        stand_in: None,
    },
    build: |p, seed| {
        let p = AdaBoostParams::read(p)?;
        if p.learning_rate <= 0.0 {
            return Err(Error::model(KIND, "learning_rate must be positive"));
        }
        Ok(Box::new(AdaBoost {
            n_estimators: p.n_estimators,
            learning_rate: p.learning_rate,
            real: p.algorithm == Algorithm::SammeR,
            tree: TreeParams {
                criterion: match p.base_criterion {
                    BaseCriterion::Gini => Criterion::Gini,
                    BaseCriterion::Entropy => Criterion::Entropy,
                },
                max_depth: p.base_max_depth,
                min_samples_split: 2,
                min_samples_leaf: 1,
                max_features: usize::MAX,
                min_impurity_decrease: 0.0,
                splitter: p.base_splitter,
            },
            seed: seed_or(p.seed, seed),
        }))
    },
};

struct AdaBoost {
    n_estimators: usize,
    learning_rate: f64,
    /// SAMME.R rather than SAMME.
    real: bool,
    tree: TreeParams,
    seed: u64,
}

impl Model for AdaBoost {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        if !t.task.is_classification() {
            return Err(Error::model(
                KIND,
                "AdaBoost is implemented for classification only",
            ));
        }
        let classes = Classes::new(t.y, KIND)?;
        let k = classes.labels.len();
        let n = t.x.len();
        let mut params = self.tree.clone();
        params.max_features = t.x.cols();
        let target = Target::Classes(&classes.index, k);
        let eps = f64::EPSILON;
        let mut weight = vec![1.0 / n as f64; n];
        let mut trees = Vec::new();
        let mut votes = Vec::new();
        // `_make_estimator(random_state=...)` draws each tree's seed in order.
        let seeds = estimator_seeds(self.seed, self.n_estimators);
        let x = Columns::of(t.x);
        let x32 = Rows32::of(t.x);
        let mut leaves = vec![0u32; n];
        for (round, seed) in seeds.into_iter().enumerate() {
            let last = round + 1 == self.n_estimators;
            weight.iter_mut().for_each(|w| *w = w.max(eps));
            let tree = Tree::grow(&x, &target, &weight, &params, splitter_seed_of(seed));
            tree.apply_rows(&x32, 0, &mut leaves);
            let probas: Vec<&[f64]> = leaves.iter().map(|&l| tree.leaf_value(l)).collect();
            let incorrect: Vec<bool> = probas
                .iter()
                .zip(&classes.index)
                .map(|(p, &y)| argmax(p) != y)
                .collect();
            // `np.average(incorrect, weights=sample_weight)`, in numpy's order.
            let wrong: Vec<f64> = incorrect.iter().map(|&b| f64::from(u8::from(b))).collect();
            let error = np_sum::average(&wrong, &weight);
            if error <= 0.0 {
                trees.push(tree);
                votes.push(1.0);
                break;
            }
            if self.real {
                if !last {
                    let kf = k as f64;
                    for ((w, p), &y) in weight.iter_mut().zip(&probas).zip(&classes.index) {
                        let coded: f64 = p
                            .iter()
                            .enumerate()
                            .map(|(c, &pc)| {
                                let code = if c == y { 1.0 } else { -1.0 / (kf - 1.0) };
                                code * pc.max(eps).ln()
                            })
                            .sum();
                        // `-1.0 * learning_rate * ((K - 1.0) / K) * xlogy(...)`, left to right.
                        *w *= (-self.learning_rate * ((kf - 1.0) / kf) * coded).exp();
                    }
                }
                trees.push(tree);
                votes.push(1.0);
            } else {
                if error >= 1.0 - 1.0 / k as f64 {
                    if trees.is_empty() {
                        return Err(Error::model(
                            KIND,
                            "the first tree is no better than chance; the ensemble cannot be fitted",
                        ));
                    }
                    break;
                }
                let alpha =
                    self.learning_rate * (((1.0 - error) / error).ln() + (k as f64 - 1.0).ln());
                if !last {
                    // exp(log(w) + alpha·incorrect·(w > 0)) for every row, as sklearn does:
                    // the correct rows go through exp(log(w)) too.
                    for (w, bad) in weight.iter_mut().zip(&incorrect) {
                        let step =
                            alpha * f64::from(u8::from(*bad)) * f64::from(u8::from(*w > 0.0));
                        *w = (w.ln() + step).exp();
                    }
                }
                trees.push(tree);
                votes.push(alpha);
            }
            let sum = np_sum::sum(&weight);
            if !sum.is_finite() || sum <= 0.0 {
                break;
            }
            if !last {
                weight.iter_mut().for_each(|w| *w /= sum);
            }
        }
        Ok(Box::new(Boosted {
            trees,
            votes,
            n_estimators: self.n_estimators,
            real: self.real,
            classes,
            n_features: t.x.cols(),
        }))
    }
}

/// scikit-learn's `extmath.softmax` of one row: minus the max, exp, over the (numpy) sum.
fn softmax(mut v: Vec<f64>) -> Vec<f64> {
    let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    v.iter_mut().for_each(|x| *x = (*x - m).exp());
    let total = np_sum::sum(&v);
    v.iter_mut().for_each(|x| *x /= total);
    v
}

/// Index of the largest value; ties go to the first (numpy argmax).
fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = i;
        }
    }
    best
}

struct Boosted {
    trees: Vec<Tree>,
    /// Each tree's vote weight (all 1 for SAMME.R).
    votes: Vec<f64>,
    /// The rounds asked for (sklearn sums an array of this many vote weights).
    n_estimators: usize,
    real: bool,
    classes: Classes,
    n_features: usize,
}

impl Boosted {
    /// One tree's contribution to each class's score (before any normalisation).
    fn contribution(&self, tree: &Tree, w: f64, row: &[f64], pred: &mut [f64]) {
        let kf = self.classes.labels.len() as f64;
        let p = tree.leaf(row);
        if self.real {
            let logs: Vec<f64> = p.iter().map(|v| v.max(f64::EPSILON).ln()).collect();
            // `(K - 1) * (log_proba - (1.0 / K) * log_proba.sum(axis=1))`.
            let mean = (1.0 / kf) * logs.iter().sum::<f64>();
            for (s, l) in pred.iter_mut().zip(&logs) {
                *s += (kf - 1.0) * (l - mean);
            }
        } else {
            let vote = argmax(p);
            for (c, s) in pred.iter_mut().enumerate() {
                *s += if c == vote { w } else { -1.0 / (kf - 1.0) * w };
            }
        }
    }

    /// A label and class probabilities from normalised class scores, as `predict` makes them.
    fn label(&self, pred: &[f64]) -> (f64, Vec<f64>) {
        let k = self.classes.labels.len();
        if k == 2 {
            let d = -pred[0] + pred[1];
            (
                self.classes.labels[usize::from(d > 0.0)],
                softmax(vec![-d / 2.0, d / 2.0]),
            )
        } else {
            let kf = k as f64;
            (
                self.classes.argmax(pred),
                softmax(pred.iter().map(|s| s / (kf - 1.0)).collect()),
            )
        }
    }
    /// sklearn's `decision_function` before the binary collapse: one score per class.
    fn decision(&self, row: &[f64]) -> Vec<f64> {
        let mut pred = vec![0.0; self.classes.labels.len()];
        for (tree, &w) in self.trees.iter().zip(&self.votes) {
            self.contribution(tree, w, row, &mut pred);
        }
        // `estimator_weights_.sum()`: an array of n_estimators, zeros past an early stop.
        let mut padded = self.votes.clone();
        padded.resize(self.n_estimators.max(padded.len()), 0.0);
        let total = np_sum::sum(&padded);
        pred.iter_mut().for_each(|s| *s /= total);
        pred
    }
}

impl Trained for Boosted {
    /// scikit-learn's `AdaBoost*.feature_importances_`: the trees' importances weighted by
    /// their vote weights, over the weights' sum.
    fn explain(&self) -> Option<Explanation> {
        // `estimator_weights_.sum()`: all n_estimators weights, zeros past an early stop.
        let mut padded = self.votes.clone();
        padded.resize(self.n_estimators.max(padded.len()), 0.0);
        let norm = np_sum::sum(&padded);
        let mut values = vec![0.0; self.n_features];
        for (tree, w) in self.trees.iter().zip(&self.votes) {
            let each = tree.feature_importances(self.n_features, true);
            for (v, e) in values.iter_mut().zip(each) {
                *v += w * e;
            }
        }
        values.iter_mut().for_each(|v| *v /= norm);
        Some(Explanation {
            measure: super::IMPURITY,
            values,
        })
    }

    fn stages(&self) -> Option<usize> {
        Some(self.trees.len())
    }

    /// `staged_predict`: the votes so far, over their running sum (each vote weighs 1 for
    /// SAMME.R).
    fn staged(&self, x: &Matrix, stages: &[usize]) -> Option<Vec<Prediction>> {
        let k = self.classes.labels.len();
        let mut preds = vec![vec![0.0; k]; x.rows];
        let mut norm = 0.0;
        let mut wanted = stages.iter().peekable();
        let mut out = Vec::with_capacity(stages.len());
        for (i, (tree, &w)) in self.trees.iter().zip(&self.votes).enumerate() {
            if wanted.peek().is_none() {
                break;
            }
            norm += if self.real { 1.0 } else { w };
            for (r, pred) in preds.iter_mut().enumerate() {
                self.contribution(tree, w, x.row(r), pred);
            }
            while wanted.next_if(|&&s| s == i + 1).is_some() {
                let (values, probas): (Vec<f64>, Vec<Vec<f64>>) = preds
                    .iter()
                    .map(|p| {
                        let scaled: Vec<f64> = p.iter().map(|s| s / norm).collect();
                        self.label(&scaled)
                    })
                    .unzip();
                out.push(Prediction {
                    values,
                    proba: self.classes.positive_proba(&probas),
                });
            }
        }
        Some(out)
    }

    fn predict(&self, x: &Matrix) -> Result<Prediction> {
        let k = self.classes.labels.len();
        let mut values = Vec::with_capacity(x.rows);
        let mut probas = Vec::with_capacity(x.rows);
        for i in 0..x.rows {
            let pred = self.decision(x.row(i));
            if k == 2 {
                let d = -pred[0] + pred[1];
                values.push(self.classes.labels[usize::from(d > 0.0)]);
                probas.push(softmax(vec![-d / 2.0, d / 2.0]));
            } else {
                values.push(self.classes.argmax(&pred));
                let kf = k as f64;
                probas.push(softmax(pred.iter().map(|s| s / (kf - 1.0)).collect()));
            }
        }
        Ok(Prediction {
            values,
            proba: self.classes.positive_proba(&probas),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Rows;
    use crate::testing::model_params;
    use kreplay_recipe::Value;

    /// 16 rows, two features whose orders differ (b = 7i mod 16); probes off the grid.
    fn table() -> (Matrix, Matrix) {
        let x = Matrix {
            data: (0..16)
                .flat_map(|i| [i as f64, ((i * 7) % 16) as f64])
                .collect(),
            rows: 16,
            cols: 2,
            names: vec!["a".into(), "b".into()],
        };
        let probes = Matrix {
            data: vec![2.5, 3.0, 7.5, 12.0, 13.0, 1.0],
            rows: 3,
            cols: 2,
            names: x.names.clone(),
        };
        (x, probes)
    }

    const BINARY: [f64; 16] = [
        0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0,
    ];
    const THREE: [f64; 16] = [
        0.0, 0.0, 1.0, 0.0, 2.0, 1.0, 0.0, 1.0, 2.0, 0.0, 1.0, 2.0, 0.0, 2.0, 2.0, 1.0,
    ];

    fn run(task: Task, y: &[f64], set: &[(&str, Value)]) -> Result<Prediction> {
        let (x, probes) = table();
        let t = Training {
            x: Rows::all(&x),
            y,
            task,
        };
        let p = model_params(&ADABOOST.spec, set);
        (ADABOOST.build)(&p, 3)?.fit(&t)?.predict(&probes)
    }

    fn five(algorithm: &str) -> Vec<(&'static str, Value)> {
        vec![
            ("n_estimators", Value::Int(5)),
            ("learning_rate", Value::Float(0.8)),
            ("algorithm", Value::Str(algorithm.into())),
        ]
    }

    #[test]
    fn matches_sklearn_on_a_small_table() {
        // SAMME: AdaBoostClassifier(n_estimators=5, learning_rate=0.8) of scikit-learn 1.9.1.
        // SAMME.R: sklearn 1.3's algorithm transcribed over 1.9.1's trees. Both the same for
        // random_state 0..5, so no split depends on sklearn's random tie-break.
        let cases = [
            (
                "SAMME",
                [0.36330737889820014, 0.6636160323525523, 0.8807970779778823],
                [0.0, 2.0, 2.0],
            ),
            (
                "SAMME.R",
                [0.16630513135440203, 0.5375896216797353, 0.9993978333415274],
                [0.0, 2.0, 1.0],
            ),
        ];
        for (algorithm, p1, multi) in cases {
            let got = run(Task::Binary, &BINARY, &five(algorithm)).unwrap();
            let proba = got.proba.unwrap();
            for (g, w) in proba.iter().zip(p1) {
                assert!((g - w).abs() < 1e-9, "{algorithm}: {proba:?}");
            }
            let labels: Vec<f64> = p1.iter().map(|p| f64::from(u8::from(*p > 0.5))).collect();
            assert_eq!(got.values, labels);
            let got = run(Task::Multiclass, &THREE, &five(algorithm)).unwrap();
            assert_eq!(got.values, multi, "{algorithm}");
        }
    }

    #[test]
    fn random_splitter_is_seeded_and_probabilities_stay_in_range() {
        let with = |seed: i64| {
            let mut set = five("SAMME.R");
            set.push(("base_splitter", Value::Str("random".into())));
            set.push(("base_max_depth", Value::Int(2)));
            set.push(("n_estimators", Value::Int(30)));
            set.push(("seed", Value::Int(seed)));
            run(Task::Binary, &BINARY, &set).unwrap()
        };
        let a = with(1);
        assert_eq!(a, with(1));
        assert_ne!(a.proba, with(2).proba);
        assert!(a.proba.unwrap().iter().all(|p| (0.0..=1.0).contains(p)));
    }

    #[test]
    fn a_perfect_first_tree_ends_the_boosting() {
        // a ≤ 7.5 separates the classes: one stump, kept with weight 1, decides alone.
        let y: Vec<f64> = (0..16).map(|i| f64::from(u8::from(i >= 8))).collect();
        for algorithm in ["SAMME", "SAMME.R"] {
            let got = run(Task::Binary, &y, &five(algorithm)).unwrap();
            assert_eq!(got.values, [0.0, 0.0, 1.0], "{algorithm}");
        }
    }

    #[test]
    fn regression_is_refused() {
        let y: Vec<f64> = (0..16).map(f64::from).collect();
        assert!(run(Task::Regression, &y, &[]).is_err());
    }
}
