//! The tree [`super::grow`] grows with a `BestSplitter` on a regression criterion, found
//! without sorting: boosting fits hundreds of trees on features that never change, so each
//! feature's distinct values are ranked once ([`Binned::new`]) and a node sums its rows per
//! distinct value (one pass per feature) instead of sorting them. The candidate thresholds
//! are scikit-learn's (midpoints between consecutive values of the node more than 1e-7 apart),
//! the feature draws and the node order are scikit-learn's ([`FeatureDraws`]), and so are the
//! rules that make a node a leaf.
//!
//! What differs is the order of additions inside the sums: scikit-learn adds a node's targets
//! in the order its introsort leaves them, this in row order. So every decision is made with
//! an error bound on both programs' sums. When the best split is not clear of another by that
//! bound, the node is a tie: if the two cut the same rows (two features that agree in the
//! node, as season and month do), the tree below is the same either way and scikit-learn's
//! search is replayed on the path to that node to learn which feature it records
//! ([`Binned::settle_ties`]); otherwise, or when a node's impurity is that close to "pure" or
//! its improvement to `min_impurity_decrease`, the whole tree is grown again by the exact
//! replay. The splits are scikit-learn's; the leaf values are the node means summed in row
//! order, within an ulp or two of scikit-learn's, so a caller that needs them to the bit
//! recomputes them in row order itself (gradient boosting's line search does; its
//! squared-error leaves, which scikit-learn takes as they are, stay on the exact replay).

use rayon::prelude::*;

use super::criterion::{friedman_improvement, regression_proxy, variance, weighted_decrease};
use super::draws::FeatureDraws;
use super::grow::NodeReplay;
use super::ranks::{with_codes, Ranks};
use super::{
    grow, Columns, Criterion, Node, Splitter, Target, Tree, TreeParams, FEATURE_THRESHOLD,
};

/// Nodes with at least this many rows fill their features' sums on both cores.
const PARALLEL_ROWS: usize = 2048;

/// Each feature's distinct values, ranked once, and the buffers of the trees grown on them.
pub struct Binned {
    ranks: Ranks,
    sums: Vec<FeatureSums>,
    samples: Vec<u32>,
    right: Vec<u32>,
    wy: Vec<f64>,
    /// Every in-bag weight of the tree being grown is 1.
    unit: bool,
    /// Trees grown again by the exact replay because a decision was within rounding.
    pub replayed: usize,
    /// Ties between cuts of the same rows settled by replaying scikit-learn's search.
    pub settled: usize,
}

/// The rows of one node summed per distinct value of one feature.
#[derive(Default)]
struct FeatureSums {
    /// Per distinct value, `lanes` partial sums side by side.
    bins: Vec<Bin>,
    lanes: usize,
    /// The non-empty bins, ascending: noted as rows reach them when the node is small beside
    /// the number of values, else when the lanes are added up.
    touched: Vec<u32>,
    sparse: bool,
    filled: bool,
}

#[derive(Clone, Copy, Default)]
struct Bin {
    n: u32,
    w: f64,
    s: f64,
}

/// A node's rows summed: count, weight, `Σw·y`, `Σw·y²` and `Σ|w·y|` (for error bounds).
#[derive(Clone, Copy)]
struct NodeSums {
    n: usize,
    w: f64,
    s: f64,
    sq: f64,
    abs: f64,
}

/// A node waiting on the stack, as in [`super::grow`], with its impurity's error bound.
struct Pending {
    start: usize,
    end: usize,
    depth: usize,
    parent: Option<(usize, bool)>,
    impurity: f64,
    impurity_error: f64,
    n_constant_features: usize,
}

/// A candidate split: rows whose code is at most `last_left` go left.
#[derive(Clone, Copy)]
struct Candidate {
    feature: usize,
    last_left: u32,
    threshold: f64,
    n_left: usize,
    w_left: f64,
    s_left: f64,
}

/// What the fast search of a node saw, kept in case scikit-learn's search must be replayed
/// there ([`Binned::settle_ties`]).
struct Searched {
    range: (usize, usize),
    draws: FeatureDraws,
    n_constant: usize,
    impurity: f64,
    /// Another candidate was within rounding of the best.
    tied: bool,
    split: Option<Candidate>,
}

