//! Lasso and elastic net with sklearn's `Lasso` / `ElasticNet` semantics: objective
//! 1/(2n)‖y − Xw − b‖² + α·l1_ratio·‖w‖₁ + α(1 − l1_ratio)/2·‖w‖², intercept unpenalised,
//! coordinate descent from zero with sklearn's stopping rule (see `coordinate_descent.rs` for
//! the solver and why it is ours rather than linfa-elasticnet's).

use kreplay_recipe::declare::concat;
use kreplay_recipe::{params, Lit, ModelSpec, Params, Task, Ty};

use super::coordinate_descent::{descend, Settings};
use super::linear::{Gram, LinearFit};
use super::{Model, ModelDef, Trained, Training};
use crate::error::Result;
use crate::matrix::Matrix;

params! {
    /// The solver settings every coordinate-descent model declares (sklearn's defaults).
    pub struct Descent {
        max_iter: usize = optional(
            Ty::Int,
            Lit::Int(1000),
            "coordinate descent sweeps at most",
        )
        .min(1.0),
        tol: f64 = optional(
            Ty::Float,
            Lit::Float(1e-4),
            "stop when the duality gap is below tol·‖y‖² (checked once a sweep changes no coefficient by more than tol × the largest)",
        )
        .min(0.0),
    }
}

params! {
    /// Whether a least-squares model learns an intercept.
    pub struct Intercept {
        fit_intercept: bool = optional(
            Ty::Bool,
            Lit::Bool(true),
            "learn an unpenalised intercept (centre X and y)",
        ),
    }
}

const ALPHA_DOC: &str = "penalty strength (sklearn's scale: the squared loss is divided by 2n)";

params! {
    /// The lasso's own parameter.
    pub struct LassoParams {
        alpha: f64 = optional(Ty::Float, Lit::Float(1.0), ALPHA_DOC).min(0.0),
    }
}

params! {
    /// The elastic net's own parameters.
    pub struct ElasticNetParams {
        alpha: f64 = optional(Ty::Float, Lit::Float(1.0), ALPHA_DOC).min(0.0),
        l1_ratio: f64 = optional(
            Ty::Float,
            Lit::Float(0.5),
            "share of the penalty that is L1 (1 = lasso, 0 = ridge on the 1/(2n) scale)",
        )
        .min(0.0)
        .max(1.0),
    }
}

const ENGINE: &str = "kreplay coordinate descent (sklearn cd_fast semantics)";

pub static LASSO: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "lasso",
        summary: "L1-penalised least squares (sklearn Lasso)",
        params: &concat::<4>(&[LassoParams::SPECS, Descent::SPECS, Intercept::SPECS]),
        tasks: &[Task::Regression],
        engine: ENGINE,
        stand_in: None,
    },
    build: |p, _| {
        let alpha = LassoParams::read(p)?.alpha;
        Ok(Box::new(ElasticNet::new(alpha, 1.0, p)?))
    },
};

pub static ELASTIC_NET: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "elastic_net",
        summary: "L1 + L2-penalised least squares (sklearn ElasticNet)",
        params: &concat::<5>(&[ElasticNetParams::SPECS, Descent::SPECS, Intercept::SPECS]),
        tasks: &[Task::Regression],
        engine: ENGINE,
        stand_in: None,
    },
    build: |p, _| {
        let own = ElasticNetParams::read(p)?;
        Ok(Box::new(ElasticNet::new(own.alpha, own.l1_ratio, p)?))
    },
};

struct ElasticNet {
    settings: Settings,
    fit_intercept: bool,
}

impl ElasticNet {
    fn new(alpha: f64, l1_ratio: f64, p: &Params) -> Result<Self> {
        let descent = Descent::read(p)?;
        Ok(ElasticNet {
            settings: Settings {
                alpha,
                l1_ratio,
                max_iter: descent.max_iter,
                tol: descent.tol,
            },
            fit_intercept: Intercept::read(p)?.fit_intercept,
        })
    }
}

