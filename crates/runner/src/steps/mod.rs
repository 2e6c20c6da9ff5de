//! Feature steps on polars.
//!
//! A step kind is defined once, in its own file, as a [`StepDef`]: the [`StepSpec`] (name,
//! parameters with types and defaults, docs, whether it learns, and which parameters name the
//! columns it reads and writes) that the recipe parser, `kreplay steps` and the column check
//! read, and the `build` function that turns checked parameters into a [`Step`]. A step is fitted on the
//! frame its `fit_on` scope allows ([`FitData`]) and returns a [`Fitted`] transform, which then
//! applies to any frame: prep and bake, as in tidymodels recipes.

mod align;
mod binning;
mod boxcox;
mod columns;
mod datetime;
mod derive;
mod encode;
mod fill;
mod impute;
mod mapping;
mod model_impute;
mod robust;
mod rows;
mod sequential;
mod skew;
mod target_encode;
mod text;
mod transform;

use std::sync::Arc;

use polars::prelude::*;

use kreplay_recipe::{Params, StepSpec};

use crate::error::{Context, Result, RunError};

/// The doc of a one-column step's optional output column, `into: Option<String> =
/// optional(Ty::Str, Lit::None, INTO_DOC)`, written once for all of them.
pub(crate) const INTO_DOC: &str = "output column (default: overwrite the input)";

/// The rows a step learns from.
pub struct FitData<'a> {
    /// Train rows the scope allows (the fold's training rows, all train rows, or the frame itself).
    pub train: &'a DataFrame,
    /// Test rows, for `fit_on = "train+test"` only.
    pub test: Option<&'a DataFrame>,
}

impl<'a> FitData<'a> {
    /// Training rows alone: every scope but `train+test`.
    pub fn train(train: &'a DataFrame) -> Self {
        FitData { train, test: None }
    }

    /// Train and test rows stacked (over the columns they share), as `pd.concat` would.
    pub fn stacked(&self) -> Result<DataFrame> {
        let Some(test) = self.test else {
            return Ok(self.train.clone());
        };
        let shared: Vec<PlSmallStr> = self
            .train
            .get_column_names()
            .into_iter()
            .filter(|n| test.column(n).is_ok())
            .cloned()
            .collect();
        let a = self
            .train
            .select(shared.clone())
            .ctx(|| "stacking train and test".into())?;
        let b = test
            .select(shared)
            .ctx(|| "stacking train and test".into())?;
        a.vstack(&b).ctx(|| "stacking train and test".into())
    }
}

/// What every apply needs to know about the frame's role.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub id: &'a str,
    pub target: &'a str,
    /// Whether the frame holds training rows (with the target) or test rows: row filters such
    /// as outlier rules only ever drop training rows, as the notebooks do.
    pub training: bool,
}

impl Ctx<'_> {
    /// The same names, for the test frame.
    pub fn for_test(self) -> Self {
        Ctx {
            training: false,
            ..self
        }
    }
}

pub trait Step: Send + Sync {
    fn fit(&self, data: &FitData, ctx: &Ctx) -> Result<Box<dyn Fitted>>;
}

pub trait Fitted: Send + Sync {
    fn apply(&self, df: DataFrame, ctx: &Ctx) -> Result<DataFrame>;
}

/// A step kind: its definition and how to build it from checked parameters.
pub struct StepDef {
    pub spec: StepSpec,
    pub build: Build,
}

/// How a step kind is built from checked parameters (the `u64` is the recipe seed, for steps
/// whose own `seed` is not set). The variant is what makes a step learn or not: a stateless
/// build returns the transform itself, before any data exists, so it cannot learn from the
/// rows it is fitted on, and the feature cache may share it across folds.
pub enum Build {
    Stateless(fn(&Params, u64) -> Result<Box<dyn Fitted>>),
    Learning(fn(&Params, u64) -> Result<Box<dyn Step>>),
}

