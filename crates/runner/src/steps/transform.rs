//! Numeric transforms: casts, logarithms, standard scaling.

use polars::prelude::*;

use kreplay_recipe::{params, Learns, Lit, StepColumns, StepSpec, Ty};

use super::{
    column, columns_or, float_series, numbers, numeric_columns, put, strings, Build, Ctx, FitData,
    Fitted, Step, StepDef,
};
use crate::error::{Result, RunError};

kreplay_recipe::named_enum! {
    /// The type `cast` converts to.
    enum CastTo {
        Int = "int",
        Float = "float",
        Str = "str",
    }
}

params! {
    struct CastParams {
        columns: Vec<String> = required(Ty::Columns, "columns to cast"),
        to: CastTo = required(Ty::Choice(CastTo::NAMES), "int, float or str"),
    }
}

pub static CAST: StepDef = StepDef {
    spec: StepSpec {
        kind: "cast",
        summary: "change column types; int truncates toward zero like pandas astype(int)",
        params: CastParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["columns"]),
    },
    build: Build::Stateless(|p, _| {
        let CastParams { columns, to } = CastParams::read(p)?;
        Ok(Box::new(Cast { columns, to }))
    }),
};

params! {
    /// The columns of `log` and `log1p`.
    struct TransformParams {
        columns: Vec<String> = required(
            Ty::Columns,
            "columns to transform; the target is skipped in frames that lack it (test)",
        ),
    }
}

pub static LOG: StepDef = StepDef {
    spec: StepSpec {
        kind: "log",
        summary: "natural logarithm; values <= 0 are an error",
        params: TransformParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["columns"]),
    },
    build: Build::Stateless(|p, _| {
        Ok(Box::new(Unary {
            columns: TransformParams::read(p)?.columns,
            f: Func::Ln,
        }))
    }),
};

pub static LOG1P: StepDef = StepDef {
    spec: StepSpec {
        kind: "log1p",
        summary: "log(1 + x), e.g. for a price target",
        params: TransformParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["columns"]).learns_from_reads(),
    },
    build: Build::Stateless(|p, _| {
        Ok(Box::new(Unary {
            columns: TransformParams::read(p)?.columns,
            f: Func::Ln1p,
        }))
    }),
};

params! {
    struct StandardScaleParams {
        columns: Vec<String> = optional(
            Ty::Columns,
            Lit::EmptyList,
            "columns to scale (default: every numeric column but the id and target)",
        ),
    }
}

pub static STANDARD_SCALE: StepDef = StepDef {
    spec: StepSpec {
        kind: "standard_scale",
        summary: "subtract the mean and divide by the standard deviation (sklearn StandardScaler)",
        params: StandardScaleParams::SPECS,
        learns: Learns::Always,
        columns: StepColumns::reads(&["columns"]).learns_from_reads(),
    },
    build: Build::Learning(|p, _| {
        let StandardScaleParams { columns } = StandardScaleParams::read(p)?;
        Ok(Box::new(StandardScale { columns }))
    }),
};

#[derive(Clone)]
struct Cast {
    columns: Vec<String>,
    to: CastTo,
}

impl Fitted for Cast {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        for c in &self.columns {
            let series = match self.to {
                CastTo::Str => Series::new(c.as_str().into(), strings(&df, c, "cast")?),
                to => {
                    let values = match df.column(c).map(|col| col.dtype().clone()) {
                        // Text of numbers parses, as pandas' astype(float) does.
                        Ok(DataType::String) => parse_numbers(&df, c)?,
                        _ => numbers(&df, c, "cast")?,
                    };
                    if to == CastTo::Int {
                        Series::new(
                            c.as_str().into(),
                            values
                                .iter()
                                .map(|v| v.map(|x| x.trunc() as i64))
                                .collect::<Vec<_>>(),
                        )
                    } else {
                        float_series(c, values)
                    }
                }
            };
            df = put(df, series)?;
        }
        Ok(df)
    }
}

#[derive(Clone, Copy)]
enum Func {
    Ln,
    Ln1p,
}

#[derive(Clone)]
struct Unary {
    columns: Vec<String>,
    f: Func,
}

impl Fitted for Unary {
    fn apply(&self, mut df: DataFrame, ctx: &Ctx) -> Result<DataFrame> {
        for c in &self.columns {
            if c == ctx.target && df.column(c).is_err() {
                continue;
            }
            let values = numbers(&df, c, "log")?;
            let (name, bound) = match self.f {
                Func::Ln => ("log", 0.0),
                Func::Ln1p => ("log1p", -1.0),
            };
            if let Some(bad) = values.iter().flatten().find(|v| **v <= bound) {
                return Err(RunError::data(
                    format!("{name}: column `{c}`"),
                    format!("{bad} is outside the domain of {name} (must be > {bound})"),
                ));
            }
            let out = values
                .into_iter()
                .map(|v| {
                    v.map(|x| match self.f {
                        Func::Ln => x.ln(),
                        Func::Ln1p => x.ln_1p(),
                    })
                })
                .collect();
            df = put(df, float_series(c, out))?;
        }
        Ok(df)
    }
}

#[derive(Clone)]
struct StandardScale {
    columns: Vec<String>,
}

impl Step for StandardScale {
    fn fit(&self, data: &FitData, ctx: &Ctx) -> Result<Box<dyn Fitted>> {
        let frame = data.stacked()?;
        let columns = columns_or(&self.columns, || numeric_columns(&frame, ctx));
        let mut stats = Vec::new();
        for c in columns {
            column(&frame, &c, "standard_scale")?;
            let values: Vec<f64> = numbers(&frame, &c, "standard_scale")?
                .into_iter()
                .flatten()
                .collect();
            let n = values.len().max(1) as f64;
            let mean = values.iter().sum::<f64>() / n;
            let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            // sklearn leaves constant columns unscaled (scale 1).
            stats.push((c, mean, if std == 0.0 { 1.0 } else { std }));
        }
        Ok(Box::new(FittedScale { stats }))
    }
}

struct FittedScale {
    stats: Vec<(String, f64, f64)>,
}

impl Fitted for FittedScale {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        for (c, mean, std) in &self.stats {
            let values = numbers(&df, c, "standard_scale")?;
            df = put(
                df,
                float_series(
                    c,
                    values
                        .into_iter()
                        .map(|v| v.map(|x| (x - mean) / std))
                        .collect(),
                ),
            )?;
        }
        Ok(df)
    }
}

/// A text column's cells as numbers; a cell that is not a number is an error naming it.
fn parse_numbers(df: &DataFrame, column: &str) -> Result<Vec<Option<f64>>> {
    strings(df, column, "cast")?
        .into_iter()
        .enumerate()
        .map(|(i, cell)| match cell {
            None => Ok(None),
            Some(text) => text.trim().parse::<f64>().map(Some).map_err(|_| {
                RunError::data(
                    format!("cast: column `{column}`"),
                    format!("row {}: {text:?} is not a number", i + 1),
                )
            }),
        })
        .collect()
}
