//! Seeded randomness. Where a recipe replays scikit-learn, its own generators are replayed:
//! numpy's `RandomState` ([`numpy`]) and the trees' `rand_r` ([`rand_r`]), so a notebook's
//! `random_state` draws the same rows, features and thresholds. ChaCha8 ([`Rng`]) is used
//! where scikit-learn has no counterpart; it gives the same stream on every platform.

use rand::SeedableRng;
pub use rand_chacha::ChaCha8Rng as Rng;

pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// Fisher-Yates shuffle, the same algorithm everywhere it is used.
pub fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    use rand::Rng as _;
    for i in (1..items.len()).rev() {
        let j = rng.gen_range(0..=i);
        items.swap(i, j);
    }
}

pub mod numpy;
pub mod rand_r;
