//! CART as scikit-learn grows it (`DecisionTreeClassifier/Regressor` and the trees of its
//! forests and boosting), written for this project because linfa's tree is neither
//! deterministic nor scikit-learn's. [`grow`] replays scikit-learn's depth-first builder and
//! splitters step for step, with its `rand_r` generator ([`crate::rng::rand_r`]) seeded as
//! scikit-learn seeds it ([`splitter_seed`]), its `float32` features ([`Columns`]), its sort
//! ([`sort`]) and its criteria's arithmetic ([`criterion`]), so a seeded tree has the same
//! nodes, thresholds and leaf values:
//!
//! * at every node features are drawn without replacement (a Fisher-Yates step on one array
//!   whose order carries over from node to node) until `max_features` non-constant ones are
//!   searched; constant ones found in a node are skipped in its children; a later feature
//!   replaces the best split only if it is strictly better;
//! * the best splitter tries midpoints `a/2 + b/2` between consecutive values more than 1e-7
//!   apart; the random splitter (Extra-Trees) draws one threshold per visited feature,
//!   uniform between the node's min and max; samples with `x <= threshold` go left;
//! * a node becomes a leaf at `max_depth`, below `min_samples_split` or `2 * min_samples_leaf`
//!   samples, when pure, or when its split decreases impurity by less than
//!   `min_impurity_decrease`; bootstrap draws and boosting weights arrive as sample weights,
//!   and rows of zero weight take no part;
//! * `friedman_mse` (gradient boosting's criterion up to sklearn 1.8) ranks splits by
//!   `(w_r·s_l − w_l·s_r)²/(w_l·w_r)`, as sklearn 1.8 did. It picks the same splits as
//!   `squared_error` (sklearn 1.9 folded it into that); it is kept because
//!   `min_impurity_decrease` reads it on another scale, and recipes from that era rely on it.

mod binned;
mod classes;
mod criterion;
mod draws;
mod grow;
mod ranks;
mod sort;

pub use binned::Binned;
use classes::{ClassScratch, ClassTrees};
use ranks::Ranks;

/// Values closer than this count as equal (`FEATURE_THRESHOLD`).
const FEATURE_THRESHOLD: f64 = 1e-7;

use crate::matrix::Matrix;
use crate::rng::numpy::RandomState;
use crate::rng::rand_r;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Criterion {
    Gini,
    Entropy,
    SquaredError,
    FriedmanMse,
}

/// How a node's split is searched: every threshold of each visited feature, or one random one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Splitter {
    Best,
    Random,
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
    pub splitter: Splitter,
}

