//! `knn_impute`: sklearn's KNNImputer (metric `nan_euclidean`). The fit rows are the donors;
//! every row of any frame with a missing value among `columns` gets, per missing column, the
//! (weighted) mean of that column over its `n_neighbors` nearest donors that have the column.
//!
//! Distances are sklearn's `nan_euclidean_distances`: sqrt(n / present · Σ (x − y)²) over the
//! coordinates both rows have, computed in sklearn's order (−2·x·y + |x|² + |y|², less the
//! squares of coordinates missing on the other side), NaN when the rows share no coordinate.
//! The nearest donors are the `n_neighbors` smallest distances (NaN last), equal distances in
//! donor (fit row) order. sklearn picks them with `np.argpartition`, whose order among equal
//! distances is whatever numpy's selection kernel leaves (on x86 with AVX2 or AVX-512 numpy uses
//! x86-simd-sort's sorting networks), so when several donors tie at the k-th distance sklearn
//! may average different ones: the imputed values then differ, and only there. A receiver
//! with no donor at a finite distance gets the column's mean over the fit rows.

use polars::prelude::*;

use kreplay_recipe::{params, Learns, Lit, StepColumns, StepSpec, Ty};

use super::{
    columns_or, float_series, numbers, numeric_columns, put, Build, Ctx, FitData, Fitted, Step,
    StepDef,
};
use crate::error::{Result, RunError};

kreplay_recipe::named_enum! {
    /// How the donors' values are averaged.
    enum Weights {
        Uniform = "uniform",
        Distance = "distance",
    }
}

params! {
    struct KnnImputeParams {
        columns: Vec<String> = optional(
            Ty::Columns,
            Lit::EmptyList,
            "numeric columns: both the distance coordinates and the columns imputed (default: every numeric column but the id and target)",
        ),
        n_neighbors: usize = optional(Ty::Int, Lit::Int(5), "donors averaged per missing value").min(1.0),
        weights: Weights = optional(
            Ty::Choice(Weights::NAMES),
            Lit::Str("uniform"),
            "uniform: plain mean; distance: weighted by 1/distance (a donor at distance 0 takes all the weight)",
        ),
    }
}

pub static KNN_IMPUTE: StepDef = StepDef {
    spec: StepSpec {
        kind: "knn_impute",
        summary: "fill missing values with the mean of the nearest fit rows (sklearn KNNImputer, nan_euclidean)",
        params: KnnImputeParams::SPECS,
        learns: Learns::Always,
        columns: StepColumns::reads(&["columns"]),
    },
    build: Build::Learning(|p, _| {
        let k = KnnImputeParams::read(p)?;
        Ok(Box::new(KnnImpute {
            columns: k.columns,
            k: k.n_neighbors.max(1),
            by_distance: k.weights == Weights::Distance,
        }))
    }),
};

#[derive(Clone)]
struct KnnImpute {
    columns: Vec<String>,
    k: usize,
    by_distance: bool,
}

/// Rows of `columns` as f64, missing as NaN, row-major.
fn table(df: &DataFrame, columns: &[String]) -> Result<Vec<f64>> {
    let cols = columns.len();
    let mut out = vec![f64::NAN; df.height() * cols];
    for (j, c) in columns.iter().enumerate() {
        for (i, v) in numbers(df, c, "knn_impute")?.into_iter().enumerate() {
            out[i * cols + j] = v.unwrap_or(f64::NAN);
        }
    }
    Ok(out)
}

impl Step for KnnImpute {
    fn fit(&self, data: &FitData, ctx: &Ctx) -> Result<Box<dyn Fitted>> {
        let frame = data.stacked()?;
        let columns = columns_or(&self.columns, || numeric_columns(&frame, ctx));
        let fit = table(&frame, &columns)?;
        let cols = columns.len();
        let mut means = Vec::with_capacity(cols);
        for (j, c) in columns.iter().enumerate() {
            let present: Vec<f64> = fit
                .iter()
                .skip(j)
                .step_by(cols.max(1))
                .copied()
                .filter(|v| !v.is_nan())
                .collect();
            if present.is_empty() {
                return Err(RunError::data(
                    format!("knn_impute: column `{c}`"),
                    "has no values in the fit rows; expected some donors (drop the column first)",
                ));
            }
            means.push(present.iter().sum::<f64>() / present.len() as f64);
        }
        Ok(Box::new(FittedKnn {
            columns,
            fit,
            means,
            k: self.k,
            by_distance: self.by_distance,
        }))
    }
}

