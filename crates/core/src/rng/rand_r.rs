//! scikit-learn's tree generator (`sklearn/utils/_random.pxd` `our_rand_r`, and `rand_int`,
//! `rand_uniform` of `sklearn/tree/_utils.pyx`): a 32-bit xorshift whose state a splitter
//! seeds with `random_state.randint(0, RAND_R_MAX)`. Trees draw their feature order and
//! Extra-Trees thresholds from it, so replaying a seeded tree means replaying this stream.

/// `RAND_R_MAX`: 2^31 - 1.
pub const RAND_R_MAX: u32 = 0x7FFF_FFFF;

/// The state a zero seed is replaced by (xorshift never leaves zero).
const DEFAULT_SEED: u32 = 1;

/// `our_rand_r`: advances the state, returns a value in `0..=RAND_R_MAX`.
pub fn next(state: &mut u32) -> u32 {
    if *state == 0 {
        *state = DEFAULT_SEED;
    }
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    // RAND_R_MAX + 1 = 2^31; the modulo keeps the value in a signed 32-bit int.
    *state % (RAND_R_MAX + 1)
}

/// `rand_int(low, high)`: an integer in `[low, high)`, by modulo as scikit-learn draws it.
pub fn int(low: usize, high: usize, state: &mut u32) -> usize {
    low + next(state) as usize % (high - low)
}

/// `rand_uniform(low, high)`: `(high - low) * r / RAND_R_MAX + low`, in that order.
pub fn uniform(low: f64, high: f64, state: &mut u32) -> f64 {
    ((high - low) * f64::from(next(state)) / f64::from(RAND_R_MAX)) + low
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xorshift_steps_and_bounds() {
        // One step by hand from state 1: 1 ^ 1<<13 = 8193; ^ >>17 = 8193; ^ <<5 = 270369.
        let mut s = 1;
        assert_eq!(next(&mut s), 270_369);
        assert_eq!(s, 270_369);
        // A zero state is replaced by 1 first.
        let mut z = 0;
        assert_eq!(next(&mut z), 270_369);
        let mut s = 12345;
        for _ in 0..1000 {
            assert!((3..10).contains(&int(3, 10, &mut s)));
            let u = uniform(-2.0, 5.0, &mut s);
            assert!((-2.0..=5.0).contains(&u));
        }
    }
}
