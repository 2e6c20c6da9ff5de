//! Gradient boosting (sklearn `GradientBoostingRegressor/Classifier`), the project's own because
//! linfa has none. Each stage fits a regression tree (squared_error as scikit-learn 1.9, the project's CART) to the
//! negative gradient of the loss and then rewrites its leaves with sklearn's line search, so the
//! numbers follow sklearn rather than a textbook variant:
//!
//! * start: the mean (squared_error), the median (absolute_error, huber), the `alpha` quantile
//!   (quantile) or the log-odds of the class frequencies (log_loss), as sklearn's `init=None`;
//! * leaves: the mean gradient (squared_error), the weighted median (absolute_error) or quantile
//!   (quantile) of the residuals, the median plus the mean clipped residual (huber, `delta`
//!   being the `alpha` quantile of |residual| at that stage), one Newton step (log_loss; for
//!   multiclass scaled by (K−1)/K, as sklearn keeps for backward compatibility);
//! * `subsample < 1` draws `max(1, ⌊subsample·n⌋)` rows without replacement per stage; trees and
//!   line search see only those, every row's prediction is updated;
//! * binary classification predicts class 1 when the raw score is ≥ 0; multiclass fits one tree
//!   per class and stage on the softmax gradient.
//!
//! sklearn casts X to float32; this works in f64, which only matters for values float32 cannot
//! tell apart. One seeded stream draws the rows and the trees' feature orders, in stage order.

use std::collections::BTreeMap;

use rayon::prelude::*;

use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty, Value};

use super::cart::{
    resolve_max_features, splitter_seed, Binned, Columns, Criterion, Rows32, Splitter, Target,
    Tree, TreeParams,
};
use super::tree::normalised_mean;
use super::{
    seed_or, Classes, Explanation, Model, ModelDef, Prediction, Trained, Training, SEED_DOC,
};
use crate::error::{Error, Result};
use crate::matrix::{Matrix, Rows};
use crate::rng::numpy::RandomState;
use kreplay_metrics::numpy_sum::average;

const KIND: &str = "gradient_boosting";

kreplay_recipe::named_enum! {
    /// The losses by scikit-learn's names, old ones included (`deviance` until 1.1, `ls` and
    /// `lad` until 1.0).
    pub enum LossName {
        SquaredError = "squared_error",
        AbsoluteError = "absolute_error",
        Huber = "huber",
        Quantile = "quantile",
        LogLoss = "log_loss",
        Deviance = "deviance",
        Ls = "ls",
        Lad = "lad",
    }
}

kreplay_recipe::named_enum! {
    /// The trees' split criteria gradient boosting offers.
    pub enum GbmCriterion {
        FriedmanMse = "friedman_mse",
        SquaredError = "squared_error",
    }
}

