//! Whether a recipe fits another competition's data, checked before anything runs: every
//! column a step or the model reads must exist by the time it is read.
//!
//! The check follows the columns through the steps: it starts from the train file's header and
//! applies what each step kind declares it does to the columns ([`StepColumns`]: the
//! parameters naming what it reads and writes, and what it removes), reporting every input
//! that is not there at that point.
//!
//! [`StepColumns`]: kreplay_recipe::StepColumns

use std::collections::BTreeSet;

use kreplay_recipe::{ColumnEffect, Loc, Params, Recipe, Value};

use crate::steps;

/// A column a recipe reads that the data does not have at that point.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingColumn {
    /// `steps.title.column`, `data.target`, `model.expr`.
    pub at: String,
    pub column: String,
    pub loc: Loc,
}

/// The columns a step parameter names: a name or a list of names (none when unset).
pub(crate) fn param_columns(params: &Params, param: &str) -> Vec<String> {
    match params.get(param).map(|p| &p.value) {
        Some(Value::Str(v)) => vec![v.clone()],
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
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

/// Reports each column the SQL in `value` reads that `known` does not have.
fn check_sql(
    value: &Value,
    known: impl Fn(&String) -> bool,
    at: String,
    loc: &Loc,
    missing: &mut Vec<MissingColumn>,
) {
    for column in value.as_str().map(sql_columns).unwrap_or_default() {
        if !known(&column) {
            missing.push(MissingColumn {
                at: at.clone(),
                column,
                loc: loc.clone(),
            });
        }
    }
}

/// Whether `column` may exist: it is in `have`, or it is named like a column that a step which
/// removed `prefix` may have made from its values (`Sex` -> `Sex_male`, as one_hot names its
/// dummies), which only the data can tell.
fn may_exist(have: &BTreeSet<String>, prefixes: &[String], column: &str) -> bool {
    have.contains(column)
        || prefixes.iter().any(|p| {
            column
                .strip_prefix(p.as_str())
                .is_some_and(|rest| rest.starts_with('_'))
        })
}

pub fn missing_columns(recipe: &Recipe, train_columns: &[String]) -> Vec<MissingColumn> {
    let mut have: BTreeSet<String> = train_columns.iter().cloned().collect();
    let mut prefixes: Vec<String> = Vec::new();
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
        let declared = &def.spec.columns;
        let names = |param: &str| param_columns(&s.params, param);
        let mut inputs = Vec::new();
        for param in declared.reads {
            for col in names(param) {
                if !may_exist(&have, &prefixes, &col) && col != recipe.data.target {
                    missing.push(MissingColumn {
                        at: format!("steps.{}.{param}", s.id),
                        column: col.clone(),
                        loc: s.params.get(param).map_or(Loc::Unknown, |p| p.loc.clone()),
                    });
                }
                inputs.push(col);
            }
        }
        let mut writes: Vec<String> = declared
            .writes
            .iter()
            .flat_map(|param| names(param))
            .filter(|n| !n.is_empty())
            .collect();
        match declared.effect {
            ColumnEffect::None => {}
            ColumnEffect::RemovesReads => inputs.iter().for_each(|c| {
                // one_hot's dummies are named by levels (`<prefix>_<level>`): later steps
                // naming such a column are not reported.
                have.remove(c);
                prefixes.push(c.clone());
                prefixes.extend(names("prefix"));
            }),
            ColumnEffect::KeepsOnlyReads => have
                .retain(|c| inputs.contains(c) || c == &recipe.data.id || c == &recipe.data.target),
            ColumnEffect::Derives(param) => {
                // Each expression reads columns, then its name exists.
                if let Some(p) = s.params.get(param) {
                    if let Value::Map(m) = &p.value {
                        for (name, sql) in m {
                            let at = format!("steps.{}.{param}.{name}", s.id);
                            let known =
                                |c: &String| may_exist(&have, &prefixes, c) || writes.contains(c);
                            check_sql(sql, known, at, &p.loc, &mut missing);
                            writes.push(name.clone());
                        }
                    }
                }
            }
            ColumnEffect::ReadsSql(param) => {
                if let Some(p) = s.params.get(param) {
                    let at = format!("steps.{}.{param}", s.id);
                    let known = |c: &String| may_exist(&have, &prefixes, c);
                    check_sql(&p.value, known, at, &p.loc, &mut missing);
                }
            }
            ColumnEffect::WritesPrefixed {
                names: from,
                prefix,
            } => {
                let prefix = names(prefix).into_iter().next().unwrap_or_default();
                writes.extend(names(from).into_iter().map(|n| format!("{prefix}{n}")));
            }
        }
        have.extend(writes);
    }
    if recipe.model.kind == "rule" {
        if let Some(p) = recipe.model.params.get("expr") {
            let at = "model.expr".to_string();
            let known = |c: &String| may_exist(&have, &prefixes, c);
            check_sql(&p.value, known, at, &p.loc, &mut missing);
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use kreplay_recipe::{Library, Recipe, Source, Ty};

    use super::*;

    /// A step's column declaration names only its own parameters, and covers every parameter
    /// that names a column: a new step kind cannot forget one and fool the column check.
    #[test]
    fn every_step_declares_the_columns_its_parameters_name() {
        for def in steps::STEPS {
            let spec = &def.spec;
            let declared = spec.columns.params();
            for name in &declared {
                assert!(
                    spec.params.iter().any(|p| p.name == *name),
                    "{}: declares `{name}`, which is not one of its parameters",
                    spec.kind
                );
            }
            for p in spec.params {
                let names_columns = p.ty == Ty::Columns || p.name == "column";
                if names_columns {
                    assert!(
                        spec.columns.reads.contains(&p.name),
                        "{}: {} is read",
                        spec.kind,
                        p.name
                    );
                }
                if p.name == "into" {
                    assert!(
                        spec.columns.writes.contains(&"into"),
                        "{}: into is written",
                        spec.kind
                    );
                }
            }
        }
    }

    fn parse(text: &str) -> Recipe {
        let source = Source::new("test.toml", text);
        Recipe::parse(source, "test/test", None, &[], crate::catalog()).unwrap()
    }

    fn columns(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn columns_written_by_name_parts_and_derivations_exist_afterwards() {
        let recipe = parse(
            r#"
[recipe]
title = "t"
author = "a"
source = "s"
competition = "bike-sharing-demand"

[data]
id = "datetime"
target = "count"
task = "regression"

[[steps]]
id = "parts"
kind = "datetime_parts"
column = "datetime"
parts = ["hour", "month"]
prefix = "d_"

[[steps]]
id = "ratio"
kind = "derive"
columns = { warm = "temp / d_month" }

[[steps]]
id = "rows"
kind = "drop_rows"
where = "temp > 40 AND nope < 1"

[[steps]]
id = "gone"
kind = "drop"
columns = ["d_hour", "d_minute", "temp"]

[[steps]]
id = "late"
kind = "log1p"
columns = ["warm", "temp"]

[model]
kind = "linear_regression"

[validation]
scheme = "none"
metric = "rmse"
"#,
        );
        let missing = missing_columns(&recipe, &columns(&["datetime", "temp", "count"]));
        let found: Vec<(&str, &str)> = missing
            .iter()
            .map(|m| (m.at.as_str(), m.column.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("steps.rows.where", "nope"),
                ("steps.gone.columns", "d_minute"),
                ("steps.late.columns", "temp")
            ]
        );
    }

    #[test]
    fn dummies_named_after_a_one_hot_column_are_not_reported() {
        let recipe = parse(
            r#"
[recipe]
title = "t"
author = "a"
source = "s"
competition = "titanic"

[data]
id = "PassengerId"
target = "Survived"
task = "binary"

[[steps]]
id = "sex"
kind = "one_hot"
columns = "Sex"

[[steps]]
id = "one"
kind = "drop"
columns = ["Sex_female", "Sexy", "Sex"]

[[steps]]
id = "both"
kind = "derive"
columns = { m = "Sex_male + Fare" }

[model]
kind = "logistic_regression"

[validation]
scheme = "none"
metric = "accuracy"
"#,
        );
        let missing = missing_columns(
            &recipe,
            &columns(&["PassengerId", "Survived", "Sex", "Fare"]),
        );
        let found: Vec<(&str, &str)> = missing
            .iter()
            .map(|m| (m.at.as_str(), m.column.as_str()))
            .collect();
        // `Sex_female` and `Sex_male` may be dummies; `Sexy` cannot be, nor `Sex` once encoded.
        assert_eq!(
            found,
            [("steps.one.columns", "Sexy"), ("steps.one.columns", "Sex")]
        );
    }

    /// Every shipped recipe finds every column it reads in its own competition's header (the
    /// cut tables in `tests/data` have the real headers).
    #[test]
    fn every_shipped_recipe_finds_its_columns_in_its_own_data() {
        let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
        let library = Library::in_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../recipes"));
        for (name, _) in library.names() {
            let (source, name) = library.load(&name).unwrap();
            let recipe = Recipe::parse(source, &name, None, &[], crate::catalog()).unwrap();
            if recipe.data.builtin.is_some() {
                continue;
            }
            let competition = recipe.meta.str("competition").unwrap();
            let train = data.join(competition).join(&recipe.data.train);
            let text = std::fs::read_to_string(&train).unwrap();
            let header = columns(&text.lines().next().unwrap().split(',').collect::<Vec<_>>());
            assert_eq!(missing_columns(&recipe, &header), [], "{name}");
        }
    }
}