/// The best candidate so far and how high any other one could really be.
struct Best {
    candidate: Option<Candidate>,
    proxy: f64,
    error: f64,
    others: f64,
}

impl Best {
    fn offer(&mut self, c: Candidate, proxy: f64, error: f64) {
        if proxy > self.proxy {
            self.others = self.others.max(self.proxy + self.error);
            (self.candidate, self.proxy, self.error) = (Some(c), proxy, error);
        } else {
            self.others = self.others.max(proxy + error);
        }
    }

    /// Whether rounding alone could have put another candidate first.
    fn is_clear(&self) -> bool {
        self.others < self.proxy - self.error
    }
}

/// Why the fast search gave up on a tree: a decision within rounding of its boundary.
struct TooClose;

impl Binned {
    /// Ranks the values of every feature; `None` when one is missing (NaN), which only the
    /// exact replay handles.
    pub fn new(x: &Columns) -> Option<Binned> {
        let ranks = Ranks::new(x)?;
        let sums = ranks
            .values
            .iter()
            .map(|v| FeatureSums::new(v.len()))
            .collect();
        Some(Binned {
            samples: Vec::with_capacity(ranks.rows),
            right: Vec::with_capacity(ranks.rows),
            wy: vec![0.0; ranks.rows],
            ranks,
            sums,
            unit: false,
            replayed: 0,
            settled: 0,
        })
    }

    /// Grows the tree [`super::grow`] grows for a regression target `y` (see the module
    /// doc); `x` is the table this was built from.
    pub fn grow(
        &mut self,
        x: &Columns,
        y: &[f64],
        weight: &[f64],
        params: &TreeParams,
        rand_r_state: u32,
    ) -> Tree {
        let regression = matches!(
            params.criterion,
            Criterion::SquaredError | Criterion::FriedmanMse
        );
        if regression && params.splitter == Splitter::Best {
            match self.try_grow(x, y, weight, params, rand_r_state) {
                Ok(tree) => return tree,
                Err(TooClose) => self.replayed += 1,
            }
        }
        grow::grow(x, &Target::Values(y), weight, params, rand_r_state)
    }

