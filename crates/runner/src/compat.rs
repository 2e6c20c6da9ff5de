//! Whether a recipe fits another competition's data, checked before anything runs: every
//! column a step or the model reads must exist by the time it is read.
//!
//! The check follows the columns through the steps: it starts from the train file's header,
//! adds what steps write (`into`, derived columns, split parts), removes what they drop or
//! encode away, and reports every input that is not there at that point.

use std::collections::BTreeSet;

use kreplay_recipe::{Loc, Recipe, Ty, Value};

use crate::steps;

/// A column a recipe reads that the data does not have at that point.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingColumn {
    /// `steps.title.column`, `data.target`, `model.expr`.
    pub at: String,
    pub column: String,
    pub loc: Loc,
}

/// Column names an SQL expression reads.
fn sql_columns(sql: &str) -> Vec<String> {
    match crate::sql::parse(sql) {
        Ok(expr) => expr
            .meta()
            .root_names()
            .into_iter()
            .map(|c| c.to_string())
            .collect(),
        Err(_) => Vec::new(),
    }
}

pub fn missing_columns(recipe: &Recipe, train_columns: &[String]) -> Vec<MissingColumn> {
    let mut have: BTreeSet<String> = train_columns.iter().cloned().collect();
    let mut missing = Vec::new();
    let data = &recipe.data.params;
    for key in ["id", "target"] {
        if let Some(p) = data.get(key) {
            if let Some(col) = p.value.as_str().filter(|c| !have.contains(*c)) {
                missing.push(MissingColumn {
                    at: format!("data.{key}"),
                    column: col.to_string(),
                    loc: p.loc.clone(),
                });
            }
        }
    }
    for s in &recipe.steps {
        let Some(def) = steps::def(&s.kind) else {
            continue;
        };
        let mut reads: Vec<(String, String, Loc)> = Vec::new();
        let mut writes: Vec<String> = Vec::new();
        for spec in def.spec.params {
            let Some(p) = s.params.get(spec.name) else {
                continue;
            };
            let names: Vec<String> = match &p.value {
                Value::Str(v) => vec![v.clone()],
                Value::List(items) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            match (spec.name, spec.ty) {
                ("into", _) => writes.extend(names.into_iter().filter(|n| !n.is_empty())),
                ("column", _) | (_, Ty::Columns) => reads.extend(
                    names
                        .into_iter()
                        .map(|n| (spec.name.to_string(), n, p.loc.clone())),
                ),
                ("columns", Ty::ScalarMap) => {
                    // derive: each expression reads columns, then its name exists.
                    if let Value::Map(m) = &p.value {
                        for (name, v) in m {
                            if let Some(sql) = v.as_str() {
                                for c in sql_columns(sql) {
                                    if !have.contains(&c) && !writes.contains(&c) {
                                        missing.push(MissingColumn {
                                            at: format!("steps.{}.columns.{name}", s.id),
                                            column: c,
                                            loc: p.loc.clone(),
                                        });
                                    }
                                }
                            }
                            writes.push(name.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        for (param, col, loc) in &reads {
            if !have.contains(col) && col != &recipe.data.target {
                missing.push(MissingColumn {
                    at: format!("steps.{}.{param}", s.id),
                    column: col.clone(),
                    loc: loc.clone(),
                });
            }
        }
        let inputs: Vec<String> = reads.into_iter().map(|r| r.1).collect();
        match s.kind.as_str() {
            "drop" => inputs.iter().for_each(|c| {
                have.remove(c);
            }),
            "select" => {
                have.retain(|c| {
                    inputs.contains(c) || c == &recipe.data.id || c == &recipe.data.target
                });
            }
            "one_hot" => inputs.iter().for_each(|c| {
                // The dummies' names depend on the levels; later steps naming them are not checked.
                have.remove(c);
            }),
            _ => {}
        }
        have.extend(writes);
    }
    if recipe.model.kind == "rule" {
        if let Some(p) = recipe.model.params.get("expr") {
            for c in p.value.as_str().map(sql_columns).unwrap_or_default() {
                if !have.contains(&c) {
                    missing.push(MissingColumn {
                        at: "model.expr".into(),
                        column: c,
                        loc: p.loc.clone(),
                    });
                }
            }
        }
    }
    missing
}
