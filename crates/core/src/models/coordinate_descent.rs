//! Cyclic coordinate descent for the elastic net, as scikit-learn's `cd_fast` runs it, in its
//! Gram form (`enet_coordinate_descent_gram`, which sklearn itself uses inside LassoCV's path
//! whenever there are more rows than features).
//!
//! On centred data it minimises sklearn's objective
//! 1/(2n)‖y − Xw‖² + α·l1_ratio·‖w‖₁ + α(1 − l1_ratio)/2·‖w‖², i.e. n times that:
//! ½wᵀQw − qᵀw + λ₁‖w‖₁ + λ₂/2‖w‖² with Q = XᵀX, q = Xᵀy, λ₁ = α·l1_ratio·n, λ₂ = α(1−l1_ratio)·n.
//! Each sweep updates w₀…w_{p−1} in order by soft thresholding; after a sweep whose largest
//! change is below `tol` × the largest coefficient (or the last allowed sweep) the duality gap
//! is computed, and the descent stops once it is below `tol`·‖y‖². Like sklearn it starts from
//! the given coefficients, which is how LassoCV warm-starts each alpha from the previous one.
//!
//! Why not linfa-elasticnet (whose penalty and l1_ratio are on this same scale, and whose loop
//! is this same algorithm in residual form): it centres y but not X, so with an intercept it
//! solves a different problem from sklearn's unless X is centred beforehand; it cannot start
//! from given coefficients (LassoCV's warm starts); and it inverts XᵀX on every fit for
//! variance estimates nobody here reads. The Gram form costs O(p) per coordinate instead of
//! O(n), which matters for LassoCV's 21 fits per fold (the Gram matrices themselves come from
//! `linear::Blocks`, one pass over the rows per LassoCV fit).

use super::linear::{dot, Gram};

#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub alpha: f64,
    pub l1_ratio: f64,
    pub max_iter: usize,
    pub tol: f64,
}

/// Runs the descent from `w` (updated in place). The number of sweeps it took, or `None` when
/// `max_iter` sweeps did not reach the tolerance (sklearn's ConvergenceWarning: the
/// coefficients are kept all the same, as sklearn keeps them).
pub fn descend(pr: &Gram, s: &Settings, w: &mut [f64]) -> Option<usize> {
    let p = pr.p;
    let n = pr.n as f64;
    let l1 = s.alpha * s.l1_ratio * n;
    let l2 = s.alpha * (1.0 - s.l1_ratio) * n;
    let tol = s.tol * pr.yty;
    let row = |j: usize| &pr.xtx[j * p..(j + 1) * p];
    // h = Qw, kept up to date as w changes.
    let mut h: Vec<f64> = (0..p).map(|j| dot(row(j), w)).collect();
    for n_iter in 0..s.max_iter {
        let (mut w_max, mut d_w_max) = (0.0f64, 0.0f64);
        for j in 0..p {
            let qjj = pr.xtx[j * p + j];
            if qjj == 0.0 {
                continue;
            }
            let old = w[j];
            if old != 0.0 {
                axpy(-old, row(j), &mut h);
            }
            let tmp = pr.xty[j] - h[j];
            w[j] = tmp.signum() * (tmp.abs() - l1).max(0.0) / (qjj + l2);
            if w[j] != 0.0 {
                axpy(w[j], row(j), &mut h);
            }
            d_w_max = d_w_max.max((w[j] - old).abs());
            w_max = w_max.max(w[j].abs());
        }
        // The gap is only worth computing once the coefficients have settled (or at the end).
        let settled = w_max == 0.0 || d_w_max / w_max < s.tol || n_iter + 1 == s.max_iter;
        if settled && duality_gap(pr, w, &h, l1, l2) < tol {
            return Some(n_iter + 1);
        }
    }
    None
}

/// y += a·x
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// sklearn's duality gap of the Gram form (h = Qw).
fn duality_gap(pr: &Gram, w: &[f64], h: &[f64], l1: f64, l2: f64) -> f64 {
    let q_dot_w = dot(w, &pr.xty);
    let dual_norm = (0..pr.p)
        .map(|j| (pr.xty[j] - h[j] - l2 * w[j]).abs())
        .fold(0.0, f64::max);
    let r_norm2 = pr.yty + dot(w, h) - 2.0 * q_dot_w;
    let w_norm2 = dot(w, w);
    let (c, mut gap) = if dual_norm > l1 {
        let c = l1 / dual_norm;
        (c, 0.5 * (r_norm2 + r_norm2 * c * c))
    } else {
        (1.0, r_norm2)
    };
    let l1_norm: f64 = w.iter().map(|v| v.abs()).sum();
    gap += l1 * l1_norm - c * pr.yty + c * q_dot_w + 0.5 * l2 * (1.0 + c * c) * w_norm2;
    gap
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Matrix;

    #[test]
    fn no_penalty_is_least_squares_and_a_big_one_zeroes_everything() {
        // y = 2a − b exactly.
        let rows = [[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [3.0, 5.0], [1.0, 2.0]];
        let x = Matrix {
            data: rows.iter().flatten().copied().collect(),
            rows: 5,
            cols: 2,
            names: vec!["a".into(), "b".into()],
        };
        let y: Vec<f64> = rows.iter().map(|r| 2.0 * r[0] - r[1]).collect();
        let pr = Gram::new(&x, &y, true);
        let mut w = vec![0.0; 2];
        let s = Settings {
            alpha: 0.0,
            l1_ratio: 1.0,
            max_iter: 10_000,
            tol: 1e-12,
        };
        assert!(descend(&pr, &s, &mut w).is_some());
        assert!(
            (w[0] - 2.0).abs() < 1e-6 && (w[1] + 1.0).abs() < 1e-6,
            "{w:?}"
        );
        let mut w = vec![0.0; 2];
        descend(&pr, &Settings { alpha: 100.0, ..s }, &mut w);
        assert_eq!(w, vec![0.0, 0.0]);
    }
}
