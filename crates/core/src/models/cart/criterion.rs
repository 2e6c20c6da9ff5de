//! Split criteria as scikit-learn computes them (`sklearn/tree/_criterion.pyx`): weighted
//! class counts or target sums of a node and of its two children at a split position, kept up
//! to date as the position moves right (or, when the position is nearer the end, recomputed
//! from the end, as scikit-learn does: the direction decides the order of the additions, and
//! so the last bits of a regression tree's sums).

use super::{Criterion, Target};

/// A node's samples `samples[start..end]` and the children `[start, pos)` and `[pos, end)`.
pub struct Stats<'a> {
    kind: Criterion,
    target: &'a Target<'a>,
    weight: &'a [f64],
    /// Total weight of the samples the tree is grown on.
    weighted_n_samples: f64,
    start: usize,
    end: usize,
    pos: usize,
    /// Per class (classification) or one sum (regression).
    sum_total: Vec<f64>,
    sum_left: Vec<f64>,
    sum_right: Vec<f64>,
    sq_sum_total: f64,
    pub weighted_n_node_samples: f64,
    pub weighted_n_left: f64,
    pub weighted_n_right: f64,
}

impl<'a> Stats<'a> {
    pub fn new(
        kind: Criterion,
        target: &'a Target<'a>,
        weight: &'a [f64],
        weighted_n_samples: f64,
    ) -> Stats<'a> {
        let width = match target {
            Target::Classes(_, k) => *k,
            Target::Values(_) => 1,
        };
        Stats {
            kind,
            target,
            weight,
            weighted_n_samples,
            start: 0,
            end: 0,
            pos: 0,
            sum_total: vec![0.0; width],
            sum_left: vec![0.0; width],
            sum_right: vec![0.0; width],
            sq_sum_total: 0.0,
            weighted_n_node_samples: 0.0,
            weighted_n_left: 0.0,
            weighted_n_right: 0.0,
        }
    }

    /// `init`: the node `samples[start..end]`, with every sample in the right child.
    pub fn init(&mut self, samples: &[usize], start: usize, end: usize) {
        self.start = start;
        self.end = end;
        self.weighted_n_node_samples = 0.0;
        self.sq_sum_total = 0.0;
        self.sum_total.iter_mut().for_each(|s| *s = 0.0);
        match self.target {
            Target::Classes(y, _) => {
                for &i in &samples[start..end] {
                    let w = self.weight[i];
                    self.sum_total[y[i]] += w;
                    self.weighted_n_node_samples += w;
                }
            }
            Target::Values(y) => {
                for &i in &samples[start..end] {
                    let w = self.weight[i];
                    let w_y = w * y[i];
                    self.sum_total[0] += w_y;
                    self.sq_sum_total += w_y * y[i];
                    self.weighted_n_node_samples += w;
                }
            }
        }
        self.reset();
    }

    /// `reset`: position at `start`.
    pub fn reset(&mut self) {
        self.pos = self.start;
        self.sum_left.iter_mut().for_each(|s| *s = 0.0);
        self.sum_right.copy_from_slice(&self.sum_total);
        self.weighted_n_left = 0.0;
        self.weighted_n_right = self.weighted_n_node_samples;
    }

    /// `reverse_reset`: position at `end`.
    fn reverse_reset(&mut self) {
        self.pos = self.end;
        self.sum_right.iter_mut().for_each(|s| *s = 0.0);
        self.sum_left.copy_from_slice(&self.sum_total);
        self.weighted_n_right = 0.0;
        self.weighted_n_left = self.weighted_n_node_samples;
    }

    /// `update`: moves `samples[pos..new_pos]` to the left child.
    pub fn update(&mut self, samples: &[usize], new_pos: usize) {
        let pos = self.pos;
        let forward = new_pos - pos <= self.end - new_pos;
        if !forward {
            self.reverse_reset();
        }
        match self.target {
            Target::Classes(y, _) => {
                if forward {
                    for &i in &samples[pos..new_pos] {
                        let w = self.weight[i];
                        self.sum_left[y[i]] += w;
                        self.weighted_n_left += w;
                    }
                } else {
                    for &i in samples[new_pos..self.end].iter().rev() {
                        let w = self.weight[i];
                        self.sum_left[y[i]] -= w;
                        self.weighted_n_left -= w;
                    }
                }
            }
            Target::Values(y) => {
                if forward {
                    for &i in &samples[pos..new_pos] {
                        let w = self.weight[i];
                        self.sum_left[0] += w * y[i];
                        self.weighted_n_left += w;
                    }
                } else {
                    for &i in samples[new_pos..self.end].iter().rev() {
                        let w = self.weight[i];
                        self.sum_left[0] -= w * y[i];
                        self.weighted_n_left -= w;
                    }
                }
            }
        }
        self.weighted_n_right = self.weighted_n_node_samples - self.weighted_n_left;
        for ((r, t), l) in self
            .sum_right
            .iter_mut()
            .zip(&self.sum_total)
            .zip(&self.sum_left)
        {
            *r = t - l;
        }
        self.pos = new_pos;
    }

    /// `node_impurity` of `samples[start..end]`.
    pub fn node_impurity(&self) -> f64 {
        let w = self.weighted_n_node_samples;
        match self.kind {
            Criterion::Gini => gini(&self.sum_total, w),
            Criterion::Entropy => entropy(&self.sum_total, w),
            Criterion::SquaredError | Criterion::FriedmanMse => {
                variance(self.sq_sum_total, self.sum_total[0], w)
            }
        }
    }

    /// `children_impurity` at the current position (regression reads the left samples again).
    pub fn children_impurity(&self, samples: &[usize]) -> (f64, f64) {
        let (wl, wr) = (self.weighted_n_left, self.weighted_n_right);
        match self.kind {
            Criterion::Gini => (gini(&self.sum_left, wl), gini(&self.sum_right, wr)),
            Criterion::Entropy => (entropy(&self.sum_left, wl), entropy(&self.sum_right, wr)),
            Criterion::SquaredError | Criterion::FriedmanMse => {
                let Target::Values(y) = self.target else {
                    unreachable!("regression criteria have values")
                };
                let mut sq_sum_left = 0.0;
                for &i in &samples[self.start..self.pos] {
                    sq_sum_left += self.weight[i] * y[i] * y[i];
                }
                let sq_sum_right = self.sq_sum_total - sq_sum_left;
                (
                    variance(sq_sum_left, self.sum_left[0], wl),
                    variance(sq_sum_right, self.sum_right[0], wr),
                )
            }
        }
    }

    /// `proxy_impurity_improvement`: ranks the splits of one node.
    pub fn proxy_improvement(&self, samples: &[usize]) -> f64 {
        let (wl, wr) = (self.weighted_n_left, self.weighted_n_right);
        match self.kind {
            Criterion::SquaredError | Criterion::FriedmanMse => {
                regression_proxy(self.kind, self.sum_left[0], self.sum_right[0], wl, wr)
            }
            Criterion::Gini | Criterion::Entropy => {
                let (il, ir) = self.children_impurity(samples);
                -wr * ir - wl * il
            }
        }
    }

    /// `impurity_improvement`: the weighted decrease `min_impurity_decrease` is compared with
    /// (for friedman_mse, scikit-learn ≤ 1.8's `w_l·w_r·Δ²/w_node` over the node).
    pub fn impurity_improvement(&self, parent: f64, left: f64, right: f64) -> f64 {
        let (wl, wr, wn) = (
            self.weighted_n_left,
            self.weighted_n_right,
            self.weighted_n_node_samples,
        );
        match self.kind {
            Criterion::FriedmanMse => {
                friedman_improvement(self.sum_left[0], self.sum_right[0], wl, wr, wn)
            }
            _ => weighted_decrease(parent, (left, right), (wl, wr, wn), self.weighted_n_samples),
        }
    }

    /// `node_value`: class fractions, or the weighted mean.
    pub fn node_value(&self) -> Vec<f64> {
        self.sum_total
            .iter()
            .map(|s| s / self.weighted_n_node_samples)
            .collect()
    }
}

