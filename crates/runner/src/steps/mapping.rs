//! Value tables: `replace` (listed values change, others stay) and `map` (every value is
//! looked up; unlisted ones get the default).

use polars::prelude::*;

use kreplay_recipe::{params, Learns, Lit, StepColumns, StepSpec, Ty, Value};

use super::text::Io;
use super::{put, strings, Build, Ctx, Fitted, StepDef, INTO_DOC};
use crate::error::Result;

params! {
    struct ReplaceParams {
        column: String = required(Ty::Str, "column to change"),
        values: Vec<(String, Value)> = required(
            Ty::ScalarMap,
            "old = new pairs, e.g. { Mlle = \"Miss\", Mme = \"Mrs\" }",
        ),
        into: Option<String> = optional(Ty::Str, Lit::None, INTO_DOC),
    }
}

pub static REPLACE: StepDef = StepDef {
    spec: StepSpec {
        kind: "replace",
        summary: "replace listed values; other values stay as they are",
        params: ReplaceParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p, _| {
        let k = ReplaceParams::read(p)?;
        Ok(Box::new(Lookup {
            io: Io::new(k.column, k.into),
            table: k.values,
            total: false,
            default: None,
        }))
    }),
};

params! {
    struct MapParams {
        column: String = required(Ty::Str, "column to map"),
        values: Vec<(String, Value)> = required(
            Ty::ScalarMap,
            "value = code pairs, e.g. { female = 1, male = 0 }",
        ),
        default: Option<f64> = optional(
            Ty::Float,
            Lit::None,
            "code for values not in the table and for missing cells (default: missing)",
        ),
        into: Option<String> = optional(Ty::Str, Lit::None, INTO_DOC),
    }
}

pub static MAP: StepDef = StepDef {
    spec: StepSpec {
        kind: "map",
        summary: "map every value through a table (pandas Series.map, then fillna(default))",
        params: MapParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p, _| {
        let k = MapParams::read(p)?;
        Ok(Box::new(Lookup {
            io: Io::new(k.column, k.into),
            table: k.values,
            total: true,
            default: k.default,
        }))
    }),
};

#[derive(Clone)]
struct Lookup {
    io: Io,
    table: Vec<(String, Value)>,
    /// `map`: unlisted values become `default`; `replace`: they stay.
    total: bool,
    default: Option<f64>,
}

impl Fitted for Lookup {
    fn apply(&self, df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let what = if self.total { "map" } else { "replace" };
        let cells = strings(&df, &self.io.column, what)?;
        let out: Vec<Option<Value>> = cells
            .into_iter()
            .map(|cell| {
                let hit = cell
                    .as_deref()
                    .and_then(|c| self.table.iter().find(|(k, _)| k == c))
                    .map(|(_, v)| v.clone());
                match (hit, self.total) {
                    (Some(v), _) => Some(v),
                    (None, true) => self.default.map(Value::Float),
                    (None, false) => cell.map(Value::Str),
                }
            })
            .collect();
        // `replace` on a numeric column keeps it numeric when every value still reads as a number.
        put(df, values_series(&self.io.into, out))
    }
}

/// A column from mixed values: integers, numbers, booleans or (anything else) text.
pub fn values_series(name: &str, values: Vec<Option<Value>>) -> Series {
    let as_number = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        Value::Str(s) => s.parse::<f64>().ok(),
        _ => None,
    };
    let present = || values.iter().flatten();
    if present().all(|v| matches!(v, Value::Int(_))) {
        let out: Vec<Option<i64>> = values
            .iter()
            .map(|v| v.as_ref().and_then(&as_number).map(|x| x as i64))
            .collect();
        return Series::new(name.into(), out);
    }
    if present().all(|v| as_number(v).is_some()) {
        let out: Vec<Option<f64>> = values
            .iter()
            .map(|v| v.as_ref().and_then(&as_number))
            .collect();
        return Series::new(name.into(), out);
    }
    if present().all(|v| matches!(v, Value::Bool(_))) {
        let out: Vec<Option<bool>> = values
            .iter()
            .map(|v| {
                matches!(v, Some(Value::Bool(true)))
                    .then_some(true)
                    .or(v.as_ref().map(|_| false))
            })
            .collect();
        return Series::new(name.into(), out);
    }
    let out: Vec<Option<String>> = values
        .into_iter()
        .map(|v| {
            v.map(|v| match v {
                Value::Str(s) => s,
                other => other.to_string(),
            })
        })
        .collect();
    Series::new(name.into(), out)
}
