//! Limited-memory BFGS for smooth unconstrained objectives, with the stopping rules of the
//! solver scikit-learn's `lbfgs` calls (SciPy's L-BFGS-B with no bounds): ten correction
//! pairs, a first step of length `1 / ‖g‖₂`, a strong-Wolfe line search (sufficient decrease
//! 1e-3, curvature 0.9, at most 50 trials), and a stop when the largest gradient component is
//! at most `gtol` or an iteration lowers the objective by at most `ftol` relative.
//!
//! The path differs from SciPy's in the line search's interpolation (Nocedal & Wright's zoom,
//! not Moré–Thuente's `dcsrch`), so iterates agree with scikit-learn's only as both approach
//! the one minimum of a strictly convex objective; the tests compare at a tight tolerance.

/// When to stop.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub max_iter: usize,
    /// Stop when the gradient's `norm` is at most this.
    pub gtol: f64,
    pub norm: Norm,
    /// Stop when an iteration lowers the objective by at most this, relative.
    pub ftol: f64,
}

/// How the gradient is measured against `gtol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Norm {
    /// The largest component (SciPy's projected-gradient rule).
    Max,
    /// The Euclidean length (liblinear's rule).
    Euclidean,
}

impl Norm {
    fn of(self, g: &[f64]) -> f64 {
        match self {
            Norm::Max => g.iter().fold(0.0, |m, v| m.max(v.abs())),
            Norm::Euclidean => norm(g),
        }
    }
}

const MEMORY: usize = 10;
const SUFFICIENT_DECREASE: f64 = 1e-3;
const CURVATURE: f64 = 0.9;
const MAX_LINE_SEARCH: usize = 50;

/// Minimises `f` from `x0` and returns where it stopped (after `max_iter` iterations at most,
/// as SciPy, which scikit-learn then warns about); `f(x, g)` returns the objective and writes
/// its gradient into `g`.
pub fn minimize(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: Vec<f64>,
    o: Options,
) -> Vec<f64> {
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut pairs: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::with_capacity(MEMORY);
    let (mut xn, mut gn, mut d) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for _ in 0..o.max_iter {
        if o.norm.of(&g) <= o.gtol {
            return x;
        }
        direction(&g, &pairs, &mut d);
        let mut slope = dot(&g, &d);
        if slope >= 0.0 || !slope.is_finite() {
            // The curvature pairs went stale: restart from steepest descent.
            pairs.clear();
            direction(&g, &pairs, &mut d);
            slope = dot(&g, &d);
        }
        let first = if pairs.is_empty() {
            1.0 / norm(&d).max(f64::MIN_POSITIVE)
        } else {
            1.0
        };
        let Some((step, fnew)) = line_search(&mut f, &x, fx, slope, &d, first, &mut xn, &mut gn)
        else {
            // No step lowers the objective: the iterate is as good as the arithmetic allows.
            return x;
        };
        let s: Vec<f64> = d.iter().map(|di| step * di).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > f64::EPSILON * dot(&y, &y) {
            if pairs.len() == MEMORY {
                pairs.remove(0);
            }
            pairs.push((s, y, 1.0 / sy));
        }
        let reduction = (fx - fnew) / fx.abs().max(fnew.abs()).max(1.0);
        std::mem::swap(&mut x, &mut xn);
        std::mem::swap(&mut g, &mut gn);
        fx = fnew;
        if reduction <= o.ftol {
            return x;
        }
    }
    x
}

/// The two-loop recursion: `d = -H g`, with `H₀ = (sᵀy / yᵀy) I` from the newest pair.
fn direction(g: &[f64], pairs: &[(Vec<f64>, Vec<f64>, f64)], d: &mut [f64]) {
    for (di, gi) in d.iter_mut().zip(g) {
        *di = -gi;
    }
    let mut alpha = vec![0.0; pairs.len()];
    for (k, (s, y, rho)) in pairs.iter().enumerate().rev() {
        alpha[k] = rho * dot(s, d);
        axpy(-alpha[k], y, d);
    }
    if let Some((s, y, _)) = pairs.last() {
        let gamma = dot(s, y) / dot(y, y);
        d.iter_mut().for_each(|di| *di *= gamma);
    }
    for (k, (s, y, rho)) in pairs.iter().enumerate() {
        let beta = rho * dot(y, d);
        axpy(alpha[k] - beta, s, d);
    }
}

