//! The classification tree [`super::grow`] grows, found without sorting or moving samples. With
//! a `BestSplitter` a node counts its rows' weight per class and per distinct value of each
//! drawn feature ([`Ranks`]), then walks the values in ascending order as scikit-learn walks
//! its sorted samples, offering the same midpoints to the same criterion. With a
//! `RandomSplitter` (Extra-Trees) it finds each drawn feature's range, draws the threshold, and
//! counts the rows at or below it.
//!
//! This is exact, not close: with whole-number weights (unweighted rows, a forest's bootstrap
//! counts) every class count scikit-learn sums is a whole number below 2^53, so it is the same
//! whatever order the samples were added in, and so are the impurities computed from those
//! counts, the split each node records and the class fractions of its leaves. Trees with other
//! weights (AdaBoost's, `class_weight`) are grown by the exact replay.

use super::criterion::{class_impurity, weighted_decrease};
use super::draws::FeatureDraws;
use super::grow::Pending;
use super::ranks::{with_codes, Ranks};
use super::{
    grow, Columns, Criterion, Node, Splitter, Target, Tree, TreeParams, FEATURE_THRESHOLD,
};

/// Rows with at most this much total weight have class counts that fit a `u32`.
const MAX_TOTAL_WEIGHT: f64 = u32::MAX as f64;

/// Features with at most this many distinct values are counted in [`LANES`] interleaved copies
/// (in nodes with more rows than count slots, so that adding the copies costs little).
const LANED_BINS: usize = 64;
const LANES: usize = 4;

/// A row in a node: its index, class and whole-number weight, kept together so that a node's
/// scan reads them in order and looks up only the feature's code.
#[derive(Clone, Copy)]
struct Row {
    id: u32,
    class: u32,
    weight: u32,
}

/// The buffers one thread grows its trees in (see [`ClassTrees::scratch`]).
pub struct ClassScratch {
    rows: Vec<Row>,
    right: Vec<Row>,
    /// Per distinct value of the feature being scanned: its rows' weight per class, then its
    /// number of rows (`min_samples_leaf` counts rows, not weight), side by side so that one
    /// row touches one cache line.
    counts: Vec<u32>,
    /// [`LANES`] copies of `counts` for a feature with few values (all zero between scans).
    lanes: Vec<u32>,
    /// The distinct values present in the node, ascending.
    touched: Vec<u32>,
    total: Vec<f64>,
    /// The class weights of the nodes waiting on the stack, `n_classes` per node, in stack
    /// order: a child's are known from its parent's best split.
    pending_totals: Vec<f64>,
    left: Vec<f64>,
    right_counts: Vec<f64>,
    best_left: Vec<f64>,
}

/// The classification trees of one fit: one table, one target, many weights and seeds.
pub struct ClassTrees<'a> {
    x: &'a Columns,
    ranks: &'a Ranks,
    y: &'a [usize],
    n_classes: usize,
}

/// The best split of a node so far: rows whose code is at most `last_left` go left.
struct Candidate {
    feature: usize,
    last_left: u32,
    threshold: f64,
    n_left: usize,
}

impl<'a> ClassTrees<'a> {
    pub fn new(x: &'a Columns, ranks: &'a Ranks, y: &'a [usize], n_classes: usize) -> Self {
        ClassTrees {
            x,
            ranks,
            y,
            n_classes,
        }
    }

    /// Whether these tree settings are ones counting can grow (either splitter on a
    /// classification criterion); weights are checked per tree.
    pub fn can_grow(params: &TreeParams) -> bool {
        matches!(params.criterion, Criterion::Gini | Criterion::Entropy)
    }

    /// Buffers for one thread's trees.
    pub fn scratch(&self) -> ClassScratch {
        let max_bins = self.ranks.values.iter().map(Vec::len).max().unwrap_or(0);
        let k = self.n_classes;
        ClassScratch {
            rows: Vec::with_capacity(self.ranks.rows),
            right: Vec::with_capacity(self.ranks.rows),
            counts: vec![0; max_bins * (k + 1)],
            lanes: vec![0; LANES * max_bins.min(LANED_BINS) * (k + 1)],
            touched: Vec::with_capacity(max_bins),
            total: vec![0.0; k],
            pending_totals: Vec::new(),
            left: vec![0.0; k],
            right_counts: vec![0.0; k],
            best_left: vec![0.0; k],
        }
    }

