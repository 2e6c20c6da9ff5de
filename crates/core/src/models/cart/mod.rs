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

use crate::matrix::{Matrix, Rows};
use crate::rng::numpy::RandomState;
use crate::rng::rand_r;

kreplay_recipe::named_enum! {
    /// A split's quality measure, by scikit-learn's name.
    pub enum Criterion {
        Gini = "gini",
        Entropy = "entropy",
        SquaredError = "squared_error",
        FriedmanMse = "friedman_mse",
    }
}

kreplay_recipe::named_enum! {
    /// How a node's split is searched: every threshold of each visited feature (best), or one
    /// uniform threshold per feature (random, Extra-Trees).
    pub enum Splitter {
        Best = "best",
        Random = "random",
    }
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
    /// scikit-learn's `tree_.impurity` and `tree_.weighted_n_node_samples`, from which
    /// `feature_importances_` are computed.
    impurity: f64,
    weight: f64,
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
    #[cfg(test)]
    pub fn new(x: &Matrix) -> Columns {
        Columns::of(Rows::all(x))
    }

    /// `x`'s rows (a fold's, read in place), column by column.
    pub fn of(x: Rows) -> Columns {
        let (rows, cols) = (x.len(), x.cols());
        let mut data = vec![0.0f32; rows * cols];
        for i in 0..rows {
            for (f, v) in x.row(i).iter().enumerate() {
                data[f * rows + i] = *v as f32;
            }
        }
        Columns { data, rows, cols }
    }
}

/// A node as prediction reads it, 16 bytes: a leaf's children are itself (so a walk that
/// reaches it stays there); its value is in [`Tree::values`]. Prediction walks thousands of
/// trees per row, so nodes stay small and a tree's values sit in one block.
#[derive(Debug, Clone, Copy)]
struct Packed {
    /// The largest `float32` at or below the split's threshold: scikit-learn compares a
    /// `float32` feature with a `float64` threshold, and `x <= threshold` holds for a `float32`
    /// `x` exactly when `x <= cut` does, so prediction compares in `float32` alone.
    cut: f32,
    feature: u32,
    left: u32,
    right: u32,
}

/// Rows walked together by [`Tree::apply_rows`].
const LOCKSTEP: usize = 8;

/// The largest `f32` that is at most `threshold`.
fn cut_of(threshold: f64) -> f32 {
    let nearest = threshold as f32;
    if f64::from(nearest) > threshold {
        nearest.next_down()
    } else {
        nearest
    }
}

#[derive(Debug, Clone)]
pub struct Tree {
    nodes: Vec<Packed>,
    /// Node `i`'s value is `values[i * width..(i + 1) * width]`.
    values: Vec<f64>,
    width: usize,
    /// The splits' `float64` thresholds, as scikit-learn's `tree_.threshold` records them.
    #[cfg(test)]
    thresholds: Vec<f64>,
    /// Per split: (feature, its weighted impurity decrease), and the root's weight, for
    /// [`Tree::feature_importances`].
    decreases: Vec<(u32, f64)>,
    root_weight: f64,
}

/// Rows as trees read them: `float32` (scikit-learn's `X` dtype for trees), row after row, so
/// that a row converted once is walked through every tree of an ensemble.
pub struct Rows32 {
    data: Vec<f32>,
    cols: usize,
}

impl Rows32 {
    pub fn new(x: &Matrix) -> Rows32 {
        Rows32 {
            data: x.data.iter().map(|&v| v as f32).collect(),
            cols: x.cols,
        }
    }

    /// `x`'s rows (a fold's, read in place), in `float32`.
    pub fn of(x: Rows) -> Rows32 {
        let mut data = Vec::with_capacity(x.len() * x.cols());
        for i in 0..x.len() {
            data.extend(x.row(i).iter().map(|&v| v as f32));
        }
        Rows32 {
            data,
            cols: x.cols(),
        }
    }
}

