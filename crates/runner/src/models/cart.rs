//! CART, written for this project because linfa's tree is not deterministic from run to run
//! (class counts sit in a HashMap) and has no regression tree. It follows scikit-learn's
//! `DecisionTreeClassifier/Regressor` with the best splitter:
//!
//! * features are visited in a random order drawn from the seed at every node, and only the
//!   first `max_features` non-constant ones are searched; a later feature replaces the best split
//!   only if it is strictly better, so ties go to the earlier-drawn feature;
//! * thresholds are midpoints between consecutive distinct values (closer than 1e-7 counts as
//!   equal), samples with `x <= threshold` go left;
//! * a node becomes a leaf at `max_depth`, below `min_samples_split` or `2 * min_samples_leaf`
//!   samples, or when pure; bootstrap draws arrive as sample weights, as in sklearn's forests.

use rand::Rng as _;

use crate::matrix::Matrix;
use crate::rng::{self, Rng};

const FEATURE_THRESHOLD: f64 = 1e-7;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Criterion {
    Gini,
    Entropy,
    SquaredError,
}

#[derive(Debug, Clone)]
pub struct TreeParams {
    pub criterion: Criterion,
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    /// Number of features searched at each node.
    pub max_features: usize,
    pub min_impurity_decrease: f64,
}

/// What the tree predicts: class indices (with the number of classes) or values.
pub enum Target<'a> {
    Classes(&'a [usize], usize),
    Values(&'a [f64]),
}

#[derive(Debug, Clone)]
enum Node {
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
    /// Class probabilities, or a single mean value.
    Leaf(Vec<f64>),
}

#[derive(Debug, Clone)]
pub struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// The leaf output for a row: class probabilities or `[value]`.
    pub fn leaf(&self, row: &[f64]) -> &[f64] {
        let mut i = 0;
        loop {
            match &self.nodes[i] {
                Node::Leaf(v) => return v,
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    i = if row[*feature] <= *threshold {
                        *left
                    } else {
                        *right
                    };
                }
            }
        }
    }

    #[cfg(test)]
    pub fn n_leaves(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| matches!(n, Node::Leaf(_)))
            .count()
    }

    /// Grows a tree on the rows with positive `weight`.
    pub fn grow(
        x: &Matrix,
        target: &Target,
        weight: &[f64],
        params: &TreeParams,
        rng: &mut Rng,
    ) -> Tree {
        let samples: Vec<usize> = (0..x.rows).filter(|&i| weight[i] > 0.0).collect();
        let mut grower = Grower {
            x,
            target,
            weight,
            params,
            rng,
            nodes: Vec::new(),
        };
        grower.node(samples, 0);
        Tree {
            nodes: grower.nodes,
        }
    }
}

struct Grower<'a> {
    x: &'a Matrix,
    target: &'a Target<'a>,
    weight: &'a [f64],
    params: &'a TreeParams,
    rng: &'a mut Rng,
    nodes: Vec<Node>,
}

/// Weighted sufficient statistics of a set of samples.
#[derive(Clone)]
enum Stats {
    Counts(Vec<f64>),
    Moments { w: f64, sum: f64, sum_sq: f64 },
}

impl Stats {
    fn empty(target: &Target) -> Stats {
        match target {
            Target::Classes(_, k) => Stats::Counts(vec![0.0; *k]),
            Target::Values(_) => Stats::Moments {
                w: 0.0,
                sum: 0.0,
                sum_sq: 0.0,
            },
        }
    }

    fn add(&mut self, target: &Target, i: usize, w: f64, sign: f64) {
        match (self, target) {
            (Stats::Counts(c), Target::Classes(y, _)) => c[y[i]] += sign * w,
            (Stats::Moments { w: tw, sum, sum_sq }, Target::Values(y)) => {
                *tw += sign * w;
                *sum += sign * w * y[i];
                *sum_sq += sign * w * y[i] * y[i];
            }
            _ => unreachable!("stats and target kinds always match"),
        }
    }

    fn weight(&self) -> f64 {
        match self {
            Stats::Counts(c) => c.iter().sum(),
            Stats::Moments { w, .. } => *w,
        }
    }