    /// The tree [`super::grow`] grows on these rows' `weight` from splitter seed
    /// `rand_r_state`; grown by that replay itself when the counts could not be exact.
    pub fn grow(
        &self,
        s: &mut ClassScratch,
        weight: &[f64],
        params: &TreeParams,
        rand_r_state: u32,
    ) -> Tree {
        let weighted_n_samples: f64 = weight.iter().sum();
        let whole = weight.iter().all(|w| w.fract() == 0.0 && *w >= 0.0)
            && weighted_n_samples <= MAX_TOTAL_WEIGHT;
        if !(whole && Self::can_grow(params)) {
            let target = Target::Classes(self.y, self.n_classes);
            return grow::grow(self.x, &target, weight, params, rand_r_state);
        }
        s.rows.clear();
        s.rows.extend(
            (0..self.ranks.rows)
                .filter(|&i| weight[i] != 0.0)
                .map(|i| Row {
                    id: i as u32,
                    class: self.y[i] as u32,
                    weight: weight[i] as u32,
                }),
        );
        let k = self.n_classes;
        s.pending_totals.clear();
        s.pending_totals.resize(k, 0.0);
        for r in &s.rows {
            s.pending_totals[r.class as usize] += f64::from(r.weight);
        }
        let mut draws =
            FeatureDraws::new(self.ranks.n_features(), params.max_features, rand_r_state);
        let max_depth = params.max_depth.unwrap_or(i32::MAX as usize);
        let min_leaf = params.min_samples_leaf;
        let mut nodes: Vec<Node> = Vec::new();
        let mut stack = vec![Pending {
            start: 0,
            end: s.rows.len(),
            depth: 0,
            parent: None,
            impurity: f64::NAN,
            n_constant_features: 0,
        }];
        while let Some(rec) = stack.pop() {
            let (start, end) = (rec.start, rec.end);
            let n_node = end - start;
            let from = s.pending_totals.len() - k;
            s.total.copy_from_slice(&s.pending_totals[from..]);
            s.pending_totals.truncate(from);
            let w_node: f64 = s.total.iter().sum();
            let impurity = if rec.parent.is_none() {
                class_impurity(params.criterion, &s.total, w_node)
            } else {
                rec.impurity
            };
            let is_leaf = rec.depth >= max_depth
                || n_node < params.min_samples_split
                || n_node < 2 * min_leaf
                || impurity <= f64::EPSILON;
            let mut n_constant = rec.n_constant_features;
            let mut split = None;
            if !is_leaf {
                let node = (start, end);
                let best = match params.splitter {
                    Splitter::Best => {
                        self.search(s, &mut draws, node, w_node, params, &mut n_constant)
                    }
                    Splitter::Random => {
                        self.search_random(s, &mut draws, node, w_node, params, &mut n_constant)
                    }
                };
                if let Some(c) = best {
                    self.partition(s, start, end, &c);
                    let wl: f64 = s.best_left.iter().sum();
                    let wr = w_node - wl;
                    let (il, ir) = children_impurity(
                        params.criterion,
                        (&s.total, &s.best_left, &mut s.right_counts),
                        (wl, wr),
                    );
                    let improvement =
                        weighted_decrease(impurity, (il, ir), (wl, wr, w_node), weighted_n_samples);
                    if improvement + f64::EPSILON >= params.min_impurity_decrease {
                        split = Some((c, il, ir));
                    }
                }
            }
            let id = nodes.len();
            nodes.push(Node {
                feature: split.as_ref().map_or(0, |(c, ..)| c.feature),
                threshold: split.as_ref().map_or(0.0, |(c, ..)| c.threshold),
                left: usize::MAX,
                right: usize::MAX,
                value: s.total.iter().map(|t| t / w_node).collect(),
                impurity,
                weight: w_node,
            });
            if let Some((parent, is_left)) = rec.parent {
                if is_left {
                    nodes[parent].left = id;
                } else {
                    nodes[parent].right = id;
                }
            }
            if let Some((c, il, ir)) = split {
                let mid = start + c.n_left;
                s.pending_totals.extend_from_slice(&s.right_counts);
                s.pending_totals.extend_from_slice(&s.best_left);
                for (pos, impurity, is_left) in [(mid..end, ir, false), (start..mid, il, true)] {
                    stack.push(Pending {
                        start: pos.start,
                        end: pos.end,
                        depth: rec.depth + 1,
                        parent: Some((id, is_left)),
                        impurity,
                        n_constant_features: n_constant,
                    });
                }
            }
        }
        Tree::from_grown(nodes)
    }

