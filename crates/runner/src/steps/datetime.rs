//! `datetime_parts`: calendar parts of a date-time text column as integer columns, as pandas'
//! `pd.to_datetime(df.datetime).dt.hour` and friends (the Bike Sharing notebooks: hour, weekday,
//! month, year). Parsing is polars' strptime: with `format` (chrono's `%Y-%m-%d %H:%M:%S`
//! notation, as in Python) or inferred from the values.

use polars::prelude::*;

use kreplay_recipe::{params, ColumnEffect, Learns, Lit, Params, StepColumns, StepSpec, Ty};

use super::{column, put, Build, Ctx, Fitted, StepDef};
use crate::error::{Context, Result, RunError};

const PARTS: &[&str] = &[
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "weekday",
    "dayofyear",
];

params! {
    struct DatetimeParams {
        column: String = required(Ty::Str, "the date-time column (text, or already a date/datetime)"),
        parts: Vec<String> = required(
            Ty::StrList,
            "any of year, month, day, hour, minute, weekday (pandas dayofweek: Monday = 0), dayofyear (1-based)",
        ),
        format: Option<String> = optional(
            Ty::Str,
            Lit::None,
            "strptime format, e.g. \"%Y-%m-%d %H:%M:%S\" (default: inferred from the values)",
        ),
        prefix: Option<String> = optional(
            Ty::Str,
            Lit::None,
            "output names are <prefix><part> (default: no prefix, the columns are named hour, weekday, ...)",
        ),
    }
}

pub static DATETIME_PARTS: StepDef = StepDef {
    spec: StepSpec {
        kind: "datetime_parts",
        summary: "integer calendar parts (hour, weekday, month, ...) of a date-time text column, as pandas' .dt accessors",
        params: DatetimeParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).effect(ColumnEffect::WritesPrefixed {
            names: "parts",
            prefix: "prefix",
        }),
    },
    build: Build::Stateless(build_parts),
};

fn build_parts(p: &Params, _: u64) -> Result<Box<dyn Fitted>> {
    let DatetimeParams {
        column,
        parts,
        format,
        prefix,
    } = DatetimeParams::read(p)?;
    if parts.is_empty() {
        return Err(p
            .error(
                "parts",
                format!("names no part; expected some of {}", PARTS.join(", ")),
            )
            .into());
    }
    for part in &parts {
        if !PARTS.contains(&part.as_str()) {
            return Err(p
                .error(
                    "parts",
                    format!(
                        "no part {part:?}; {}",
                        kreplay_recipe::error::suggestion(part, PARTS)
                    ),
                )
                .into());
        }
    }
    Ok(Box::new(DatetimeParts {
        column,
        parts,
        format,
        prefix: prefix.unwrap_or_default(),
    }))
}

#[derive(Clone)]
struct DatetimeParts {
    column: String,
    parts: Vec<String>,
    format: Option<String>,
    prefix: String,
}

const PARSED: &str = "__kreplay_datetime";

impl Fitted for DatetimeParts {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let c = &self.column;
        let what = || format!("datetime_parts: column `{c}`");
        let input = column(&df, c, "datetime_parts")?;
        let parsed = match input.dtype() {
            DataType::Datetime(..) | DataType::Date => col(c.as_str()),
            DataType::String => col(c.as_str()).str().to_datetime(
                None,
                None,
                StrptimeOptions {
                    format: self.format.as_deref().map(Into::into),
                    strict: true,
                    exact: true,
                    cache: true,
                },
                lit("raise"),
            ),
            other => {
                return Err(RunError::data(
                    what(),
                    format!("is {other}, expected date-time text such as \"2011-01-01 00:00:00\""),
                ))
            }
        };
        let t = df
            .clone()
            .lazy()
            .select([parsed.alias(PARSED)])
            .collect()
            .map_err(|e| {
                let expected = match &self.format {
                    Some(f) => format!("expected date-times in the format {f:?}"),
                    None => "expected date-times (set `format` if the inferred one is wrong)"
                        .to_string(),
                };
                RunError::data(
                    what(),
                    format!("{expected}: {}", e.to_string().lines().next().unwrap_or("")),
                )
            })?;
        for part in &self.parts {
            let dt = col(PARSED).dt();
            let expr = match part.as_str() {
                "year" => dt.year(),
                "month" => dt.month(),
                "day" => dt.day(),
                "hour" => dt.hour(),
                "minute" => dt.minute(),
                "weekday" => dt.weekday() - lit(1),
                _ => dt.ordinal_day(),
            };
            let name = format!("{}{part}", self.prefix);
            let out = t
                .clone()
                .lazy()
                .select([expr.cast(DataType::Int64).alias(name.as_str())])
                .collect()
                .ctx(what)?;
            let series = out
                .column(&name)
                .ctx(what)?
                .as_materialized_series()
                .clone();
            df = put(df, series)?;
        }
        Ok(df)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::{test_col, test_run};
    use kreplay_recipe::Value;

