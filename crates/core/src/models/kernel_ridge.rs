//! Kernel ridge regression with sklearn's `KernelRidge` semantics: the dual coefficients solve
//! (K + αI) c = y on the training kernel K, and a prediction is K(x, X_train)·c. Like sklearn
//! there is no intercept (published House Prices blends rely on that: the polynomial kernel's
//! coef0 stands in for it), and the kernels are sklearn's `pairwise_kernels` with its defaults
//! (gamma = 1/n_features when unset, coef0 = 1, degree = 3).
//!
//! Our own solve because linfa has no kernel ridge. K + αI is symmetric positive definite for
//! α > 0 and a positive semi-definite kernel, so one Cholesky factorisation (the n×n system,
//! n ≈ 1,460 rows for House Prices) solves it, as sklearn's `_solve_cholesky_kernel` does.
//! sklearn falls back to least squares when the factorisation fails (α = 0, or a sigmoid kernel
//! that is not positive definite); that is an error here, so a replay never changes solver
//! silently.

use ndarray::ArrayView2;

use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty};

use super::linear::{cholesky, cholesky_solve, dot};
use super::{Model, ModelDef, Prediction, Trained, Training};
use crate::error::{Error, Result};
use crate::matrix::Matrix;

const KIND: &str = "kernel_ridge";

kreplay_recipe::named_enum! {
    /// The kernels by sklearn's names (`poly` is `polynomial`'s alias, as in sklearn).
    pub enum KernelName {
        Linear = "linear",
        Polynomial = "polynomial",
        Poly = "poly",
        Rbf = "rbf",
        Sigmoid = "sigmoid",
        Laplacian = "laplacian",
    }
}

params! {
    /// Kernel ridge's parameters.
    pub struct KernelRidgeParams {
        alpha: f64 = optional(
            Ty::Float,
            Lit::Float(1.0),
            "penalty added to the kernel's diagonal",
        )
        .min(0.0),
        kernel: KernelName = optional(
            Ty::Choice(KernelName::NAMES),
            Lit::Str("linear"),
            "x·y, (gamma x·y + coef0)^degree, exp(-gamma |x-y|²), tanh(gamma x·y + coef0) or exp(-gamma |x-y|₁)",
        ),
        gamma: Option<f64> = optional(
            Ty::Float,
            Lit::None,
            "kernel scale for polynomial, rbf, sigmoid and laplacian (default 1/n_features, as sklearn)",
        )
        .min(0.0),
        degree: f64 = optional(Ty::Float, Lit::Float(3.0), "polynomial degree").min(0.0),
        coef0: f64 = optional(
            Ty::Float,
            Lit::Float(1.0),
            "constant of the polynomial and sigmoid kernels",
        ),
    }
}

pub static KERNEL_RIDGE: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: KIND,
        summary:
            "kernel ridge regression (sklearn KernelRidge): no intercept, Cholesky on K + alpha·I",
        params: KernelRidgeParams::SPECS,
        tasks: &[Task::Regression],
        engine: "kreplay closed form (Cholesky on the n×n kernel)",
        stand_in: None,
    },
    build: |p, _| {
        let p = KernelRidgeParams::read(p)?;
        let kernel = match p.kernel {
            KernelName::Linear => Kernel::Linear,
            KernelName::Polynomial | KernelName::Poly => Kernel::Polynomial,
            KernelName::Rbf => Kernel::Rbf,
            KernelName::Sigmoid => Kernel::Sigmoid,
            KernelName::Laplacian => Kernel::Laplacian,
        };
        Ok(Box::new(KernelRidge {
            alpha: p.alpha,
            kernel: KernelFn {
                kernel,
                gamma: p.gamma,
                degree: p.degree,
                coef0: p.coef0,
            },
        }))
    },
};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kernel {
    Linear,
    Polynomial,
    Rbf,
    Sigmoid,
    Laplacian,
}

