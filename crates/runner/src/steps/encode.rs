//! Encoders: one-hot (pandas get_dummies, with level choices) and label encoding.
//!
//! `one_hot` without `columns` encodes every text column, as `pd.get_dummies(df)` does; which
//! columns those are is decided on the fit rows.

use polars::prelude::*;

use kreplay_recipe::{ColumnEffect, Learns, Lit, ParamSpec, StepColumns, StepSpec, Ty};

use super::{
    columns_or, float_series, put, strings, text_columns, Build, Ctx, FitData, Fitted, Step,
    StepDef,
};
use crate::error::{Result, RunError};

pub static ONE_HOT: StepDef = StepDef {
    spec: StepSpec {
        kind: "one_hot",
        summary: "one 0/1 column per level, named <prefix>_<level>; the original column is dropped",
        params: &[
            ParamSpec::optional("columns", Ty::Columns, Lit::EmptyList, "columns to encode (default: every text column but the id and target, as pd.get_dummies(df))"),
            ParamSpec::optional(
                "levels",
                Ty::Choice(&["fit", "intersection"]),
                Lit::Str("fit"),
                "fit: levels of the fit rows; intersection: levels in both train and test (needs fit_on = \"train+test\")",
            ),
            ParamSpec::optional("order", Ty::Choice(&["sorted", "appearance"]), Lit::Str("sorted"), "column order: sorted (get_dummies) or first appearance"),
            ParamSpec::optional("drop_first", Ty::Bool, Lit::Bool(false), "drop the first level's column"),
            ParamSpec::optional("prefix", Ty::Str, Lit::None, "column name prefix (default: the column's name)"),
        ],
        learns: Learns::Always,
        columns: StepColumns::reads(&["columns"]).effect(ColumnEffect::RemovesReads),
    },
    build: Build::Learning(|p, _| {
        let prefix = p.opt_str("prefix")?.map(str::to_string);
        let columns = p.strs("columns")?;
        if prefix.is_some() && columns.len() != 1 {
            return Err(p.error("prefix", "a prefix needs a single column").into());
        }
        Ok(Box::new(OneHot {
            columns,
            intersection: p.str("levels")? == "intersection",
            sorted: p.str("order")? == "sorted",
            drop_first: p.bool("drop_first")?,
            prefix,
        }))
    }),
};

pub static LABEL_ENCODE: StepDef = StepDef {
    spec: StepSpec {
        kind: "label_encode",
        summary: "codes 0..n-1 per level (sklearn LabelEncoder: sorted order); unseen levels are an error",
        params: &[
            ParamSpec::required("columns", Ty::Columns, "columns to encode"),
            ParamSpec::optional("order", Ty::Choice(&["sorted", "appearance"]), Lit::Str("sorted"), "code order"),
        ],
        learns: Learns::Always,
        columns: StepColumns::reads(&["columns"]).learns_from_reads(),
    },
    build: Build::Learning(|p, _| Ok(Box::new(LabelEncode { columns: p.strs("columns")?, sorted: p.str("order")? == "sorted" }))),
};

/// Levels in order of appearance, or sorted as the column's type sorts (`numeric`).
fn levels(cells: &[Option<String>], sorted: Option<bool>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in cells.iter().flatten() {
        if !out.contains(c) {
            out.push(c.clone());
        }
    }
    if let Some(numeric) = sorted {
        sort_levels(&mut out, numeric);
    }
    out
}

/// Whether a column's values sort as numbers: a text column of digits ("120", "20", as
/// `astype(str)` leaves MSSubClass) sorts as text, the way LabelEncoder and get_dummies do.
fn numeric(df: &DataFrame, column: &str) -> bool {
    df.column(column)
        .map(|c| c.dtype().is_primitive_numeric() || c.dtype().is_bool())
        .unwrap_or(false)
}

/// Numeric levels sort as numbers, text as text (pandas sorts categories by value).
fn sort_levels(levels: &mut [String], numeric: bool) {
    if numeric && levels.iter().all(|l| l.parse::<f64>().is_ok()) {
        levels.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        });
    } else {
        levels.sort();
    }
}

#[derive(Clone)]
struct OneHot {
    columns: Vec<String>,
    intersection: bool,
    sorted: bool,
    drop_first: bool,
    prefix: Option<String>,
}

impl Step for OneHot {
    fn fit(&self, data: &FitData, ctx: &Ctx) -> Result<Box<dyn Fitted>> {
        let mut fitted = Vec::new();
        let columns = columns_or(&self.columns, || text_columns(data.train, ctx));
        for c in &columns {
            let mut lv = if self.intersection {
                let test = data.test.ok_or_else(|| {
                    RunError::data(
                        format!("one_hot: column `{c}`"),
                        "levels = \"intersection\" needs fit_on = \"train+test\"",
                    )
                })?;
                let in_test = levels(&strings(test, c, "one_hot")?, None);
                let mut lv = levels(&strings(data.train, c, "one_hot")?, None);
                lv.retain(|l| in_test.contains(l));
                if self.sorted {
                    sort_levels(&mut lv, numeric(data.train, c));
                }
                lv
            } else {
                let frame = data.stacked()?;
                let order = self.sorted.then(|| numeric(&frame, c));
                levels(&strings(&frame, c, "one_hot")?, order)
            };
            if self.drop_first && !lv.is_empty() {
                lv.remove(0);
            }
            fitted.push((
                c.clone(),
                self.prefix.clone().unwrap_or_else(|| c.clone()),
                lv,
            ));
        }
        Ok(Box::new(FittedOneHot { columns: fitted }))
    }
}

struct FittedOneHot {
    columns: Vec<(String, String, Vec<String>)>,
}

impl Fitted for FittedOneHot {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        for (c, prefix, lv) in &self.columns {
            let cells = strings(&df, c, "one_hot")?;
            df = df.drop_many([c.as_str()]);
            for level in lv {
                let name = format!("{prefix}_{level}");
                let out = cells
                    .iter()
                    .map(|v| Some(f64::from(v.as_deref() == Some(level.as_str()))))
                    .collect();
                df = put(df, float_series(&name, out))?;
            }
        }
        Ok(df)
    }
}

#[derive(Clone)]
struct LabelEncode {
    columns: Vec<String>,
    sorted: bool,
}

impl Step for LabelEncode {
    fn fit(&self, data: &FitData, _: &Ctx) -> Result<Box<dyn Fitted>> {
        let frame = data.stacked()?;
        let mut fitted = Vec::new();
        for c in &self.columns {
            let order = self.sorted.then(|| numeric(&frame, c));
            fitted.push((
                c.clone(),
                levels(&strings(&frame, c, "label_encode")?, order),
            ));
        }
        Ok(Box::new(FittedLabels { columns: fitted }))
    }
}

struct FittedLabels {
    columns: Vec<(String, Vec<String>)>,
}

impl Fitted for FittedLabels {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        for (c, lv) in &self.columns {
            let cells = strings(&df, c, "label_encode")?;
            let mut out = Vec::with_capacity(cells.len());
            for cell in &cells {
                out.push(match cell {
                    None => None,
                    Some(v) => Some(lv.iter().position(|l| l == v).ok_or_else(|| {
                        RunError::data(
                            format!("label_encode: column `{c}`"),
                            format!("level {v:?} was not seen when fitting; fit on more rows (fit_on = \"train+test\") or map it first"),
                        )
                    })? as f64),
                });
            }
            df = put(df, float_series(c, out))?;
        }
        Ok(df)
    }
}