/// What the tree predicts: class indices (with the number of classes) or values.
pub enum Target<'a> {
    Classes(&'a [usize], usize),
    Values(&'a [f64]),
}

/// A node as the growers build it: a split (`left`/`right` are node ids) or a leaf
/// (`left == usize::MAX`); every node keeps its value (class fractions or mean), as
/// scikit-learn's `tree_.value`. [`Tree::from_grown`] packs them for prediction.
#[derive(Debug, Clone)]
struct Node {
    feature: usize,
    threshold: f64,
    left: usize,
    right: usize,
    value: Vec<f64>,
}

impl Node {
    fn is_leaf(&self) -> bool {
        self.left == usize::MAX
    }
}

/// The features a tree reads, as scikit-learn does: `float32`, one column after another
/// (a node gathers one feature of its samples at a time). Built once per model fit.
#[derive(Debug, Clone)]
pub struct Columns {
    pub data: Vec<f32>,
    pub rows: usize,
    pub cols: usize,
}

impl Columns {
    pub fn new(x: &Matrix) -> Columns {
        let mut data = vec![0.0f32; x.rows * x.cols];
        for i in 0..x.rows {
            for (f, v) in x.row(i).iter().enumerate() {
                data[f * x.rows + i] = *v as f32;
            }
        }
        Columns {
            data,
            rows: x.rows,
            cols: x.cols,
        }
    }
}

/// A node as prediction reads it, 24 bytes: a leaf has `left == LEAF`; its value is in
/// [`Tree::values`]. Prediction walks thousands of trees per row, so nodes stay small and a
/// tree's values sit in one block.
#[derive(Debug, Clone, Copy)]
struct Packed {
    threshold: f64,
    feature: u32,
    left: u32,
    right: u32,
}

const LEAF: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub struct Tree {
    nodes: Vec<Packed>,
    /// Node `i`'s value is `values[i * width..(i + 1) * width]`.
    values: Vec<f64>,
    width: usize,
}

impl Tree {
    /// Packs the growers' nodes (ids below `u32::MAX`: a tree has fewer nodes than twice its
    /// rows, and rows are counted in `u32`).
    fn from_grown(grown: Vec<Node>) -> Tree {
        let width = grown.first().map_or(1, |n| n.value.len());
        let id = |i: usize| if i == usize::MAX { LEAF } else { i as u32 };
        let mut values = Vec::with_capacity(grown.len() * width);
        let nodes = grown
            .into_iter()
            .map(|n| {
                values.extend_from_slice(&n.value);
                Packed {
                    threshold: n.threshold,
                    feature: n.feature as u32,
                    left: id(n.left),
                    right: id(n.right),
                }
            })
            .collect();
        Tree {
            nodes,
            values,
            width,
        }
    }

    /// The leaf output for a row: class probabilities or `[value]`.
    pub fn leaf(&self, row: &[f64]) -> &[f64] {
        let i = self.apply(row);
        &self.values[i * self.width..(i + 1) * self.width]
    }

    /// The id of the leaf a row falls in (sklearn's `apply`: the row as `float32`, `<=` goes
    /// left).
    pub fn apply(&self, row: &[f64]) -> usize {
        let mut i = 0;
        loop {
            let node = &self.nodes[i];
            if node.left == LEAF {
                return i;
            }
            i = if f64::from(row[node.feature as usize] as f32) <= node.threshold {
                node.left
            } else {
                node.right
            } as usize;
        }
    }

    /// Replaces a leaf's output; gradient boosting's line search rewrites the fitted means.
    pub fn set_leaf(&mut self, id: usize, value: Vec<f64>) {
        if self.nodes.get(id).is_some_and(|n| n.left == LEAF) && value.len() == self.width {
            self.values[id * self.width..(id + 1) * self.width].copy_from_slice(&value);
        }
    }

    #[cfg(test)]
    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.left == LEAF).count()
    }

    /// Each node as (feature, threshold) for a split or `None` for a leaf, in node-id order
    /// (scikit-learn's `tree_.feature` and `tree_.threshold`).
    #[cfg(test)]
    pub fn structure(&self) -> Vec<Option<(usize, f64)>> {
        self.nodes
            .iter()
            .map(|n| (n.left != LEAF).then_some((n.feature as usize, n.threshold)))
            .collect()
    }

    /// Grows a tree on the rows with non-zero `weight` (see [`grow`]); `rand_r_state` seeds
    /// the splitter, as `random_state.randint(0, RAND_R_MAX)` does in scikit-learn.
    pub fn grow(
        x: &Columns,
        target: &Target,
        weight: &[f64],
        params: &TreeParams,
        rand_r_state: u32,
    ) -> Tree {
        grow::grow(x, target, weight, params, rand_r_state)
    }
}

/// The trees of one fit (one table and target, many weights and seeds), each the tree
/// [`Tree::grow`] grows, by the fastest route that is exact for it: classification trees of
/// the best splitter count classes per distinct value ([`classes`]) rather than sort.
pub struct Trees<'a> {
    x: &'a Columns,
    target: &'a Target<'a>,
    params: &'a TreeParams,
    ranks: Option<Ranks>,
}

/// One thread's buffers for [`Trees::grow`].
pub struct Scratch(Option<ClassScratch>);

impl<'a> Trees<'a> {
    pub fn new(x: &'a Columns, target: &'a Target<'a>, params: &'a TreeParams) -> Trees<'a> {
        let counted = matches!(target, Target::Classes(..)) && ClassTrees::can_grow(params);
        Trees {
            x,
            target,
            params,
            ranks: if counted { Ranks::new(x) } else { None },
        }
    }

    fn classes(&self) -> Option<ClassTrees<'_>> {
        match (self.target, &self.ranks) {
            (Target::Classes(y, k), Some(ranks)) => Some(ClassTrees::new(self.x, ranks, y, *k)),
            _ => None,
        }
    }

    pub fn scratch(&self) -> Scratch {
        Scratch(self.classes().map(|c| c.scratch()))
    }

    /// The tree grown on the rows with non-zero `weight` from splitter seed `rand_r_state`.
    pub fn grow(&self, scratch: &mut Scratch, weight: &[f64], rand_r_state: u32) -> Tree {
        match (self.classes(), &mut scratch.0) {
            (Some(c), Some(s)) => c.grow(s, weight, self.params, rand_r_state),
            _ => grow::grow(self.x, self.target, weight, self.params, rand_r_state),
        }
    }
}

/// The splitter seed scikit-learn draws from a tree's `random_state` when it is fitted.
pub fn splitter_seed(random_state: &mut RandomState) -> u32 {
    random_state.randint(0, i64::from(rand_r::RAND_R_MAX)) as u32
}