#[derive(Debug, Clone, Copy)]
struct KernelFn {
    kernel: Kernel,
    /// None: 1/n_features, resolved on the training columns.
    gamma: Option<f64>,
    degree: f64,
    coef0: f64,
}

impl KernelFn {
    /// K(a, b), a.rows × b.rows row-major, as sklearn's `pairwise_kernels(a, b)`. `same` says
    /// a is b, where sklearn zeroes the diagonal of the squared distances.
    fn matrix(&self, a: &Matrix, b: &Matrix, same: bool) -> Vec<f64> {
        let gamma = self.gamma.unwrap_or(1.0 / a.cols.max(1) as f64);
        if self.kernel == Kernel::Laplacian {
            let mut k = Vec::with_capacity(a.rows * b.rows);
            for i in 0..a.rows {
                let ra = a.row(i);
                for j in 0..b.rows {
                    let l1: f64 = ra.iter().zip(b.row(j)).map(|(x, y)| (x - y).abs()).sum();
                    k.push((-gamma * l1).exp());
                }
            }
            return k;
        }
        // One matrix product carries the cost; the kernels are elementwise functions of it.
        let va = ArrayView2::from_shape((a.rows, a.cols), &a.data).expect("rows × cols");
        let vb = ArrayView2::from_shape((b.rows, b.cols), &b.data).expect("rows × cols");
        let mut k = va.dot(&vb.t()).into_raw_vec_and_offset().0;
        match self.kernel {
            Kernel::Linear | Kernel::Laplacian => {}
            Kernel::Polynomial => k
                .iter_mut()
                .for_each(|v| *v = (gamma * *v + self.coef0).powf(self.degree)),
            Kernel::Sigmoid => k
                .iter_mut()
                .for_each(|v| *v = (gamma * *v + self.coef0).tanh()),
            Kernel::Rbf => {
                // sklearn's euclidean_distances: |a|² − 2a·b + |b|², clipped at 0.
                let sq = |m: &Matrix| -> Vec<f64> {
                    (0..m.rows).map(|i| dot(m.row(i), m.row(i))).collect()
                };
                let (na, nb) = (sq(a), sq(b));
                for i in 0..a.rows {
                    for j in 0..b.rows {
                        let v = &mut k[i * b.rows + j];
                        let d = if same && i == j {
                            0.0
                        } else {
                            (na[i] - 2.0 * *v + nb[j]).max(0.0)
                        };
                        *v = (-gamma * d).exp();
                    }
                }
            }
        }
        k
    }
}

struct KernelRidge {
    alpha: f64,
    kernel: KernelFn,
}

impl Model for KernelRidge {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        // One contiguous matrix for the solver: a fold's rows are copied here, once.
        let x = t.x.matrix();
        let n = x.rows;
        if n == 0 {
            return Err(Error::model(KIND, "no training rows"));
        }
        let mut kernel = self.kernel;
        kernel.gamma = Some(kernel.gamma.unwrap_or(1.0 / x.cols.max(1) as f64));
        let mut k = kernel.matrix(&x, &x, true);
        if k.iter().any(|v| !v.is_finite()) {
            return Err(Error::model(
                KIND,
                "the kernel matrix has non-finite values (overflow in the polynomial kernel?); scale the features",
            ));
        }
        for i in 0..n {
            k[i * n + i] += self.alpha;
        }
        let l = cholesky(k, n, |_, _, d| d > 0.0).map_err(|i| {
            Error::model(
                KIND,
                format!(
                    "K + alpha·I is not positive definite (at training row {}): alpha = 0 with duplicate rows, or a sigmoid kernel; use alpha > 0 or another kernel",
                    i + 1
                ),
            )
        })?;
        let dual = cholesky_solve(&l, t.y.to_vec(), n);
        Ok(Box::new(TrainedKernelRidge {
            kernel,
            x: x.clone().into_owned(),
            dual,
        }))
    }
}

struct TrainedKernelRidge {
    kernel: KernelFn,
    x: Matrix,
    dual: Vec<f64>,
}