impl StepDef {
    /// Whether the step learns from the rows it is fitted on, by how it is built.
    pub fn learns(&self) -> bool {
        matches!(self.build, Build::Learning(_))
    }

    pub fn build(&self, params: &Params, seed: u64) -> Result<Box<dyn Step>> {
        match self.build {
            Build::Stateless(build) => Ok(Box::new(Ready(Arc::from(build(params, seed)?)))),
            Build::Learning(build) => build(params, seed),
        }
    }
}

/// A stateless step: fitting hands out the transform it was built as.
struct Ready(Arc<dyn Fitted>);

impl Step for Ready {
    fn fit(&self, _: &FitData, _: &Ctx) -> Result<Box<dyn Fitted>> {
        Ok(Box::new(Ready(self.0.clone())))
    }
}

impl Fitted for Ready {
    fn apply(&self, df: DataFrame, ctx: &Ctx) -> Result<DataFrame> {
        self.0.apply(df, ctx)
    }
}

/// Every step kind, in the order `kreplay steps` lists them.
pub static STEPS: &[&StepDef] = &[
    &columns::DROP,
    &columns::SELECT,
    &rows::DROP_ROWS,
    &rows::TUKEY_OUTLIERS,
    &derive::DERIVE,
    &datetime::DATETIME_PARTS,
    &text::REGEX_EXTRACT,
    &text::STR_LEN,
    &text::FIRST_CHAR,
    &text::SPLIT,
    &mapping::REPLACE,
    &mapping::MAP,
    &fill::FILL,
    &sequential::SEQUENTIAL_FILL,
    &align::ALIGN_FROM_TRAIN,
    &model_impute::MODEL_IMPUTE,
    &impute::KNN_IMPUTE,
    &transform::CAST,
    &binning::BIN,
    &binning::QBIN,
    &encode::ONE_HOT,
    &encode::LABEL_ENCODE,
    &target_encode::TARGET_ENCODE,
    &transform::LOG,
    &transform::LOG1P,
    &skew::SKEW_LOG1P,
    &transform::STANDARD_SCALE,
    &robust::ROBUST_SCALE,
    &boxcox::BOX_COX1P,
];

pub fn def(kind: &str) -> Option<&'static StepDef> {
    STEPS.iter().copied().find(|d| d.spec.kind == kind)
}

/// A column by name, or an error listing the columns there are (with a did-you-mean).
pub fn column<'a>(df: &'a DataFrame, name: &str, what: &str) -> Result<&'a Column> {
    df.column(name).map_err(|_| {
        let names: Vec<&str> = df
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .collect();
        let hint = kreplay_recipe::error::suggestion(name, &names);
        RunError::data(
            what.to_string(),
            format!("no column `{name}` at this point of the pipeline; {hint}"),
        )
    })
}

/// A column's cells as text (numbers formatted as pandas would print them as labels), nulls as None.
pub fn strings(df: &DataFrame, name: &str, what: &str) -> Result<Vec<Option<String>>> {
    let col = column(df, name, what)?;
    if col.dtype().is_float() {
        let ca = col.cast(&DataType::Float64).ctx(|| what.into())?;
        return Ok(ca
            .f64()
            .ctx(|| what.into())?
            .iter()
            .map(|v| v.map(label_of))
            .collect());
    }
    let cast = col
        .cast(&DataType::String)
        .ctx(|| format!("{what}: column `{name}`"))?;
    let ca = cast.str().ctx(|| format!("{what}: column `{name}`"))?;
    Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
}

