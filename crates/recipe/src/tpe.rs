//! The Tree-structured Parzen Estimator, Optuna's default sampler (independent per parameter),
//! for `kreplay sweep --method tpe`. No maintained Rust crate offers it, so this follows
//! Optuna's published algorithm:
//!
//! * the first `startup` trials are random;
//! * then finished trials are split into the best `gamma(n) = min(ceil(0.1 n), 25)` and the
//!   rest; for each parameter a Parzen estimator is fitted to each group, `l(x)` and `g(x)`
//!   (a Gaussian per observation, bandwidth from the gaps to its neighbours, plus a wide prior
//!   component; log-scale parameters in log space; categories as smoothed counts);
//! * 24 candidates are drawn from `l` and the one maximising `l(x) / g(x)` is suggested.

use rand::Rng as _;
use rand_chacha::ChaCha8Rng;

use crate::sweep::{bounds, from_space, snap, to_space, Domain, SweepParam};

pub const STARTUP: usize = 10;
const CANDIDATES: usize = 24;

/// A finished trial: the value of each parameter (as written) and its score.
#[derive(Debug, Clone)]
pub struct Observation {
    pub values: Vec<String>,
    pub score: f64,
}

fn gamma(n: usize) -> usize {
    (n.div_ceil(10)).clamp(1, 25)
}

/// One-dimensional Parzen estimator over [lo, hi] (already in log space when needed).
struct Parzen {
    mus: Vec<f64>,
    sigmas: Vec<f64>,
    lo: f64,
    hi: f64,
}

impl Parzen {
    fn new(points: &[f64], lo: f64, hi: f64) -> Parzen {
        let range = hi - lo;
        let mut mus: Vec<f64> = points.to_vec();
        mus.push((lo + hi) / 2.0); // the prior
        let mut order: Vec<usize> = (0..mus.len()).collect();
        order.sort_by(|a, b| mus[*a].total_cmp(&mus[*b]));
        let mut sigmas = vec![range; mus.len()];
        for (k, &i) in order.iter().enumerate() {
            let left = if k == 0 {
                mus[i] - lo
            } else {
                mus[i] - mus[order[k - 1]]
            };
            let right = if k + 1 == order.len() {
                hi - mus[i]
            } else {
                mus[order[k + 1]] - mus[i]
            };
            sigmas[i] = left.max(right);
        }
        let n = points.len() as f64;
        let min_sigma = range / (100f64).min(1.0 + n);
        for s in sigmas.iter_mut() {
            *s = s.clamp(min_sigma, range);
        }
        let last = mus.len() - 1;
        sigmas[last] = range;
        Parzen {
            mus,
            sigmas,
            lo,
            hi,
        }
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        let i = rng.gen_range(0..self.mus.len());
        for _ in 0..100 {
            // Box-Muller; redraw until inside the bounds (a truncated normal).
            let (u1, u2): (f64, f64) = (rng.gen::<f64>().max(1e-300), rng.gen());
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            let x = self.mus[i] + self.sigmas[i] * z;
            if (self.lo..=self.hi).contains(&x) {
                return x;
            }
        }
        self.mus[i].clamp(self.lo, self.hi)
    }

    fn log_density(&self, x: f64) -> f64 {
        let n = self.mus.len() as f64;
        let d: f64 = self
            .mus
            .iter()
            .zip(&self.sigmas)
            .map(|(m, s)| {
                (-0.5 * ((x - m) / s).powi(2)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt())
            })
            .sum::<f64>()
            / n;
        d.max(1e-300).ln()
    }
}

