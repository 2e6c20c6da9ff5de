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

impl Ranks {
    /// `None` when a value is missing (NaN), which only the exact replay handles.
    pub fn new(x: &Columns) -> Option<Ranks> {
        let mut codes = vec![0u32; x.rows * x.cols];
        let mut values = Vec::with_capacity(x.cols);
        let mut order: Vec<u32> = Vec::with_capacity(x.rows);
        for f in 0..x.cols {
            let col = &x.data[f * x.rows..(f + 1) * x.rows];
            if col.iter().any(|v| v.is_nan()) {
                return None;
            }
            order.clear();
            order.extend(0..x.rows as u32);
            order.sort_unstable_by(|&a, &b| col[a as usize].total_cmp(&col[b as usize]));
            let mut distinct: Vec<f32> = Vec::new();
            for &r in &order {
                let v = col[r as usize];
                // `==`, not bits: -0.0 and 0.0 sort as one value in scikit-learn too.
                if distinct.last() != Some(&v) {
                    distinct.push(v);
                }
                codes[f * x.rows + r as usize] = (distinct.len() - 1) as u32;
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
