//! Encoders: one-hot (pandas get_dummies, with level choices) and label encoding.
//!
//! `one_hot` without `columns` encodes every text column, as `pd.get_dummies(df)` does; which
//! columns those are is decided on the fit rows.

use polars::prelude::*;

use kreplay_recipe::{params, ColumnEffect, Learns, Lit, StepColumns, StepSpec, Ty};

use super::{
    columns_or, float_series, put, strings, text_columns, Build, Ctx, FitData, Fitted, Step,
    StepDef,
};
use crate::error::{Result, RunError};

kreplay_recipe::named_enum! {
    /// Which levels `one_hot` encodes.
    enum Levels {
        Fit = "fit",
        Intersection = "intersection",
    }
}

kreplay_recipe::named_enum! {
    /// The order of an encoder's levels.
    enum Order {
        Sorted = "sorted",
        Appearance = "appearance",
    }
}

params! {
    struct OneHotParams {
        columns: Vec<String> = optional(Ty::Columns, Lit::EmptyList, "columns to encode (default: every text column but the id and target, as pd.get_dummies(df))"),
        levels: Levels = optional(
            Ty::Choice(Levels::NAMES),
            Lit::Str("fit"),
            "fit: levels of the fit rows; intersection: levels in both train and test (needs fit_on = \"train+test\")",
        ),
        order: Order = optional(Ty::Choice(Order::NAMES), Lit::Str("sorted"), "column order: sorted (get_dummies) or first appearance"),
        drop_first: bool = optional(Ty::Bool, Lit::Bool(false), "drop the first level's column"),
        prefix: Option<String> = optional(Ty::Str, Lit::None, "column name prefix (default: the column's name)"),
    }
}

pub static ONE_HOT: StepDef = StepDef {
    spec: StepSpec {
        kind: "one_hot",
        summary: "one 0/1 column per level, named <prefix>_<level>; the original column is dropped",
        params: OneHotParams::SPECS,
        learns: Learns::Always,
        columns: StepColumns::reads(&["columns"]).effect(ColumnEffect::RemovesReads),
    },
    build: Build::Learning(|p, _| {
        let k = OneHotParams::read(p)?;
        if k.prefix.is_some() && k.columns.len() != 1 {
            return Err(p.error("prefix", "a prefix needs a single column").into());
        }
        Ok(Box::new(OneHot {
            columns: k.columns,
            intersection: k.levels == Levels::Intersection,
            sorted: k.order == Order::Sorted,
            drop_first: k.drop_first,
            prefix: k.prefix,
        }))
    }),
};

params! {
    struct LabelEncodeParams {
        columns: Vec<String> = required(Ty::Columns, "columns to encode"),
        order: Order = optional(Ty::Choice(Order::NAMES), Lit::Str("sorted"), "code order"),
    }
}

pub static LABEL_ENCODE: StepDef = StepDef {
    spec: StepSpec {
        kind: "label_encode",
        summary: "codes 0..n-1 per level (sklearn LabelEncoder: sorted order); unseen levels are an error",
        params: LabelEncodeParams::SPECS,
        learns: Learns::Always,
        columns: StepColumns::reads(&["columns"]).learns_from_reads(),
    },
    build: Build::Learning(|p, _| {
        let k = LabelEncodeParams::read(p)?;
        Ok(Box::new(LabelEncode {
            columns: k.columns,
            sorted: k.order == Order::Sorted,
        }))
    }),
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