struct FittedKnn {
    columns: Vec<String>,
    /// The donors, row-major, NaN for missing.
    fit: Vec<f64>,
    means: Vec<f64>,
    k: usize,
    by_distance: bool,
}

/// sklearn's `nan_euclidean_distances` between one receiver and one donor, in its order of
/// operations.
fn nan_euclidean(x: &[f64], y: &[f64]) -> f64 {
    let (mut xy, mut xx, mut yy, mut x_miss, mut y_miss) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut present = 0usize;
    for (&a, &b) in x.iter().zip(y) {
        let (a0, b0) = (
            if a.is_nan() { 0.0 } else { a },
            if b.is_nan() { 0.0 } else { b },
        );
        xy += a0 * b0;
        xx += a0 * a0;
        yy += b0 * b0;
        if b.is_nan() {
            y_miss += a0 * a0;
        }
        if a.is_nan() {
            x_miss += b0 * b0;
        }
        if !a.is_nan() && !b.is_nan() {
            present += 1;
        }
    }
    if present == 0 {
        return f64::NAN;
    }
    let mut d = -2.0 * xy;
    d += xx;
    d += yy;
    d = d.max(0.0);
    d -= y_miss;
    d -= x_miss;
    d = d.max(0.0);
    d /= present as f64;
    d *= x.len() as f64;
    d.sqrt()
}

impl Fitted for FittedKnn {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let cols = self.columns.len();
        if cols == 0 {
            return Ok(df);
        }
        let x = table(&df, &self.columns)?;
        let mut out = x.clone();
        let donors_n = self.fit.len() / cols;
        // each column's donors: the fit rows that have it
        let donors: Vec<Vec<usize>> = (0..cols)
            .map(|j| {
                (0..donors_n)
                    .filter(|&d| !self.fit[d * cols + j].is_nan())
                    .collect()
            })
            .collect();
        let mut dist = vec![0.0; donors_n];
        let mut sub = Vec::with_capacity(donors_n);
        let mut idx = Vec::with_capacity(donors_n);
        for (r, row) in x.chunks(cols).enumerate() {
            if !row.iter().any(|v| v.is_nan()) {
                continue;
            }
            for (d, slot) in dist.iter_mut().enumerate() {
                *slot = nan_euclidean(row, &self.fit[d * cols..(d + 1) * cols]);
            }
            for j in (0..cols).filter(|&j| row[j].is_nan()) {
                sub.clear();
                sub.extend(donors[j].iter().map(|&d| dist[d]));
                if sub.iter().all(|v| v.is_nan()) {
                    out[r * cols + j] = self.means[j];
                    continue;
                }
                nearest(&sub, &mut idx, self.k.min(sub.len()));
                let near = &idx[..];
                let mut w: Vec<f64> = near
                    .iter()
                    .map(|&i| {
                        let d = sub[i];
                        if self.by_distance {
                            1.0 / d
                        } else if d.is_nan() {
                            0.0
                        } else {
                            1.0
                        }
                    })
                    .collect();
                if self.by_distance {
                    // sklearn's _get_weights: a row with a zero distance weighs only those donors
                    if w.iter().any(|v| v.is_infinite()) {
                        w.iter_mut()
                            .for_each(|v| *v = f64::from(u8::from(v.is_infinite())));
                    }
                    w.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = 0.0);
                }
                let (mut num, mut den) = (0.0, 0.0);
                for (&i, wi) in near.iter().zip(&w) {
                    num += self.fit[donors[j][i] * cols + j] * wi;
                    den += wi;
                }
                out[r * cols + j] = num / den;
            }
        }
        for (j, c) in self.columns.iter().enumerate() {
            let values = out
                .iter()
                .skip(j)
                .step_by(cols)
                .map(|v| (!v.is_nan()).then_some(*v))
                .collect();
            df = put(df, float_series(c, values))?;
        }
        Ok(df)
    }
}