    fn try_grow(
        &mut self,
        x: &Columns,
        y: &[f64],
        weight: &[f64],
        params: &TreeParams,
        rand_r_state: u32,
    ) -> Result<Tree, TooClose> {
        self.samples.clear();
        self.samples
            .extend((0..self.ranks.rows as u32).filter(|&i| weight[i as usize] != 0.0));
        for (i, wy) in self.wy.iter_mut().enumerate() {
            *wy = weight[i] * y[i];
        }
        let weighted_n_samples: f64 = weight.iter().sum();
        let integral_weights = weight.iter().all(|w| w.fract() == 0.0) && weighted_n_samples < 2e15;
        self.unit = weight.iter().all(|&w| w == 0.0 || w == 1.0);
        let mut draws =
            FeatureDraws::new(self.ranks.values.len(), params.max_features, rand_r_state);
        let max_depth = params.max_depth.unwrap_or(i32::MAX as usize);
        let min_leaf = params.min_samples_leaf;
        let mut nodes: Vec<Node> = Vec::new();
        let mut searched: Vec<Option<Searched>> = Vec::new();
        let mut stack = vec![Pending {
            start: 0,
            end: self.samples.len(),
            depth: 0,
            parent: None,
            impurity: f64::NAN,
            impurity_error: 0.0,
            n_constant_features: 0,
        }];
        while let Some(rec) = stack.pop() {
            let node = self.node_sums(rec.start, rec.end, y, weight);
            let bounds = ErrorBounds::new(&node, integral_weights);
            let (impurity, impurity_error) = if rec.parent.is_none() {
                (
                    variance(node.sq, node.s, node.w),
                    bounds.variance(node.sq, node.s, node.w),
                )
            } else {
                (rec.impurity, rec.impurity_error)
            };
            let mut is_leaf = rec.depth >= max_depth
                || node.n < params.min_samples_split
                || node.n < 2 * min_leaf;
            if !is_leaf {
                too_close(impurity, f64::EPSILON, impurity_error)?;
                is_leaf = impurity <= f64::EPSILON;
            }
            let mut n_constant = rec.n_constant_features;
            let mut split = None;
            let mut search = None;
            if !is_leaf {
                let before = draws.clone();
                let mut s = draws.start(n_constant);
                if params.max_features >= self.ranks.values.len() && node.n >= PARALLEL_ROWS {
                    // Every feature not known constant will be drawn: sum them all at once.
                    let mut wanted = vec![false; self.ranks.values.len()];
                    draws.candidates(&s).iter().for_each(|&f| wanted[f] = true);
                    self.fill_all(&wanted, rec.start, rec.end, weight);
                }
                let mut best = Best {
                    candidate: None,
                    proxy: f64::NEG_INFINITY,
                    error: 0.0,
                    others: f64::NEG_INFINITY,
                };
                while let Some(d) = draws.next(&mut s) {
                    if !self.sums[d.feature].filled {
                        self.fill(d.feature, rec.start, rec.end, weight);
                    }
                    if self.scan(d.feature, &node, &bounds, params, &mut best) {
                        draws.mark_drawn(&mut s, &d);
                    } else {
                        draws.mark_constant(&mut s, &d);
                    }
                }
                self.clear_sums();
                n_constant = draws.finish(&s);
                search = Some(Searched {
                    range: (rec.start, rec.end),
                    draws: before,
                    n_constant: rec.n_constant_features,
                    impurity,
                    tied: !best.is_clear(),
                    split: best.candidate,
                });
                if let Some(c) = best.candidate {
                    let sq_left = self.partition(rec.start, rec.end, &c, y, weight);
                    let (wl, wr) = (c.w_left, node.w - c.w_left);
                    let (sl, sr) = (c.s_left, node.s - c.s_left);
                    let children = (
                        variance(sq_left, sl, wl),
                        variance(node.sq - sq_left, sr, wr),
                    );
                    let child_error = bounds.variance(node.sq, node.abs, wl.min(wr));
                    let (improvement, improvement_error) =
                        if params.criterion == Criterion::FriedmanMse {
                            let proxy = regression_proxy(params.criterion, sl, sr, wl, wr);
                            (
                                friedman_improvement(sl, sr, wl, wr, node.w),
                                bounds.proxy(params.criterion, proxy, (sl, sr), (wl, wr)) / node.w,
                            )
                        } else {
                            (
                                weighted_decrease(
                                    impurity,
                                    children,
                                    (wl, wr, node.w),
                                    weighted_n_samples,
                                ),
                                node.w / weighted_n_samples * (impurity_error + 2.0 * child_error)
                                    + 4.0 * f64::EPSILON * impurity.abs(),
                            )
                        };
                    too_close(
                        improvement + f64::EPSILON,
                        params.min_impurity_decrease,
                        improvement_error,
                    )?;
                    if improvement + f64::EPSILON >= params.min_impurity_decrease {
                        split = Some((c, children, child_error));
                    }
                }
            }
            let id = nodes.len();
            searched.push(search);
            nodes.push(Node {
                feature: split.map_or(0, |(c, ..)| c.feature),
                threshold: split.map_or(0.0, |(c, ..)| c.threshold),
                left: usize::MAX,
                right: usize::MAX,
                value: vec![node.s / node.w],
                impurity,
                weight: node.w,
            });
            if let Some((parent, is_left)) = rec.parent {
                if is_left {
                    nodes[parent].left = id;
                } else {
                    nodes[parent].right = id;
                }
            }
            if let Some((c, (il, ir), child_error)) = split {
                let mid = rec.start + c.n_left;
                stack.push(Pending {
                    start: mid,
                    end: rec.end,
                    depth: rec.depth + 1,
                    parent: Some((id, false)),
                    impurity: ir,
                    impurity_error: child_error,
                    n_constant_features: n_constant,
                });
                stack.push(Pending {
                    start: rec.start,
                    end: mid,
                    depth: rec.depth + 1,
                    parent: Some((id, true)),
                    impurity: il,
                    impurity_error: child_error,
                    n_constant_features: n_constant,
                });
            }
        }
        self.settle_ties(x, y, weight, params, &mut nodes, &searched)?;
        Ok(Tree::from_grown(nodes))
    }