/// The splitter seed for a tree whose `random_state` is the integer `seed`.
pub fn splitter_seed_of(seed: u32) -> u32 {
    splitter_seed(&mut RandomState::new(u64::from(seed)))
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

/// The `random_state` of each of `n` estimators, as scikit-learn's `_set_random_states` draws
/// them from the ensemble's: `randint(2^31 - 1)` each, in order. Drawn before any tree grows,
/// so an ensemble is the same whatever the number of threads that grow it.
pub fn estimator_seeds(seed: u64, n: usize) -> Vec<u32> {
    let mut r = RandomState::new(seed);
    (0..n)
        .map(|_| r.randint(0, i64::from(i32::MAX)) as u32)
        .collect()
}

/// A forest tree's bootstrap as sample weights: `n_bootstrap` rows drawn with replacement by
/// `RandomState(tree_seed).randint(0, n, n_bootstrap)` and counted (`_generate_sample_indices`
/// and the `bincount` of `_parallel_build_trees`).
pub fn bootstrap_weights(tree_seed: u32, n: usize, n_bootstrap: usize) -> Vec<f64> {
    let mut r = RandomState::new(u64::from(tree_seed));
    let mut counts = vec![0.0; n];
    for _ in 0..n_bootstrap {
        counts[r.randint(0, n as i64) as usize] += 1.0;
    }
    counts
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
            splitter: Splitter::Best,
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
            &Columns::new(&x),
            &Target::Classes(&y, 2),
            &w,
            &params(None),
            1,
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
        let t = Tree::grow(&Columns::new(&x), &Target::Values(&y), &[1.0; 4], &p, 0);
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

    #[test]
    fn random_splitter_draws_a_threshold_inside_the_node() {
        // One feature, values 0..=9: a stump's cut must fall in [0, 9) and separate the rows,
        // and a seed always draws the same one.
        let x = Matrix {
            data: (0..10).map(f64::from).collect(),
            rows: 10,
            cols: 1,
            names: vec!["a".into()],
        };
        let y: Vec<f64> = (0..10).map(|i| f64::from(i * i)).collect();
        let mut p = params(Some(1));
        p.criterion = Criterion::SquaredError;
        p.max_features = 1;
        p.splitter = Splitter::Random;
        let grow = |seed| Tree::grow(&Columns::new(&x), &Target::Values(&y), &[1.0; 10], &p, seed);
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..30 {
            let t = grow(seed);
            assert_eq!(t.n_leaves(), 2);
            let left = (0..10)
                .filter(|&i| t.apply(x.row(i)) == t.apply(&[0.0]))
                .count();
            assert!((1..10).contains(&left));
            assert_eq!(t.leaf(&[0.0]), grow(seed).leaf(&[0.0]));
            seen.insert(left);
        }
        assert!(seen.len() > 3, "{seen:?}");
    }

    #[test]
    fn friedman_mse_picks_the_squared_error_split_and_leaves_can_be_rewritten() {
        let x = matrix(&[
            [0.0, 4.0],
            [1.0, 2.0],
            [2.0, 7.0],
            [3.0, 1.0],
            [4.0, 6.0],
            [5.0, 3.0],
            [6.0, 0.0],
            [7.0, 5.0],
        ]);
        let y = [1.0, 1.5, 0.5, 4.0, 3.0, 9.0, 7.5, 8.0];
        let mut p = params(Some(2));
        let mut trees = Vec::new();
        for criterion in [Criterion::SquaredError, Criterion::FriedmanMse] {
            p.criterion = criterion;
            trees.push(Tree::grow(
                &Columns::new(&x),
                &Target::Values(&y),
                &[1.0; 8],
                &p,
                5,
            ));
        }
        for i in 0..8 {
            assert_eq!(trees[0].leaf(x.row(i)), trees[1].leaf(x.row(i)));
        }
        // sklearn ≤ 1.8 compares min_impurity_decrease with w_l·w_r·Δ²/w_node for friedman_mse:
        // the root split a ≤ 4.5 scores 5·3/8·(2 − 49/6)² ≈ 71.3, so 70 keeps it and 72 stops it
        // (the other criteria divide by the total weight: it would then be about 8.9).
        p.max_depth = Some(1);
        p.min_impurity_decrease = 70.0;
        let t = Tree::grow(&Columns::new(&x), &Target::Values(&y), &[1.0; 8], &p, 5);
        assert_eq!(t.n_leaves(), 2);
        p.min_impurity_decrease = 72.0;
        let mut t = Tree::grow(&Columns::new(&x), &Target::Values(&y), &[1.0; 8], &p, 5);
        assert_eq!(t.n_leaves(), 1);
        t.set_leaf(t.apply(x.row(0)), vec![42.0]);
        assert_eq!(t.leaf(x.row(7)), &[42.0]);
    }
}