/// A regression node's impurity from its weighted sums `Σw·y²` and `Σw·y`: `E[y²] − E[y]²`.
pub fn variance(sq_sum: f64, sum: f64, w: f64) -> f64 {
    let mean = sum / w;
    sq_sum / w - mean * mean
}

/// `proxy_impurity_improvement` of a regression split, from the children's sums and weights.
pub fn regression_proxy(kind: Criterion, sum_left: f64, sum_right: f64, wl: f64, wr: f64) -> f64 {
    if kind == Criterion::FriedmanMse {
        let diff = wr * sum_left - wl * sum_right;
        diff * diff / (wl * wr)
    } else {
        sum_left * sum_left / wl + sum_right * sum_right / wr
    }
}

/// friedman_mse's `impurity_improvement` (scikit-learn ≤ 1.8): `(w_r·s_l − w_l·s_r)²/(w_l·w_r·w_node)`.
pub fn friedman_improvement(sum_left: f64, sum_right: f64, wl: f64, wr: f64, wn: f64) -> f64 {
    let diff = wr * sum_left - wl * sum_right;
    diff * diff / (wl * wr * wn)
}

/// `impurity_improvement` of every criterion but friedman_mse: the decrease of impurity
/// weighted by the node's share of the tree's samples.
pub fn weighted_decrease(
    parent: f64,
    (left, right): (f64, f64),
    (wl, wr, wn): (f64, f64, f64),
    weighted_n_samples: f64,
) -> f64 {
    (wn / weighted_n_samples) * (parent - (wr / wn * right) - (wl / wn * left))
}

/// A classification node's impurity from its weight per class.
pub fn class_impurity(kind: Criterion, counts: &[f64], w: f64) -> f64 {
    if kind == Criterion::Entropy {
        entropy(counts, w)
    } else {
        gini(counts, w)
    }
}

fn gini(counts: &[f64], w: f64) -> f64 {
    let mut sq_count = 0.0;
    for c in counts {
        sq_count += c * c;
    }
    1.0 - sq_count / (w * w)
}

/// scikit-learn's entropy, in bits (`log` of `_utils.pyx` is `ln(x) / ln(2)`).
fn entropy(counts: &[f64], w: f64) -> f64 {
    let mut e = 0.0;
    for &c in counts {
        if c > 0.0 {
            let p = c / w;
            e -= p * (p.ln() / 2f64.ln());
        }
    }
    e
}