/// A step along `d` meeting the strong Wolfe conditions (Nocedal & Wright, algorithms 3.5 and
/// 3.6); leaves the new point and gradient in `xn`, `gn`. None when no trial lowers `f`.
#[allow(clippy::too_many_arguments)]
fn line_search(
    f: &mut impl FnMut(&[f64], &mut [f64]) -> f64,
    x: &[f64],
    f0: f64,
    slope0: f64,
    d: &[f64],
    first: f64,
    xn: &mut [f64],
    gn: &mut [f64],
) -> Option<(f64, f64)> {
    let mut at = |step: f64, xn: &mut [f64], gn: &mut [f64]| {
        for ((xi, x0), di) in xn.iter_mut().zip(x).zip(d) {
            *xi = x0 + step * di;
        }
        let fx = f(xn, gn);
        (fx, dot(gn, d))
    };
    let (mut lo, mut f_lo, mut slope_lo) = (0.0, f0, slope0);
    let mut step = first;
    let mut best: Option<(f64, f64)> = None;
    let mut hi = f64::INFINITY;
    let mut f_hi = f64::NAN;
    let mut slope_hi = f64::NAN;
    let mut bracketed = false;
    for trial in 0..MAX_LINE_SEARCH {
        let (fx, slope) = at(step, xn, gn);
        if fx.is_finite() && fx < f0 && best.is_none_or(|(_, fb)| fx < fb) {
            best = Some((step, fx));
        }
        if !fx.is_finite()
            || fx > f0 + SUFFICIENT_DECREASE * step * slope0
            || (trial > 0 && fx >= f_lo)
        {
            (hi, f_hi, slope_hi) = (step, fx, slope);
            bracketed = true;
        } else if slope.abs() <= -CURVATURE * slope0 {
            return Some((step, fx));
        } else if bracketed {
            if slope * (hi - lo) >= 0.0 {
                (hi, f_hi, slope_hi) = (lo, f_lo, slope_lo);
            }
            (lo, f_lo, slope_lo) = (step, fx, slope);
        } else if slope >= 0.0 {
            // Past the minimum along d: it lies between the last step and this one.
            (hi, f_hi, slope_hi) = (lo, f_lo, slope_lo);
            (lo, f_lo, slope_lo) = (step, fx, slope);
            bracketed = true;
        } else {
            (lo, f_lo, slope_lo) = (step, fx, slope);
            step *= 4.0;
            continue;
        }
        step = interpolate(lo, f_lo, slope_lo, hi, f_hi, slope_hi);
        if (hi - lo).abs() <= f64::EPSILON * lo.abs().max(hi.abs()) {
            break;
        }
    }
    // Out of trials: take the lowest point seen, if any lowered the objective.
    let (step, fx) = best?;
    at(step, xn, gn);
    Some((step, fx))
}

/// The minimiser of the cubic through both ends, kept inside the bracket's middle 80 %.
fn interpolate(a: f64, fa: f64, da: f64, b: f64, fb: f64, db: f64) -> f64 {
    let (left, right) = (a.min(b), a.max(b));
    let width = right - left;
    let fallback = 0.5 * (a + b);
    if !fb.is_finite() || !db.is_finite() {
        return fallback;
    }
    let d1 = da + db - 3.0 * (fa - fb) / (a - b);
    let disc = d1 * d1 - da * db;
    if disc < 0.0 {
        return fallback;
    }
    let d2 = (b - a).signum() * disc.sqrt();
    let t = b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2);
    if t.is_finite() && t > left + 0.1 * width && t < right - 0.1 * width {
        t
    } else {
        fallback
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            max_iter: 500,
            gtol: 1e-10,
            norm: Norm::Max,
            ftol: 0.0,
        }
    }

    #[test]
    fn finds_the_minimum_of_rosenbrock() {
        let rosen = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let x = minimize(rosen, vec![-1.2, 1.0], options());
        assert!(
            (x[0] - 1.0).abs() < 1e-8 && (x[1] - 1.0).abs() < 1e-8,
            "{x:?}"
        );
    }

    #[test]
    fn solves_an_ill_conditioned_quadratic() {
        let scale = [1.0, 10.0, 100.0, 1e4];
        let quad = |x: &[f64], g: &mut [f64]| {
            let mut f = 0.0;
            for i in 0..4 {
                let r = x[i] - i as f64;
                g[i] = scale[i] * r;
                f += 0.5 * scale[i] * r * r;
            }
            f
        };
        let x = minimize(quad, vec![5.0; 4], options());
        for (i, xi) in x.iter().enumerate() {
            assert!((xi - i as f64).abs() < 1e-9, "{x:?}");
        }
    }

    #[test]
    fn stops_at_once_where_the_gradient_is_already_small() {
        let mut calls = 0;
        let flat = |_: &[f64], g: &mut [f64]| {
            calls += 1;
            g.iter_mut().for_each(|v| *v = 0.0);
            1.0
        };
        let x = minimize(flat, vec![3.0], options());
        assert_eq!((x, calls), (vec![3.0], 1));
    }

    #[test]
    fn stops_after_max_iter() {
        let mut calls = 0;
        let rosen = |x: &[f64], g: &mut [f64]| {
            calls += 1;
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let x = minimize(
            rosen,
            vec![-1.2, 1.0],
            Options {
                max_iter: 3,
                ..options()
            },
        );
        assert!((x[0] - 1.0).abs() > 0.1, "{x:?}");
        assert!(calls <= 1 + 3 * MAX_LINE_SEARCH + 3, "{calls} evaluations");
    }
}