params! {
    /// Gradient boosting's parameters.
    pub struct GradientBoostingParams {
        loss: Option<LossName> = optional(
            Ty::Choice(LossName::NAMES),
            Lit::None,
            "squared_error, absolute_error, huber or quantile for regression; log_loss for classification (default). deviance is log_loss's name before sklearn 1.1, ls and lad the pre-1.0 names of squared_error and absolute_error",
        ),
        alpha: f64 = optional(
            Ty::Float,
            Lit::Float(0.9),
            "huber: quantile of |residual| that sets delta; quantile: the quantile fitted (ignored by the other losses, as in sklearn)",
        )
        .min(0.0)
        .max(1.0),
        n_estimators: usize = optional(Ty::Int, Lit::Int(100), "number of boosting stages").min(1.0),
        learning_rate: f64 = optional(Ty::Float, Lit::Float(0.1), "shrinkage of each stage").min(0.0),
        max_depth: Option<usize> = optional(Ty::OptInt, Lit::Int(3), "depth of each tree (none: until pure)").min(1.0),
        min_samples_split: usize = optional(Ty::Int, Lit::Int(2), "fewest samples a node needs to be split").min(2.0),
        min_samples_leaf: usize = optional(Ty::Int, Lit::Int(1), "fewest samples in each child").min(1.0),
        min_impurity_decrease: f64 = optional(
            Ty::Float,
            Lit::Float(0.0),
            "a split must decrease impurity by at least this (the weighted decrease of variance; with criterion = friedman_mse w_l·w_r·Δmean²/w_node, as sklearn ≤ 1.8)",
        )
        .min(0.0),
        criterion: GbmCriterion = optional(
            Ty::Choice(GbmCriterion::NAMES),
            Lit::Str("squared_error"),
            "split criterion of the trees: squared_error is scikit-learn 1.9's (which ignores this parameter), friedman_mse is scikit-learn ≤ 1.8's default; they choose the same splits but for ties decided by last bits, and differ in the scale of min_impurity_decrease",
        ),
        max_features: Value = optional(
            Ty::FloatOr(&["sqrt", "log2", "all", "none"]),
            Lit::None,
            "features searched per split: a count, a fraction, sqrt, log2, or all (none, the default)",
        ),
        subsample: f64 = optional(
            Ty::Float,
            Lit::Float(1.0),
            "fraction of rows drawn without replacement for each stage (< 1: stochastic gradient boosting)",
        )
        .min(0.0)
        .max(1.0),
        seed: Option<usize> = optional(Ty::OptInt, Lit::None, SEED_DOC),
    }
}

pub static GRADIENT_BOOSTING: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: KIND,
        summary: "gradient boosted trees (sklearn GradientBoostingRegressor/Classifier)",
        params: GradientBoostingParams::SPECS,
        tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
        engine: "kreplay gradient boosting on its CART, scikit-learn 1.9 stage for stage (subsample, seeds, losses)",
        stand_in: None,
    },
    build: |p, seed| Ok(Box::new(GradientBoosting::new(GradientBoostingParams::read(p)?, seed)?)),
};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Loss {
    SquaredError,
    AbsoluteError,
    Huber,
    Quantile,
    Log,
}

impl Loss {
    fn of(name: LossName) -> Loss {
        match name {
            LossName::SquaredError | LossName::Ls => Loss::SquaredError,
            LossName::AbsoluteError | LossName::Lad => Loss::AbsoluteError,
            LossName::Huber => Loss::Huber,
            LossName::Quantile => Loss::Quantile,
            LossName::LogLoss | LossName::Deviance => Loss::Log,
        }
    }
}

struct GradientBoosting {
    loss: Option<Loss>,
    alpha: f64,
    n_estimators: usize,
    learning_rate: f64,
    max_depth: Option<usize>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    min_impurity_decrease: f64,
    criterion: Criterion,
    max_features: Value,
    subsample: f64,
    seed: u64,
}

impl GradientBoosting {
    fn new(p: GradientBoostingParams, seed: u64) -> Result<Self> {
        if p.subsample <= 0.0 {
            return Err(Error::model(KIND, "subsample must be in (0, 1]"));
        }
        Ok(GradientBoosting {
            loss: p.loss.map(Loss::of),
            alpha: p.alpha,
            n_estimators: p.n_estimators,
            learning_rate: p.learning_rate,
            max_depth: p.max_depth,
            min_samples_split: p.min_samples_split,
            min_samples_leaf: p.min_samples_leaf,
            min_impurity_decrease: p.min_impurity_decrease,
            criterion: match p.criterion {
                GbmCriterion::FriedmanMse => Criterion::FriedmanMse,
                GbmCriterion::SquaredError => Criterion::SquaredError,
            },
            max_features: p.max_features,
            subsample: p.subsample,
            seed: seed_or(p.seed, seed),
        })
    }

