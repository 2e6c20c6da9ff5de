//! `robust_scale`: sklearn's RobustScaler. Each column is centred on its median and divided by
//! its interquartile range (numpy's linear percentiles, missing values ignored as
//! `np.nanpercentile` does), both learnt on the rows of the step's `fit_on` scope. A range
//! below 10·machine epsilon scales by 1, as sklearn's `_handle_zeros_in_scale`.

use polars::prelude::*;

use kreplay_recipe::{params, Learns, Lit, Params, StepColumns, StepSpec, Ty};

use super::fill::median;
use super::{
    columns_or, float_series, np_quantile, numbers, numeric_columns, put, Build, Ctx, FitData,
    Fitted, Step, StepDef,
};
use crate::error::{Result, RunError};

params! {
    struct RobustParams {
        columns: Vec<String> = optional(
            Ty::Columns,
            Lit::EmptyList,
            "columns to scale (default: every numeric column but the id and target)",
        ),
        with_centering: bool = optional(Ty::Bool, Lit::Bool(true), "subtract the median"),
        with_scaling: bool = optional(Ty::Bool, Lit::Bool(true), "divide by the quantile range"),
        quantile_range: Vec<f64> = optional(
            Ty::FloatList,
            Lit::EmptyList,
            "[q_min, q_max] percentiles, 0 <= q_min < q_max <= 100 (default: [25, 75])",
        ),
    }
}

pub static ROBUST_SCALE: StepDef = StepDef {
    spec: StepSpec {
        kind: "robust_scale",
        summary: "subtract the median and divide by the interquartile range (sklearn RobustScaler)",
        params: RobustParams::SPECS,
        learns: Learns::Always,
        columns: StepColumns::reads(&["columns"]).learns_from_reads(),
    },
    build: Build::Learning(build_robust),
};

fn build_robust(p: &Params, _: u64) -> Result<Box<dyn Step>> {
    let k = RobustParams::read(p)?;
    let range = k.quantile_range;
    let (lo, hi) = match range.as_slice() {
        [] => (25.0, 75.0),
        [lo, hi] if 0.0 <= *lo && lo < hi && *hi <= 100.0 => (*lo, *hi),
        _ => {
            return Err(p
                .error(
                    "quantile_range",
                    format!("expected two percentiles [q_min, q_max] with 0 <= q_min < q_max <= 100, found {range:?}"),
                )
                .into())
        }
    };
    Ok(Box::new(RobustScale {
        columns: k.columns,
        centering: k.with_centering,
        scaling: k.with_scaling,
        range: (lo, hi),
    }))
}

#[derive(Clone)]
struct RobustScale {
    columns: Vec<String>,
    centering: bool,
    scaling: bool,
    range: (f64, f64),
}

impl Step for RobustScale {
    fn fit(&self, data: &FitData, ctx: &Ctx) -> Result<Box<dyn Fitted>> {
        let frame = data.stacked()?;
        let mut stats = Vec::new();
        for c in columns_or(&self.columns, || numeric_columns(&frame, ctx)) {
            let mut values: Vec<f64> = numbers(&frame, &c, "robust_scale")?
                .into_iter()
                .flatten()
                .filter(|v| !v.is_nan())
                .collect();
            if values.is_empty() {
                return Err(RunError::data(
                    format!("robust_scale: column `{c}`"),
                    "has no values in the fit rows; expected at least one number",
                ));
            }
            values.sort_by(f64::total_cmp);
            let center = if self.centering {
                median(&values).unwrap_or(0.0)
            } else {
                0.0
            };
            let scale = if self.scaling {
                let q = |p: f64| np_quantile(&values, p / 100.0).unwrap_or(0.0);
                let s = q(self.range.1) - q(self.range.0);
                if s < 10.0 * f64::EPSILON {
                    1.0
                } else {
                    s
                }
            } else {
                1.0
            };
            stats.push((c, center, scale));
        }
        Ok(Box::new(FittedRobust { stats }))
    }
}

struct FittedRobust {
    stats: Vec<(String, f64, f64)>,
}

impl Fitted for FittedRobust {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        for (c, center, scale) in &self.stats {
            let out = numbers(&df, c, "robust_scale")?
                .into_iter()
                .map(|v| v.map(|x| (x - center) / scale))
                .collect();
            df = put(df, float_series(c, out))?;
        }
        Ok(df)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::{test_col, test_run};
    use kreplay_recipe::Value;

    fn frame() -> DataFrame {
        df!(
            "id" => [1i64, 2, 3, 4, 5],
            "a" => [Some(1.0), Some(2.0), Some(4.0), Some(10.0), None],
            "b" => [3.0, 3.0, 3.0, 3.0, 3.0],
            "y" => [0.0, 1.0, 0.0, 1.0, 1.0],
        )
        .unwrap()
    }

    #[test]
    fn centers_on_the_median_and_scales_by_the_iqr() {
        // sklearn: RobustScaler().fit(a) on [1, 2, 4, 10, nan]: center 3.0, scale
        // percentile(75) - percentile(25) = 5.5 - 1.75 = 3.75.
        let test = df!("a" => [3.0, 6.75], "b" => [3.0, 4.0]).unwrap();
        let (train, test) = test_run(&ROBUST_SCALE, &[], frame(), Some(test)).unwrap();
        let a = test_col(&train, "a");
        assert_eq!(&a[..4], &[-2.0 / 3.75, -1.0 / 3.75, 1.0 / 3.75, 7.0 / 3.75]);
        assert!(a[4].is_nan());
        // a constant column: centred, scale 1; id and target untouched
        assert_eq!(test_col(&train, "b"), vec![0.0; 5]);
        assert_eq!(test_col(&train, "y"), vec![0.0, 1.0, 0.0, 1.0, 1.0]);
        let test = test.unwrap();
        assert_eq!(test_col(&test, "a"), vec![0.0, 1.0]);
        assert_eq!(test_col(&test, "b"), vec![0.0, 1.0]);
    }

    #[test]
    fn options_follow_sklearn() {
        let set = [
            ("columns", Value::List(vec![Value::Str("a".into())])),
            ("with_centering", Value::Bool(false)),
            (
                "quantile_range",
                Value::List(vec![Value::Float(0.0), Value::Float(100.0)]),
            ),
        ];
        let (train, _) = test_run(&ROBUST_SCALE, &set, frame(), None).unwrap();
        assert_eq!(
            &test_col(&train, "a")[..4],
            &[1.0 / 9.0, 2.0 / 9.0, 4.0 / 9.0, 10.0 / 9.0]
        );
        let bad = [(
            "quantile_range",
            Value::List(vec![Value::Float(75.0), Value::Float(25.0)]),
        )];
        assert!(test_run(&ROBUST_SCALE, &bad, frame(), None).is_err());
    }
}
