//! Each feature's distinct values ranked once per fit: the trees of a forest or a boosting run
//! read the same table hundreds of times, so a node can count or sum its rows per distinct
//! value (one pass per feature, [`super::binned`], [`super::classes`]) instead of sorting them.

use super::Columns;

/// Every row's rank among its feature's distinct values, and those values.
pub struct Ranks {
    pub rows: usize,
    /// Each feature's codes, one per row, in the narrowest integer that holds its ranks: most
    /// columns have few distinct values, and a million-row fold's codes are then 1 MB per
    /// column, not 4.
    codes: Vec<CodeVec>,
    /// Each feature's distinct values, ascending (`-0.0` and `0.0` are one value).
    pub values: Vec<Vec<f32>>,
}

/// One feature's codes, stored at their width.
enum CodeVec {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

/// One feature's codes as [`Ranks::codes`] lends them; [`with_codes!`] runs code on them at
/// their own width.
#[derive(Clone, Copy)]
pub enum Codes<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
}

/// Evaluates `$body` with `$c` bound to the codes' slice (`&[u8]`, `&[u16]` or `&[u32]`),
/// compiled once per width, so the loops over rows index a plain slice. Read a code as
/// `u32::from(c[i])` or `c[i] as usize`.
macro_rules! with_codes {
    ($codes:expr, $c:ident => $body:expr) => {
        match $codes {
            $crate::models::cart::ranks::Codes::U8($c) => $body,
            $crate::models::cart::ranks::Codes::U16($c) => $body,
            // The same code at each width: widening a u32 to u32 is the identity.
            #[allow(clippy::useless_conversion)]
            $crate::models::cart::ranks::Codes::U32($c) => $body,
        }
    };
}
pub(crate) use with_codes;

impl CodeVec {
    /// `ranks` (each below `n_values`) at the narrowest width that holds them.
    fn narrowest(ranks: &[u32], n_values: usize) -> CodeVec {
        if n_values <= 1 << 8 {
            CodeVec::U8(ranks.iter().map(|&r| r as u8).collect())
        } else if n_values <= 1 << 16 {
            CodeVec::U16(ranks.iter().map(|&r| r as u16).collect())
        } else {
            CodeVec::U32(ranks.to_vec())
        }
    }
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
        let mut codes = Vec::with_capacity(x.cols);
        let mut ranks = vec![0u32; x.rows];
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
            for (code, &v) in ranks.iter_mut().zip(col) {
                // Every row's key is among them.
                let (Ok(at) | Err(at)) = keys.binary_search(&total_order_key(v));
                *code = code_of_key[at];
            }
            codes.push(CodeVec::narrowest(&ranks, distinct.len()));
            values.push(distinct);
        }
        Some(Ranks {
            rows: x.rows,
            codes,
            values,
        })
    }

    /// Feature `f`'s codes, one per row.
    pub fn codes(&self, f: usize) -> Codes<'_> {
        match &self.codes[f] {
            CodeVec::U8(c) => Codes::U8(c),
            CodeVec::U16(c) => Codes::U16(c),
            CodeVec::U32(c) => Codes::U32(c),
        }
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
        let wide =
            |f| with_codes!(r.codes(f), c => c.iter().map(|&v| u32::from(v)).collect::<Vec<u32>>());
        assert_eq!(wide(0), [2, 0, 1, 0]);
        assert_eq!(wide(1), [1, 0, 2, 2]);
    }

    /// Codes take the narrowest width that holds a column's ranks, and read back the same.
    #[test]
    fn codes_are_as_narrow_as_the_distinct_values_allow() {
        for (n_values, width) in [(2, 1), (256, 1), (257, 2), (65_536, 2), (65_537, 4)] {
            let rows = n_values + 3;
            let data: Vec<f32> = (0..rows)
                .map(|i| ((i * 7) % n_values) as f32 - 5.0)
                .collect();
            let x = Columns {
                data: data.clone(),
                rows,
                cols: 1,
            };
            let r = Ranks::new(&x).expect("no NaN");
            assert_eq!(r.values[0].len(), n_values);
            let (got_width, decoded) = with_codes!(r.codes(0), c => (
                std::mem::size_of_val(&c[0]),
                c.iter().map(|&v| r.values[0][v as usize]).collect::<Vec<f32>>(),
            ));
            assert_eq!(got_width, width, "{n_values} values");
            assert_eq!(decoded, data);
        }
    }
}
