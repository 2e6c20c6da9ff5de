//! Logistic regression as scikit-learn's `LogisticRegression` defines it, solved here.
//!
//! `lbfgs` (scikit-learn's default since 0.22) minimises `mean(log loss) + ‖w‖² / (2·C·n)`, the
//! intercept unpenalised, binomial for two classes and multinomial (softmax) above; `liblinear`
//! (the default before 0.22, which 2017 notebooks ran) minimises the same loss with the
//! intercept as the weight of a constant `intercept_scaling` column, penalised like the others,
//! one-vs-rest above two classes (probabilities normalised to sum to 1, as scikit-learn did),
//! and stops by liblinear's rule (gradient norm relative to the start's).
//!
//! Both run on [`lbfgs`](super::lbfgs); the loss and its gradient are one pass over the rows,
//! in fixed blocks summed in block order, so the result does not depend on the thread count.

use rayon::prelude::*;

use kreplay_recipe::{named_enum, params, Lit, ModelSpec, Task, Ty};

use super::lbfgs::{self, Norm, Options};
use super::{Classes, Model, ModelDef, Prediction, Trained, Training};
use crate::error::Result;
use crate::matrix::Matrix;

named_enum! {
    /// Which scikit-learn solver's objective is minimised.
    pub enum Solver {
        Lbfgs = "lbfgs",
        Liblinear = "liblinear",
    }
}

params! {
    /// Logistic regression's parameters.
    pub struct LogisticParams {
        C: f64 = optional(Ty::Float, Lit::Float(1.0), "inverse regularisation strength").min(1e-12),
        solver: Solver = optional(Ty::Choice(Solver::NAMES), Lit::Str("lbfgs"), "lbfgs: intercept unpenalised, multinomial (sklearn >= 0.22); liblinear: intercept penalised, one-vs-rest (sklearn < 0.22)"),
        max_iter: usize = optional(Ty::Int, Lit::Int(100), "solver iterations").min(1.0),
        tol: f64 = optional(Ty::Float, Lit::Float(1e-4), "stop when the largest gradient component is this small (liblinear: the gradient norm relative to the start's)").min(1e-300),
        fit_intercept: bool = optional(Ty::Bool, Lit::Bool(true), "learn an intercept"),
        intercept_scaling: f64 = optional(Ty::Float, Lit::Float(1.0), "liblinear: the value of the constant column whose weight is the intercept").min(1e-12),
    }
}

pub static LOGISTIC_REGRESSION: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "logistic_regression",
        summary: "L2-penalised logistic regression (sklearn LogisticRegression: lbfgs or liblinear's objective)",
        params: LogisticParams::SPECS,
        tasks: &[Task::Binary, Task::Multiclass],
        engine: "kreplay (L-BFGS)",
        stand_in: None,
    },
    build: |p, _| {
        let p = LogisticParams::read(p)?;
        Ok(Box::new(Logistic {
            c: p.C,
            solver: p.solver,
            max_iter: p.max_iter,
            tol: p.tol,
            intercept: p.fit_intercept,
            intercept_scaling: p.intercept_scaling,
        }))
    },
};

struct Logistic {
    c: f64,
    solver: Solver,
    max_iter: usize,
    tol: f64,
    intercept: bool,
    intercept_scaling: f64,
}

/// Rows per block of the loss pass: small enough to spread over threads, large enough that
/// the per-block gradient is noise.
const BLOCK: usize = 4096;

/// One linear score per output: `coef` row-major (outputs × features), then the intercepts.
#[derive(Debug, Clone)]
struct Weights {
    outputs: usize,
    coef: Vec<f64>,
    intercept: Vec<f64>,
}

impl Weights {
    fn scores(&self, row: &[f64], out: &mut [f64]) {
        let d = row.len();
        for (k, o) in out.iter_mut().enumerate() {
            let w = &self.coef[k * d..(k + 1) * d];
            *o = self.intercept[k] + w.iter().zip(row).map(|(a, b)| a * b).sum::<f64>();
        }
    }
}

