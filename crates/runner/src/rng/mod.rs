//! Seeded randomness. ChaCha8 gives the same stream on every platform and version of this
//! program, so a recipe's seed fixes every random choice of a replay.

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