impl Trained for TrainedKernelRidge {
    fn predict(&self, x: &Matrix) -> Result<Prediction> {
        super::same_width(KIND, self.x.cols, x)?;
        let k = self.kernel.matrix(x, &self.x, false);
        let n = self.x.rows;
        let values = k.chunks_exact(n).map(|row| dot(row, &self.dual)).collect();
        Ok(Prediction {
            values,
            proba: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Rows;

    fn table() -> (Matrix, Vec<f64>, Matrix) {
        let x = Matrix {
            data: vec![
                0.0, 1.0, 2.0, 1.0, 0.5, -1.0, 2.0, -1.0, 0.0, 3.0, 2.0, 1.0, -1.0, 0.0, 0.5,
            ],
            rows: 5,
            cols: 3,
            names: vec!["a".into(), "b".into(), "c".into()],
        };
        let test = Matrix {
            data: vec![0.5, 0.5, 0.5, 2.0, 1.0, -0.5],
            rows: 2,
            cols: 3,
            names: x.names.clone(),
        };
        (x, vec![1.0, 2.0, 0.5, 3.0, -1.0], test)
    }

    fn predict(
        kernel: Kernel,
        alpha: f64,
        gamma: Option<f64>,
        degree: f64,
        coef0: f64,
    ) -> Vec<f64> {
        let (x, y, test) = table();
        let model = KernelRidge {
            alpha,
            kernel: KernelFn {
                kernel,
                gamma,
                degree,
                coef0,
            },
        };
        let t = Training {
            x: Rows::all(&x),
            y: &y,
            task: Task::Regression,
        };
        model.fit(&t).unwrap().predict(&test).unwrap().values
    }

    /// kernel, alpha, gamma, degree, coef0, expected predictions.
    type Case = (Kernel, f64, Option<f64>, f64, f64, [f64; 2]);

    /// Expected values: sklearn 1.9.1 `KernelRidge(**kw).fit(X, y).predict(T)` on this table.
    #[test]
    fn matches_sklearn() {
        let cases: [Case; 6] = [
            (
                Kernel::Linear,
                1.0,
                None,
                3.0,
                1.0,
                [0.6032955350815027, 2.020907158043941],
            ),
            (
                Kernel::Polynomial,
                0.6,
                None,
                2.0,
                2.5,
                [0.8080602993453734, 2.4170335240601237],
            ),
            (
                Kernel::Rbf,
                0.1,
                Some(0.3),
                3.0,
                1.0,
                [0.8616443387513231, 1.8987554903608796],
            ),
            (
                Kernel::Rbf,
                0.5,
                None,
                3.0,
                1.0,
                [0.6132117921785667, 1.304404195423879],
            ),
            (
                Kernel::Laplacian,
                2.0,
                Some(0.7),
                3.0,
                1.0,
                [0.18412199917210229, 0.27542974003906356],
            ),
            (
                Kernel::Sigmoid,
                1.0,
                Some(0.2),
                3.0,
                0.1,
                [0.8529648424109422, 1.5779188630678882],
            ),
        ];
        for (kernel, alpha, gamma, degree, coef0, expect) in cases {
            let got = predict(kernel, alpha, gamma, degree, coef0);
            for (g, e) in got.iter().zip(expect) {
                assert!((g - e).abs() < 1e-8, "{kernel:?}: {got:?} vs {expect:?}");
            }
        }
    }

    #[test]
    fn singular_system_is_an_error() {
        let (x, _, _) = table();
        let dup = x.take(&[0, 0, 1]);
        let model = KernelRidge {
            alpha: 0.0,
            kernel: KernelFn {
                kernel: Kernel::Linear,
                gamma: None,
                degree: 3.0,
                coef0: 1.0,
            },
        };
        let t = Training {
            x: Rows::all(&dup),
            y: &[1.0, 1.0, 2.0],
            task: Task::Regression,
        };
        let err = model.fit(&t).err().expect("singular").to_string();
        assert!(err.contains("not positive definite"), "{err}");
    }
}
