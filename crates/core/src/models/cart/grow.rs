//! Growing one tree as scikit-learn's `DepthFirstTreeBuilder` with a `BestSplitter` or
//! `RandomSplitter` over a `DensePartitioner` does (`sklearn/tree/_tree.pyx`,
//! `_splitter.pyx`, `_partitioner.pyx`), step for step: one array of sample indices
//! partitioned in place down the tree, one array of feature indices permuted in place by the
//! Fisher-Yates draws of every node (its order carries from node to node), the constant
//! features found in a node passed to its children, nodes taken from a stack (left child
//! first), and every random number drawn from the splitter's `rand_r` state in the same
//! order. With the same seed, the tree has the same nodes, features, thresholds and values.

use super::criterion::Stats;
use super::draws::{DrawState, FeatureDraws};
use super::sort::{self, Keyed};
use super::{Columns, Node, Splitter, Target, Tree, TreeParams, FEATURE_THRESHOLD};
use crate::rng::rand_r;

/// A node waiting on the stack (`StackRecord`); [`super::classes`] grows from the same.
pub(super) struct Pending {
    pub start: usize,
    pub end: usize,
    pub depth: usize,
    pub parent: Option<(usize, bool)>,
    pub impurity: f64,
    pub n_constant_features: usize,
}

/// The best split of a node (`SplitRecord`); `pos == end` when there is none.
#[derive(Clone, Copy)]
struct Split {
    feature: usize,
    pos: usize,
    threshold: f64,
    improvement: f64,
    impurity_left: f64,
    impurity_right: f64,
}

impl Split {
    fn none(end: usize) -> Split {
        Split {
            feature: 0,
            pos: end,
            threshold: 0.0,
            improvement: f64::NEG_INFINITY,
            impurity_left: f64::INFINITY,
            impurity_right: f64::INFINITY,
        }
    }
}

struct Grower<'a> {
    x: &'a Columns,
    params: &'a TreeParams,
    samples: Vec<usize>,
    draws: FeatureDraws,
    feature_values: Vec<f32>,
    /// The node's (value, sample) pairs while they are sorted.
    keyed: Vec<Keyed>,
    stats: Stats<'a>,
}

/// Grows a tree on the rows with non-zero `weight`; `rand_r_state` is the splitter's seed
/// (scikit-learn's `random_state.randint(0, RAND_R_MAX)`).
pub fn grow(
    x: &Columns,
    target: &Target,
    weight: &[f64],
    params: &TreeParams,
    rand_r_state: u32,
) -> Tree {
    let mut g = Grower::new(x, target, weight, params, rand_r_state);
    let n = g.samples.len();
    let mut nodes: Vec<Node> = Vec::new();
    let max_depth = params.max_depth.unwrap_or(i32::MAX as usize);
    let min_leaf = params.min_samples_leaf;
    let mut stack = vec![Pending {
        start: 0,
        end: n,
        depth: 0,
        parent: None,
        impurity: f64::INFINITY,
        n_constant_features: 0,
    }];
    let mut first = true;
    while let Some(rec) = stack.pop() {
        let (start, end) = (rec.start, rec.end);
        let n_node = end - start;
        g.stats.init(&g.samples, start, end);
        let mut impurity = rec.impurity;
        let mut is_leaf =
            rec.depth >= max_depth || n_node < params.min_samples_split || n_node < 2 * min_leaf;
        if first {
            impurity = g.stats.node_impurity();
            first = false;
        }
        is_leaf = is_leaf || impurity <= f64::EPSILON;
        let mut n_constant = rec.n_constant_features;
        let mut split = Split::none(end);
        if !is_leaf {
            split = match params.splitter {
                Splitter::Best => g.split_best(start, end, impurity, &mut n_constant),
                Splitter::Random => g.split_random(start, end, impurity, &mut n_constant),
            };
            is_leaf =
                split.pos >= end || split.improvement + f64::EPSILON < params.min_impurity_decrease;
        }
        let id = nodes.len();
        nodes.push(Node {
            feature: split.feature,
            threshold: split.threshold,
            left: usize::MAX,
            right: usize::MAX,
            value: g.stats.node_value(),
            impurity,
            weight: g.stats.weighted_n_node_samples,
        });
        if let Some((parent, is_left)) = rec.parent {
            if is_left {
                nodes[parent].left = id;
            } else {
                nodes[parent].right = id;
            }
        }
        if !is_leaf {
            stack.push(Pending {
                start: split.pos,
                end,
                depth: rec.depth + 1,
                parent: Some((id, false)),
                impurity: split.impurity_right,
                n_constant_features: n_constant,
            });
            stack.push(Pending {
                start,
                end: split.pos,
                depth: rec.depth + 1,
                parent: Some((id, true)),
                impurity: split.impurity_left,
                n_constant_features: n_constant,
            });
        }
    }
    Tree::from_grown(nodes)
}