    /// Where two candidates tied, the fast search cannot know which one scikit-learn's sums
    /// put first. When they cut the same rows (two features that agree in the node), the
    /// tree below is the same either way and only the node's feature and threshold are in
    /// doubt: scikit-learn's search is replayed on the path from the root to each such node
    /// (its sample order there depends on every sort above it), and its choice recorded.
    /// `Err` when a replayed node cuts other rows than the fast search did.
    fn settle_ties(
        &mut self,
        x: &Columns,
        y: &[f64],
        weight: &[f64],
        params: &TreeParams,
        nodes: &mut [Node],
        searched: &[Option<Searched>],
    ) -> Result<(), TooClose> {
        // A node is replayed when it or a node below it tied (children come after parents).
        let mut replay = vec![false; nodes.len()];
        for id in (0..nodes.len()).rev() {
            let tied = searched[id].as_ref().is_some_and(|s| s.tied);
            let below = !nodes[id].is_leaf() && (replay[nodes[id].left] || replay[nodes[id].right]);
            replay[id] = tied || below;
        }
        if !replay[0] {
            return Ok(());
        }

        let target = Target::Values(y);
        let mut exact = NodeReplay::new(x, &target, weight, params);
        let mut stack = vec![0];
        while let Some(id) = stack.pop() {
            let Some(s) = searched[id].as_ref().filter(|_| replay[id]) else {
                continue;
            };
            let found = exact.split(s.range, s.draws.clone(), s.n_constant, s.impurity);
            let (Some(found), Some(ours)) = (found, s.split) else {
                return Err(TooClose);
            };
            let same_rows = found.pos == s.range.0 + ours.n_left
                && with_codes!(self.ranks.codes(ours.feature), codes => exact.samples()
                    [s.range.0..found.pos]
                    .iter()
                    .all(|&r| u32::from(codes[r]) <= ours.last_left));
            let same_split = found.feature == ours.feature && found.threshold == ours.threshold;
            if !same_rows || (!s.tied && !same_split) || nodes[id].is_leaf() {
                return Err(TooClose);
            }
            self.settled += usize::from(s.tied);
            nodes[id].feature = found.feature;
            nodes[id].threshold = found.threshold;
            stack.push(nodes[id].right);
            stack.push(nodes[id].left);
        }
        Ok(())
    }

    fn node_sums(&self, start: usize, end: usize, y: &[f64], weight: &[f64]) -> NodeSums {
        let mut t = NodeSums {
            n: end - start,
            w: 0.0,
            s: 0.0,
            sq: 0.0,
            abs: 0.0,
        };
        for &r in &self.samples[start..end] {
            let (w, wy) = (weight[r as usize], self.wy[r as usize]);
            t.w += w;
            t.s += wy;
            t.sq += wy * y[r as usize];
            t.abs += wy.abs();
        }
        t
    }

    fn fill(&mut self, f: usize, start: usize, end: usize, weight: &[f64]) {
        let (samples, wy, unit) = (&self.samples[start..end], &self.wy, self.unit);
        let sums = &mut self.sums[f];
        with_codes!(self.ranks.codes(f), codes => sums.fill(codes, samples, weight, wy, unit));
    }

    fn fill_all(&mut self, wanted: &[bool], start: usize, end: usize, weight: &[f64]) {
        let (ranks, samples, wy) = (&self.ranks, &self.samples[start..end], &self.wy);
        let unit = self.unit;
        self.sums
            .par_iter_mut()
            .enumerate()
            .filter(|(f, _)| wanted[*f])
            .for_each(|(f, sums)| {
                with_codes!(ranks.codes(f), codes => sums.fill(codes, samples, weight, wy, unit))
            });
    }

    fn clear_sums(&mut self) {
        for sums in self.sums.iter_mut().filter(|s| s.filled) {
            if sums.sparse {
                for &b in &sums.touched {
                    sums.bins[b as usize * sums.lanes] = Bin::default();
                }
            } else {
                sums.bins.fill(Bin::default());
            }
            sums.touched.clear();
            sums.filled = false;
        }
    }

