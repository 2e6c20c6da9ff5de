//! What the linear regressors share: sklearn's centring (`_preprocess_data`: with an intercept,
//! X and y are centred on the training rows, the penalised problem is solved without an
//! intercept, and the intercept is ȳ − x̄·w, so it is never penalised), the centred problem in
//! Gram form (XᵀX, Xᵀy, ‖y‖²), the Cholesky solve, and the fitted model y = x·w + b.
//!
//! The Gram form is built from per-block sums ([`Blocks`]), so that LassoCV's inner folds,
//! which each leave one block out, cost one pass over the rows instead of one per fold. The
//! sums are taken around the mean of all the rows (a shift), so that centring each union of
//! blocks only subtracts the small differences of means and loses no precision.

use ndarray::{Array1, Array2, Axis};

use super::{Prediction, Trained};
use crate::error::Result;
use crate::matrix::Matrix;

/// Σ a·b; four accumulators, so that even an unoptimised build runs it quickly.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// The least-squares problem on centred training rows, in Gram form.
pub struct Gram {
    pub n: usize,
    pub p: usize,
    /// XᵀX of the centred rows, p×p row-major.
    pub xtx: Vec<f64>,
    /// Xᵀy of the centred rows.
    pub xty: Vec<f64>,
    /// ‖y‖² of the centred target.
    pub yty: f64,
    pub x_mean: Vec<f64>,
    pub y_mean: f64,
}

impl Gram {
    /// The problem on all rows of `x`.
    pub fn new(x: &Matrix, y: &[f64], fit_intercept: bool) -> Gram {
        let all: Vec<usize> = (0..x.rows).collect();
        Blocks::new(x, y, &[all], fit_intercept).gram(|_| true)
    }

    /// The model with coefficients `coef` on this centred problem: its intercept is ȳ − x̄·w.
    pub fn model(&self, coef: Vec<f64>) -> LinearFit {
        let intercept = self.y_mean - dot(&self.x_mean, &coef);
        LinearFit { coef, intercept }
    }
}

/// Sums over one block of rows, around the shift.
struct Sums {
    n: usize,
    sx: Array1<f64>,
    sy: f64,
    sxx: Array2<f64>,
    sxy: Array1<f64>,
    syy: f64,
}

/// Per-block sums from which the Gram form of any union of blocks follows.
pub struct Blocks {
    fit_intercept: bool,
    shift_x: Array1<f64>,
    shift_y: f64,
    parts: Vec<Sums>,
}

impl Blocks {
    /// `blocks` are disjoint row sets of `x`.
    pub fn new(x: &Matrix, y: &[f64], blocks: &[Vec<usize>], fit_intercept: bool) -> Blocks {
        let p = x.cols;
        let (shift_x, shift_y) = if fit_intercept && x.rows > 0 {
            let mut m = Array1::zeros(p);
            for i in 0..x.rows {
                m += &ndarray::ArrayView1::from(x.row(i));
            }
            let n = x.rows as f64;
            (m / n, y.iter().sum::<f64>() / n)
        } else {
            (Array1::zeros(p), 0.0)
        };
        let parts = blocks
            .iter()
            .map(|rows| {
                let mut z = Array2::zeros((rows.len(), p));
                let mut yz = Array1::zeros(rows.len());
                for (r, &i) in rows.iter().enumerate() {
                    let mut zr = z.row_mut(r);
                    zr.assign(&ndarray::ArrayView1::from(x.row(i)));
                    zr -= &shift_x;
                    yz[r] = y[i] - shift_y;
                }
                Sums {
                    n: rows.len(),
                    sx: z.sum_axis(Axis(0)),
                    sy: yz.sum(),
                    sxx: z.t().dot(&z),
                    sxy: z.t().dot(&yz),
                    syy: yz.dot(&yz),
                }
            })
            .collect();
        Blocks {
            fit_intercept,
            shift_x,
            shift_y,
            parts,
        }
    }

    /// The centred problem on the union of the blocks `include` accepts (by block index).
    pub fn gram(&self, include: impl Fn(usize) -> bool) -> Gram {
        let p = self.shift_x.len();
        let (mut n, mut sx, mut sy) = (0usize, Array1::zeros(p), 0.0);
        let (mut sxx, mut sxy, mut syy) = (Array2::zeros((p, p)), Array1::zeros(p), 0.0);
        for (b, part) in self.parts.iter().enumerate() {
            if include(b) {
                n += part.n;
                sx += &part.sx;
                sy += part.sy;
                sxx += &part.sxx;
                sxy += &part.sxy;
                syy += part.syy;
            }
        }
        let (x_mean, y_mean) = if self.fit_intercept && n > 0 {
            // Σ(z − z̄)(z − z̄)ᵀ = Σzzᵀ − (Σz)(Σz)ᵀ/n, and alike for the other sums.
            let nf = n as f64;
            let outer = sx
                .view()
                .insert_axis(Axis(1))
                .dot(&sx.view().insert_axis(Axis(0)));
            sxx = sxx - outer / nf;
            sxy = sxy - &sx * (sy / nf);
            syy -= sy * sy / nf;
            (&self.shift_x + &(&sx / nf), self.shift_y + sy / nf)
        } else {
            (Array1::zeros(p), 0.0)
        };
        Gram {
            n,
            p,
            xtx: sxx.into_raw_vec_and_offset().0,
            xty: sxy.to_vec(),
            yty: syy,
            x_mean: x_mean.to_vec(),
            y_mean,
        }
    }
}