/// A number as a category label: integral values without a decimal point.
pub fn label_of(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A numeric (or boolean) column's cells, nulls as None; text is an error naming the column.
pub fn numbers(df: &DataFrame, name: &str, what: &str) -> Result<Vec<Option<f64>>> {
    let col = column(df, name, what)?;
    let dtype = col.dtype();
    if !(dtype.is_primitive_numeric() || *dtype == DataType::Boolean || *dtype == DataType::Null) {
        return Err(RunError::data(
            format!("{what}: column `{name}`"),
            format!("is {dtype}, expected numbers; convert it first (e.g. a `map` or `cast` step)"),
        ));
    }
    let cast = col
        .cast(&DataType::Float64)
        .ctx(|| format!("{what}: column `{name}`"))?;
    Ok(cast.f64().ctx(|| what.into())?.iter().collect())
}

/// Sets (replaces or appends) a column.
pub fn put(mut df: DataFrame, series: Series) -> Result<DataFrame> {
    let name = series.name().to_string();
    df.with_column(series.into_column())
        .ctx(|| format!("writing column `{name}`"))?;
    Ok(df)
}

pub fn float_series(name: &str, values: Vec<Option<f64>>) -> Series {
    Series::new(name.into(), values)
}

pub fn string_series(name: &str, values: Vec<Option<String>>) -> Series {
    Series::new(name.into(), values)
}

/// Every numeric (or boolean) column but the id and the target, in frame order: what a step
/// without `columns` works on (pandas' `df.dtypes != object`).
pub fn numeric_columns(df: &DataFrame, ctx: &Ctx) -> Vec<String> {
    df.columns()
        .iter()
        .filter(|c| {
            let t = c.dtype();
            (t.is_primitive_numeric() || *t == DataType::Boolean)
                && c.name() != ctx.id
                && c.name() != ctx.target
        })
        .map(|c| c.name().to_string())
        .collect()
}

/// Every text column but the id and the target, in frame order: what `pd.get_dummies(df)`
/// encodes.
pub fn text_columns(df: &DataFrame, ctx: &Ctx) -> Vec<String> {
    df.columns()
        .iter()
        .filter(|c| {
            matches!(c.dtype(), DataType::String | DataType::Categorical(..))
                && c.name() != ctx.id
                && c.name() != ctx.target
        })
        .map(|c| c.name().to_string())
        .collect()
}

/// The step's `columns`, or `all()` of the frame when none are listed.
pub fn columns_or(listed: &[String], all: impl FnOnce() -> Vec<String>) -> Vec<String> {
    if listed.is_empty() {
        all()
    } else {
        listed.to_vec()
    }
}

/// Checks that every named column exists, naming the first that does not.
pub fn require(df: &DataFrame, names: &[String], what: &str) -> Result<()> {
    for n in names {
        column(df, n, what)?;
    }
    Ok(())
}

/// numpy's default (`method="linear"`) quantile of sorted, non-missing values, `q` in [0, 1]:
/// the virtual index (n - 1)·q, interpolated with numpy's `_lerp` (which computes from the upper
/// neighbour when the fraction is at least one half), so results match numpy to the last bit.
/// `None` for no values.
pub fn np_quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = (sorted.len() - 1) as f64 * q;
    let lo = (pos.floor().max(0.0) as usize).min(sorted.len() - 1);
    let hi = (lo + 1).min(sorted.len() - 1);
    let t = pos - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    let diff = b - a;
    Some(if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    })
}

/// Checked parameters of a step kind for unit tests: `set` values over the spec's defaults.
#[cfg(test)]
pub(crate) fn test_params(def: &StepDef, set: &[(&str, kreplay_recipe::Value)]) -> Params {
    kreplay_core::testing::params_over_defaults(
        format!("steps.t ({})", def.spec.kind),
        def.spec.params,
        set,
    )
}

/// Fits a step on `train` (training frame, id `id`, target `y`) and applies it to `train` and,
/// when given, `test`: what the pipeline does for `fit_on = "train"`.
#[cfg(test)]
pub(crate) fn test_run(
    def: &StepDef,
    set: &[(&str, kreplay_recipe::Value)],
    train: DataFrame,
    test: Option<DataFrame>,
) -> Result<(DataFrame, Option<DataFrame>)> {
    test_run_keyed(def, set, ("id", "y"), train, test)
}