    /// `node_split_best` over the node's counts: the features drawn as scikit-learn draws
    /// them, each walked in ascending order; a later candidate wins only if strictly better.
    /// Leaves the best candidate's left counts in `s.best_left`.
    fn search(
        &self,
        s: &mut ClassScratch,
        draws: &mut FeatureDraws,
        (start, end): (usize, usize),
        w_node: f64,
        params: &TreeParams,
        n_constant: &mut usize,
    ) -> Option<Candidate> {
        let k = self.n_classes;
        let n_node = end - start;
        let min_leaf = params.min_samples_leaf;
        let mut best: Option<Candidate> = None;
        let mut best_proxy = f64::NEG_INFINITY;
        let mut state = draws.start(*n_constant);
        while let Some(d) = draws.next(&mut state) {
            let f = d.feature;
            self.count(s, f, start, end);
            let values = &self.ranks.values[f];
            let value = |b: u32| f64::from(values[b as usize]);
            let (lo, hi) = (s.touched[0], s.touched[s.touched.len() - 1]);
            if value(hi) <= value(lo) + FEATURE_THRESHOLD {
                draws.mark_constant(&mut state, &d);
                self.clear(s);
                continue;
            }
            draws.mark_drawn(&mut state, &d);
            s.left.iter_mut().for_each(|l| *l = 0.0);
            let (mut n_left, mut w_left) = (0usize, 0.0);
            let mut previous = lo;
            for i in 0..s.touched.len() {
                let b = s.touched[i];
                if i > 0
                    && value(b) > value(previous) + FEATURE_THRESHOLD
                    && n_left >= min_leaf
                    && n_node - n_left >= min_leaf
                {
                    let w_right = w_node - w_left;
                    let (il, ir) = children_impurity(
                        params.criterion,
                        (&s.total, &s.left, &mut s.right_counts),
                        (w_left, w_right),
                    );
                    let proxy = -w_right * ir - w_left * il;
                    if proxy > best_proxy {
                        best_proxy = proxy;
                        s.best_left.copy_from_slice(&s.left);
                        best = Some(Candidate {
                            feature: f,
                            last_left: previous,
                            threshold: value(previous) / 2.0 + value(b) / 2.0,
                            n_left,
                        });
                    }
                }
                let slots = &s.counts[b as usize * (k + 1)..(b as usize + 1) * (k + 1)];
                for (l, c) in s.left.iter_mut().zip(&slots[..k]) {
                    let c = f64::from(*c);
                    *l += c;
                    w_left += c;
                }
                n_left += slots[k] as usize;
                previous = b;
            }
            self.clear(s);
        }
        *n_constant = draws.finish(&state);
        best
    }

    /// `node_split_random` over the node's counts: per drawn feature, the node's smallest and
    /// largest value, one threshold drawn uniformly between them from the splitter's `rand_r`
    /// (as scikit-learn draws it), and the class weights of the rows at or below it. The order
    /// scikit-learn's partitions leave the samples in changes none of these. Leaves the best
    /// candidate's left counts in `s.best_left`.
    fn search_random(
        &self,
        s: &mut ClassScratch,
        draws: &mut FeatureDraws,
        (start, end): (usize, usize),
        w_node: f64,
        params: &TreeParams,
        n_constant: &mut usize,
    ) -> Option<Candidate> {
        let n_node = end - start;
        let min_leaf = params.min_samples_leaf;
        let mut best: Option<Candidate> = None;
        let mut best_proxy = f64::NEG_INFINITY;
        let mut state = draws.start(*n_constant);
        while let Some(d) = draws.next(&mut state) {
            let f = d.feature;
            let codes = self.ranks.codes(f);
            let values = &self.ranks.values[f];
            let rows = &s.rows[start..end];
            let (lo, hi) = with_codes!(codes, codes => code_range(codes, rows));
            let (min, max) = (
                f64::from(values[lo as usize]),
                f64::from(values[hi as usize]),
            );
            if max <= min + FEATURE_THRESHOLD {
                draws.mark_constant(&mut state, &d);
                continue;
            }
            draws.mark_drawn(&mut state, &d);
            let mut threshold = crate::rng::rand_r::uniform(min, max, &mut draws.rand_r);
            if threshold == max {
                threshold = min;
            }
            // The largest value at or below the threshold: rows with codes up to it go left.
            let last_left = values.partition_point(|&v| f64::from(v) <= threshold) as u32 - 1;
            s.left.iter_mut().for_each(|l| *l = 0.0);
            let n_left =
                with_codes!(codes, codes => weigh_left(codes, rows, last_left, &mut s.left));
            if n_left < min_leaf || n_node - n_left < min_leaf {
                continue;
            }
            let w_left: f64 = s.left.iter().sum();
            let w_right = w_node - w_left;
            let (il, ir) = children_impurity(
                params.criterion,
                (&s.total, &s.left, &mut s.right_counts),
                (w_left, w_right),
            );
            let proxy = -w_right * ir - w_left * il;
            if proxy > best_proxy {
                best_proxy = proxy;
                s.best_left.copy_from_slice(&s.left);
                best = Some(Candidate {
                    feature: f,
                    last_left,
                    threshold,
                    n_left,
                });
            }
        }
        *n_constant = draws.finish(&state);
        best
    }