/// scikit-learn's split search replayed at chosen nodes only: a node's samples are in
/// scikit-learn's order when its parent was searched here first, and its feature draws start
/// from the state the caller kept for it ([`super::binned`] keeps them while it grows the same
/// tree another way, and asks this which of two equally good features scikit-learn records).
pub(super) struct NodeReplay<'a> {
    grower: Grower<'a>,
}

/// A split found by [`NodeReplay::split`]: `samples()[start..pos]` go left.
pub(super) struct Replayed {
    pub feature: usize,
    pub threshold: f64,
    pub pos: usize,
}

impl<'a> NodeReplay<'a> {
    pub fn new(
        x: &'a Columns,
        target: &'a Target<'a>,
        weight: &'a [f64],
        params: &'a TreeParams,
    ) -> NodeReplay<'a> {
        NodeReplay {
            grower: Grower::new(x, target, weight, params, 0),
        }
    }

    /// Searches node `samples[start..end]` with the feature draws as they stood when
    /// scikit-learn reached it (`n_constant` of them known constant) and partitions its samples
    /// as scikit-learn does; `None` when it finds no split.
    pub fn split(
        &mut self,
        (start, end): (usize, usize),
        draws: FeatureDraws,
        n_constant: usize,
        impurity: f64,
    ) -> Option<Replayed> {
        let g = &mut self.grower;
        g.draws = draws;
        g.stats.init(&g.samples, start, end);
        let mut n_constant = n_constant;
        let split = g.split_best(start, end, impurity, &mut n_constant);
        (split.pos < end).then_some(Replayed {
            feature: split.feature,
            threshold: split.threshold,
            pos: split.pos,
        })
    }

    /// The tree's samples, in scikit-learn's order where nodes were replayed.
    pub fn samples(&self) -> &[usize] {
        &self.grower.samples
    }
}

impl<'a> Grower<'a> {
    fn new(
        x: &'a Columns,
        target: &'a Target<'a>,
        weight: &'a [f64],
        params: &'a TreeParams,
        rand_r_state: u32,
    ) -> Grower<'a> {
        let samples: Vec<usize> = (0..x.rows).filter(|&i| weight[i] != 0.0).collect();
        let weighted_n_samples: f64 = weight.iter().sum();
        Grower {
            x,
            params,
            samples,
            draws: FeatureDraws::new(x.cols, params.max_features, rand_r_state),
            feature_values: vec![0.0; x.rows],
            keyed: Vec::with_capacity(x.rows),
            stats: Stats::new(params.criterion, target, weight, weighted_n_samples),
        }
    }
}