    /// Offers every threshold of feature `f` in the node; `false` when it is constant there.
    fn scan(
        &self,
        f: usize,
        node: &NodeSums,
        bounds: &ErrorBounds,
        params: &TreeParams,
        best: &mut Best,
    ) -> bool {
        let sums = &self.sums[f];
        let values = &self.ranks.values[f];
        let value = |b: u32| f64::from(values[b as usize]);
        let nonempty = &sums.touched;
        let (lo, hi) = (nonempty[0], nonempty[nonempty.len() - 1]);
        if value(hi) <= value(lo) + FEATURE_THRESHOLD {
            return false;
        }
        let min_leaf = params.min_samples_leaf;
        let (mut n_left, mut w_left, mut s_left) = (0usize, 0.0, 0.0);
        let mut previous = lo;
        let bin = sums.bin(lo);
        (n_left, w_left, s_left) = (n_left + bin.n as usize, w_left + bin.w, s_left + bin.s);
        for &b in &nonempty[1..] {
            if value(b) > value(previous) + FEATURE_THRESHOLD
                && n_left >= min_leaf
                && node.n - n_left >= min_leaf
            {
                let (wl, wr) = (w_left, node.w - w_left);
                let (sl, sr) = (s_left, node.s - s_left);
                let proxy = regression_proxy(params.criterion, sl, sr, wl, wr);
                let error = bounds.proxy(params.criterion, proxy, (sl, sr), (wl, wr));
                let candidate = Candidate {
                    feature: f,
                    last_left: previous,
                    threshold: value(previous) / 2.0 + value(b) / 2.0,
                    n_left,
                    w_left,
                    s_left,
                };
                best.offer(candidate, proxy, error);
            }
            let bin = sums.bin(b);
            n_left += bin.n as usize;
            w_left += bin.w;
            s_left += bin.s;
            previous = b;
        }
        true
    }

    /// Moves the node's rows that go left first (keeping row order on both sides); returns
    /// the left rows' `Σw·y²`.
    fn partition(
        &mut self,
        start: usize,
        end: usize,
        c: &Candidate,
        y: &[f64],
        weight: &[f64],
    ) -> f64 {
        self.right.clear();
        let mut next = start;
        let mut sq_left = 0.0;
        let (samples, right) = (&mut self.samples, &mut self.right);
        with_codes!(self.ranks.codes(c.feature), codes => {
            for p in start..end {
                let r = samples[p];
                if u32::from(codes[r as usize]) <= c.last_left {
                    samples[next] = r;
                    next += 1;
                    sq_left += weight[r as usize] * y[r as usize] * y[r as usize];
                } else {
                    right.push(r);
                }
            }
        });
        self.samples[next..end].copy_from_slice(&self.right);
        sq_left
    }
}

/// Features with at most this many values are summed in [`LANES`] interleaved copies of
/// their bins: consecutive rows often share a value (rows in time order, binary columns), and
/// one copy would make every addition wait for the one before.
const LANED_BINS: usize = 1024;
const LANES: usize = 4;

impl FeatureSums {
    fn new(n_bins: usize) -> FeatureSums {
        let lanes = if n_bins <= LANED_BINS { LANES } else { 1 };
        FeatureSums {
            bins: vec![Bin::default(); n_bins * lanes],
            lanes,
            ..FeatureSums::default()
        }
    }

    fn n_bins(&self) -> usize {
        self.bins.len() / self.lanes
    }

    /// Bin `b` once filled (the lanes are added into the first).
    fn bin(&self, b: u32) -> Bin {
        self.bins[b as usize * self.lanes]
    }

