//! Keeping and dropping columns.

use polars::prelude::*;

use kreplay_recipe::{ColumnEffect, Learns, Lit, ParamSpec, Params, StepColumns, StepSpec, Ty};

use super::{require, Build, Ctx, Fitted, StepDef};
use crate::error::{Context, Result};

pub static DROP: StepDef = StepDef {
    spec: StepSpec {
        kind: "drop",
        summary: "remove columns",
        params: &[
            ParamSpec::required("columns", Ty::Columns, "columns to remove"),
            ParamSpec::optional(
                "missing_ok",
                Ty::Bool,
                Lit::Bool(false),
                "skip columns a frame does not have",
            ),
        ],
        learns: Learns::Never,
        columns: StepColumns::reads(&["columns"]).effect(ColumnEffect::RemovesReads),
    },
    build: Build::Stateless(|p, _| {
        Ok(Box::new(DropColumns {
            columns: p.strs("columns")?,
            missing_ok: p.bool("missing_ok")?,
        }))
    }),
};

pub static SELECT: StepDef = StepDef {
    spec: StepSpec {
        kind: "select",
        summary: "keep only these columns (plus the id and target)",
        params: &[ParamSpec::required(
            "columns",
            Ty::Columns,
            "columns to keep, in this order",
        )],
        learns: Learns::Never,
        columns: StepColumns::reads(&["columns"]).effect(ColumnEffect::KeepsOnlyReads),
    },
    build: Build::Stateless(|p: &Params, _| {
        Ok(Box::new(Select {
            columns: p.strs("columns")?,
        }))
    }),
};

#[derive(Clone)]
struct DropColumns {
    columns: Vec<String>,
    missing_ok: bool,
}

impl Fitted for DropColumns {
    fn apply(&self, df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let present: Vec<String> = if self.missing_ok {
            self.columns
                .iter()
                .filter(|c| df.column(c).is_ok())
                .cloned()
                .collect()
        } else {
            require(&df, &self.columns, "drop")?;
            self.columns.clone()
        };
        Ok(df.drop_many(present))
    }
}

#[derive(Clone)]
struct Select {
    columns: Vec<String>,
}

impl Fitted for Select {
    fn apply(&self, df: DataFrame, ctx: &Ctx) -> Result<DataFrame> {
        require(&df, &self.columns, "select")?;
        let mut keep: Vec<String> = Vec::new();
        for c in [ctx.id, ctx.target] {
            if df.column(c).is_ok() && !self.columns.iter().any(|k| k == c) {
                keep.push(c.to_string());
            }
        }
        keep.extend(self.columns.iter().cloned());
        df.select(keep).ctx(|| "select".into())
    }
}
