//! Seeded train/validation splits: k-fold (plain, shuffled, stratified) and holdout.
//!
//! Splits follow scikit-learn exactly (KFold's fold sizes, StratifiedKFold's allocation), because
//! published CV numbers depend on which rows land in which fold. Shuffles draw from numpy's
//! legacy MT19937 seeded with the recipe's seed, as `random_state=<seed>` does in sklearn, so
//! `KFold(5, shuffle=True, random_state=156)`, `StratifiedKFold(shuffle=True)` and
//! `train_test_split(random_state=42)` pick the notebook's rows.

use kreplay_recipe::Scheme;

use crate::rng::numpy::RandomState;

/// One split: training rows and validation rows, as indices into the train frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub train: Vec<usize>,
    pub valid: Vec<usize>,
}

/// Why `scheme` cannot split these rows, naming both numbers (sklearn refuses the same cases:
/// "Cannot have number of splits n_splits=… greater than the number of samples"), or `None`.
/// Without this check an oversized k gives empty folds that fail far from their cause.
pub fn problem(scheme: &Scheme, y: &[f64]) -> Option<(&'static str, String)> {
    let n = y.len();
    match scheme {
        Scheme::None => None,
        Scheme::KFold { k, stratified, .. } => {
            if *k > n {
                return Some((
                    "k",
                    format!("k = {k} folds but only {n} training rows are left after the steps that drop rows"),
                ));
            }
            if *stratified {
                let mut counts: Vec<(f64, usize)> = Vec::new();
                for v in y {
                    match counts
                        .iter_mut()
                        .find(|(c, _)| c == v || (c.is_nan() && v.is_nan()))
                    {
                        Some((_, count)) => *count += 1,
                        None => counts.push((*v, 1)),
                    }
                }
                let largest = counts.iter().map(|(_, c)| *c).max().unwrap_or(0);
                if *k > largest {
                    return Some((
                        "k",
                        format!(
                            "k = {k} stratified folds but no class has more than {largest} rows"
                        ),
                    ));
                }
            }
            None
        }
        Scheme::Holdout { fraction, .. } => {
            let n_valid = ((n as f64) * fraction).ceil() as usize;
            if n_valid == 0 || n_valid >= n {
                return Some((
                    "fraction",
                    format!(
                        "fraction = {fraction} of {n} training rows holds out {n_valid}; \
                         both the training and the validation part need rows"
                    ),
                ));
            }
            None
        }
    }
}

/// A scheme's splits of the rows, each made when it is asked for: a fold's row indices exist
/// only while the fold runs, so a million-row 10-fold CV holds the fold of each row (and the
/// folds running at the moment), not ten copies of every index.
#[derive(Debug, Clone, PartialEq)]
pub enum Folds {
    /// Row `i` is validated in fold `of[i]` (and trains every other fold); `valid_group` set
    /// means one split whose validation rows are that group's.
    Groups {
        of: Vec<u32>,
        k: usize,
        valid_group: Option<u32>,
    },
    /// Splits that keep their own row order (a shuffled holdout keeps the permutation's).
    Listed(Vec<Split>),
}

