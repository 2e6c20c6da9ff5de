//! numpy's legacy `RandomState` (MT19937) for the draws that decide which rows land in which
//! fold. scikit-learn shuffles `KFold`, `StratifiedKFold` and `train_test_split` with
//! `check_random_state(seed)`, so with this generator a recipe's `random_state = 42` selects
//! exactly the rows the notebook's did, and published holdout and CV numbers stay comparable.
//! Only the integer draws are reproduced (`shuffle`, `permutation`, `randint`): the seeds of a
//! forest's trees, its bootstrap rows and each tree's `rand_r` seed come from `randint`.

const N: usize = 624;
const M: usize = 397;

pub struct RandomState {
    key: [u32; N],
    pos: usize,
}

impl RandomState {
    /// `np.random.RandomState(seed)` for an integer seed (numpy accepts 0..2^32; larger
    /// recipe seeds keep their low 32 bits).
    pub fn new(seed: u64) -> Self {
        let mut key = [0u32; N];
        let mut s = seed as u32;
        for (pos, k) in key.iter_mut().enumerate() {
            *k = s;
            s = 1_812_433_253u32
                .wrapping_mul(s ^ (s >> 30))
                .wrapping_add(pos as u32 + 1);
        }
        RandomState { key, pos: N }
    }

    fn generate(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        // The reference loop with `(i + 1) % N` and `(i + M) % N` split where the indices wrap,
        // so each part runs without a division.
        let key = &mut self.key;
        let twist = |a: u32, b: u32, far: u32| {
            let y = (a & UPPER) | (b & LOWER);
            far ^ (y >> 1) ^ ((y & 1).wrapping_neg() & MATRIX_A)
        };
        for i in 0..N - M {
            key[i] = twist(key[i], key[i + 1], key[i + M]);
        }
        for i in N - M..N - 1 {
            key[i] = twist(key[i], key[i + 1], key[i + M - N]);
        }
        key[N - 1] = twist(key[N - 1], key[0], key[M - 1]);
        self.pos = 0;
    }

    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.pos == N {
            self.generate();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// A uniform integer in `0..=max` by masked rejection, as numpy's legacy `random_interval`.
    fn interval(&mut self, max: usize) -> usize {
        if max == 0 {
            return 0;
        }
        let max = max as u64;
        let mut mask = max;
        for shift in [1, 2, 4, 8, 16, 32] {
            mask |= mask >> shift;
        }
        if max <= u64::from(u32::MAX) {
            loop {
                let v = u64::from(self.next_u32()) & mask;
                if v <= max {
                    return v as usize;
                }
            }
        }
        loop {
            let v = ((u64::from(self.next_u32()) << 32) | u64::from(self.next_u32())) & mask;
            if v <= max {
                return v as usize;
            }
        }
    }

    /// `RandomState.randint(low, high)`: legacy numpy's masked rejection on `high - low - 1`
    /// (for any integer dtype: ranges below 2^32 draw 32 bits at a time).
    pub fn randint(&mut self, low: i64, high: i64) -> i64 {
        debug_assert!(low < high);
        low + self.interval((high - low - 1) as usize) as i64
    }

    /// `RandomState.random_sample()` (and `uniform(0, 1)`): 53 bits from two draws, as
    /// numpy's `mt19937_next_double`.
    pub fn random_sample(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
    }

    /// `RandomState.shuffle` of a 1-d array.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.interval(i);
            items.swap(i, j);
        }
    }

    /// `RandomState.permutation(n)`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut out: Vec<usize> = (0..n).collect();
        self.shuffle(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy() {
        // np.random.RandomState(42).permutation(10) and RandomState(156).permutation(12).
        assert_eq!(
            RandomState::new(42).permutation(10),
            vec![8, 1, 5, 0, 7, 2, 9, 4, 3, 6]
        );
        assert_eq!(
            RandomState::new(156).permutation(12),
            vec![3, 9, 8, 0, 6, 10, 11, 7, 4, 1, 5, 2]
        );
        // np.random.RandomState(0).randint(0, 10, 5), and randint(2**31 - 1) of seed 1, the
        // first tree seed of a forest with random_state=1.
        let mut r = RandomState::new(0);
        let v: Vec<i64> = (0..5).map(|_| r.randint(0, 10)).collect();
        assert_eq!(v, vec![5, 0, 3, 3, 7]);
        assert_eq!(
            RandomState::new(1).randint(0, i64::from(i32::MAX)),
            1_791_095_845
        );
        // np.random.RandomState(3).uniform(size=2).
        let mut r = RandomState::new(3);
        assert_eq!(r.random_sample(), 0.550_797_902_574_575_5);
        assert_eq!(r.random_sample(), 0.708_147_822_618_104_8);
        // The reference MT19937 output for init_genrand(5489).
        assert_eq!(RandomState::new(5489).next_u32(), 3_499_211_612);
        // ... and its 10,000th (C++11's check of std::mt19937): sixteen regenerations of the
        // state, so every branch of the twist has run.
        let mut r = RandomState::new(5489);
        let ten_thousandth = (0..10_000).map(|_| r.next_u32()).last();
        assert_eq!(ten_thousandth, Some(4_123_659_995));
    }
}
