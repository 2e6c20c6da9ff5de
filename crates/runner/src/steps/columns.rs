//! Keeping and dropping columns.

use polars::prelude::*;

use kreplay_recipe::{params, ColumnEffect, Learns, Lit, StepColumns, StepSpec, Ty};

use super::{require, Build, Ctx, Fitted, StepDef};
use crate::error::{Context, Result};

params! {
    struct DropParams {
        columns: Vec<String> = required(Ty::Columns, "columns to remove"),
        missing_ok: bool = optional(
            Ty::Bool,
            Lit::Bool(false),
            "skip columns a frame does not have",
        ),
    }
}

pub static DROP: StepDef = StepDef {
    spec: StepSpec {
        kind: "drop",
        summary: "remove columns",
        params: DropParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["columns"]).effect(ColumnEffect::RemovesReads),
    },
    build: Build::Stateless(|p, _| {
        let DropParams {
            columns,
            missing_ok,
        } = DropParams::read(p)?;
        Ok(Box::new(DropColumns {
            columns,
            missing_ok,
        }))
    }),
};

params! {
    struct SelectParams {
        columns: Vec<String> = required(Ty::Columns, "columns to keep, in this order"),
    }
}

pub static SELECT: StepDef = StepDef {
    spec: StepSpec {
        kind: "select",
        summary: "keep only these columns (plus the id and target)",
        params: SelectParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["columns"]).effect(ColumnEffect::KeepsOnlyReads),
    },
    build: Build::Stateless(|p, _| {
        let SelectParams { columns } = SelectParams::read(p)?;
        Ok(Box::new(Select { columns }))
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
