//! `skew_log1p`: log(1 + x) on the columns whose skewness exceeds a threshold, as House Prices
//! notebooks do (`skew = train[numeric].apply(lambda x: skew(x.dropna()))`, then
//! `all_data[skewed] = np.log1p(all_data[skewed])`).
//!
//! The skewness is scipy's `stats.skew` with its defaults: the biased sample skewness
//! m3 / m2^1.5 over the non-missing values, NaN (never skewed) for a constant column. Which
//! columns are transformed is learnt on the rows of the step's `fit_on` scope; the transform
//! then applies to every frame.

use polars::prelude::*;

use kreplay_recipe::{params, Learns, Lit, StepColumns, StepSpec, Ty};

use super::{
    columns_or, float_series, numbers, numeric_columns, put, Build, Ctx, FitData, Fitted, Step,
    StepDef,
};
use crate::error::{Result, RunError};

params! {
    struct SkewParams {
        columns: Vec<String> = optional(
            Ty::Columns,
            Lit::EmptyList,
            "candidate columns (default: every numeric column but the id and target)",
        ),
        threshold: f64 = optional(
            Ty::Float,
            Lit::Float(0.75),
            "transform columns whose skewness is above this",
        ),
        abs: bool = optional(
            Ty::Bool,
            Lit::Bool(false),
            "compare |skewness| instead of the skewness (false: positive skew only)",
        ),
    }
}

pub static SKEW_LOG1P: StepDef = StepDef {
    spec: StepSpec {
        kind: "skew_log1p",
        summary:
            "log1p on the columns whose skewness (scipy.stats.skew, biased) exceeds a threshold",
        params: SkewParams::SPECS,
        learns: Learns::Always,
        columns: StepColumns::reads(&["columns"]).learns_from_reads(),
    },
    build: Build::Learning(|p, _| {
        let SkewParams {
            columns,
            threshold,
            abs,
        } = SkewParams::read(p)?;
        Ok(Box::new(SkewLog1p {
            columns,
            threshold,
            abs,
        }))
    }),
};

/// scipy.stats.skew(values) with bias=True: m3 / m2^1.5, central moments over n. A constant
/// column (m2 within rounding of zero, scipy's test) has no skewness: `None`.
pub fn skew(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let (mut m2, mut m3) = (0.0, 0.0);
    for v in values {
        let d = v - mean;
        m2 += d * d;
        m3 += d * d * d;
    }
    m2 /= n;
    m3 /= n;
    // scipy: m2 <= (np.finfo(float64).resolution * mean)**2, resolution = 1e-15.
    if m2 <= (1e-15 * mean).powi(2) {
        return None;
    }
    Some(m3 / m2.powf(1.5))
}

#[derive(Clone)]
struct SkewLog1p {
    columns: Vec<String>,
    threshold: f64,
    abs: bool,
}

impl Step for SkewLog1p {
    fn fit(&self, data: &FitData, ctx: &Ctx) -> Result<Box<dyn Fitted>> {
        let frame = data.stacked()?;
        let mut skewed = Vec::new();
        for c in columns_or(&self.columns, || numeric_columns(&frame, ctx)) {
            let values: Vec<f64> = numbers(&frame, &c, "skew_log1p")?
                .into_iter()
                .flatten()
                .collect();
            let over = skew(&values).is_some_and(|s| {
                let s = if self.abs { s.abs() } else { s };
                s > self.threshold
            });
            if over {
                skewed.push(c);
            }
        }
        Ok(Box::new(FittedSkew { skewed }))
    }
}

struct FittedSkew {
    skewed: Vec<String>,
}

impl Fitted for FittedSkew {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        for c in &self.skewed {
            let values = numbers(&df, c, "skew_log1p")?;
            if let Some(bad) = values.iter().flatten().find(|v| **v <= -1.0) {
                return Err(RunError::data(
                    format!("skew_log1p: column `{c}`"),
                    format!("{bad} is outside the domain of log1p (must be > -1)"),
                ));
            }
            let out = values.into_iter().map(|v| v.map(f64::ln_1p)).collect();
            df = put(df, float_series(c, out))?;
        }
        Ok(df)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_is_scipys_biased_skewness() {
        // [1, 2, 3, 10]: mean 4, deviations -3 -2 -1 6, m2 = 50/4 = 12.5, m3 = 180/4 = 45,
        // skew = 45 / 12.5^1.5 = 1.01823376... (scipy.stats.skew gives the same).
        let s = skew(&[1.0, 2.0, 3.0, 10.0]).unwrap();
        assert!((s - 45.0 / 12.5f64.powf(1.5)).abs() < 1e-12);
        assert!((s - 1.018_233_764_908_629).abs() < 1e-12, "{s}");
        assert_eq!(skew(&[1.0, 2.0, 3.0]), Some(0.0));
        assert_eq!(skew(&[5.0, 5.0, 5.0]), None);
        assert_eq!(skew(&[]), None);
    }
}