    fn tree_params(&self, n_features: usize) -> TreeParams {
        let max_features = match &self.max_features {
            Value::None => n_features,
            Value::Str(s) if s == "none" => n_features,
            v => resolve_max_features(v, n_features),
        };
        TreeParams {
            criterion: self.criterion,
            max_depth: self.max_depth,
            min_samples_split: self.min_samples_split,
            min_samples_leaf: self.min_samples_leaf,
            max_features,
            min_impurity_decrease: self.min_impurity_decrease,
            splitter: Splitter::Best,
        }
    }
}

/// The stages' trees and what turns their sum into predictions.
struct Boosted {
    init: Vec<f64>,
    learning_rate: f64,
    /// One tree per stage (regression, binary) or one per class and stage.
    stages: Vec<Vec<Tree>>,
    classes: Option<Classes>,
    n_features: usize,
}

/// Rows predicted together: a block stays in cache while every tree visits it.
const PREDICT_BLOCK: usize = 256;

impl Boosted {
    /// Each row's raw scores: the initial ones plus every stage's trees, added in stage order
    /// as scikit-learn adds them. Blocks of rows go through the trees one tree at a time (the
    /// tree's nodes stay in cache), in parallel; a row's sum is the same either way.
    fn raws(&self, x: &Matrix) -> Vec<Vec<f64>> {
        let mut raws = vec![self.init.clone(); x.rows];
        let x32 = Rows32::new(x);
        raws.par_chunks_mut(PREDICT_BLOCK)
            .enumerate()
            .for_each(|(block, out)| {
                let first = block * PREDICT_BLOCK;
                let mut leaves = vec![0u32; out.len()];
                for stage in &self.stages {
                    for (k, tree) in stage.iter().enumerate() {
                        tree.apply_rows(&x32, first, &mut leaves);
                        for (raw, &leaf) in out.iter_mut().zip(&leaves) {
                            raw[k] += self.learning_rate * tree.leaf_value(leaf)[0];
                        }
                    }
                }
            });
        raws
    }
}

impl Trained for Boosted {
    fn predict(&self, x: &Matrix) -> Result<Prediction> {
        Ok(self.prediction(self.raws(x)))
    }

    /// The mean of the splitting trees' unnormalised importances, normalised (scikit-learn's
    /// `BaseGradientBoosting.feature_importances_`).
    fn explain(&self) -> Option<Explanation> {
        let each: Vec<Vec<f64>> = self
            .stages
            .iter()
            .flatten()
            .filter(|t| t.splits())
            .map(|t| t.feature_importances(self.n_features, false))
            .collect();
        Some(Explanation {
            measure: super::IMPURITY,
            values: normalised_mean(&each, self.n_features),
        })
    }

    fn stages(&self) -> Option<usize> {
        Some(self.stages.len())
    }

    /// `staged_predict`: the raw scores summed stage by stage, as `predict` sums them.
    fn staged(&self, x: &Matrix, stages: &[usize]) -> Option<Vec<Prediction>> {
        let x32 = Rows32::new(x);
        let mut raws = vec![self.init.clone(); x.rows];
        let mut leaves = vec![0u32; x.rows];
        let mut wanted = stages.iter().peekable();
        let mut out = Vec::with_capacity(stages.len());
        for (i, stage) in self.stages.iter().enumerate() {
            if wanted.peek().is_none() {
                break;
            }
            for (k, tree) in stage.iter().enumerate() {
                tree.apply_rows(&x32, 0, &mut leaves);
                for (raw, &leaf) in raws.iter_mut().zip(&leaves) {
                    raw[k] += self.learning_rate * tree.leaf_value(leaf)[0];
                }
            }
            while wanted.next_if(|&&s| s == i + 1).is_some() {
                out.push(self.prediction(raws.clone()));
            }
        }
        Some(out)
    }
}

