//! Derived columns written as SQL expressions, parsed by polars' own SQL support.

use polars::prelude::*;

use kreplay_recipe::{params, ColumnEffect, Learns, Params, StepColumns, StepSpec, Ty, Value};

use super::{Build, Ctx, Fitted, StepDef};
use crate::error::{Result, RunError};

params! {
    struct DeriveParams {
        columns: Vec<(String, Value)> = required(
            Ty::ScalarMap,
            "name = \"SQL expression\", e.g. { FamilySize = \"SibSp + Parch + 1\" }",
        ),
    }
}

pub static DERIVE: StepDef = StepDef {
    spec: StepSpec {
        kind: "derive",
        summary: "new columns from SQL expressions, in order (later ones may use earlier ones)",
        params: DeriveParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&[]).effect(ColumnEffect::Derives("columns")),
    },
    build: Build::Stateless(build_derive),
};

fn build_derive(p: &Params, _seed: u64) -> Result<Box<dyn Fitted>> {
    let DeriveParams { columns } = DeriveParams::read(p)?;
    let mut exprs = Vec::new();
    for (name, v) in columns {
        let Value::Str(sql) = v else {
            return Err(p
                .error(
                    "columns",
                    format!("`{name}` must be a SQL expression in a string"),
                )
                .into());
        };
        let expr =
            crate::sql::parse(&sql).map_err(|e| p.error("columns", format!("`{name}`: {e}")))?;
        exprs.push((name, sql, expr));
    }
    if exprs.is_empty() {
        return Err(p.error("columns", "names no column").into());
    }
    Ok(Box::new(Derive { exprs }))
}

#[derive(Clone)]
struct Derive {
    exprs: Vec<(String, String, Expr)>,
}

impl Fitted for Derive {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        for (name, sql, expr) in &self.exprs {
            df = df
                .lazy()
                .with_column(expr.clone().alias(name.as_str()))
                .collect()
                .map_err(|e| {
                    RunError::data(
                        format!("derive: `{name} = {sql:?}`"),
                        e.to_string().lines().next().unwrap_or("").to_string(),
                    )
                })?;
        }
        Ok(df)
    }
}
