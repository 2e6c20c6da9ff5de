//! Each feature's distinct values ranked once per fit: the trees of a forest or a boosting run
//! read the same table hundreds of times, so a node can count or sum its rows per distinct
//! value (one pass per feature, [`super::binned`], [`super::classes`]) instead of sorting them.

use super::Columns;

/// Every row's rank among its feature's distinct values, and those values.
pub struct Ranks {
    pub rows: usize,
    /// One feature after another, `rows` codes each.
    pub codes: Vec<u32>,
    /// Each feature's distinct values, ascending (`-0.0` and `0.0` are one value).
    pub values: Vec<Vec<f32>>,
}

/// A `u32` that orders as `f32::total_cmp` orders the floats (sign flipped for positives, all
/// bits for negatives).
fn total_order_key(v: f32) -> u32 {
    let bits = v.to_bits();
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    }
}

fn from_total_order_key(k: u32) -> f32 {
    f32::from_bits(if k >> 31 == 1 { k & !(1 << 31) } else { !k })
}

impl Ranks {
    /// `None` when a value is missing (NaN), which only the exact replay handles.
    pub fn new(x: &Columns) -> Option<Ranks> {
        let mut codes = vec![0u32; x.rows * x.cols];
        let mut values = Vec::with_capacity(x.cols);
        let mut keys: Vec<u32> = Vec::with_capacity(x.rows);
        for f in 0..x.cols {
            let col = &x.data[f * x.rows..(f + 1) * x.rows];
            if col.iter().any(|v| v.is_nan()) {
                return None;
            }
            // The distinct values, sorted as plain integers (a column has few of them beside
            // its rows, which the sort's handling of equal keys makes cheap), then each row's
            // found among them.
            keys.clear();
            keys.extend(col.iter().map(|&v| total_order_key(v)));
            keys.sort_unstable();
            keys.dedup();
            let mut distinct: Vec<f32> = Vec::new();
            // `==`, not bits: -0.0 and 0.0 sort as one value in scikit-learn too.
            let code_of_key: Vec<u32> = keys
                .iter()
                .map(|&k| {
                    let v = from_total_order_key(k);
                    if distinct.last() != Some(&v) {
                        distinct.push(v);
                    }
                    (distinct.len() - 1) as u32
                })
                .collect();
            for (code, &v) in codes[f * x.rows..(f + 1) * x.rows].iter_mut().zip(col) {
                // Every row's key is among them.
                let (Ok(at) | Err(at)) = keys.binary_search(&total_order_key(v));
                *code = code_of_key[at];
            }
            values.push(distinct);
        }
        Some(Ranks {
            rows: x.rows,
            codes,
            values,
        })
    }

    /// Feature `f`'s codes, one per row.
    pub fn codes(&self, f: usize) -> &[u32] {
        &self.codes[f * self.rows..(f + 1) * self.rows]
    }

    pub fn n_features(&self) -> usize {
        self.values.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_floats_as_total_cmp() {
        let v = [
            f32::NEG_INFINITY,
            -3.5,
            -1e-40,
            -0.0,
            0.0,
            1e-40,
            1.0,
            2.5e30,
            f32::INFINITY,
        ];
        for a in v {
            for b in v {
                assert_eq!(total_order_key(a).cmp(&total_order_key(b)), a.total_cmp(&b));
            }
            assert_eq!(
                from_total_order_key(total_order_key(a)).to_bits(),
                a.to_bits()
            );
        }
    }

    #[test]
    fn ranks_distinct_values_with_signed_zeros_as_one() {
        let data = vec![3.0, -0.0, 1.5, 0.0, 3.0, -2.0, 7.0, 7.0];
        let x = Columns {
            data,
            rows: 4,
            cols: 2,
        };
        let r = Ranks::new(&x).unwrap();
        assert_eq!(r.values, [vec![-0.0, 1.5, 3.0], vec![-2.0, 3.0, 7.0]]);
        assert_eq!(r.codes(0), [2, 0, 1, 0]);
        assert_eq!(r.codes(1), [1, 0, 2, 2]);
    }
}