/// The penalised mean log loss of one fit: binomial (`outputs == 1`, `target` 0/1) or
/// multinomial (`target` the class index).
struct Objective<'a> {
    x: &'a Matrix,
    target: &'a [usize],
    outputs: usize,
    /// The constant column's value; 0 without an intercept.
    scaling: f64,
    penalise_intercept: bool,
    l2: f64,
}

impl Objective<'_> {
    fn width(&self) -> usize {
        self.x.cols + 1
    }

    fn weights(&self, p: &[f64]) -> Weights {
        let w = self.width();
        let d = self.x.cols;
        Weights {
            outputs: self.outputs,
            coef: (0..self.outputs)
                .flat_map(|k| p[k * w..k * w + d].iter().copied())
                .collect(),
            intercept: (0..self.outputs)
                .map(|k| p[k * w + d] * self.scaling)
                .collect(),
        }
    }

    /// The objective at `p` (per output: the feature weights, then the intercept's), its
    /// gradient written into `g`.
    fn eval(&self, p: &[f64], g: &mut [f64]) -> f64 {
        let weights = self.weights(p);
        let (w, d, k) = (self.width(), self.x.cols, self.outputs);
        let blocks: Vec<(f64, Vec<f64>)> = (0..self.x.rows.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                let mut grad = vec![0.0; k * w];
                let mut scores = vec![0.0; k];
                let mut loss = 0.0;
                for i in b * BLOCK..((b + 1) * BLOCK).min(self.x.rows) {
                    let row = self.x.row(i);
                    weights.scores(row, &mut scores);
                    loss += pointwise(&mut scores, self.target[i]);
                    // `scores` now holds d loss / d score per output.
                    for (j, dr) in scores.iter().enumerate() {
                        let gj = &mut grad[j * w..(j + 1) * w];
                        for (gf, xf) in gj[..d].iter_mut().zip(row) {
                            *gf += dr * xf;
                        }
                        gj[d] += dr * self.scaling;
                    }
                }
                (loss, grad)
            })
            .collect();
        g.iter_mut().for_each(|v| *v = 0.0);
        let mut loss = 0.0;
        for (l, grad) in &blocks {
            loss += l;
            for (a, b) in g.iter_mut().zip(grad) {
                *a += b;
            }
        }
        let n = self.x.rows as f64;
        let mut penalty = 0.0;
        for (i, (gi, pi)) in g.iter_mut().zip(p).enumerate() {
            *gi /= n;
            if i % w < d || self.penalise_intercept {
                *gi += self.l2 * pi;
                penalty += pi * pi;
            }
        }
        loss / n + 0.5 * self.l2 * penalty
    }
}

/// One row's loss from its scores, leaving d loss / d score in `scores`.
fn pointwise(scores: &mut [f64], target: usize) -> f64 {
    if let [raw] = scores {
        let y = target as f64;
        // log(1 + e^raw) - y·raw, without overflow either way.
        let softplus = if *raw > 0.0 {
            *raw + (-*raw).exp().ln_1p()
        } else {
            raw.exp().ln_1p()
        };
        let loss = softplus - y * *raw;
        *raw = sigmoid(*raw) - y;
        return loss;
    }
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lse = max + scores.iter().map(|s| (s - max).exp()).sum::<f64>().ln();
    let loss = lse - scores[target];
    for (j, s) in scores.iter_mut().enumerate() {
        *s = (*s - lse).exp() - if j == target { 1.0 } else { 0.0 };
    }
    loss
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Logistic {
    fn solve(&self, x: &Matrix, target: &[usize], outputs: usize) -> Weights {
        let liblinear = self.solver == Solver::Liblinear;
        let objective = Objective {
            x,
            target,
            outputs,
            scaling: match (self.intercept, liblinear) {
                (false, _) => 0.0,
                (true, true) => self.intercept_scaling,
                (true, false) => 1.0,
            },
            penalise_intercept: liblinear,
            l2: 1.0 / (self.c * x.rows as f64),
        };
        let start = vec![0.0; outputs * objective.width()];
        let (gtol, norm) = if liblinear {
            // liblinear's primal rule: ‖g‖ ≤ tol · max(min(#pos, #neg), 1) / n · ‖g₀‖.
            let positive = target.iter().filter(|t| **t == 1).count();
            let smaller = positive.min(target.len() - positive).max(1) as f64;
            let mut g0 = vec![0.0; start.len()];
            objective.eval(&start, &mut g0);
            let norm = g0.iter().map(|v| v * v).sum::<f64>().sqrt();
            (self.tol * smaller / x.rows as f64 * norm, Norm::Euclidean)
        } else {
            (self.tol, Norm::Max)
        };
        let options = Options {
            max_iter: self.max_iter,
            gtol,
            norm,
            ftol: 64.0 * f64::EPSILON,
        };
        objective.weights(&lbfgs::minimize(
            |p, g| objective.eval(p, g),
            start,
            options,
        ))
    }
}

impl Model for Logistic {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        // One contiguous matrix for the solver: a fold's rows are copied here, once.
        let x = t.x.matrix();
        let classes = Classes::new(t.y, "logistic_regression")?;
        let n_classes = classes.labels.len();
        let fitted = if n_classes == 2 {
            Fitted::Binomial(self.solve(&x, &classes.index, 1))
        } else if self.solver == Solver::Liblinear {
            Fitted::OneVsRest(
                (0..n_classes)
                    .map(|k| {
                        let is_k: Vec<usize> =
                            classes.index.iter().map(|c| usize::from(*c == k)).collect();
                        self.solve(&x, &is_k, 1)
                    })
                    .collect(),
            )
        } else {
            Fitted::Multinomial(self.solve(&x, &classes.index, n_classes))
        };
        Ok(Box::new(TrainedLogistic { fitted, classes }))
    }
}