/// [`test_run`] on frames whose id and target columns are `(id, target)`.
#[cfg(test)]
pub(crate) fn test_run_keyed(
    def: &StepDef,
    set: &[(&str, kreplay_recipe::Value)],
    (id, target): (&str, &str),
    train: DataFrame,
    test: Option<DataFrame>,
) -> Result<(DataFrame, Option<DataFrame>)> {
    let step = def.build(&test_params(def, set), 42)?;
    let ctx = Ctx {
        id,
        target,
        training: true,
    };
    let fitted = step.fit(&FitData::train(&train), &ctx)?;
    let test = match test {
        Some(t) => Some(fitted.apply(t, &ctx.for_test())?),
        None => None,
    };
    Ok((fitted.apply(train, &ctx)?, test))
}

/// A real competition file (`competition/file.csv`) from the mirror, `$KREPLAY_MIRROR` or the
/// workspace's sibling `shared/data`. The tests that read one are ignored in the default tier
/// and run by `.ci/run`; a missing mirror fails them rather than skipping.
#[cfg(test)]
pub(crate) fn test_mirror_csv(file: &str) -> DataFrame {
    let path = kreplay_core::testing::mirror().join(file);
    crate::data::read_csv(&path, None)
        .unwrap_or_else(|e| panic!("{e} (KREPLAY_MIRROR must point at the competition files)"))
}

/// A column of a test frame as numbers (nulls as NaN).
#[cfg(test)]
pub(crate) fn test_col(df: &DataFrame, name: &str) -> Vec<f64> {
    numbers(df, name, "test")
        .expect("numeric column")
        .into_iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect()
}

#[cfg(test)]
mod tests {
    use kreplay_core::testing::{params_over_defaults, required_samples};
    use kreplay_recipe::declare::choices;
    use kreplay_recipe::{ParamSpec, Recipe, Source, Value};

    use super::{test_params, StepDef, STEPS};
    use crate::ensemble::{Builder, ENSEMBLES};

    /// What a step kind tells the parser and the feature cache (`learns`) is what its build
    /// makes it: a learning step marked otherwise would be shared across folds and leak.
    #[test]
    fn a_step_learns_exactly_when_it_is_built_to() {
        for def in STEPS {
            assert_eq!(
                def.spec.learns.ever(),
                def.learns(),
                "{}: declared learns = {:?} but built {}",
                def.spec.kind,
                def.spec.learns,
                if def.learns() {
                    "to learn"
                } else {
                    "stateless"
                }
            );
        }
    }

    /// Where a generic required sample (`x`, `1`) cannot build a step kind at all: the kind,
    /// the required parameter whose sample is replaced, the refusal the generic samples get
    /// (located at the parameter it names) and a sample that builds. A derived column is a SQL
    /// expression in a string, not the sample's number; `x` is no calendar part; the pattern `x`
    /// has no capture group for the default `group = 1`; `model_impute` refuses a feature that
    /// is the column it imputes, and the samples name `x` for both.
    fn sample_fixes() -> Vec<(&'static str, &'static str, &'static str, Value)> {
        let text = |s: &str| Value::Str(s.to_string());
        vec![
            (
                "derive",
                "columns",
                ".columns: `x` must be a SQL expression in a string",
                Value::Map(vec![("x".to_string(), text("1"))]),
            ),
            (
                "datetime_parts",
                "parts",
                ".parts: no part \"x\"",
                Value::List(vec![text("hour")]),
            ),
            (
                "regex_extract",
                "pattern",
                ".group: the pattern has only 0 capture group(s)",
                text("(x)"),
            ),
            (
                "model_impute",
                "features",
                ".features: lists `x`, the column being imputed",
                Value::List(vec![text("f")]),
            ),
        ]
    }