impl Folds {
    /// How many splits there are.
    pub fn len(&self) -> usize {
        match self {
            Folds::Groups {
                valid_group: Some(_),
                ..
            } => 1,
            Folds::Groups { k, .. } => *k,
            Folds::Listed(splits) => splits.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Split `f`: its training and validation rows, each in row order (a listed split in its
    /// own order).
    pub fn split(&self, f: usize) -> Split {
        match self {
            Folds::Groups {
                of, valid_group, ..
            } => split_where(of, valid_group.unwrap_or(f as u32)),
            Folds::Listed(splits) => splits[f].clone(),
        }
    }

    /// Every split, in order.
    pub fn iter(&self) -> impl Iterator<Item = Split> + '_ {
        (0..self.len()).map(|f| self.split(f))
    }
}

/// `y` is only read for stratification (class labels). [`problem`] must have returned `None`.
pub fn folds(scheme: &Scheme, y: &[f64]) -> Folds {
    let n = y.len();
    let groups = |of: Vec<usize>, k: usize, valid_group: Option<u32>| Folds::Groups {
        of: of.into_iter().map(|g| g as u32).collect(),
        k,
        valid_group,
    };
    match scheme {
        Scheme::None => Folds::Listed(Vec::new()),
        Scheme::KFold {
            k,
            shuffle,
            stratified,
            seed,
        } => {
            let fold_of = if *stratified {
                stratified_folds(y, *k, shuffle.then_some(*seed))
            } else {
                plain_folds(n, *k, shuffle.then_some(*seed))
            };
            groups(fold_of, *k, None)
        }
        Scheme::Holdout {
            fraction,
            shuffle,
            stratified,
            seed,
        } => {
            let n_valid = ((n as f64) * fraction).ceil() as usize;
            if *stratified {
                // Two "folds" with the holdout share: reuse the stratified allocation over
                // round(1/fraction) folds and hold out the first.
                let k = (1.0 / fraction).round().max(2.0) as usize;
                groups(stratified_folds(y, k, shuffle.then_some(*seed)), k, Some(0))
            } else if *shuffle {
                // train_test_split: the permutation's head is the test part; both parts keep
                // the permutation's order, which row-order-sensitive models see.
                let order = RandomState::new(*seed).permutation(n);
                let (valid, train) = order.split_at(n_valid.min(n));
                Folds::Listed(vec![Split {
                    train: train.to_vec(),
                    valid: valid.to_vec(),
                }])
            } else {
                let of = (0..n).map(|i| usize::from(i >= n_valid)).collect();
                groups(of, 2, Some(0))
            }
        }
    }
}

/// Every split of [`folds`], made at once (inner CV on a model's own rows).
pub fn splits(scheme: &Scheme, y: &[f64]) -> Vec<Split> {
    folds(scheme, y).iter().collect()
}

/// The rows of group `valid` for validation, every other row for training, sized exactly.
fn split_where(group: &[u32], valid: u32) -> Split {
    let n_valid = group.iter().filter(|&&g| g == valid).count();
    let mut train = Vec::with_capacity(group.len() - n_valid);
    let mut v = Vec::with_capacity(n_valid);
    for (i, &g) in group.iter().enumerate() {
        if g == valid {
            v.push(i)
        } else {
            train.push(i)
        }
    }
    Split { train, valid: v }
}

/// sklearn KFold: contiguous folds, the first `n % k` one row larger.
fn plain_folds(n: usize, k: usize, seed: Option<u64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    if let Some(seed) = seed {
        RandomState::new(seed).shuffle(&mut order);
    }
    let mut fold_of = vec![0; n];
    let mut start = 0;
    for f in 0..k {
        let size = n / k + usize::from(f < n % k);
        for &i in &order[start..start + size] {
            fold_of[i] = f;
        }
        start += size;
    }
    fold_of
}

/// sklearn StratifiedKFold (>= 0.22): classes in order of first appearance are dealt round-robin
/// over the folds by sorted label, so each fold gets an almost equal share of every class.
fn stratified_folds(y: &[f64], k: usize, seed: Option<u64>) -> Vec<usize> {
    let mut classes: Vec<f64> = Vec::new();
    let encoded: Vec<usize> = y
        .iter()
        .map(|v| match classes.iter().position(|c| c == v) {
            Some(i) => i,
            None => {
                classes.push(*v);
                classes.len() - 1
            }
        })
        .collect();
    let mut sorted = encoded.clone();
    sorted.sort_unstable();
    // allocation[f][c]: rows of class c in fold f
    let mut allocation = vec![vec![0usize; classes.len()]; k];
    for (f, row) in allocation.iter_mut().enumerate() {
        for &c in sorted.iter().skip(f).step_by(k) {
            row[c] += 1;
        }
    }
    let mut rng = seed.map(RandomState::new);
    let mut fold_of = vec![0; y.len()];
    for c in 0..classes.len() {
        let mut folds: Vec<usize> = allocation
            .iter()
            .enumerate()
            .flat_map(|(f, row)| std::iter::repeat_n(f, row[c]))
            .collect();
        if let Some(rng) = rng.as_mut() {
            rng.shuffle(&mut folds);
        }
        let rows = encoded
            .iter()
            .enumerate()
            .filter(|(_, e)| **e == c)
            .map(|(i, _)| i);
        for (i, f) in rows.zip(folds) {
            fold_of[i] = f;
        }
    }
    fold_of
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kfold(k: usize, shuffle: bool, stratified: bool) -> Scheme {
        Scheme::KFold {
            k,
            shuffle,
            stratified,
            seed: 7,
        }
    }

    #[test]
    fn plain_kfold_matches_sklearn_sizes() {
        let s = splits(&kfold(3, false, false), &[0.0; 10]);
        assert_eq!(s[0].valid, vec![0, 1, 2, 3]);
        assert_eq!(s[1].valid, vec![4, 5, 6]);
        assert_eq!(s[2].valid, vec![7, 8, 9]);
        assert_eq!(s[2].train, vec![0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn stratified_kfold_matches_sklearn() {
        // StratifiedKFold(3) on [1,1,1,0,0,0,0,1,0], worked through sklearn's algorithm:
        // class 1 (first seen) gets folds [0,0,1,2], class 0 gets [0,1,1,2,2].
        let y = [1., 1., 1., 0., 0., 0., 0., 1., 0.];
        let s = splits(&kfold(3, false, true), &y);
        assert_eq!(s[0].valid, vec![0, 1, 3]);
        assert_eq!(s[1].valid, vec![2, 4, 5]);
        assert_eq!(s[2].valid, vec![6, 7, 8]);
    }

    #[test]
    fn shuffled_folds_are_seeded_partitions() {
        let y: Vec<f64> = (0..50).map(|i| (i % 2) as f64).collect();
        let a = splits(&kfold(5, true, false), &y);
        assert_eq!(a, splits(&kfold(5, true, false), &y));
        let mut all: Vec<usize> = a.iter().flat_map(|s| s.valid.clone()).collect();
        all.sort();
        assert_eq!(all, (0..50).collect::<Vec<_>>());
        assert_ne!(a[0].valid, (0..10).collect::<Vec<_>>());
    }

    const SKLEARN_KFOLD_7: [&[usize]; 2] = [&[0, 2, 5, 8], &[1, 7, 9]];

    #[test]
    fn shuffled_stratified_kfold_is_sklearns() {
        // StratifiedKFold(3, shuffle=True, random_state=3) in scikit-learn 1.9.
        let y = [1., 1., 1., 0., 0., 0., 0., 1., 0., 1., 0., 0.];
        let mut scheme = kfold(3, true, true);
        if let Scheme::KFold { seed, .. } = &mut scheme {
            *seed = 3;
        }
        let s = splits(&scheme, &y);
        assert_eq!(s[0].valid, vec![2, 6, 7, 11]);
        assert_eq!(s[1].valid, vec![0, 4, 5, 9]);
        assert_eq!(s[2].valid, vec![1, 3, 8, 10]);
    }

    #[test]
    fn shuffles_are_sklearns() {
        // KFold(3, shuffle=True, random_state=7).split(range(10)) and
        // train_test_split(range(10), test_size=0.25, random_state=42) in scikit-learn 1.9.
        let s = splits(&kfold(3, true, false), &[0.0; 10]);
        assert_eq!(s[0].valid, SKLEARN_KFOLD_7[0]);
        assert_eq!(s[1].valid, SKLEARN_KFOLD_7[1]);
        let h = splits(
            &Scheme::Holdout {
                fraction: 0.25,
                shuffle: true,
                stratified: false,
                seed: 42,
            },
            &[0.0; 10],
        );
        assert_eq!(h[0].valid, vec![8, 1, 5]);
        assert_eq!(h[0].train, vec![0, 7, 2, 9, 4, 3, 6]);
    }

    #[test]
    fn holdout_takes_the_fraction() {
        let s = splits(
            &Scheme::Holdout {
                fraction: 0.25,
                shuffle: true,
                stratified: false,
                seed: 1,
            },
            &[0.0; 100],
        );
        assert_eq!(s[0].valid.len(), 25);
        assert_eq!(s[0].train.len(), 75);
    }
}