enum Fitted {
    Binomial(Weights),
    Multinomial(Weights),
    OneVsRest(Vec<Weights>),
}

struct TrainedLogistic {
    fitted: Fitted,
    classes: Classes,
}

impl TrainedLogistic {
    fn proba(&self, row: &[f64]) -> Vec<f64> {
        let mut one = [0.0];
        match &self.fitted {
            Fitted::Binomial(w) => {
                w.scores(row, &mut one);
                let p = sigmoid(one[0]);
                vec![1.0 - p, p]
            }
            Fitted::Multinomial(w) => {
                let mut s = vec![0.0; w.outputs];
                w.scores(row, &mut s);
                let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                s.iter_mut().for_each(|v| *v = (*v - max).exp());
                let sum: f64 = s.iter().sum();
                s.iter().map(|v| v / sum).collect()
            }
            Fitted::OneVsRest(ws) => {
                let p: Vec<f64> = ws
                    .iter()
                    .map(|w| {
                        w.scores(row, &mut one);
                        sigmoid(one[0])
                    })
                    .collect();
                let sum: f64 = p.iter().sum();
                p.iter().map(|v| v / sum).collect()
            }
        }
    }
}

impl Trained for TrainedLogistic {
    /// |coefficient|, averaged over the classes' coefficient rows.
    fn explain(&self) -> Option<super::Explanation> {
        let rows: Vec<&Weights> = match &self.fitted {
            Fitted::Binomial(w) | Fitted::Multinomial(w) => vec![w],
            Fitted::OneVsRest(ws) => ws.iter().collect(),
        };
        let d = rows.first()?.coef.len() / rows.first()?.outputs.max(1);
        let mut values = vec![0.0; d];
        let mut n = 0.0;
        for w in rows {
            for k in 0..w.outputs {
                for (v, c) in values.iter_mut().zip(&w.coef[k * d..(k + 1) * d]) {
                    *v += c.abs();
                }
                n += 1.0;
            }
        }
        values.iter_mut().for_each(|v| *v /= n);
        Some(super::Explanation {
            measure: super::COEFFICIENT,
            values,
        })
    }

    fn predict(&self, x: &Matrix) -> Result<Prediction> {
        let rows: Vec<Vec<f64>> = (0..x.rows)
            .into_par_iter()
            .map(|i| self.proba(x.row(i)))
            .collect();
        let values = rows.iter().map(|p| self.classes.argmax(p)).collect();
        Ok(Prediction {
            values,
            proba: self.classes.positive_proba(&rows),
        })
    }
}