impl Boosted {
    /// Labels and probabilities (classification) or values from each row's raw scores.
    fn prediction(&self, raws: Vec<Vec<f64>>) -> Prediction {
        let Some(classes) = &self.classes else {
            return Prediction {
                values: raws.into_iter().map(|r| r[0]).collect(),
                proba: None,
            };
        };
        let probas: Vec<Vec<f64>> = raws
            .iter()
            .map(|r| {
                if r.len() == 1 {
                    let p = expit(r[0]);
                    vec![1.0 - p, p]
                } else {
                    softmax(r)
                }
            })
            .collect();
        let values = raws
            .iter()
            .map(|r| {
                if r.len() == 1 {
                    classes.labels[usize::from(r[0] >= 0.0)]
                } else {
                    classes.argmax(r)
                }
            })
            .collect();
        Prediction {
            values,
            proba: classes.positive_proba(&probas),
        }
    }
}

impl Model for GradientBoosting {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let classification = t.task.is_classification();
        let loss = match (self.loss, classification) {
            (None, true) => Loss::Log,
            (None, false) => Loss::SquaredError,
            (Some(Loss::Log), false) => {
                return Err(Error::model(
                    KIND,
                    "log_loss is for classification; use squared_error, absolute_error, huber or quantile",
                ))
            }
            (Some(l), true) if l != Loss::Log => {
                return Err(Error::model(
                    KIND,
                    "classification boosts log_loss (deviance); the other losses are for regression",
                ))
            }
            (Some(l), _) => l,
        };
        if matches!(loss, Loss::Huber | Loss::Quantile) && !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::model(
                KIND,
                format!(
                    "alpha must be strictly between 0 and 1 for {loss:?} loss, found {}",
                    self.alpha
                ),
            ));
        }
        if t.x.is_empty() {
            return Err(Error::model(KIND, "no training rows"));
        }
        if t.y.iter().any(|v| !v.is_finite()) {
            return Err(Error::model(
                KIND,
                "the target has missing or infinite values",
            ));
        }
        let classes = if classification {
            Some(Classes::new(t.y, KIND)?)
        } else {
            None
        };
        // sklearn's `self._rng = check_random_state(random_state)`: the subsample masks and
        // every stage's tree seed come from it, in that order.
        let mut rng = RandomState::new(self.seed);
        let fitter = Fitter {
            x: t.x,
            y: match &classes {
                Some(c) => c.index.iter().map(|&k| k as f64).collect(),
                None => t.y.to_vec(),
            },
            loss,
            n_classes: classes.as_ref().map_or(0, |c| c.labels.len()),
            alpha: self.alpha,
            params: self.tree_params(t.x.cols()),
            learning_rate: self.learning_rate,
        };
        let (init, stages) = fitter.fit(self.n_estimators, self.subsample, &mut rng);
        Ok(Box::new(Boosted {
            init,
            learning_rate: self.learning_rate,
            stages,
            classes,
            n_features: t.x.cols(),
        }))
    }
}

struct Fitter<'a> {
    x: Rows<'a>,
    /// Values, or class indices as numbers.
    y: Vec<f64>,
    loss: Loss,
    n_classes: usize,
    alpha: f64,
    params: TreeParams,
    learning_rate: f64,
}