    fn impurity(&self, criterion: Criterion) -> f64 {
        let w = self.weight();
        if w <= 0.0 {
            return 0.0;
        }
        match (self, criterion) {
            (Stats::Counts(c), Criterion::Gini) => {
                1.0 - c.iter().map(|n| (n / w).powi(2)).sum::<f64>()
            }
            (Stats::Counts(c), _) => -c
                .iter()
                .filter(|n| **n > 0.0)
                .map(|n| {
                    let p = n / w;
                    p * p.log2()
                })
                .sum::<f64>(),
            (Stats::Moments { sum, sum_sq, .. }, _) => (sum_sq / w - (sum / w).powi(2)).max(0.0),
        }
    }

    fn leaf_value(&self) -> Vec<f64> {
        let w = self.weight();
        match self {
            Stats::Counts(c) => c.iter().map(|n| n / w).collect(),
            Stats::Moments { sum, .. } => vec![sum / w],
        }
    }
}

struct Best {
    feature: usize,
    threshold: f64,
    improvement: f64,
}

impl Grower<'_> {
    fn stats(&self, samples: &[usize]) -> Stats {
        let mut s = Stats::empty(self.target);
        for &i in samples {
            s.add(self.target, i, self.weight[i], 1.0);
        }
        s
    }

    fn node(&mut self, samples: Vec<usize>, depth: usize) -> usize {
        let id = self.nodes.len();
        let stats = self.stats(&samples);
        self.nodes.push(Node::Leaf(stats.leaf_value()));
        let p = self.params;
        let impurity = stats.impurity(p.criterion);
        let n = samples.len();
        if p.max_depth.is_some_and(|d| depth >= d)
            || n < p.min_samples_split
            || n < 2 * p.min_samples_leaf
            || impurity <= f64::EPSILON
        {
            return id;
        }
        let Some(best) = self.best_split(&samples, &stats, impurity) else {
            return id;
        };
        let total_w: f64 = self.weight.iter().sum();
        if (stats.weight() / total_w) * best.improvement / stats.weight() + f64::EPSILON
            < p.min_impurity_decrease
        {
            return id;
        }
        let (left, right): (Vec<usize>, Vec<usize>) = samples
            .into_iter()
            .partition(|&i| self.x.get(i, best.feature) <= best.threshold);
        let l = self.node(left, depth + 1);
        let r = self.node(right, depth + 1);
        self.nodes[id] = Node::Split {
            feature: best.feature,
            threshold: best.threshold,
            left: l,
            right: r,
        };
        id
    }

    /// The best split over up to `max_features` non-constant features, in a random order.
    fn best_split(&mut self, samples: &[usize], parent: &Stats, impurity: f64) -> Option<Best> {
        let p = self.params;
        let mut features: Vec<usize> = (0..self.x.cols).collect();
        let mut best: Option<Best> = None;
        let mut searched = 0;
        let mut remaining = features.len();
        let total = parent.weight();
        let mut order: Vec<usize> = samples.to_vec();
        while remaining > 0 && searched < p.max_features {
            // Draw the next feature without replacement (Fisher-Yates, one step at a time).
            let j = self.rng.gen_range(0..remaining);
            remaining -= 1;
            features.swap(j, remaining);
            let f = features[remaining];
            order.sort_by(|&a, &b| {
                self.x
                    .get(a, f)
                    .total_cmp(&self.x.get(b, f))
                    .then(a.cmp(&b))
            });
            let lo = self.x.get(order[0], f);
            let hi = self.x.get(order[order.len() - 1], f);
            if hi <= lo + FEATURE_THRESHOLD {
                continue;
            }
            searched += 1;
            let mut left = Stats::empty(self.target);
            let mut right = parent.clone();
            for pos in 1..order.len() {
                let i = order[pos - 1];
                left.add(self.target, i, self.weight[i], 1.0);
                right.add(self.target, i, self.weight[i], -1.0);
                let (a, b) = (self.x.get(i, f), self.x.get(order[pos], f));
                if b <= a + FEATURE_THRESHOLD {
                    continue;
                }
                if pos < p.min_samples_leaf || order.len() - pos < p.min_samples_leaf {
                    continue;
                }
                let (wl, wr) = (left.weight(), right.weight());
                let improvement = total * impurity
                    - wl * left.impurity(p.criterion)
                    - wr * right.impurity(p.criterion);
                if best
                    .as_ref()
                    .is_none_or(|bst| improvement > bst.improvement)
                {
                    let mut threshold = (a + b) / 2.0;
                    if threshold == b || !threshold.is_finite() {
                        threshold = a;
                    }
                    best = Some(Best {
                        feature: f,
                        threshold,
                        improvement,
                    });
                }
            }
        }
        best
    }
}

