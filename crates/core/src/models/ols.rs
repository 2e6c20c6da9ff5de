//! Ordinary least squares (sklearn `LinearRegression`) on linfa-linear, which solves it by QR.
//! For a full-rank X that is sklearn's solution. With collinear features (e.g. every one-hot
//! level next to the intercept) sklearn's `lstsq` returns the minimum-norm solution, while
//! linfa's QR only refuses an exactly zero pivot and otherwise returns huge, meaningless
//! coefficients. So the rank is checked first (a Cholesky pass over the centred XᵀX: a column
//! whose part not explained by the earlier columns is below 1e-10 of its length is dependent),
//! and a collinear X is an error naming the column, not a silent difference.

use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_linear::LinearRegression;

use kreplay_recipe::{ModelSpec, Task};

use super::elastic_net::Intercept;
use super::linear::{cholesky, Gram, LinearFit};
use super::{Model, ModelDef, Trained, Training};
use crate::error::{Error, Result};

pub static LINEAR_REGRESSION: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "linear_regression",
        summary: "ordinary least squares (sklearn LinearRegression)",
        params: Intercept::SPECS,
        tasks: &[Task::Regression],
        engine: "linfa-linear",
        stand_in: None,
    },
    build: |p, _| {
        Ok(Box::new(Ols {
            fit_intercept: Intercept::read(p)?.fit_intercept,
        }))
    },
};

struct Ols {
    fit_intercept: bool,
}

impl Model for Ols {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        // One contiguous matrix for the solver: a fold's rows are copied here, once.
        let x = t.x.matrix();
        let g = Gram::new(&x, t.y, self.fit_intercept);
        cholesky(g.xtx, g.p, |_, a_jj, d| d > 1e-10 * a_jj).map_err(|j| {
            Error::model(
                "linear_regression",
                format!(
                    "column `{}` is (numerically) a linear combination of the columns before it{}; sklearn would return the minimum-norm solution, kreplay does not: drop a column (e.g. one_hot drop_first) or use ridge",
                    x.names[j],
                    if self.fit_intercept { " and the intercept" } else { "" }
                ),
            )
        })?;
        let ds = DatasetBase::new(
            x.clone().into_owned().into_ndarray(),
            ndarray::Array1::from(t.y.to_vec()),
        );
        let fitted = LinearRegression::new()
            .with_intercept(self.fit_intercept)
            .fit(&ds)
            .map_err(|e| Error::model("linear_regression", e.to_string()))?;
        Ok(Box::new(LinearFit {
            coef: fitted.params().to_vec(),
            intercept: fitted.intercept(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Matrix;
    use crate::matrix::Rows;

    #[test]
    fn fits_an_exact_plane_and_rejects_collinear_columns() {
        // y = 1 + 2a − b
        let rows = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [2.0, 3.0]];
        let x = Matrix {
            data: rows.iter().flatten().copied().collect(),
            rows: 4,
            cols: 2,
            names: vec!["a".into(), "b".into()],
        };
        let y: Vec<f64> = rows.iter().map(|r| 1.0 + 2.0 * r[0] - r[1]).collect();
        let t = Training {
            x: Rows::all(&x),
            y: &y,
            task: Task::Regression,
        };
        let ols = Ols {
            fit_intercept: true,
        };
        let pred = ols.fit(&t).unwrap().predict(&x).unwrap();
        for (p, e) in pred.values.iter().zip(&y) {
            assert!((p - e).abs() < 1e-10, "{:?}", pred.values);
        }
        let twice = Matrix {
            data: rows.iter().flat_map(|r| [r[0], 2.0 * r[0]]).collect(),
            ..x.clone()
        };
        let t = Training {
            x: Rows::all(&twice),
            ..t
        };
        assert!(ols.fit(&t).is_err());
    }
}