    fn strs(v: &[&str]) -> Value {
        Value::List(v.iter().map(|s| Value::Str(s.to_string())).collect())
    }

    #[test]
    fn parts_follow_pandas_dt() {
        // 2011-01-01 was a Saturday (pandas dayofweek 5), 2012-12-31 a Monday (0).
        let df = df!(
            "datetime" => [Some("2011-01-01 00:00:00"), Some("2012-12-31 23:45:00"), None],
            "y" => [1.0, 2.0, 3.0],
        )
        .unwrap();
        let set = [
            ("column", Value::Str("datetime".into())),
            (
                "parts",
                strs(&[
                    "hour",
                    "weekday",
                    "month",
                    "year",
                    "day",
                    "dayofyear",
                    "minute",
                ]),
            ),
            ("format", Value::Str("%Y-%m-%d %H:%M:%S".into())),
        ];
        let (out, _) = test_run(&DATETIME_PARTS, &set, df.clone(), None).unwrap();
        let get = |n: &str| test_col(&out, n)[..2].to_vec();
        assert_eq!(get("hour"), vec![0.0, 23.0]);
        assert_eq!(get("weekday"), vec![5.0, 0.0]);
        assert_eq!(get("month"), vec![1.0, 12.0]);
        assert_eq!(get("year"), vec![2011.0, 2012.0]);
        assert_eq!(get("day"), vec![1.0, 31.0]);
        assert_eq!(get("dayofyear"), vec![1.0, 366.0]);
        assert_eq!(get("minute"), vec![0.0, 45.0]);
        assert!(test_col(&out, "hour")[2].is_nan());
        assert_eq!(out.column("hour").unwrap().dtype(), &DataType::Int64);

        // inferred format and a prefix
        let set = [
            ("column", Value::Str("datetime".into())),
            ("parts", strs(&["hour"])),
            ("prefix", Value::Str("t_".into())),
        ];
        let (out, _) = test_run(&DATETIME_PARTS, &set, df, None).unwrap();
        assert_eq!(test_col(&out, "t_hour")[..2], [0.0, 23.0]);
    }

    #[test]
    fn bad_values_and_parts_are_errors() {
        let df = df!("datetime" => ["2011-01-01 00:00:00", "yesterday"]).unwrap();
        let set = [
            ("column", Value::Str("datetime".into())),
            ("parts", strs(&["hour"])),
            ("format", Value::Str("%Y-%m-%d %H:%M:%S".into())),
        ];
        let e = test_run(&DATETIME_PARTS, &set, df, None).unwrap_err();
        assert!(e.to_string().contains("column `datetime`"), "{e}");
        let set = [
            ("column", Value::Str("datetime".into())),
            ("parts", strs(&["hours"])),
        ];
        let p = crate::steps::test_params(&DATETIME_PARTS, &set);
        let e = DATETIME_PARTS.build(&p, 0).err().unwrap();
        assert!(e.to_string().contains("did you mean"), "{e}");
    }
}