/// Suggests the next value of every parameter from the history (`higher` = larger scores are
/// better). With fewer than `STARTUP` observations it samples at random.
pub fn suggest(
    params: &[SweepParam],
    history: &[Observation],
    higher: bool,
    rng: &mut ChaCha8Rng,
) -> Vec<String> {
    if history.len() < STARTUP {
        return params.iter().map(|p| p.sample(rng)).collect();
    }
    let mut ranked: Vec<&Observation> = history.iter().collect();
    ranked.sort_by(|a, b| {
        if higher {
            b.score.total_cmp(&a.score)
        } else {
            a.score.total_cmp(&b.score)
        }
    });
    let (good, bad) = ranked.split_at(gamma(history.len()));
    params
        .iter()
        .enumerate()
        .map(|(k, p)| match &p.domain {
            Domain::Values(choices) => {
                let weights = |group: &[&Observation]| -> Vec<f64> {
                    choices
                        .iter()
                        .map(|c| 1.0 + group.iter().filter(|o| &o.values[k] == c).count() as f64)
                        .collect()
                };
                let (l, g) = (weights(good), weights(bad));
                let (lt, gt): (f64, f64) = (l.iter().sum(), g.iter().sum());
                let mut best = (f64::NEG_INFINITY, 0);
                for _ in 0..CANDIDATES {
                    let mut r = rng.gen::<f64>() * lt;
                    let mut pick = 0;
                    for (i, w) in l.iter().enumerate() {
                        if r < *w {
                            pick = i;
                            break;
                        }
                        r -= w;
                    }
                    let ratio = (l[pick] / lt).ln() - (g[pick] / gt).ln();
                    if ratio > best.0 {
                        best = (ratio, pick);
                    }
                }
                choices[best.1].clone()
            }
            Domain::Interval { lo, hi, int, log } => {
                let (slo, shi) = bounds(*lo, *hi, *int, *log);
                let pts = |group: &[&Observation]| -> Vec<f64> {
                    group
                        .iter()
                        .filter_map(|o| o.values[k].parse::<f64>().ok())
                        .map(|x| to_space(x, *log))
                        .collect()
                };
                let (l, g) = (
                    Parzen::new(&pts(good), slo, shi),
                    Parzen::new(&pts(bad), slo, shi),
                );
                let mut best = (f64::NEG_INFINITY, slo);
                for _ in 0..CANDIDATES {
                    let x = l.sample(rng);
                    let score = l.log_density(x) - g.log_density(x);
                    if score > best.0 {
                        best = (score, x);
                    }
                }
                let x = snap(from_space(best.1, *log), *lo, *hi, *int);
                crate::sweep::format_value(x, *int)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn integer_suggestions_centre_on_the_best_integer_not_below_it() {
        // Every depth tried, the best at 6: suggestions should pile up on 6 itself. (Flooring a
        // continuous draw put half of them on 5 and drifted towards the smallest depth.)
        let params = [SweepParam::parse("d=int(interval(2, 9))").unwrap()];
        let history: Vec<Observation> = (0..40)
            .map(|i| {
                let d = 2 + i % 8;
                Observation {
                    values: vec![d.to_string()],
                    score: -((d as f64 - 6.0).powi(2)),
                }
            })
            .collect();
        let mut counts = [0usize; 10];
        for seed in 0..300 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let d: usize = suggest(&params, &history, true, &mut rng)[0]
                .parse()
                .unwrap();
            counts[d] += 1;
        }
        let mode = (0..10).max_by_key(|&d| counts[d]).unwrap();
        assert_eq!(mode, 6, "{counts:?}");
        assert!(counts[6] > counts[5] + counts[7], "{counts:?}");
    }

    #[test]
    fn tpe_concentrates_near_the_optimum() {
        let params = [
            SweepParam::parse("x=interval(0, 10)").unwrap(),
            SweepParam::parse("c=a,b,c").unwrap(),
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut history = Vec::new();
        let objective = |x: f64, c: &str| -(x - 7.0).powi(2) + if c == "b" { 1.0 } else { 0.0 };
        for _ in 0..60 {
            let v = suggest(&params, &history, true, &mut rng);
            let score = objective(v[0].parse().unwrap(), &v[1]);
            history.push(Observation { values: v, score });
        }
        let late = &history[40..];
        let near = late
            .iter()
            .filter(|o| (o.values[0].parse::<f64>().unwrap() - 7.0).abs() < 1.5)
            .count();
        let b = late.iter().filter(|o| o.values[1] == "b").count();
        assert!(
            near >= 14,
            "only {near} of 20 late suggestions near the optimum"
        );
        assert!(
            b >= 12,
            "only {b} of 20 late suggestions picked the better category"
        );
    }
}