    /// `unit`: every weight is 1, so a bin's weight is its count.
    fn fill<C: Copy + Into<u32>>(
        &mut self,
        codes: &[C],
        samples: &[u32],
        weight: &[f64],
        wy: &[f64],
        unit: bool,
    ) {
        let code = |r: u32| Into::<u32>::into(codes[r as usize]) as usize;
        // Few rows beside many values: remember which bins they touch rather than scan all.
        self.sparse = samples.len() * 4 < self.n_bins();
        if self.sparse {
            let lanes = self.lanes;
            for &r in samples {
                let b: u32 = codes[r as usize].into();
                let bin = &mut self.bins[b as usize * lanes];
                if bin.n == 0 {
                    self.touched.push(b);
                }
                bin.n += 1;
                bin.w += weight[r as usize];
                bin.s += wy[r as usize];
            }
            self.touched.sort_unstable();
        } else if self.lanes == LANES && unit {
            for (j, &r) in samples.iter().enumerate() {
                let bin = &mut self.bins[code(r) * LANES + (j % LANES)];
                bin.n += 1;
                bin.s += wy[r as usize];
            }
            self.merge_lanes(true);
        } else {
            let lanes = self.lanes;
            for (j, &r) in samples.iter().enumerate() {
                let bin = &mut self.bins[code(r) * lanes + (j % lanes)];
                bin.n += 1;
                bin.w += weight[r as usize];
                bin.s += wy[r as usize];
            }
            self.merge_lanes(false);
        }
        self.filled = true;
    }

    /// Adds the lanes into the first and lists the non-empty bins, ascending.
    fn merge_lanes(&mut self, unit: bool) {
        for (b, lanes) in self.bins.chunks_exact_mut(self.lanes).enumerate() {
            let (first, rest) = lanes.split_at_mut(1);
            for other in rest.iter() {
                first[0].n += other.n;
                first[0].w += other.w;
                first[0].s += other.s;
            }
            if unit {
                first[0].w = f64::from(first[0].n);
            }
            if first[0].n > 0 {
                self.touched.push(b as u32);
            }
        }
    }
}

/// `Err(TooClose)` when `value` and `boundary` are within `error` of each other.
fn too_close(value: f64, boundary: f64, error: f64) -> Result<(), TooClose> {
    if (value - boundary).abs() <= error {
        Err(TooClose)
    } else {
        Ok(())
    }
}

/// How far apart two programs' sums over a node can be when they add in different orders:
/// each is within `(n − 1)·ε·Σ|terms|` of the exact sum (the bounds below double that, and
/// then double again for safety).
struct ErrorBounds {
    /// Of a sum of `w·y` (a child's, or the node's).
    sum: f64,
    /// Of a sum of weights (zero for whole-number weights, whose sums are exact).
    weight: f64,
    /// Of a sum of `w·y²`.
    sq: f64,
}

impl ErrorBounds {
    fn new(node: &NodeSums, integral_weights: bool) -> ErrorBounds {
        let k = 8.0 * node.n as f64 * f64::EPSILON;
        ErrorBounds {
            sum: k * node.abs,
            weight: if integral_weights { 0.0 } else { k * node.w },
            sq: k * node.sq,
        }
    }

    /// Of `proxy`, the criterion's proxy of a split with these sums and weights.
    fn proxy(
        &self,
        kind: Criterion,
        proxy: f64,
        (sl, sr): (f64, f64),
        (wl, wr): (f64, f64),
    ) -> f64 {
        let (ds, dw) = (2.0 * self.sum, self.weight);
        let rounding = 8.0 * f64::EPSILON * proxy.abs();
        if kind == Criterion::FriedmanMse {
            let diff = wr * sl - wl * sr;
            let d_diff = (wl + wr) * ds + (sl.abs() + sr.abs()) * dw;
            2.0 * diff.abs() * d_diff / (wl * wr)
                + d_diff * d_diff / (wl * wr)
                + proxy * (dw / wl + dw / wr)
                + rounding
        } else {
            2.0 * (sl.abs() / wl + sr.abs() / wr) * ds
                + ds * ds * (1.0 / wl + 1.0 / wr)
                + (sl * sl / (wl * wl) + sr * sr / (wr * wr)) * dw
                + rounding
        }
    }