    /// Counts the node's rows per distinct value of feature `f` and lists the values present.
    fn count(&self, s: &mut ClassScratch, f: usize, start: usize, end: usize) {
        with_codes!(self.ranks.codes(f), codes => self.count_codes(s, codes, f, start, end));
    }

    fn count_codes<C: Copy + Into<u32>>(
        &self,
        s: &mut ClassScratch,
        codes: &[C],
        f: usize,
        start: usize,
        end: usize,
    ) {
        let width = self.n_classes + 1;
        let code = |id: u32| Into::<u32>::into(codes[id as usize]) as usize;
        let n_bins = self.ranks.values[f].len();
        let rows = &s.rows[start..end];
        let counts = &mut s.counts[..n_bins * width];
        // Few rows beside many values: note the values as rows reach them rather than scan all.
        if rows.len() * 4 < n_bins {
            for r in rows {
                let b = code(r.id) * width;
                if counts[b + width - 1] == 0 {
                    s.touched.push((b / width) as u32);
                }
                counts[b + width - 1] += 1;
                counts[b + r.class as usize] += r.weight;
            }
            s.touched.sort_unstable();
        } else if n_bins <= LANED_BINS && rows.len() >= n_bins * width {
            // Consecutive rows often share a value (always, nearly, for a two-valued column):
            // counting them in one place chains every addition on the previous one, so four
            // interleaved copies are counted and then added (whole numbers: order is free).
            let lanes = &mut s.lanes[..LANES * n_bins * width];
            let mut chunks = rows.chunks_exact(LANES);
            for quad in &mut chunks {
                for (lane, r) in quad.iter().enumerate() {
                    let b = (lane * n_bins + code(r.id)) * width;
                    lanes[b + width - 1] += 1;
                    lanes[b + r.class as usize] += r.weight;
                }
            }
            for r in chunks.remainder() {
                let b = code(r.id) * width;
                lanes[b + width - 1] += 1;
                lanes[b + r.class as usize] += r.weight;
            }
            let (first, rest) = lanes.split_at_mut(n_bins * width);
            for lane in rest.chunks_exact_mut(n_bins * width) {
                for (c, l) in first.iter_mut().zip(lane.iter_mut()) {
                    *c += *l;
                    *l = 0;
                }
            }
            counts.copy_from_slice(first);
            first.fill(0);
            s.touched.extend(
                (0..n_bins as u32).filter(|&b| counts[b as usize * width + width - 1] != 0),
            );
        } else {
            for r in rows {
                let b = code(r.id) * width;
                counts[b + width - 1] += 1;
                counts[b + r.class as usize] += r.weight;
            }
            s.touched.extend(
                (0..n_bins as u32).filter(|&b| counts[b as usize * width + width - 1] != 0),
            );
        }
    }

    fn clear(&self, s: &mut ClassScratch) {
        let width = self.n_classes + 1;
        for &b in &s.touched {
            s.counts[b as usize * width..(b as usize + 1) * width].fill(0);
        }
        s.touched.clear();
    }

    /// Moves the node's rows that go left first.
    fn partition(&self, s: &mut ClassScratch, start: usize, end: usize, c: &Candidate) {
        s.right.clear();
        let mut next = start;
        with_codes!(self.ranks.codes(c.feature), codes => {
            for p in start..end {
                let r = s.rows[p];
                if u32::from(codes[r.id as usize]) <= c.last_left {
                    s.rows[next] = r;
                    next += 1;
                } else {
                    s.right.push(r);
                }
            }
        });
        s.rows[next..end].copy_from_slice(&s.right);
    }
}

/// `children_impurity` of a split whose left child holds `left` of the node's `total` class
/// weights: the right child's weights are written to `right`.
fn children_impurity(
    kind: Criterion,
    (total, left, right): (&[f64], &[f64], &mut [f64]),
    (w_left, w_right): (f64, f64),
) -> (f64, f64) {
    for ((r, t), l) in right.iter_mut().zip(total).zip(left) {
        *r = t - l;
    }
    (
        class_impurity(kind, left, w_left),
        class_impurity(kind, right, w_right),
    )
}