impl Fitter<'_> {
    /// Raw scores per tree of a stage: one for regression and binary, one per class otherwise.
    fn width(&self) -> usize {
        if self.loss == Loss::Log && self.n_classes > 2 {
            self.n_classes
        } else {
            1
        }
    }

    fn init(&self) -> Vec<f64> {
        let y = &self.y;
        match self.loss {
            // DummyRegressor's mean: numpy's sum over n.
            Loss::SquaredError => vec![kreplay_metrics::numpy_sum::sum(y) / y.len() as f64],
            Loss::AbsoluteError | Loss::Huber => vec![percentile_linear(y, 50.0)],
            Loss::Quantile => vec![percentile_linear(y, self.alpha * 100.0)],
            Loss::Log => {
                let eps = f64::EPSILON;
                let k = self.n_classes;
                let mut prior = vec![0.0; k];
                for &c in y {
                    prior[c as usize] += 1.0;
                }
                let prior: Vec<f64> = prior
                    .iter()
                    .map(|c| (c / y.len() as f64).clamp(eps, 1.0 - eps))
                    .collect();
                if k == 2 {
                    vec![logit(prior[1])]
                } else {
                    // sklearn's symmetric multinomial logit: log p minus its mean.
                    let logs: Vec<f64> = prior.iter().map(|p| p.ln()).collect();
                    let mean = logs.iter().sum::<f64>() / k as f64;
                    logs.iter().map(|l| l - mean).collect()
                }
            }
        }
    }

    fn fit(
        &self,
        n_estimators: usize,
        subsample: f64,
        rng: &mut RandomState,
    ) -> (Vec<f64>, Vec<Vec<Tree>>) {
        let n = self.x.len();
        let x = Columns::of(self.x);
        let x32 = Rows32::of(self.x);
        let mut leaves = vec![0u32; n];
        // A squared-error leaf is its rows' mean as scikit-learn sums them, in the order its
        // sorts leave them; every other loss recomputes its leaves in row order (line_search).
        // Ties between features that cut the same rows are broken by those last bits, in
        // every later stage, so only the latter may sum in another order (see cart::binned).
        let mut binned = if self.loss == Loss::SquaredError {
            None
        } else {
            Binned::new(&x)
        };
        let width = self.width();
        let init = self.init();
        let mut raw: Vec<Vec<f64>> = vec![init.clone(); n];
        let n_inbag = ((subsample * n as f64) as usize).max(1);
        let mut stages = Vec::with_capacity(n_estimators);
        for _ in 0..n_estimators {
            let mask = if subsample < 1.0 {
                // `_random_sample_mask`: n uniforms, then selection sampling.
                let rand: Vec<f64> = (0..n).map(|_| rng.random_sample()).collect();
                let mut m = vec![0.0; n];
                let mut bagged = 0;
                for (i, r) in rand.iter().enumerate() {
                    if r * ((n - i) as f64) < (n_inbag - bagged) as f64 {
                        m[i] = 1.0;
                        bagged += 1;
                    }
                }
                m
            } else {
                vec![1.0; n]
            };
            let delta = (self.loss == Loss::Huber).then(|| {
                let abs: Vec<f64> = (0..n).map(|i| (self.y[i] - raw[i][0]).abs()).collect();
                weighted_percentile(&abs, &vec![1.0; n], 100.0 * self.alpha)
            });
            let neg_grad = self.negative_gradient(&raw, delta);
            let mut stage = Vec::with_capacity(width);
            for (k, g) in neg_grad.iter().enumerate() {
                let seed = splitter_seed(rng);
                let mut tree = match binned.as_mut() {
                    Some(b) => b.grow(&x, g, &mask, &self.params, seed),
                    None => Tree::grow(&x, &Target::Values(g), &mask, &self.params, seed),
                };
                tree.apply_rows(&x32, 0, &mut leaves);
                self.line_search((&mut tree, &leaves), k, g, &raw, &mask, delta);
                for (r, &leaf) in raw.iter_mut().zip(&leaves) {
                    r[k] += self.learning_rate * tree.leaf_value(leaf)[0];
                }
                stage.push(tree);
            }
            stages.push(stage);
        }
        (init, stages)
    }

    /// −∂loss/∂raw per tree of the stage (sklearn's half losses, so log_loss gives y − p).
    fn negative_gradient(&self, raw: &[Vec<f64>], delta: Option<f64>) -> Vec<Vec<f64>> {
        let y = &self.y;
        let one = |f: &dyn Fn(f64, f64) -> f64| -> Vec<Vec<f64>> {
            vec![raw.iter().zip(y).map(|(r, &y)| f(y, r[0])).collect()]
        };
        match self.loss {
            Loss::SquaredError => one(&|y, r| y - r),
            Loss::AbsoluteError => one(&|y, r| if r > y { -1.0 } else { 1.0 }),
            Loss::Quantile => {
                let a = self.alpha;
                one(&|y, r| if y >= r { a } else { a - 1.0 })
            }
            Loss::Huber => {
                let d = delta.unwrap_or(0.0);
                one(&|y, r| {
                    let res = r - y;
                    if res.abs() <= d {
                        -res
                    } else if res >= 0.0 {
                        -d
                    } else {
                        d
                    }
                })
            }
            Loss::Log if self.n_classes == 2 => one(&binomial_negative_gradient),
            Loss::Log => {
                let k = self.n_classes;
                let probs: Vec<Vec<f64>> = raw.iter().map(|r| softmax(r)).collect();
                (0..k)
                    .map(|c| {
                        probs
                            .iter()
                            .zip(y)
                            .map(|(p, &y)| f64::from(u8::from(y as usize == c)) - p[c])
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// sklearn's `_update_terminal_regions`: each leaf's value is the loss's optimum over the
    /// in-bag rows that reach it. squared_error keeps the fitted means, which are that optimum.
    fn line_search(
        &self,
        (tree, leaf_of): (&mut Tree, &[u32]),
        k: usize,
        neg_grad: &[f64],
        raw: &[Vec<f64>],
        mask: &[f64],
        delta: Option<f64>,
    ) {
        if self.loss == Loss::SquaredError {
            return;
        }
        let mut leaves: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in (0..self.x.len()).filter(|&i| mask[i] > 0.0) {
            leaves.entry(leaf_of[i] as usize).or_default().push(i);
        }
        for (leaf, rows) in leaves {
            let w: Vec<f64> = rows.iter().map(|&i| mask[i]).collect();
            let residual = || -> Vec<f64> { rows.iter().map(|&i| self.y[i] - raw[i][k]).collect() };
            let value = match self.loss {
                Loss::SquaredError => continue,
                Loss::AbsoluteError => weighted_percentile(&residual(), &w, 50.0),
                Loss::Quantile => weighted_percentile(&residual(), &w, 100.0 * self.alpha),
                Loss::Huber => {
                    let r = residual();
                    let median = weighted_percentile(&r, &w, 50.0);
                    let d = delta.unwrap_or(0.0);
                    let terms: Vec<f64> = r
                        .iter()
                        .map(|v| {
                            let diff = v - median;
                            diff.signum() * diff.abs().min(d)
                        })
                        .collect();
                    median + average(&terms, &w)
                }
                Loss::Log => {
                    let g: Vec<f64> = rows.iter().map(|&i| neg_grad[i]).collect();
                    let hess: Vec<f64> = rows
                        .iter()
                        .map(|&i| {
                            let y = if self.n_classes == 2 {
                                self.y[i]
                            } else {
                                f64::from(u8::from(self.y[i] as usize == k))
                            };
                            let p = y - neg_grad[i];
                            p * (1.0 - p)
                        })
                        .collect();
                    let mut numerator = average(&g, &w);
                    if self.n_classes > 2 {
                        let kf = self.n_classes as f64;
                        numerator *= (kf - 1.0) / kf;
                    }
                    let denominator = average(&hess, &w);
                    if denominator.abs() < 1e-150 {
                        0.0
                    } else {
                        numerator / denominator
                    }
                }
            };
            tree.set_leaf(leaf, vec![value]);
        }
    }
}

/// The negative gradient of the half binomial loss, `y − expit(raw)`, computed as
/// scikit-learn's `cgradient_half_binomial` computes its gradient (and negated).
fn binomial_negative_gradient(y: f64, raw: f64) -> f64 {
    let gradient = if raw > -37.0 {
        let e = (-raw).exp();
        ((1.0 - y) - y * e) / (1.0 + e)
    } else {
        raw.exp() - y
    };
    -gradient
}

/// scipy's `logit`: `log(p / (1 - p))`, and `log1p(s) - log1p(-s)` with `s = 2(p - 0.5)`
/// near one half, where the plain formula loses precision.
fn logit(p: f64) -> f64 {
    if !(0.3..=0.65).contains(&p) {
        (p / (1.0 - p)).ln()
    } else {
        let s = 2.0 * (p - 0.5);
        s.ln_1p() - (-s).ln_1p()
    }
}

/// scipy's `expit`, `1 / (1 + exp(-x))`, which scikit-learn's binomial link inverts with.
fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn softmax(r: &[f64]) -> Vec<f64> {
    let m = r.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = r.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// numpy's default (linear) percentile, which sklearn's unweighted init uses.
fn percentile_linear(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let h = (s.len() - 1) as f64 * (q / 100.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    let t = h - lo as f64;
    let (a, b) = (s[lo], s[hi]);
    // numpy's _lerp, which interpolates from the nearer end.
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
}

/// sklearn's `_weighted_percentile` (inverted CDF: the first value whose cumulative weight
/// reaches `q`% of the total; with unit weights and an even count, the lower median).
fn weighted_percentile(v: &[f64], w: &[f64], q: f64) -> f64 {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut cdf = Vec::with_capacity(v.len());
    let mut acc = 0.0;
    for &i in &idx {
        acc += w[i];
        cdf.push(acc);
    }
    let mut rank = q / 100.0 * acc;
    if rank == 0.0 {
        rank = f64::from_bits(1);
    }
    let pos = cdf.partition_point(|&c| c < rank).min(v.len() - 1);
    v[idx[pos]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Rows;

    #[test]
    fn percentiles_follow_numpy_and_sklearn() {
        assert_eq!(percentile_linear(&[4.0, 1.0, 3.0, 2.0], 50.0), 2.5);
        assert!((percentile_linear(&[1.0, 2.0, 3.0, 4.0, 5.0], 90.0) - 4.6).abs() < 1e-12);
        assert_eq!(
            weighted_percentile(&[4.0, 1.0, 3.0, 2.0], &[1.0; 4], 50.0),
            2.0
        );
        assert_eq!(
            weighted_percentile(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0; 5], 90.0),
            5.0
        );
        assert_eq!(weighted_percentile(&[1.0, 2.0, 3.0], &[1.0; 3], 0.0), 1.0);
    }

    /// 16 rows, two features whose orders differ (b = 7i mod 16), and one outlier (row 14), so
    /// robust losses and squared error part ways. Probes are off the training grid.
    fn table() -> (Matrix, Vec<f64>, Vec<f64>, Matrix) {
        let n = 16;
        let data = (0..n)
            .flat_map(|i| [i as f64, ((i * 7) % 16) as f64])
            .collect();
        let x = Matrix {
            data,
            rows: n,
            cols: 2,
            names: vec!["a".into(), "b".into()],
        };
        let y = vec![
            3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0, 5.5, 3.5, 8.0, 9.5, 7.0, 9.0, 30.0, 8.5,
        ];
        let yb = vec![
            0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0,
        ];
        let probes = Matrix {
            data: vec![2.5, 3.0, 7.5, 12.0, 13.0, 1.0],
            rows: 3,
            cols: 2,
            names: x.names.clone(),
        };
        (x, y, yb, probes)
    }

    fn run(task: Task, y: &[f64], set: &[(&str, Value)]) -> Prediction {
        let (x, _, _, probes) = table();
        let p = crate::testing::model_params(&GRADIENT_BOOSTING.spec, set);
        let t = Training {
            x: Rows::all(&x),
            y,
            task,
        };
        (GRADIENT_BOOSTING.build)(&p, 7)
            .unwrap()
            .fit(&t)
            .unwrap()
            .predict(&probes)
            .unwrap()
    }

    fn assert_close(got: &[f64], want: &[f64]) {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-9, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn matches_sklearn_on_a_small_table() {
        // GradientBoostingRegressor/Classifier(n_estimators=5, learning_rate=0.3, max_depth=2,
        // min_samples_leaf=2) from scikit-learn 1.9.1; the same for random_state 0..5, so no
        // split is decided by sklearn's random tie-break.
        let (_, y, yb, _) = table();
        let base = |loss: &str, stages: i64, depth: i64| {
            vec![
                ("loss", Value::Str(loss.into())),
                ("n_estimators", Value::Int(stages)),
                ("learning_rate", Value::Float(0.3)),
                ("max_depth", Value::Int(depth)),
                ("min_samples_leaf", Value::Int(2)),
            ]
        };
        let cases: [(&str, i64, i64, [f64; 3]); 5] = [
            (
                "squared_error",
                5,
                2,
                [7.155837600053571, 5.146208345410714, 10.204119835446429],
            ),
            (
                "huber",
                5,
                2,
                [4.4544089349489795, 4.55798699617347, 9.213217254464286],
            ),
            ("huber", 3, 1, [4.020665, 5.1923525, 7.6763281249999995]),
            (
                "absolute_error",
                3,
                1,
                [3.5667500000000003, 5.66675, 7.16675],
            ),
            ("quantile", 3, 1, [12.37375, 7.00375, 22.88275]),
        ];
        for (loss, stages, depth, want) in cases {
            let got = run(Task::Regression, &y, &base(loss, stages, depth));
            assert_close(&got.values, &want);
        }
        // `deviance` is the old name of log_loss.
        let want = [0.3916844266467506, 0.6169299405540267, 0.8825878480708605];
        for loss in ["log_loss", "deviance"] {
            let got = run(Task::Binary, &yb, &base(loss, 5, 2));
            assert_close(got.proba.as_ref().unwrap(), &want);
            assert_eq!(got.values, [0.0, 1.0, 1.0]);
        }
    }

    #[test]
    fn stochastic_boosting_is_seeded() {
        let (_, y, _, _) = table();
        let with_seed = |seed: i64| {
            run(
                Task::Regression,
                &y,
                &[
                    ("subsample", Value::Float(0.6)),
                    ("max_features", Value::Str("sqrt".into())),
                    ("n_estimators", Value::Int(30)),
                    ("seed", Value::Int(seed)),
                ],
            )
        };
        assert_eq!(with_seed(1), with_seed(1));
        assert_ne!(with_seed(1).values, with_seed(2).values);
    }

    #[test]
    fn multiclass_gives_one_of_the_classes() {
        let (_, y, _, _) = table();
        let classes: Vec<f64> = y.iter().map(|v| (v / 4.0).floor().min(2.0)).collect();
        let got = run(Task::Multiclass, &classes, &[]);
        assert!(got.values.iter().all(|v| [0.0, 1.0, 2.0].contains(v)));
        assert!(got.proba.is_none());
    }

    #[test]
    fn rejects_losses_of_the_other_task_and_bad_alpha() {
        let (x, y, yb, _) = table();
        let fit = |task, y: &[f64], set: &[(&str, Value)]| {
            let p = crate::testing::model_params(&GRADIENT_BOOSTING.spec, set);
            let t = Training {
                x: Rows::all(&x),
                y,
                task,
            };
            (GRADIENT_BOOSTING.build)(&p, 0).unwrap().fit(&t).err()
        };
        let loss = |l: &str| vec![("loss", Value::Str(l.into()))];
        assert!(fit(Task::Regression, &y, &loss("log_loss")).is_some());
        assert!(fit(Task::Binary, &yb, &loss("huber")).is_some());
        let mut huber = loss("huber");
        huber.push(("alpha", Value::Float(1.0)));
        assert!(fit(Task::Regression, &y, &huber).is_some());
        // sklearn ignores alpha for squared_error; a published notebook passes 0.01.
        let ls = vec![("alpha", Value::Float(0.01))];
        assert!(fit(Task::Regression, &y, &ls).is_none());
    }
}
