//! `box_cox1p`: scipy.special.boxcox1p(x, λ) = ((1 + x)^λ − 1) / λ, log(1 + x) for λ = 0, on
//! fixed columns, as Serigne's House Prices kernel does (`all_data[feat] = boxcox1p(all_data[feat],
//! 0.15)` on its 59 skewed features). Stateless: λ is given, not estimated.

use polars::prelude::*;

use kreplay_recipe::{params, Learns, Lit, StepColumns, StepSpec, Ty};

use super::{columns_or, float_series, numbers, numeric_columns, put, Build, Ctx, Fitted, StepDef};
use crate::error::{Result, RunError};

params! {
    struct BoxCoxParams {
        columns: Vec<String> = optional(
            Ty::Columns,
            Lit::EmptyList,
            "columns to transform (default: every numeric column but the id and target; a listed target is skipped in frames that lack it)",
        ),
        lmbda: f64 = required(
            Ty::Float,
            "lambda: ((1 + x)^lambda - 1) / lambda, log1p(x) when lambda = 0 (Serigne: 0.15)",
        ),
    }
}

pub static BOX_COX1P: StepDef = StepDef {
    spec: StepSpec {
        kind: "box_cox1p",
        summary: "Box-Cox of 1 + x with a given lambda (scipy.special.boxcox1p)",
        params: BoxCoxParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["columns"]),
    },
    build: Build::Stateless(|p, _| {
        let BoxCoxParams { columns, lmbda } = BoxCoxParams::read(p)?;
        Ok(Box::new(BoxCox1p { columns, lmbda }))
    }),
};

/// scipy.special.boxcox1p, computed as scipy does (expm1(λ·log1p(x)) / λ, log1p(x) when
/// |λ| < 1e-19 or log1p(x) is within 1e-289 of zero). x < -1 gives NaN, as in scipy.
pub fn boxcox1p(x: f64, lmbda: f64) -> f64 {
    let lgx = x.ln_1p();
    if lmbda.abs() < 1e-19 || (lgx.abs() < 1e-289 && lmbda.abs() < 1e273) {
        lgx
    } else {
        (lmbda * lgx).exp_m1() / lmbda
    }
}

#[derive(Clone)]
struct BoxCox1p {
    columns: Vec<String>,
    lmbda: f64,
}

impl Fitted for BoxCox1p {
    fn apply(&self, mut df: DataFrame, ctx: &Ctx) -> Result<DataFrame> {
        let columns = columns_or(&self.columns, || numeric_columns(&df, ctx));
        for c in &columns {
            if c == ctx.target && df.column(c).is_err() {
                continue;
            }
            let values = numbers(&df, c, "box_cox1p")?;
            if let Some(bad) = values.iter().flatten().find(|v| **v < -1.0) {
                return Err(RunError::data(
                    format!("box_cox1p: column `{c}`"),
                    format!("{bad} is outside the domain of boxcox1p (expected values >= -1)"),
                ));
            }
            let out = values
                .into_iter()
                .map(|v| v.map(|x| boxcox1p(x, self.lmbda)))
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

    #[test]
    fn matches_scipy_boxcox1p() {
        // scipy.special.boxcox1p([0, 1, 10, 1500], 0.15)
        let want = [
            0.0,
            0.730_463_147_118_966_8,
            2.885_846_472_488_202_3,
            13.302_771_429_436_177,
        ];
        for (x, w) in [0.0, 1.0, 10.0, 1500.0].iter().zip(want) {
            let got = boxcox1p(*x, 0.15);
            assert!((got - w).abs() < 1e-12, "boxcox1p({x}) = {got}, want {w}");
        }
        assert_eq!(boxcox1p(3.0, 0.0), 4f64.ln());
        assert!(boxcox1p(-2.0, 0.15).is_nan());
    }

    #[test]
    fn transforms_numeric_features_but_not_id_or_target() {
        let df = df!(
            "id" => [1i64, 2, 3],
            "a" => [Some(0.0), Some(1.0), None],
            "s" => ["x", "y", "z"],
            "y" => [10.0, 20.0, 30.0],
        )
        .unwrap();
        let (out, _) = test_run(&BOX_COX1P, &[("lmbda", Value::Float(0.15))], df, None).unwrap();
        let a = test_col(&out, "a");
        assert_eq!(a[0], 0.0);
        assert!((a[1] - 0.730_463_147_118_966_8).abs() < 1e-12);
        assert!(a[2].is_nan());
        assert_eq!(test_col(&out, "id"), vec![1.0, 2.0, 3.0]);
        assert_eq!(test_col(&out, "y"), vec![10.0, 20.0, 30.0]);
    }

    #[test]
    fn values_below_minus_one_are_an_error_naming_the_column() {
        let df = df!("a" => [-3.0, 1.0]).unwrap();
        let e = test_run(&BOX_COX1P, &[("lmbda", Value::Float(0.15))], df, None).unwrap_err();
        assert!(e.to_string().contains("column `a`"), "{e}");
    }
}