/// One elastic-net fit from zero coefficients.
pub fn fit_from_zero(x: &Matrix, y: &[f64], s: &Settings, fit_intercept: bool) -> LinearFit {
    let g = Gram::new(x, y, fit_intercept);
    let mut w = vec![0.0; g.p];
    descend(&g, s, &mut w);
    g.model(w)
}

impl Model for ElasticNet {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        // One contiguous matrix for the solver: a fold's rows are copied here, once.
        let x = t.x.matrix();
        Ok(Box::new(fit_from_zero(
            &x,
            t.y,
            &self.settings,
            self.fit_intercept,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lasso_zeroes_a_useless_feature() {
        // y = 3·a + noise-free; b is unrelated to y.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let b = [0.3, -1.0, 0.8, 0.1, -0.5, 0.9, -0.2, 0.4];
        let x = Matrix {
            data: a.iter().zip(&b).flat_map(|(u, v)| [*u, *v]).collect(),
            rows: 8,
            cols: 2,
            names: vec!["a".into(), "b".into()],
        };
        let y: Vec<f64> = a.iter().map(|v| 3.0 * v + 1.0).collect();
        let s = Settings {
            alpha: 0.1,
            l1_ratio: 1.0,
            max_iter: 1000,
            tol: 1e-8,
        };
        let m = fit_from_zero(&x, &y, &s, true);
        assert_eq!(m.coef[1], 0.0, "{:?}", m.coef);
        // One active feature: w = (Σxy/n − α) / (Σx²/n) on centred data, Σx²/n = 5.25.
        let expect = (3.0 * 5.25 - 0.1) / 5.25;
        assert!((m.coef[0] - expect).abs() < 1e-9, "{:?}", m.coef);
        assert!((m.intercept - (14.5 - 4.5 * expect)).abs() < 1e-9);
    }

    #[test]
    fn agrees_with_linfa_elasticnet_once_x_is_centred() {
        // linfa-elasticnet runs the same descent (residual form) but centres only y; with X
        // centred beforehand both solve sklearn's problem and must agree.
        let (n, p) = (40, 5);
        let cell = |i: usize, j: usize| {
            (((i * 31 + j * 17) % 23) as f64 / 7.0).sin() + (j as f64) * 0.1 * (i as f64 / 10.0)
        };
        let mut data: Vec<f64> = (0..n * p).map(|k| cell(k / p, k % p)).collect();
        for j in 0..p {
            let m = (0..n).map(|i| data[i * p + j]).sum::<f64>() / n as f64;
            (0..n).for_each(|i| data[i * p + j] -= m);
        }
        let y: Vec<f64> = (0..n)
            .map(|i| 2.0 * data[i * p] - data[i * p + 2] + 0.3 * cell(i, 7))
            .collect();
        let x = Matrix {
            data: data.clone(),
            rows: n,
            cols: p,
            names: (0..p).map(|j| format!("x{j}")).collect(),
        };
        for (alpha, l1_ratio) in [(0.01, 1.0), (0.05, 0.5)] {
            let s = Settings {
                alpha,
                l1_ratio,
                max_iter: 10_000,
                tol: 1e-10,
            };
            let ours = fit_from_zero(&x, &y, &s, true);
            use linfa::prelude::*;
            let ds = linfa::Dataset::new(
                ndarray::Array2::from_shape_vec((n, p), data.clone()).unwrap(),
                ndarray::Array1::from(y.clone()),
            );
            let theirs = linfa_elasticnet::ElasticNet::params()
                .penalty(alpha)
                .l1_ratio(l1_ratio)
                .tolerance(1e-10)
                .max_iterations(10_000)
                .fit(&ds)
                .unwrap();
            for (a, b) in ours.coef.iter().zip(theirs.hyperplane()) {
                assert!(
                    (a - b).abs() < 1e-8,
                    "{:?} vs {}",
                    ours.coef,
                    theirs.hyperplane()
                );
            }
            assert!((ours.intercept - theirs.intercept()).abs() < 1e-8);
        }
    }
}
