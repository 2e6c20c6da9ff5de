//! A rule: predictions from a SQL expression over the frame, for baselines like the gender model.

use polars::prelude::*;

use kreplay_recipe::{params, ModelSpec, Task, Ty};

use super::{Model, ModelDef, Prediction, Trained, Training};
use crate::error::{Result, RunError};
use crate::matrix::{numeric_column, Matrix};

params! {
    struct RuleParams {
        expr: String = required(Ty::Str, "SQL expression giving the prediction, e.g. \"CASE WHEN Sex = 'female' THEN 1 ELSE 0 END\""),
    }
}

pub static RULE: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "rule",
        summary: "predict with a SQL expression, learning nothing (e.g. the gender baseline)",
        params: RuleParams::SPECS,
        tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
        engine: "polars SQL",
        stand_in: None,
    },
    build: |p, _| {
        let sql = RuleParams::read(p)?.expr;
        let expr = crate::sql::parse(&sql).map_err(|e| p.error("expr", e))?;
        Ok(Box::new(Rule { sql, expr }))
    },
};

#[derive(Clone)]
struct Rule {
    sql: String,
    expr: Expr,
}

impl Model for Rule {
    fn fit(&self, _: &Training) -> Result<Box<dyn Trained>> {
        Ok(Box::new(self.clone()))
    }

    fn reads_features(&self) -> bool {
        false
    }

    fn reads_frame(&self) -> bool {
        true
    }
}

impl Trained for Rule {
    fn predict(&self, frame: &DataFrame, _: &Matrix) -> Result<Prediction> {
        const OUT: &str = "__kreplay_rule";
        let out = frame
            .clone()
            .lazy()
            .select([self.expr.clone().alias(OUT)])
            .collect()
            .map_err(|e| {
                RunError::model(
                    "rule",
                    format!(
                        "`{}`: {}",
                        self.sql,
                        e.to_string().lines().next().unwrap_or("")
                    ),
                )
            })?;
        let values = numeric_column(&out, OUT, "rule")?;
        if values.iter().any(|v| v.is_nan()) {
            return Err(RunError::model(
                "rule",
                format!("`{}` gives missing values for some rows", self.sql),
            ));
        }
        Ok(Prediction {
            values,
            proba: None,
        })
    }
}
