//! LassoCV with sklearn's semantics: the alphas sorted from largest to smallest; an inner
//! unshuffled `KFold(cv)` over the rows the model is fitted on (so inside an outer CV fold it
//! is nested CV); in each inner fold a warm-started path (each alpha starts from the previous
//! alpha's coefficients), scored by the mean squared error on the inner validation rows; the
//! alpha with the lowest mean MSE over the inner folds wins (ties: the larger alpha, the first
//! in sklearn's descending order); then a plain Lasso with that alpha is refitted on all the
//! rows, from zero.
//!
//! The inner CV defaults to 5 folds, as in sklearn >= 0.22 (3 before; a recipe replaying an
//! older notebook sets `cv = 3`).

use kreplay_recipe::declare::concat;
use kreplay_recipe::{params, Lit, ModelSpec, Scheme, Task, Ty};

use super::coordinate_descent::{descend, Settings};
use super::elastic_net::{Descent, Intercept};
use super::linear::Blocks;
use super::{Model, ModelDef, Trained, Training};
use crate::error::{Error, Result};
use crate::folds;
use crate::matrix::Matrix;

params! {
    /// LassoCV's own parameters, before the solver's and the intercept's.
    pub struct LassoCvParams {
        alphas: Vec<f64> = required(
            Ty::FloatList,
            "candidate alphas (sklearn's Lasso scale)",
        ),
        cv: usize = optional(
            Ty::Int,
            Lit::Int(5),
            "inner folds, unshuffled KFold (sklearn < 0.22 used 3)",
        )
        .min(2.0),
    }
}

pub static LASSO_CV: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "lasso_cv",
        summary:
            "Lasso whose alpha is chosen by an inner K-fold CV (sklearn LassoCV with given alphas)",
        params: &concat::<5>(&[LassoCvParams::SPECS, Descent::SPECS, Intercept::SPECS]),
        tasks: &[Task::Regression],
        engine: "kreplay coordinate descent (sklearn cd_fast semantics)",
        stand_in: None,
    },
    build: |p, _| {
        let own = LassoCvParams::read(p)?;
        let descent = Descent::read(p)?;
        let mut alphas = own.alphas;
        if alphas.is_empty() {
            return Err(p.error("alphas", "needs at least one alpha").into());
        }
        if let Some(bad) = alphas.iter().find(|a| **a < 0.0 || !a.is_finite()) {
            return Err(p
                .error("alphas", format!("{bad} is not a valid alpha (>= 0)"))
                .into());
        }
        alphas.sort_by(|a, b| b.total_cmp(a));
        Ok(Box::new(LassoCv {
            alphas,
            cv: own.cv,
            max_iter: descent.max_iter,
            tol: descent.tol,
            fit_intercept: Intercept::read(p)?.fit_intercept,
        }))
    },
};

struct LassoCv {
    /// Largest first.
    alphas: Vec<f64>,
    cv: usize,
    max_iter: usize,
    tol: f64,
    fit_intercept: bool,
}

impl LassoCv {
    fn settings(&self, alpha: f64) -> Settings {
        Settings {
            alpha,
            l1_ratio: 1.0,
            max_iter: self.max_iter,
            tol: self.tol,
        }
    }

    /// Mean squared error of every alpha, averaged over the inner folds (whose validation
    /// rows are the blocks of `blocks`).
    fn path_mse(
        &self,
        x: &Matrix,
        y: &[f64],
        splits: &[folds::Split],
        blocks: &Blocks,
    ) -> Vec<f64> {
        let mut mse = vec![0.0; self.alphas.len()];
        for (f, split) in splits.iter().enumerate() {
            let g = blocks.gram(|b| b != f);
            let valid_x = x.take(&split.valid);
            let mut w = vec![0.0; g.p];
            for (a, alpha) in self.alphas.iter().enumerate() {
                descend(&g, &self.settings(*alpha), &mut w);
                let pred = g.model(w.clone()).predict_rows(&valid_x);
                let sq: f64 = pred
                    .iter()
                    .zip(&split.valid)
                    .map(|(p, &i)| (p - y[i]).powi(2))
                    .sum();
                mse[a] += sq / split.valid.len() as f64;
            }
        }
        mse.iter_mut().for_each(|m| *m /= splits.len() as f64);
        mse
    }
}

impl Model for LassoCv {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        // One contiguous matrix for the solver: a fold's rows are copied here, once.
        let x = t.x.matrix();
        if x.rows < self.cv {
            return Err(Error::model(
                "lasso_cv",
                format!("cv = {} folds but only {} rows", self.cv, x.rows),
            ));
        }
        let scheme = Scheme::KFold {
            k: self.cv,
            shuffle: false,
            stratified: false,
            seed: 0,
        };
        let splits = folds::splits(&scheme, t.y);
        let valid: Vec<Vec<usize>> = splits.iter().map(|s| s.valid.clone()).collect();
        let blocks = Blocks::new(&x, t.y, &valid, self.fit_intercept);
        let mse = self.path_mse(&x, t.y, &splits, &blocks);
        // The first minimum in descending order: ties go to the larger alpha (numpy argmin).
        let mut best = 0;
        for (i, m) in mse.iter().enumerate() {
            if *m < mse[best] {
                best = i;
            }
        }
        // The refit: a plain Lasso on every row, from zero.
        let g = blocks.gram(|_| true);
        let mut w = vec![0.0; g.p];
        descend(&g, &self.settings(self.alphas[best]), &mut w);
        Ok(Box::new(g.model(w)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Matrix;
    use crate::matrix::Rows;

    #[test]
    fn picks_the_alpha_with_the_lowest_inner_mse_and_refits() {
        // y = 3a − 2 plus a wiggle; alpha 100 zeroes every coefficient, 0.001 barely shrinks.
        let n = 30;
        let a: Vec<f64> = (0..n).map(|i| i as f64 / 3.0).collect();
        let b: Vec<f64> = (0..n).map(|i| ((i * 7) % 5) as f64).collect();
        let x = Matrix {
            data: a.iter().zip(&b).flat_map(|(u, v)| [*u, *v]).collect(),
            rows: n,
            cols: 2,
            names: vec!["a".into(), "b".into()],
        };
        let y: Vec<f64> = (0..n)
            .map(|i| 3.0 * a[i] - 2.0 + 0.01 * ((i % 3) as f64))
            .collect();
        let model = LassoCv {
            alphas: vec![100.0, 0.001],
            cv: 5,
            max_iter: 1000,
            tol: 1e-4,
            fit_intercept: true,
        };
        let mse = model.path_mse(
            &x,
            &y,
            &folds::splits(
                &Scheme::KFold {
                    k: 5,
                    shuffle: false,
                    stratified: false,
                    seed: 0,
                },
                &y,
            ),
            &Blocks::new(
                &x,
                &y,
                &(0..5)
                    .map(|f| (f * 6..f * 6 + 6).collect())
                    .collect::<Vec<_>>(),
                true,
            ),
        );
        assert!(mse[1] < mse[0] / 100.0, "{mse:?}");
        let t = Training {
            x: Rows::all(&x),
            y: &y,
            task: Task::Regression,
        };
        let pred = model.fit(&t).unwrap().predict(&x).unwrap();
        assert!(
            (pred.values[10] - (3.0 * a[10] - 2.0)).abs() < 0.05,
            "{:?}",
            pred.values
        );
    }
}
