//! numpy's `sum` of a float64 array: pairwise summation with eight accumulators over blocks
//! of at most 128 values (`pairwise_sum_DOUBLE` in numpy's `loops_utils.h`). Where kreplay
//! replays a number scikit-learn computes with `np.sum` or `np.average`, adding in the same
//! order keeps the last bits, and with them the ties a later comparison breaks.

/// `np.sum(v)`.
pub fn sum(v: &[f64]) -> f64 {
    let n = v.len();
    if n < 8 {
        let mut res = 0.0;
        for x in v {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&v[..8]);
        let mut i = 8;
        while i < n - n % 8 {
            for j in 0..8 {
                r[j] += v[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for x in &v[i..] {
            res += x;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        sum(&v[..n2]) + sum(&v[n2..])
    }
}

/// `np.average(v, weights=w)`: `sum(v * w) / sum(w)`.
pub fn average(v: &[f64], w: &[f64]) -> f64 {
    let products: Vec<f64> = v.iter().zip(w).map(|(a, b)| a * b).collect();
    sum(&products) / sum(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_in_numpys_order() {
        // Values whose sum depends on the order: a sequential sum loses the small ones
        // differently from numpy's blocks.
        let v: Vec<f64> = (0..300)
            .map(|i| {
                if i % 3 == 0 {
                    1e16
                } else {
                    1.0 + f64::from(i) * 1e-3
                }
            })
            .collect();
        let sequential: f64 = v.iter().sum();
        assert_ne!(sum(&v), sequential);
        // np.sum of this array, computed by numpy 2.4.
        assert_eq!(sum(&v), 1.0e18 + 206.0);
        assert_eq!(sum(&[1.0, 2.0, 3.0]), 6.0);
        assert_eq!(average(&[1.0, 3.0], &[1.0, 3.0]), 2.5);
    }
}