/// A fitted linear model: y = x·coef + intercept.
#[derive(Debug, Clone)]
pub struct LinearFit {
    pub coef: Vec<f64>,
    pub intercept: f64,
}

impl LinearFit {
    pub fn predict_rows(&self, x: &Matrix) -> Vec<f64> {
        (0..x.rows)
            .map(|i| dot(x.row(i), &self.coef) + self.intercept)
            .collect()
    }
}

impl Trained for LinearFit {
    fn predict(&self, x: &Matrix) -> Result<Prediction> {
        Ok(Prediction {
            values: self.predict_rows(x),
            proba: None,
        })
    }

    fn explain(&self) -> Option<super::Explanation> {
        Some(super::Explanation {
            measure: super::COEFFICIENT,
            values: self.coef.iter().map(|c| c.abs()).collect(),
        })
    }
}

/// Cholesky factor L (A = LLᵀ, in the lower triangle of the returned row-major p×p buffer) of
/// a symmetric positive definite `a`. `accept(j, a_jj, d)` judges each pivot: d is the squared
/// length of column j's part not explained by the columns before it, a_jj its squared length.
/// A rejected pivot is `Err(j)`: column j is (numerically) a combination of earlier ones.
pub fn cholesky(
    mut a: Vec<f64>,
    p: usize,
    accept: impl Fn(usize, f64, f64) -> bool,
) -> std::result::Result<Vec<f64>, usize> {
    for j in 0..p {
        let row_j = &a[j * p..j * p + j];
        let a_jj = a[j * p + j];
        let d = a_jj - dot(row_j, row_j);
        if !d.is_finite() || !accept(j, a_jj, d) {
            return Err(j);
        }
        let d = d.sqrt();
        a[j * p + j] = d;
        // L[i][j] = (A[i][j] − Σ_k L[i][k] L[j][k]) / L[j][j] for the rows below.
        let (head, tail) = a.split_at_mut((j + 1) * p);
        let lj = &head[j * p..j * p + j];
        for row_i in tail.chunks_exact_mut(p) {
            row_i[j] = (row_i[j] - dot(&row_i[..j], lj)) / d;
        }
    }
    Ok(a)
}

/// Solves LLᵀx = b with the factor from [`cholesky`].
pub fn cholesky_solve(l: &[f64], mut b: Vec<f64>, p: usize) -> Vec<f64> {
    for i in 0..p {
        b[i] = (b[i] - dot(&l[i * p..i * p + i], &b[..i])) / l[i * p + i];
    }
    for i in (0..p).rev() {
        let mut s = b[i];
        for k in i + 1..p {
            s -= l[k * p + i] * b[k];
        }
        b[i] = s / l[i * p + i];
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centring_and_gram() {
        let x = Matrix {
            data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 9.0],
            rows: 3,
            cols: 2,
            names: vec!["a".into(), "b".into()],
        };
        let y = [1.0, 2.0, 6.0];
        let g = Gram::new(&x, &y, true);
        assert_eq!(g.x_mean, vec![3.0, 5.0]);
        assert_eq!(g.y_mean, 3.0);
        // centred a = [-2, 0, 2], b = [-3, -1, 4], y = [-2, -1, 3]
        assert_eq!(g.xtx, vec![8.0, 14.0, 14.0, 26.0]);
        assert_eq!(g.xty, vec![10.0, 19.0]);
        assert_eq!(g.yty, 14.0);
        let m = g.model(vec![1.0, 0.0]);
        assert_eq!(m.intercept, 0.0);
        assert_eq!(m.predict_rows(&x), vec![1.0, 3.0, 5.0]);
        // Rows 0 and 2 through blocks = the same rows directly.
        let blocks = Blocks::new(&x, &y, &[vec![0], vec![1], vec![2]], true);
        let two = blocks.gram(|b| b != 1);
        let direct = Gram::new(&x.take(&[0, 2]), &[1.0, 6.0], true);
        for (a, b) in two.xtx.iter().zip(&direct.xtx) {
            assert!((a - b).abs() < 1e-12, "{:?} {:?}", two.xtx, direct.xtx);
        }
        assert!((two.yty - direct.yty).abs() < 1e-12 && two.n == 2);
        assert_eq!(two.x_mean, direct.x_mean);
        let raw = Gram::new(&x, &y, false);
        assert_eq!(raw.xtx, vec![35.0, 59.0, 59.0, 101.0]);
        assert_eq!(raw.y_mean, 0.0);
    }

    #[test]
    fn cholesky_solves_and_names_the_dependent_column() {
        // A = [[4, 2], [2, 3]], b = [2, 1] → x = [0.5, 0]
        let l = cholesky(vec![4.0, 2.0, 2.0, 3.0], 2, |_, _, d| d > 0.0).unwrap();
        let x = cholesky_solve(&l, vec![2.0, 1.0], 2);
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15, "{x:?}");
        assert_eq!(
            cholesky(vec![1.0, 1.0, 1.0, 1.0], 2, |_, _, d| d > 0.0),
            Err(1)
        );
    }
}