/// The smallest and largest code among `rows`.
fn code_range<C: Copy + Into<u32>>(codes: &[C], rows: &[Row]) -> (u32, u32) {
    let (mut lo, mut hi) = (u32::MAX, 0);
    for r in rows {
        let c: u32 = codes[r.id as usize].into();
        lo = lo.min(c);
        hi = hi.max(c);
    }
    (lo, hi)
}

/// Adds the weight of each of `rows` with a code up to `last_left` to its class in `left`;
/// returns how many there are.
fn weigh_left<C: Copy + Into<u32>>(
    codes: &[C],
    rows: &[Row],
    last_left: u32,
    left: &mut [f64],
) -> usize {
    let mut n_left = 0;
    for r in rows {
        if Into::<u32>::into(codes[r.id as usize]) <= last_left {
            left[r.class as usize] += f64::from(r.weight);
            n_left += 1;
        }
    }
    n_left
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Matrix;
    use crate::rng::numpy::RandomState;

    /// Whole numbers with many ties, a two-valued column, values 1e-8 apart (one value to
    /// scikit-learn's search), a signed zero, a constant column, and `k` noisy classes.
    fn table(rows: usize, k: usize, seed: u64) -> (Columns, Vec<usize>) {
        let mut r = RandomState::new(seed);
        let cols = 7;
        let mut data = vec![0.0; rows * cols];
        let mut y = Vec::with_capacity(rows);
        for i in 0..rows {
            let a = r.randint(0, 40) as f64;
            let row = &mut data[i * cols..(i + 1) * cols];
            row[0] = a;
            row[1] = r.randint(0, 2) as f64;
            row[2] = 1.0 + r.randint(0, 3) as f64 * 1e-8;
            row[3] = if r.randint(0, 2) == 0 { -0.0 } else { 0.0 } + r.randint(0, 3) as f64;
            row[4] = 7.0;
            row[5] = (r.random_sample() * 1000.0).round() / 10.0;
            row[6] = (a / 5.0).floor();
            let score = a / 40.0 + row[1] * 0.3 + r.random_sample() * 0.8;
            y.push(((score * k as f64 / 2.1) as usize).min(k - 1));
        }
        let x = Matrix {
            data,
            rows,
            cols,
            names: (0..cols).map(|c| format!("x{c}")).collect(),
        };
        (Columns::new(&x), y)
    }

    /// Counting gives the exact replay's tree node for node, with the same leaf fractions,
    /// for unweighted rows and for bootstrap counts, both criteria, both splitters and several
    /// limits.
    #[test]
    fn grows_the_exact_replays_tree() {
        for seed in 0..8u64 {
            let k = 2 + seed as usize % 3;
            let (x, y) = table(200 + 300 * seed as usize, k, seed);
            let ranks = Ranks::new(&x).expect("no missing values");
            let trees = ClassTrees::new(&x, &ranks, &y, k);
            let mut scratch = trees.scratch();
            let bootstrap = super::super::bootstrap_weights(seed as u32, x.rows, x.rows);
            for weight in [vec![1.0; x.rows], bootstrap] {
                for (criterion, splitter) in [
                    (Criterion::Gini, Splitter::Best),
                    (Criterion::Entropy, Splitter::Best),
                    (Criterion::Gini, Splitter::Random),
                    (Criterion::Entropy, Splitter::Random),
                ] {
                    for (max_depth, max_features, min_leaf, min_decrease) in [
                        (None, 2, 1, 0.0),
                        (Some(4), 7, 1, 0.0),
                        (None, 3, 5, 0.0),
                        (Some(8), 1, 2, 0.002),
                    ] {
                        let p = TreeParams {
                            criterion,
                            max_depth,
                            min_samples_split: 2,
                            min_samples_leaf: min_leaf,
                            max_features,
                            min_impurity_decrease: min_decrease,
                            splitter,
                        };
                        let state = seed as u32 * 11 + max_features as u32;
                        let fast = trees.grow(&mut scratch, &weight, &p, state);
                        let exact = grow::grow(&x, &Target::Classes(&y, k), &weight, &p, state);
                        assert_eq!(fast.structure(), exact.structure(), "seed {seed} {p:?}");
                        assert_eq!(fast.values, exact.values, "seed {seed} {p:?}");
                    }
                }
            }
        }
    }
}
