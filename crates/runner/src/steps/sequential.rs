//! Row-by-row imputation whose statistics include the values filled before: Ghouzam's Titanic
//! notebook loops over the missing ages in row order and sets each one (through pandas chained
//! assignment, which wrote through in 2017) to the median age of the rows sharing its SibSp,
//! Parch and Pclass, so later medians see earlier fills and the order matters. A plain
//! per-group fill gives different ages; this step replays the loop.
//!
//! With `fit_on = "train+test"` the loop runs over train then test rows (the notebook's
//! `pd.concat`); the fitted step keeps each frame's filled column and hands it back to that
//! frame, so it must be fitted on the frames it fills (`train+test` or `each`).

use polars::prelude::*;

use kreplay_recipe::{params, Learns, Lit, StepColumns, StepSpec, Ty};

use super::{float_series, numbers, put, strings, Build, Ctx, FitData, Fitted, Step, StepDef};
use crate::error::{Result, RunError};

kreplay_recipe::named_enum! {
    /// The group statistic a missing value gets.
    enum Statistic {
        Median = "median",
        Mean = "mean",
    }
}

params! {
    struct SequentialFillParams {
        column: String = required(Ty::Str, "numeric column to fill"),
        by: Vec<String> = required(Ty::Columns, "columns whose values a row must share to be in its group"),
        statistic: Statistic = optional(Ty::Choice(Statistic::NAMES), Lit::Str("median"), "group statistic; the column's overall statistic when the group has no known value"),
    }
}

pub static SEQUENTIAL_FILL: StepDef = StepDef {
    spec: StepSpec {
        kind: "sequential_fill",
        summary: "fill a column's missing values one row at a time, each by the group median including earlier fills (Ghouzam's loop)",
        params: SequentialFillParams::SPECS,
        learns: Learns::Always,
        columns: StepColumns::reads(&["column", "by"]).learns_from_reads(),
    },
    build: Build::Learning(|p, _| {
        let k = SequentialFillParams::read(p)?;
        Ok(Box::new(SequentialFill {
            column: k.column,
            by: k.by,
            mean: k.statistic == Statistic::Mean,
        }))
    }),
};

#[derive(Clone)]
struct SequentialFill {
    column: String,
    by: Vec<String>,
    mean: bool,
}

fn statistic(values: impl Iterator<Item = f64>, mean: bool) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    if mean {
        return Some(v.iter().sum::<f64>() / v.len() as f64);
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

impl SequentialFill {
    fn fill(&self, frame: &DataFrame) -> Result<Vec<f64>> {
        let what = "sequential_fill";
        let mut values: Vec<f64> = numbers(frame, &self.column, what)?
            .into_iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
        // A group key per row; a missing group value matches nothing (NaN == NaN is false).
        let mut keys: Vec<Option<String>> = vec![Some(String::new()); frame.height()];
        for b in &self.by {
            for (k, cell) in keys.iter_mut().zip(strings(frame, b, what)?) {
                *k = match (k.take(), cell) {
                    (Some(mut k), Some(c)) => {
                        k.push_str(&c);
                        k.push('\u{1f}');
                        Some(k)
                    }
                    _ => None,
                };
            }
        }
        let missing: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_nan()).collect();
        for i in missing {
            let group = keys[i].as_ref().and_then(|key| {
                statistic(
                    (0..values.len())
                        .filter(|&j| keys[j].as_ref() == Some(key))
                        .map(|j| values[j]),
                    self.mean,
                )
            });
            values[i] = match group {
                Some(v) => v,
                None => statistic(values.iter().copied(), self.mean).ok_or_else(|| {
                    RunError::data(
                        format!("sequential_fill: column `{}`", self.column),
                        "every value is missing",
                    )
                })?,
            };
        }
        Ok(values)
    }
}

impl Step for SequentialFill {
    fn fit(&self, data: &FitData, ctx: &Ctx) -> Result<Box<dyn Fitted>> {
        let n_train = data.train.height();
        let filled = self.fill(&data.stacked()?)?;
        let (first, rest) = filled.split_at(n_train);
        let (train, test) = match (data.test.is_some(), ctx.training) {
            (true, _) => (Some(first.to_vec()), Some(rest.to_vec())),
            (false, true) => (Some(first.to_vec()), None),
            (false, false) => (None, Some(first.to_vec())),
        };
        Ok(Box::new(FittedSequential {
            column: self.column.clone(),
            train,
            test,
        }))
    }
}

struct FittedSequential {
    column: String,
    train: Option<Vec<f64>>,
    test: Option<Vec<f64>>,
}

impl Fitted for FittedSequential {
    fn apply(&self, df: DataFrame, ctx: &Ctx) -> Result<DataFrame> {
        let (values, role) = if ctx.training {
            (&self.train, "training")
        } else {
            (&self.test, "test")
        };
        let context = || format!("sequential_fill: column `{}`", self.column);
        let values = values.as_ref().ok_or_else(|| {
            RunError::data(
                context(),
                format!("fitted without the {role} rows; use fit_on = \"train+test\" or \"each\""),
            )
        })?;
        if values.len() != df.height() {
            return Err(RunError::data(
                context(),
                format!(
                    "fitted on {} {role} rows but applied to {}; use fit_on = \"train+test\" or \"each\"",
                    values.len(),
                    df.height()
                ),
            ));
        }
        let series = float_series(&self.column, values.iter().map(|v| Some(*v)).collect());
        put(df, series)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::{test_col, test_run};
    use kreplay_recipe::Value;

    #[test]
    fn later_fills_see_earlier_ones() {
        // Rows 1 and 3 take group a's median, row 4 group b's; row 5 (group c, nothing known)
        // takes the overall median, which by then includes those fills: median of
        // [10, 10, 1, 10, 1] = 10, where a fill from the known values alone gives 5.5.
        let df = df!(
            "id" => [1, 2, 3, 4, 5, 6],
            "g" => ["a", "a", "b", "a", "b", "c"],
            "x" => [Some(10.0), None, Some(1.0), None, None, None],
            "y" => [0, 1, 0, 1, 0, 1],
        )
        .unwrap();
        let set = [
            ("column", Value::Str("x".into())),
            ("by", Value::List(vec![Value::Str("g".into())])),
        ];
        let (out, _) = test_run(&SEQUENTIAL_FILL, &set, df, None).unwrap();
        assert_eq!(test_col(&out, "x"), vec![10.0, 10.0, 1.0, 10.0, 1.0, 10.0]);
    }

    #[test]
    fn fitted_on_train_only_refuses_test_rows() {
        let df = df!("id" => [1, 2], "g" => ["a", "a"], "x" => [Some(1.0), None], "y" => [0, 1])
            .unwrap();
        let set = [
            ("column", Value::Str("x".into())),
            ("by", Value::List(vec![Value::Str("g".into())])),
        ];
        let test = df!("id" => [3], "g" => ["a"], "x" => [None::<f64>]).unwrap();
        let e = test_run(&SEQUENTIAL_FILL, &set, df, Some(test)).unwrap_err();
        assert!(e.to_string().contains("train+test"), "{e}");
    }
}