/// Resolves sklearn's `max_features` (a count, a fraction, "sqrt", "log2" or all).
pub fn resolve_max_features(setting: &kreplay_recipe::Value, n_features: usize) -> usize {
    use kreplay_recipe::Value;
    let n = n_features as f64;
    let k = match setting {
        Value::Int(i) => *i as f64,
        Value::Float(f) => (f * n).floor(),
        Value::Str(s) if s == "sqrt" => n.sqrt().floor(),
        Value::Str(s) if s == "log2" => n.log2().floor(),
        _ => n,
    };
    (k as usize).clamp(1, n_features.max(1))
}

/// A seeded RNG per tree, drawn in order from the model's seed, so a forest is the same whatever
/// the number of threads that grow it.
pub fn tree_seeds(seed: u64, n: usize) -> Vec<u64> {
    let mut r = rng::seeded(seed);
    (0..n).map(|_| r.gen()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: &[[f64; 2]]) -> Matrix {
        Matrix {
            data: rows.iter().flatten().copied().collect(),
            rows: rows.len(),
            cols: 2,
            names: vec!["a".into(), "b".into()],
        }
    }

    fn params(max_depth: Option<usize>) -> TreeParams {
        TreeParams {
            criterion: Criterion::Gini,
            max_depth,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: 2,
            min_impurity_decrease: 0.0,
        }
    }

    #[test]
    fn separates_classes_and_is_deterministic() {
        let x = matrix(&[
            [0.0, 5.0],
            [1.0, 3.0],
            [2.0, 9.0],
            [3.0, 1.0],
            [4.0, 7.0],
            [5.0, 2.0],
        ]);
        let y = [0, 0, 0, 1, 1, 1];
        let w = [1.0; 6];
        let t = Tree::grow(
            &x,
            &Target::Classes(&y, 2),
            &w,
            &params(None),
            &mut rng::seeded(1),
        );
        for (i, label) in y.iter().enumerate() {
            assert_eq!(t.leaf(x.row(i))[1], *label as f64);
        }
        // the only perfect split is a <= 2.5
        assert_eq!(t.leaf(&[2.5, 0.0])[0], 1.0);
        assert_eq!(t.leaf(&[2.6, 0.0])[1], 1.0);
        assert_eq!(t.n_leaves(), 2);
    }

    #[test]
    fn regression_leaf_is_the_mean() {
        let x = matrix(&[[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [11.0, 0.0]]);
        let y = [1.0, 3.0, 10.0, 12.0];
        let mut p = params(Some(1));
        p.criterion = Criterion::SquaredError;
        let t = Tree::grow(&x, &Target::Values(&y), &[1.0; 4], &p, &mut rng::seeded(0));
        assert_eq!(t.leaf(&[0.5, 0.0]), &[2.0]);
        assert_eq!(t.leaf(&[10.5, 0.0]), &[11.0]);
    }

    #[test]
    fn max_features_resolution() {
        use kreplay_recipe::Value;
        assert_eq!(resolve_max_features(&Value::Str("sqrt".into()), 10), 3);
        assert_eq!(resolve_max_features(&Value::Float(0.5), 10), 5);
        assert_eq!(resolve_max_features(&Value::Int(1), 10), 1);
        assert_eq!(resolve_max_features(&Value::Str("all".into()), 10), 10);
    }
}
