//! The numeric feature matrix of a frame: the bridge from polars to the numeric core.

use polars::prelude::*;

pub use kreplay_core::matrix::{Matrix, Rows};

use crate::error::{Context, Result, RunError};

/// Reads `columns` of `df` as numbers. Booleans become 0/1; text columns and missing values
/// are errors that say which column and which step would fix it.
pub fn matrix_of(df: &DataFrame, columns: &[String], what: &str) -> Result<Matrix> {
    let rows = df.height();
    let cols = columns.len();
    let mut data = vec![0.0; rows * cols];
    for (j, name) in columns.iter().enumerate() {
        let values = numeric_column(df, name, what)?;
        if let Some(i) = values.iter().position(|v| v.is_nan()) {
            let missing = values.iter().filter(|v| v.is_nan()).count();
            return Err(RunError::data(
                format!("{what}: column `{name}`"),
                format!(
                    "{missing} missing value(s) (first at row {}) reach the model; add a `fill` step for `{name}` or drop it",
                    i + 1
                ),
            ));
        }
        for (i, v) in values.into_iter().enumerate() {
            data[i * cols + j] = v;
        }
    }
    Ok(Matrix {
        data,
        rows,
        cols,
        names: columns.to_vec(),
    })
}

/// A column as f64, nulls as NaN.
pub fn numeric_column(df: &DataFrame, name: &str, what: &str) -> Result<Vec<f64>> {
    let col = crate::steps::column(df, name, what)?;
    let dtype = col.dtype().clone();
    if !(dtype.is_primitive_numeric() || dtype == DataType::Boolean || dtype == DataType::Null) {
        return Err(RunError::data(
            format!("{what}: column `{name}`"),
            format!("is {dtype}, not numeric; encode it first (steps `map`, `one_hot` or `label_encode`) or drop it"),
        ));
    }
    let cast = col
        .cast(&DataType::Float64)
        .ctx(|| format!("{what}: column `{name}`"))?;
    let ca = cast.f64().ctx(|| format!("{what}: column `{name}`"))?;
    Ok(ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}
