//! Which features a node searches, drawn as scikit-learn's splitters draw them
//! (`node_split_best`/`node_split_random` of `sklearn/tree/_splitter.pyx`): a Fisher-Yates
//! step on one array of feature indices whose order carries over from node to node, with the
//! constant features found in a node passed down to its children. Every grower of a tree
//! shares this, so the `rand_r` stream is consumed the same way whatever searches the splits.

use crate::rng::rand_r;

/// The feature array, the constants known so far and the splitter's `rand_r` state.
#[derive(Clone)]
pub struct FeatureDraws {
    features: Vec<usize>,
    constant_features: Vec<usize>,
    max_features: usize,
    pub rand_r: u32,
}

/// The counters of one node's draws (the loop invariant of `node_split_best`).
pub struct DrawState {
    f_i: usize,
    n_visited: usize,
    n_found: usize,
    n_drawn: usize,
    n_known: usize,
    n_total: usize,
}

pub struct Draw {
    f_j: usize,
    pub feature: usize,
}

impl FeatureDraws {
    pub fn new(n_features: usize, max_features: usize, rand_r_state: u32) -> FeatureDraws {
        FeatureDraws {
            features: (0..n_features).collect(),
            constant_features: vec![0; n_features],
            max_features,
            rand_r: rand_r_state,
        }
    }

    /// The draws of a node whose parent knew `n_known` constant features.
    pub fn start(&self, n_known: usize) -> DrawState {
        DrawState {
            f_i: self.features.len(),
            n_visited: 0,
            n_found: 0,
            n_drawn: 0,
            n_known,
            n_total: n_known,
        }
    }

    /// The features not yet known to be constant in this node (the ones a draw can return).
    pub fn candidates(&self, s: &DrawState) -> &[usize] {
        &self.features[s.n_known..]
    }

    /// Draws the next feature to evaluate, or `None` when the node's features are used up.
    pub fn next(&mut self, s: &mut DrawState) -> Option<Draw> {
        while s.f_i > s.n_total
            && (s.n_visited < self.max_features || s.n_visited <= s.n_found + s.n_drawn)
        {
            s.n_visited += 1;
            let f_j = rand_r::int(s.n_drawn, s.f_i - s.n_found, &mut self.rand_r);
            if f_j < s.n_known {
                self.features.swap(s.n_drawn, f_j);
                s.n_drawn += 1;
                continue;
            }
            let f_j = f_j + s.n_found;
            return Some(Draw {
                f_j,
                feature: self.features[f_j],
            });
        }
        None
    }

    /// The drawn feature is constant in the node: it joins the found constants.
    pub fn mark_constant(&mut self, s: &mut DrawState, d: &Draw) {
        self.features.swap(d.f_j, s.n_total);
        s.n_found += 1;
        s.n_total += 1;
    }

    /// The drawn feature is evaluated: it joins the drawn non-constant ones.
    pub fn mark_drawn(&mut self, s: &mut DrawState, d: &Draw) {
        s.f_i -= 1;
        self.features.swap(s.f_i, d.f_j);
    }

    /// Ends the node's draws, keeping the constant features' invariant for siblings and
    /// children; returns the number of constants the children know.
    pub fn finish(&mut self, s: &DrawState) -> usize {
        let (known, found) = (s.n_known, s.n_found);
        self.features[..known].copy_from_slice(&self.constant_features[..known]);
        self.constant_features[known..known + found]
            .copy_from_slice(&self.features[known..known + found]);
        s.n_total
    }
}
