//! `model_impute`: a model predicts a column's missing (or zero) values from other columns, as
//! the Bike Sharing notebooks do for windspeed: a RandomForestRegressor fitted on the rows with
//! `windspeed != 0` over season, weather, humidity, month, temp, year and atemp predicts the
//! rows where it is 0 (fitted on train and test stacked: `fit_on = "train+test"`).
//!
//! The model is any kind of the model zoo; its hyperparameters are the `params` table, checked
//! against that kind's own parameter definitions exactly as a `[model]` section is.

use polars::prelude::*;

use kreplay_recipe::schema::check_value;
use kreplay_recipe::tree::{Node, NodeValue, Origin};
use kreplay_recipe::{
    params, Learns, Lit, Param, ParamSpec, Params, StepColumns, StepSpec, Task, Ty, Value,
};

use super::{float_series, numbers, put, Build, Ctx, FitData, Fitted, Step, StepDef};
use crate::error::{Result, RunError};
use crate::matrix::{matrix_of, Rows};
use crate::models::{self, Model, Trained, Training};
use crate::pipeline::take_rows;

kreplay_recipe::named_enum! {
    /// Which cells `model_impute` replaces.
    enum When {
        Missing = "missing",
        Zero = "zero",
    }
}

params! {
    struct ModelImputeParams {
        column: String = required(Ty::Str, "the column to impute"),
        features: Vec<String> = required(Ty::Columns, "numeric columns the model reads (no missing values)"),
        when: When = optional(
            Ty::Choice(When::NAMES),
            Lit::Str("missing"),
            "which cells to replace: missing ones, or zeros (Bike Sharing's windspeed); the model learns from the other rows",
        ),
        model: String = optional(Ty::Str, Lit::Str("random_forest"), "model kind (see `kreplay models`)"),
        params: Vec<(String, Value)> = optional(
            Ty::ScalarMap,
            Lit::None,
            "the model's hyperparameters, e.g. { n_estimators = 100, max_depth = 8 } (default: the kind's defaults)",
        ),
        task: Task = optional(
            Ty::Choice(Task::NAMES),
            Lit::Str("regression"),
            "regression for a numeric column, binary/multiclass for class codes",
        ),
        seed: Option<usize> = optional(Ty::OptInt, Lit::None, "seed for the model when `params` sets none (default: recipe.seed)").min(0.0),
    }
}

pub static MODEL_IMPUTE: StepDef = StepDef {
    spec: StepSpec {
        kind: "model_impute",
        summary: "predict a column's missing (or zero) values with a model fitted on the rows where it is known",
        params: ModelImputeParams::SPECS,
        learns: Learns::Always,
        columns: StepColumns::reads(&["column", "features"]),
    },
    build: Build::Learning(build_model_impute),
};

fn node_of(value: &Value, text: &str) -> Option<Node> {
    let value = match value {
        Value::Str(s) => NodeValue::Str(s.clone()),
        Value::Int(i) => NodeValue::Int(*i),
        Value::Float(x) => NodeValue::Float(*x),
        Value::Bool(b) => NodeValue::Bool(*b),
        Value::None | Value::List(_) | Value::Map(_) => return None,
    };
    Some(Node {
        origin: Origin::Override(text.to_string()),
        value,
    })
}

/// The `params` table (`given`, read from the step's `p`) checked against the model kind's
/// parameter definitions: unknown keys, types and ranges are errors located at `params`; absent
/// keys take the kind's defaults. The model's parameters are the kind's, so they are built by
/// name from its definitions, as a `[model]` section's are.
fn model_params(
    p: &Params,
    given: &[(String, Value)],
    kind: &str,
    specs: &[ParamSpec],
) -> Result<Params> {
    let owner = format!("{}.params ({kind})", p.owner());
    let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
    for (key, _) in given {
        if !names.contains(&key.as_str()) {
            return Err(p
                .error(
                    "params",
                    format!(
                        "model `{kind}` has no parameter `{key}`; {}",
                        kreplay_recipe::error::suggestion(key, &names)
                    ),
                )
                .into());
        }
    }
    let loc = p
        .get("params")
        .map(|x| x.loc.clone())
        .unwrap_or(kreplay_recipe::Loc::Unknown);
    let mut items = Vec::with_capacity(specs.len());
    for spec in specs {
        let (value, explicit) = match given.iter().find(|(k, _)| k == spec.name) {
            Some((k, v)) => {
                let node = node_of(v, &format!("{k} = {v}"))
                    .ok_or_else(|| p.error("params", format!("`{k}` must be a scalar")))?;
                (
                    check_value(&node, spec, &owner).map_err(|m| p.error("params", m))?,
                    true,
                )
            }
            None => match spec.default {
                Some(lit) => (lit.to_value(), false),
                None => {
                    return Err(p
                        .error(
                            "params",
                            format!("model `{kind}` needs `{}` ({})", spec.name, spec.doc),
                        )
                        .into())
                }
            },
        };
        items.push(Param {
            name: spec.name.to_string(),
            value,
            loc: loc.clone(),
            explicit,
        });
    }
    Ok(Params::new(owner, items))
}