impl Grower<'_> {
    fn value(&self, sample: usize, feature: usize) -> f32 {
        self.x.data[feature * self.x.rows + sample]
    }

    /// `sort_samples_and_feature_values`.
    fn sort_by(&mut self, feature: usize, start: usize, end: usize) {
        let col = &self.x.data[feature * self.x.rows..(feature + 1) * self.x.rows];
        self.keyed.clear();
        self.keyed.extend(
            self.samples[start..end]
                .iter()
                .map(|&s| Keyed::new(col[s], s as u32)),
        );
        sort::sort(&mut self.keyed);
        for ((v, s), k) in self.feature_values[start..end]
            .iter_mut()
            .zip(&mut self.samples[start..end])
            .zip(&self.keyed)
        {
            *v = k.value();
            *s = k.index() as usize;
        }
    }

    /// `partition_samples_final`: `samples[start..pos]` ≤ threshold, the rest after.
    fn partition_final(&mut self, start: usize, end: usize, split: &Split) {
        let (mut lo, mut hi) = (start, end);
        while lo < hi {
            if f64::from(self.value(self.samples[lo], split.feature)) <= split.threshold {
                lo += 1;
            } else {
                hi -= 1;
                self.samples.swap(lo, hi);
            }
        }
    }

    /// Reorganises the node's samples by the best split, scores it, and keeps the constant
    /// features' invariant for siblings and children.
    fn finish(
        &mut self,
        (start, end): (usize, usize),
        impurity: f64,
        mut best: Split,
        s: &DrawState,
        n_constant: &mut usize,
        partition: bool,
    ) -> Split {
        if best.pos < end {
            if partition {
                self.partition_final(start, end, &best);
            }
            self.stats.reset();
            self.stats.update(&self.samples, best.pos);
            let (il, ir) = self.stats.children_impurity(&self.samples);
            best.impurity_left = il;
            best.impurity_right = ir;
            best.improvement = self.stats.impurity_improvement(impurity, il, ir);
        }
        *n_constant = self.draws.finish(s);
        best
    }

    /// `node_split_best`: every threshold between distinct values of up to `max_features`
    /// non-constant features.
    fn split_best(
        &mut self,
        start: usize,
        end: usize,
        impurity: f64,
        n_constant: &mut usize,
    ) -> Split {
        let min_leaf = self.params.min_samples_leaf;
        let mut best = Split::none(end);
        let mut best_proxy = f64::NEG_INFINITY;
        let mut s = self.draws.start(*n_constant);
        while let Some(d) = self.draws.next(&mut s) {
            self.sort_by(d.feature, start, end);
            let fv = &self.feature_values;
            if f64::from(fv[end - 1]) <= f64::from(fv[start]) + FEATURE_THRESHOLD {
                self.draws.mark_constant(&mut s, &d);
                continue;
            }
            self.draws.mark_drawn(&mut s, &d);
            self.stats.reset();
            let mut p = start;
            while p < end {
                p += 1;
                while p < end
                    && f64::from(self.feature_values[p])
                        <= f64::from(self.feature_values[p - 1]) + FEATURE_THRESHOLD
                {
                    p += 1;
                }
                let p_prev = p - 1;
                if p == end {
                    continue;
                }
                if p - start < min_leaf || end - p < min_leaf {
                    continue;
                }
                self.stats.update(&self.samples, p);
                let proxy = self.stats.proxy_improvement(&self.samples);
                if proxy > best_proxy {
                    best_proxy = proxy;
                    best = Split {
                        feature: d.feature,
                        pos: p,
                        threshold: f64::from(self.feature_values[p_prev]) / 2.0
                            + f64::from(self.feature_values[p]) / 2.0,
                        ..Split::none(end)
                    };
                }
            }
        }
        self.finish((start, end), impurity, best, &s, n_constant, true)
    }

    /// `node_split_random`: one threshold drawn uniformly between the node's minimum and
    /// maximum of each of up to `max_features` non-constant features.
    fn split_random(
        &mut self,
        start: usize,
        end: usize,
        impurity: f64,
        n_constant: &mut usize,
    ) -> Split {
        let min_leaf = self.params.min_samples_leaf;
        let mut best = Split::none(end);
        let mut best_proxy = f64::NEG_INFINITY;
        let mut s = self.draws.start(*n_constant);
        let mut current_feature = None;
        while let Some(d) = self.draws.next(&mut s) {
            current_feature = Some(d.feature);
            // `find_min_max`, keeping the values for the partition below.
            let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
            for p in start..end {
                let v = self.value(self.samples[p], d.feature);
                self.feature_values[p] = v;
                if p == start {
                    lo = v;
                    hi = v;
                } else if v < lo {
                    lo = v;
                } else if v > hi {
                    hi = v;
                }
            }
            if f64::from(hi) <= f64::from(lo) + FEATURE_THRESHOLD {
                self.draws.mark_constant(&mut s, &d);
                continue;
            }
            self.draws.mark_drawn(&mut s, &d);
            let mut threshold =
                rand_r::uniform(f64::from(lo), f64::from(hi), &mut self.draws.rand_r);
            if threshold == f64::from(hi) {
                threshold = f64::from(lo);
            }
            // `partition_samples`: values and samples swapped together.
            let (mut a, mut b) = (start, end);
            while a < b {
                if f64::from(self.feature_values[a]) <= threshold {
                    a += 1;
                } else {
                    b -= 1;
                    self.feature_values.swap(a, b);
                    self.samples.swap(a, b);
                }
            }
            let pos = b;
            if pos - start < min_leaf || end - pos < min_leaf {
                continue;
            }
            self.stats.reset();
            self.stats.update(&self.samples, pos);
            let proxy = self.stats.proxy_improvement(&self.samples);
            if proxy > best_proxy {
                best_proxy = proxy;
                best = Split {
                    feature: d.feature,
                    pos,
                    threshold,
                    ..Split::none(end)
                };
            }
        }
        // The samples are still partitioned by the last feature drawn.
        let partition = current_feature != Some(best.feature);
        self.finish((start, end), impurity, best, &s, n_constant, partition)
    }
}