/// The `k` nearest donors (positions in `dist`): smallest distance first, NaN last, equal
/// distances in donor order.
fn nearest(dist: &[f64], idx: &mut Vec<usize>, k: usize) {
    idx.clear();
    idx.extend(0..dist.len());
    let key = |i: &usize| (dist[*i].is_nan(), dist[*i], *i);
    let cmp = |a: &usize, b: &usize| {
        let (na, da, ia) = key(a);
        let (nb, db, ib) = key(b);
        na.cmp(&nb).then(da.total_cmp(&db)).then(ia.cmp(&ib))
    };
    if k < idx.len() {
        idx.select_nth_unstable_by(k - 1, cmp);
        idx.truncate(k);
    }
    idx.sort_by(cmp);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::{test_col, test_run};
    use kreplay_recipe::Value;

    #[test]
    fn nearest_breaks_ties_by_donor_order_nan_last() {
        let mut idx = Vec::new();
        nearest(&[2.0, 2.0, 1.0], &mut idx, 2);
        assert_eq!(idx, vec![2, 0]);
        nearest(&[3.0, f64::NAN, 1.0, 1.0, 0.0], &mut idx, 5);
        assert_eq!(idx, vec![4, 2, 3, 0, 1]);
        // sklearn's nan_euclidean: sqrt(3 / 2 * ((1 - 2)^2 + (3 - 4)^2)) = sqrt(3)
        let d = nan_euclidean(&[1.0, 2.0, 3.0], &[2.0, f64::NAN, 4.0]);
        assert_eq!(d, 3f64.sqrt());
        assert!(nan_euclidean(&[1.0, f64::NAN], &[f64::NAN, 2.0]).is_nan());
    }

    #[test]
    fn imputes_as_sklearn_knn_imputer() {
        // sklearn: KNNImputer(n_neighbors=2).fit(train).transform(...)
        let train = df!(
            "id" => [1i64, 2, 3, 4, 5],
            "a" => [Some(1.0), Some(2.0), None, Some(8.0), Some(3.0)],
            "b" => [Some(2.0), None, Some(6.0), Some(8.0), Some(3.0)],
            "c" => [Some(3.0), Some(4.0), Some(3.0), None, Some(7.0)],
            "y" => [0.0, 1.0, 0.0, 1.0, 0.0],
        )
        .unwrap();
        let test = df!(
            "a" => [None, Some(100.0)],
            "b" => [None, Some(1.0)],
            "c" => [Some(3.5), Some(3.0)],
        )
        .unwrap();
        let set = [("n_neighbors", Value::Int(2))];
        let (train, test) = test_run(&KNN_IMPUTE, &set, train, Some(test)).unwrap();
        let want = [
            ("a", vec![1.0, 2.0, 5.0, 8.0, 3.0]),
            ("b", vec![2.0, 4.0, 6.0, 8.0, 3.0]),
            ("c", vec![3.0, 4.0, 3.0, 5.0, 7.0]),
            ("y", vec![0.0, 1.0, 0.0, 1.0, 0.0]),
        ];
        for (c, w) in want {
            assert_eq!(test_col(&train, c), w, "{c}");
        }
        let test = test.unwrap();
        assert_eq!(test_col(&test, "a"), vec![1.5, 100.0]);
        assert_eq!(test_col(&test, "b"), vec![4.0, 1.0]);

        // no donor shares a coordinate with row 3: the mean of the fit rows' `a`
        let df = df!("a" => [Some(1.0), Some(3.0), None], "b" => [None, None, Some(5.0)]).unwrap();
        let (out, _) = test_run(&KNN_IMPUTE, &[], df, None).unwrap();
        assert_eq!(test_col(&out, "a"), vec![1.0, 3.0, 2.0]);
        assert!(test_col(&out, "b")[0] == 5.0);
    }
}