impl Tree {
    /// Packs the growers' nodes (ids below `u32::MAX`: a tree has fewer nodes than twice its
    /// rows, and rows are counted in `u32`).
    fn from_grown(grown: Vec<Node>) -> Tree {
        let width = grown.first().map_or(1, |n| n.value.len());
        let mut values = Vec::with_capacity(grown.len() * width);
        #[cfg(test)]
        let thresholds = grown.iter().map(|n| n.threshold).collect();
        // `compute_feature_importances`: each split's weighted impurity minus its children's.
        let decreases = grown
            .iter()
            .filter(|n| !n.is_leaf())
            .map(|n| {
                let (l, r) = (&grown[n.left], &grown[n.right]);
                (
                    n.feature as u32,
                    n.weight * n.impurity - l.weight * l.impurity - r.weight * r.impurity,
                )
            })
            .collect();
        let root_weight = grown.first().map_or(0.0, |n| n.weight);
        let nodes = grown
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                values.extend_from_slice(&n.value);
                if n.is_leaf() {
                    Packed {
                        cut: 0.0,
                        feature: 0,
                        left: i as u32,
                        right: i as u32,
                    }
                } else {
                    Packed {
                        cut: cut_of(n.threshold),
                        feature: n.feature as u32,
                        left: n.left as u32,
                        right: n.right as u32,
                    }
                }
            })
            .collect();
        Tree {
            nodes,
            values,
            width,
            #[cfg(test)]
            thresholds,
            decreases,
            root_weight,
        }
    }

    /// scikit-learn's `tree_.compute_feature_importances(normalize)`: each feature's total
    /// weighted impurity decrease over the tree's splits, over the root's weight, and (when
    /// `normalize` and the total is positive) as shares of the total.
    pub fn feature_importances(&self, n_features: usize, normalize: bool) -> Vec<f64> {
        let mut out = vec![0.0; n_features];
        for &(f, d) in &self.decreases {
            if let Some(v) = out.get_mut(f as usize) {
                *v += d;
            }
        }
        out.iter_mut().for_each(|v| *v /= self.root_weight);
        if normalize {
            let total = kreplay_metrics::numpy_sum::sum(&out);
            if total > 0.0 {
                out.iter_mut().for_each(|v| *v /= total);
            }
        }
        out
    }

    /// Whether the tree splits at all (scikit-learn's `node_count > 1`).
    pub fn splits(&self) -> bool {
        !self.decreases.is_empty()
    }

    /// The leaf output for a row: class probabilities or `[value]`.
    pub fn leaf(&self, row: &[f64]) -> &[f64] {
        self.value(self.apply(row))
    }

    fn value(&self, id: usize) -> &[f64] {
        &self.values[id * self.width..(id + 1) * self.width]
    }

    /// The id of the leaf a row falls in (sklearn's `apply`: the row as `float32`, `<=` goes
    /// left).
    pub fn apply(&self, row: &[f64]) -> usize {
        let mut i = 0;
        loop {
            let node = &self.nodes[i];
            if node.left as usize == i {
                return i;
            }
            i = if row[node.feature as usize] as f32 <= node.cut {
                node.left
            } else {
                node.right
            } as usize;
        }
    }

    /// The leaf id of each row of `rows` from row `first` on, one per slot of `out`: rows walk
    /// the tree in lockstep, [`LOCKSTEP`] at a time, each step a select rather than a branch,
    /// so that their loads overlap and no branch depends on the data.
    pub fn apply_rows(&self, rows: &Rows32, first: usize, out: &mut [u32]) {
        if self.is_leaf(0) || rows.cols == 0 {
            out.fill(0);
            return;
        }
        for (g, chunk) in out.chunks_mut(LOCKSTEP).enumerate() {
            let row0 = first + g * LOCKSTEP;
            let mut at = [0u32; LOCKSTEP];
            let at = &mut at[..chunk.len()];
            loop {
                let mut moved = false;
                for (j, i) in at.iter_mut().enumerate() {
                    let node = self.nodes[*i as usize];
                    let x = rows.data[(row0 + j) * rows.cols + node.feature as usize];
                    let next = if x <= node.cut { node.left } else { node.right };
                    moved |= next != *i;
                    *i = next;
                }
                if !moved {
                    break;
                }
            }
            chunk.copy_from_slice(at);
        }
    }

    /// The value of leaf `id` (from [`Tree::apply_rows`]).
    pub fn leaf_value(&self, id: u32) -> &[f64] {
        self.value(id as usize)
    }

    fn is_leaf(&self, id: usize) -> bool {
        self.nodes[id].left as usize == id
    }

    /// Replaces a leaf's output; gradient boosting's line search rewrites the fitted means.
    pub fn set_leaf(&mut self, id: usize, value: Vec<f64>) {
        if id < self.nodes.len() && self.is_leaf(id) && value.len() == self.width {
            self.values[id * self.width..(id + 1) * self.width].copy_from_slice(&value);
        }
    }

    #[cfg(test)]
    pub fn n_leaves(&self) -> usize {
        (0..self.nodes.len()).filter(|&i| self.is_leaf(i)).count()
    }

    /// Each node as (feature, threshold) for a split or `None` for a leaf, in node-id order
    /// (scikit-learn's `tree_.feature` and `tree_.threshold`).
    #[cfg(test)]
    pub fn structure(&self) -> Vec<Option<(usize, f64)>> {
        self.nodes
            .iter()
            .zip(&self.thresholds)
            .enumerate()
            .map(|(i, (n, &t))| (!self.is_leaf(i)).then_some((n.feature as usize, t)))
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
    fn float32_cuts_compare_as_float64_thresholds_do() {
        let mut r = RandomState::new(3);
        let mut uniform = |scale: f64| (r.random_sample() - 0.5) * scale;
        for _ in 0..20_000 {
            let scale = [1e-30, 1e-3, 1.0, 1e6, 1e38][(uniform(1.0) + 0.5) as usize % 5];
            // Midpoints of float32 neighbours, as the splitters compute them, and any double.
            let a = uniform(scale) as f32;
            let b = a.next_up();
            for threshold in [f64::from(a) / 2.0 + f64::from(b) / 2.0, uniform(scale)] {
                let cut = cut_of(threshold);
                for x in [a, b, a.next_down(), cut, cut.next_up(), -0.0, 0.0, f32::NAN] {
                    assert_eq!(f64::from(x) <= threshold, x <= cut, "{x} {threshold}");
                }
            }
        }
        assert_eq!(cut_of(1e300), f32::MAX);
    }

    #[test]
    fn rows_in_lockstep_reach_the_leaves_one_row_reaches() {
        // A deep, lopsided tree, and rows that stop at every depth (NaN goes right).
        let n = 300;
        let x = Matrix {
            data: (0..n * 2)
                .map(|i| match i % 7 {
                    6 => f64::NAN,
                    _ => ((i * 7919) % 101) as f64 / 3.0,
                })
                .collect(),
            rows: n,
            cols: 2,
            names: vec!["a".into(), "b".into()],
        };
        let y: Vec<f64> = (0..n).map(|i| ((i * 31) % 17) as f64).collect();
        let mut p = params(None);
        p.criterion = Criterion::SquaredError;
        let clean: Vec<f64> = x
            .data
            .iter()
            .map(|v| if v.is_nan() { 0.0 } else { *v })
            .collect();
        let fit = Matrix {
            data: clean,
            ..x.clone()
        };
        let t = Tree::grow(
            &Columns::new(&fit),
            &Target::Values(&y),
            &vec![1.0; n],
            &p,
            1,
        );
        assert!(t.n_leaves() > 50);
        let rows = Rows32::new(&x);
        for first in [0, 5] {
            let mut leaves = vec![0; n - first];
            t.apply_rows(&rows, first, &mut leaves);
            for (i, leaf) in (first..n).zip(leaves) {
                assert_eq!(leaf as usize, t.apply(x.row(i)), "row {i}");
            }
        }
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