fn build_model_impute(p: &Params, recipe_seed: u64) -> Result<Box<dyn Step>> {
    let ModelImputeParams {
        column,
        features,
        when,
        model: kind,
        params,
        task,
        seed,
    } = ModelImputeParams::read(p)?;
    let kind = kind.as_str();
    let def = models::def(kind).ok_or_else(|| {
        let kinds: Vec<&str> = models::kinds().map(|k| k.spec().kind).collect();
        p.error(
            "model",
            format!(
                "no model kind `{kind}`; {}",
                kreplay_recipe::error::suggestion(kind, &kinds)
            ),
        )
    })?;
    if !def.spec().tasks.contains(&task) {
        return Err(p
            .error(
                "task",
                format!("model `{kind}` does not do {}", task.name()),
            )
            .into());
    }
    if features.is_empty() {
        return Err(p.error("features", "names no column").into());
    }
    if features.contains(&column) {
        return Err(p
            .error(
                "features",
                format!("lists `{column}`, the column being imputed"),
            )
            .into());
    }
    let seed = models::seed_or(seed, recipe_seed);
    let model = def.build(&model_params(p, &params, kind, def.spec().params)?, seed)?;
    Ok(Box::new(ModelImpute {
        column,
        features,
        zero: when == When::Zero,
        model,
        kind: kind.to_string(),
        task,
    }))
}

struct ModelImpute {
    column: String,
    features: Vec<String>,
    zero: bool,
    model: Box<dyn Model>,
    kind: String,
    task: Task,
}

/// Whether a cell is one to replace: missing, or zero with `when = "zero"` (where missing
/// cells stay missing and are not learnt from either).
fn to_impute(v: Option<f64>, zero: bool) -> bool {
    match v {
        None => !zero,
        Some(x) if x.is_nan() => !zero,
        Some(x) => zero && x == 0.0,
    }
}

fn is_known(v: Option<f64>, zero: bool) -> bool {
    v.is_some_and(|x| !x.is_nan() && (!zero || x != 0.0))
}

impl Step for ModelImpute {
    fn fit(&self, data: &FitData, _: &Ctx) -> Result<Box<dyn Fitted>> {
        let frame = data.stacked()?;
        let values = numbers(&frame, &self.column, "model_impute")?;
        let known: Vec<usize> = (0..values.len())
            .filter(|&i| is_known(values[i], self.zero))
            .collect();
        if known.is_empty() {
            return Err(RunError::data(
                format!("model_impute: column `{}`", self.column),
                "has no known values in the fit rows to learn from",
            ));
        }
        let rows = take_rows(&frame, &known)?;
        let x = matrix_of(&rows, &self.features, "model_impute")?;
        let y: Vec<f64> = known.iter().filter_map(|&i| values[i]).collect();
        let trained = self.model.fit(&Training {
            frame: &rows,
            x: Rows::all(&x),
            y: &y,
            task: self.task,
        })?;
        Ok(Box::new(FittedImpute {
            column: self.column.clone(),
            features: self.features.clone(),
            zero: self.zero,
            kind: self.kind.clone(),
            trained,
        }))
    }
}

struct FittedImpute {
    column: String,
    features: Vec<String>,
    zero: bool,
    kind: String,
    trained: Box<dyn Trained>,
}