    /// Of `variance(sq, s, w)` for sums of a node or of a child of weight at least `w`.
    fn variance(&self, sq: f64, s: f64, w: f64) -> f64 {
        let ds = 2.0 * self.sum;
        let mean = s.abs() / w;
        self.sq / w
            + (2.0 * mean * ds + ds * ds / w) / w
            + self.weight * (sq / (w * w) + 2.0 * mean * mean / w)
            + 8.0 * f64::EPSILON * (sq / w + mean * mean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Matrix;
    use crate::rng::numpy::RandomState;

    /// A table of whole numbers (many ties, as in Titanic's or the bike-sharing features),
    /// one feature a copy of another's order (the same rows on each side of a cut), and a
    /// continuous and a two-valued target (equal class counts on both sides of two cuts).
    fn table(rows: usize, seed: u64) -> (Columns, Vec<f64>, Vec<f64>) {
        let mut r = RandomState::new(seed);
        let cols = 6;
        let mut data = vec![0.0; rows * cols];
        for i in 0..rows {
            let a = r.randint(0, 12) as f64;
            data[i * cols] = a;
            data[i * cols + 1] = (a / 3.0).floor();
            data[i * cols + 2] = r.randint(0, 2) as f64;
            data[i * cols + 3] = r.randint(0, 90) as f64 / 7.0;
            data[i * cols + 4] = r.random_sample();
            data[i * cols + 5] = r.randint(0, 4) as f64 * 0.25;
        }
        let x = Matrix {
            data,
            rows,
            cols,
            names: (0..cols).map(|c| format!("x{c}")).collect(),
        };
        let continuous: Vec<f64> = (0..rows)
            .map(|i| x.row(i)[0] * 0.3 - x.row(i)[3] + r.random_sample())
            .collect();
        let two_valued: Vec<f64> = (0..rows)
            .map(|i| {
                if x.row(i)[2] + x.row(i)[5] > 0.6 {
                    0.75
                } else {
                    -0.25
                }
            })
            .collect();
        (Columns::new(&x), continuous, two_valued)
    }

    fn params(criterion: Criterion, max_depth: usize, max_features: usize) -> TreeParams {
        TreeParams {
            criterion,
            max_depth: Some(max_depth),
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features,
            min_impurity_decrease: 0.0,
            splitter: Splitter::Best,
        }
    }

    /// The fast search and the exact replay give the same splits in the same node order and
    /// leaf values within 1e-12, whether or not the fast search had to hand the tree over.
    #[test]
    fn grows_the_exact_replays_tree() {
        let (mut replayed, mut settled, mut trees) = (0, 0, 0);
        for seed in 0..6 {
            let (x, continuous, two_valued) = table(300 + 500 * seed as usize, seed);
            let mut binned = Binned::new(&x).expect("no missing values");
            let mut weight = vec![1.0; x.rows];
            if seed % 2 == 1 {
                // a boosting subsample: a third of the rows left out
                weight.iter_mut().step_by(3).for_each(|w| *w = 0.0);
            }
            for y in [&continuous, &two_valued] {
                for criterion in [Criterion::FriedmanMse, Criterion::SquaredError] {
                    for (depth, max_features) in [(3, 6), (6, 6), (4, 2), (12, 3)] {
                        let p = params(criterion, depth, max_features);
                        let state = seed as u32 * 7 + depth as u32;
                        let fast = binned.grow(&x, y, &weight, &p, state);
                        let exact = grow::grow(&x, &Target::Values(y), &weight, &p, state);
                        assert_eq!(fast.structure(), exact.structure(), "seed {seed} {p:?}");
                        for (&a, &b) in fast.values.iter().zip(&exact.values) {
                            assert!((a - b).abs() <= 1e-12 * a.abs().max(b.abs()), "{a} {b}");
                        }
                        trees += 1;
                    }
                }
            }
            replayed += binned.replayed;
            settled += binned.settled;
        }
        // x1 cuts the rows as x0 does at every third value: ties to settle, not to regrow.
        assert!(
            settled > 0,
            "no tie was ever settled ({replayed} of {trees} trees replayed)"
        );
        assert!(replayed < trees, "every tree was replayed");
    }

    #[test]
    fn a_missing_value_leaves_it_to_the_exact_replay() {
        let x = Columns {
            data: vec![1.0, f32::NAN, 2.0, 3.0],
            rows: 2,
            cols: 2,
        };
        assert!(Binned::new(&x).is_none());
    }
}
