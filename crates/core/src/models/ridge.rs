//! Ridge regression with sklearn's `Ridge` semantics: minimise ‖y − Xw − b‖² + α‖w‖², the
//! intercept unpenalised (X and y centred first), solved in closed form as sklearn's dense
//! "cholesky" solver does: (XᵀX + αI) w = Xᵀy.
//!
//! Our own solve rather than linfa: linfa-elasticnet's `ridge()` penalises on the loss ÷ n
//! scale (sklearn's alpha would be penalty × n_samples) and iterates by coordinate descent to a
//! tolerance, while published Ridge scores come from the exact closed form. The p×p system
//! (p ≈ 300 for House Prices) is solved by Cholesky, which the added αI keeps well defined.

use kreplay_recipe::declare::concat;
use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty};

use super::elastic_net::Intercept;
use super::linear::{cholesky, cholesky_solve, Gram};
use super::{Model, ModelDef, Trained, Training};
use crate::error::{Error, Result};

params! {
    /// Ridge's own parameter, before [`Intercept`].
    pub struct RidgeParams {
        alpha: f64 = optional(
            Ty::Float,
            Lit::Float(1.0),
            "penalty on ‖w‖² (sklearn's scale: not divided by the number of rows)",
        )
        .min(0.0),
    }
}

pub static RIDGE: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "ridge",
        summary: "L2-penalised least squares (sklearn Ridge, closed form)",
        params: &concat::<2>(&[RidgeParams::SPECS, Intercept::SPECS]),
        tasks: &[Task::Regression],
        engine: "kreplay closed form (Cholesky; linfa's ridge is on another scale)",
        stand_in: None,
    },
    build: |p, _| {
        Ok(Box::new(Ridge {
            alpha: RidgeParams::read(p)?.alpha,
            fit_intercept: Intercept::read(p)?.fit_intercept,
        }))
    },
};

struct Ridge {
    alpha: f64,
    fit_intercept: bool,
}

impl Model for Ridge {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        // One contiguous matrix for the solver: a fold's rows are copied here, once.
        let x = t.x.matrix();
        let g = Gram::new(&x, t.y, self.fit_intercept);
        let mut a = g.xtx.clone();
        for j in 0..g.p {
            a[j * g.p + j] += self.alpha;
        }
        let l = cholesky(a, g.p, |_, _, d| d > 0.0).map_err(|j| {
            Error::model(
                "ridge",
                format!(
                    "XᵀX + alpha·I is singular at `{}` (alpha = 0 with collinear features); use alpha > 0",
                    x.names[j]
                ),
            )
        })?;
        let w = cholesky_solve(&l, g.xty.clone(), g.p);
        Ok(Box::new(g.model(w)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Matrix;
    use crate::matrix::Rows;

    #[test]
    fn ridge_matches_the_closed_form() {
        // One feature x = [0, 1, 2], y = [0, 1, 5]: centred x = [-1, 0, 1], centred
        // y = [-2, -1, 3], Σx² = 2, Σxy = 5. alpha = 1: w = 5 / (2 + 1) = 5/3, intercept =
        // ȳ − x̄·w = 2 − 5/3 = 1/3. (sklearn Ridge(alpha=1) gives the same.)
        let x = Matrix {
            data: vec![0.0, 1.0, 2.0],
            rows: 3,
            cols: 1,
            names: vec!["x".into()],
        };
        let y = [0.0, 1.0, 5.0];
        let build = |alpha: f64| Ridge {
            alpha,
            fit_intercept: true,
        };
        let t = Training {
            x: Rows::all(&x),
            y: &y,
            task: Task::Regression,
        };
        let pred = build(1.0).fit(&t).unwrap().predict(&x).unwrap();
        let expect = [1.0 / 3.0, 2.0, 11.0 / 3.0];
        for (p, e) in pred.values.iter().zip(expect) {
            assert!((p - e).abs() < 1e-12, "{:?}", pred.values);
        }
        // alpha = 0 is ordinary least squares: w = 2.5, b = −0.5.
        let pred = build(0.0).fit(&t).unwrap().predict(&x).unwrap();
        assert!((pred.values[0] + 0.5).abs() < 1e-12, "{:?}", pred.values);
    }
}