impl Fitted for FittedImpute {
    fn apply(&self, df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let mut values = numbers(&df, &self.column, "model_impute")?;
        let idx: Vec<usize> = (0..values.len())
            .filter(|&i| to_impute(values[i], self.zero))
            .collect();
        if idx.is_empty() {
            return Ok(df);
        }
        let rows = take_rows(&df, &idx)?;
        let x = matrix_of(&rows, &self.features, "model_impute")?;
        let pred = self.trained.predict(&rows, &x)?;
        if pred.values.len() != idx.len() {
            return Err(RunError::model(
                &self.kind,
                format!(
                    "predicted {} values for {} rows",
                    pred.values.len(),
                    idx.len()
                ),
            ));
        }
        for (&i, v) in idx.iter().zip(pred.values) {
            values[i] = Some(v);
        }
        put(df, float_series(&self.column, values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::{test_col, test_params, test_run};

    fn set(extra: &[(&'static str, Value)]) -> Vec<(&'static str, Value)> {
        let mut v = vec![
            ("column", Value::Str("wind".into())),
            ("features", Value::List(vec![Value::Str("f".into())])),
        ];
        v.extend(extra.iter().cloned());
        v
    }

    #[test]
    fn zeros_are_predicted_from_the_other_rows() {
        // wind = 10 * f where known; a single tree (max_depth 3, no bootstrap, all features)
        // memorises the known rows, so the zero rows get their neighbour's value.
        let train = df!(
            "id" => [1i64, 2, 3, 4, 5, 6],
            "f" => [1.0, 2.0, 3.0, 4.0, 2.0, 4.0],
            "wind" => [Some(10.0), Some(20.0), Some(30.0), Some(40.0), Some(0.0), None],
        )
        .unwrap();
        let test = df!("id" => [7i64, 8], "f" => [1.0, 3.0], "wind" => [0.0, 5.0]).unwrap();
        let params = Value::Map(vec![
            ("n_estimators".into(), Value::Int(1)),
            ("bootstrap".into(), Value::Bool(false)),
            ("max_features".into(), Value::Str("all".into())),
        ]);
        let s = set(&[("when", Value::Str("zero".into())), ("params", params)]);
        let (train, test) = test_run(&MODEL_IMPUTE, &s, train, Some(test)).unwrap();
        let w = test_col(&train, "wind");
        assert_eq!(&w[..5], &[10.0, 20.0, 30.0, 40.0, 20.0]);
        assert!(w[5].is_nan(), "missing cells stay missing with when = zero");
        assert_eq!(test_col(&test.unwrap(), "wind"), vec![10.0, 5.0]);
    }

    #[test]
    fn missing_values_are_predicted_by_default() {
        let train = df!(
            "f" => [1.0, 2.0, 3.0, 4.0, 3.0],
            "wind" => [Some(10.0), Some(20.0), Some(30.0), Some(40.0), None],
        )
        .unwrap();
        let s = set(&[("model", Value::Str("decision_tree".into()))]);
        let (train, _) = test_run(&MODEL_IMPUTE, &s, train, None).unwrap();
        assert_eq!(test_col(&train, "wind"), vec![10.0, 20.0, 30.0, 40.0, 30.0]);
    }

    #[test]
    fn model_params_are_checked_against_the_model_kind() {
        let bad = |extra: &[(&'static str, Value)]| {
            let p = test_params(&MODEL_IMPUTE, &set(extra));
            MODEL_IMPUTE
                .build(&p, 0)
                .err()
                .expect("an error")
                .to_string()
        };
        let e = bad(&[(
            "params",
            Value::Map(vec![("n_estimator".into(), Value::Int(5))]),
        )]);
        assert!(e.contains("did you mean `n_estimators`"), "{e}");
        let e = bad(&[(
            "params",
            Value::Map(vec![("n_estimators".into(), Value::Str("many".into()))]),
        )]);
        assert!(e.contains("n_estimators"), "{e}");
        let e = bad(&[("model", Value::Str("random_forrest".into()))]);
        assert!(e.contains("did you mean `random_forest`"), "{e}");
        let p = test_params(
            &MODEL_IMPUTE,
            &[
                ("column", Value::Str("wind".into())),
                ("features", Value::List(vec![Value::Str("wind".into())])),
            ],
        );
        let e = MODEL_IMPUTE
            .build(&p, 0)
            .err()
            .expect("an error")
            .to_string();
        assert!(e.contains("being imputed"), "{e}");
    }
}