    /// Whether a build error is one the kind must give for these parameters: `fill` with
    /// strategy = "constant" (the required sample of `strategy`, its first choice) needs a
    /// `value`, which no sample sets, and says so at `value`.
    fn refused(kind: &str, set: &[(&str, Value)], error: &str) -> bool {
        let constant = set
            .iter()
            .any(|(n, v)| *n == "strategy" && *v == Value::Str("constant".into()));
        kind == "fill"
            && constant
            && error.contains(".value: strategy = \"constant\" needs a `value`")
    }

    /// Builds a kind from `required` and from each value of each of its choices.
    fn builds_with_every_choice(
        kind: &str,
        specs: &[ParamSpec],
        required: &[(&'static str, Value)],
        build: impl Fn(&[(&str, Value)]) -> Result<(), String>,
    ) {
        let built = build(required);
        assert!(
            built.is_ok() || refused(kind, required, built.as_ref().unwrap_err()),
            "{kind}: {:?}",
            built.err()
        );
        for param in specs {
            for choice in choices(param) {
                let mut set = required.to_vec();
                set.retain(|(n, _)| *n != param.name);
                set.push((param.name, Value::Str(choice.to_string())));
                let built = build(&set);
                assert!(
                    built.is_ok() || refused(kind, &set, built.as_ref().unwrap_err()),
                    "{kind}.{} = {choice:?}: {:?}",
                    param.name,
                    built.err()
                );
            }
        }
    }

    fn build_step(def: &StepDef, set: &[(&str, Value)]) -> Result<(), String> {
        def.build(&test_params(def, set), 0)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Every step kind, ensemble kind and the rule builds from its defaults (required
    /// parameters set to `required_samples`), and from each value of each of its choices: a
    /// declaration and the code reading it cannot disagree on a name or a type.
    #[test]
    fn every_kind_builds_from_its_defaults_and_every_choice() {
        for def in STEPS {
            let spec = &def.spec;
            let mut required = required_samples(spec.params);
            for (kind, name, refusal, value) in sample_fixes() {
                if kind != spec.kind {
                    continue;
                }
                let error = build_step(def, &required).expect_err("the generic sample");
                assert!(error.contains(refusal), "{kind}: {error}");
                let slot = required.iter_mut().find(|(n, _)| *n == name);
                slot.expect("a required parameter").1 = value;
            }
            builds_with_every_choice(spec.kind, spec.params, &required, |set| {
                build_step(def, set)
            });
        }

        let rule = crate::models::def("rule").expect("the rule kind");
        let spec = rule.spec();
        builds_with_every_choice(
            spec.kind,
            spec.params,
            &required_samples(spec.params),
            |set| {
                rule.build(&params_over_defaults("[model] (rule)", spec.params, set), 0)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            },
        );

        // Ensembles are built from a recipe's members: the samples name `x` for every member.
        let text = "[recipe]\ntitle = \"t\"\nauthor = \"a\"\nsource = \"s\"\ncompetition = \"c\"\n\
                    [data]\nid = \"Id\"\ntarget = \"y\"\ntask = \"regression\"\n\
                    [model]\nkind = \"member\"\nmember = \"x\"\n\
                    [members.x]\nkind = \"ridge\"\n\
                    [validation]\nscheme = \"none\"\nmetric = \"rmse\"\n";
        let recipe = Recipe::parse(
            Source::new("t.toml", text),
            "c/t",
            None,
            &[],
            crate::catalog(),
        )
        .unwrap();
        let builder = Builder { recipe: &recipe };
        for def in ENSEMBLES {
            let spec = &def.spec;
            let owner = format!("[model] ({})", spec.kind);
            builds_with_every_choice(
                spec.kind,
                spec.params,
                &required_samples(spec.params),
                |set| {
                    (def.build)(
                        &params_over_defaults(owner.as_str(), spec.params, set),
                        &builder,
                    )
                    .map(|_| ())
                    .map_err(|e| e.to_string())
                },
            );
        }
    }
}
