//! The fixed sections of a recipe: `[recipe]`, `[data]`, `[validation]`, `[submission]`,
//! `[[published]]`, and their definitions.

use crate::error::Result;
use crate::params::Params;
use crate::schema::{Lit, ParamSpec, Ty};

pub const RECIPE_PARAMS: &[ParamSpec] = &[
    ParamSpec::required("title", Ty::Str, "the notebook's title"),
    ParamSpec::required("author", Ty::Str, "who published it"),
    ParamSpec::required("source", Ty::Str, "URL of the published notebook or post"),
    ParamSpec::optional("date", Ty::Date, Lit::None, "when it was published"),
    ParamSpec::required(
        "competition",
        Ty::Slug,
        "Kaggle competition slug, e.g. titanic",
    ),
    ParamSpec::optional(
        "notes",
        Ty::Str,
        Lit::Str(""),
        "the author's quirks the replay reproduces",
    ),
    ParamSpec::optional(
        "seed",
        Ty::Int,
        Lit::Int(0),
        "seed for every random source that has no seed of its own",
    )
    .min(0.0),
    ParamSpec::optional(
        "parent",
        Ty::Str,
        Lit::None,
        "the recipe this one was derived from",
    ),
];

pub const DATA_PARAMS: &[ParamSpec] = &[
    ParamSpec::optional(
        "train",
        Ty::FileName,
        Lit::Str("train.csv"),
        "training file in the competition folder",
    ),
    ParamSpec::optional(
        "test",
        Ty::FileName,
        Lit::Str("test.csv"),
        "test file in the competition folder (\"\" for none)",
    ),
    ParamSpec::required("id", Ty::Str, "row id column, written to the submission"),
    ParamSpec::required("target", Ty::Str, "column to predict"),
    ParamSpec::required(
        "task",
        Ty::Choice(Task::NAMES),
        "binary, multiclass or regression",
    ),
    ParamSpec::optional(
        "builtin",
        Ty::Choice(&["winequality"]),
        Lit::None,
        "a data set shipped inside kreplay instead of competition files",
    ),
    ParamSpec::optional(
        "na_values",
        Ty::StrList,
        Lit::None,
        "cell texts read as missing, replacing pandas' read_csv defaults (\"\", NA, N/A, NULL, NaN, None, ...); empty cells are always missing",
    ),
];

crate::named_enum! {
    /// `[validation] scheme`, by name (the [`Scheme`] carries its settings).
    pub enum SchemeKind {
        KFold = "kfold",
        Holdout = "holdout",
        None = "none",
    }
}

pub const VALIDATION_PARAMS: &[ParamSpec] = &[
    ParamSpec::optional(
        "scheme",
        Ty::Choice(SchemeKind::NAMES),
        Lit::Str("kfold"),
        "kfold, holdout, or none (training score only)",
    ),
    ParamSpec::optional("k", Ty::Int, Lit::Int(5), "number of folds").min(2.0),
    ParamSpec::optional(
        "shuffle",
        Ty::Bool,
        Lit::Bool(false),
        "shuffle rows before splitting",
    ),
    ParamSpec::optional(
        "stratified",
        Ty::Bool,
        Lit::Bool(false),
        "keep class proportions in every fold (sklearn's StratifiedKFold)",
    ),
    ParamSpec::optional(
        "fraction",
        Ty::Float,
        Lit::Float(0.25),
        "holdout: share of rows held out",
    )
    .min(0.0)
    .max(1.0),
    ParamSpec::optional(
        "seed",
        Ty::OptInt,
        Lit::None,
        "shuffle seed (default: recipe.seed)",
    ),
    ParamSpec::required("metric", Ty::Choice(Metric::NAMES), "score to report"),
    ParamSpec::optional(
        "scale",
        Ty::Choice(Scale::NAMES),
        Lit::Str("model"),
        "score the model's own output, or truths and predictions after [submission] inverse (where a notebook scored exp(prediction))",
    ),
];

pub const SUBMISSION_PARAMS: &[ParamSpec] = &[
    ParamSpec::optional(
        "columns",
        Ty::StrList,
        Lit::EmptyList,
        "output header (default: [id, target])",
    ),
    ParamSpec::optional(
        "values",
        Ty::ScalarMap,
        Lit::None,
        "map predictions to output values, e.g. { 1 = \"True\", 0 = \"False\" }",
    ),
    ParamSpec::optional(
        "inverse",
        Ty::Choice(Inverse::NAMES),
        Lit::Str("none"),
        "undo a target transform before writing",
    ),
    ParamSpec::optional(
        "clip_min",
        Ty::Float,
        Lit::None,
        "lower bound applied after the inverse transform",
    ),
    ParamSpec::optional(
        "probability",
        Ty::Bool,
        Lit::Bool(false),
        "binary: write P(class 1) instead of labels",
    ),
];

pub const PUBLISHED_PARAMS: &[ParamSpec] = &[
    ParamSpec::required(
        "what",
        Ty::Choice(PublishedKind::NAMES),
        "which score: train, cv_mean, cv_std, holdout, public_lb, private_lb",
    ),
    ParamSpec::required(
        "value",
        Ty::Float,
        "the score as published (as a fraction, not a percentage)",
    ),
    ParamSpec::required("where", Ty::Str, "where the author stated it"),
];

crate::named_enum! {
    /// What the target is.
    pub enum Task {
        Binary = "binary",
        Multiclass = "multiclass",
        Regression = "regression",
    }
}

impl Task {
    pub fn is_classification(self) -> bool {
        self != Task::Regression
    }
}

#[derive(Debug, Clone)]
pub struct DataSection {
    pub train: String,
    pub test: Option<String>,
    pub id: String,
    pub target: String,
    pub task: Task,
    pub builtin: Option<String>,
    /// Cell texts read as missing; `None` = pandas' defaults.
    pub na_values: Option<Vec<String>>,
    pub params: Params,
}

impl DataSection {
    pub fn from_params(p: Params) -> Result<Self> {
        let test = p.str("test")?.to_string();
        let builtin = p.opt_str("builtin")?.map(str::to_string);
        if p.str("train")?.is_empty() {
            return Err(p.error("train", "[data].train names no file"));
        }
        Ok(DataSection {
            train: p.str("train")?.to_string(),
            test: if test.is_empty() || builtin.is_some() {
                None
            } else {
                Some(test)
            },
            id: p.str("id")?.to_string(),
            target: p.str("target")?.to_string(),
            task: p.named("task")?,
            builtin,
            na_values: match p.get("na_values").map(|v| &v.value) {
                Some(crate::params::Value::List(_)) => Some(p.strs("na_values")?),
                _ => None,
            },
            params: p,
        })
    }
}

crate::named_enum! {
    /// The score a recipe reports.
    pub enum Metric {
        Accuracy = "accuracy",
        RocAuc = "roc_auc",
        LogLoss = "log_loss",
        Rmse = "rmse",
        RmseLog = "rmse_log",
        Rmsle = "rmsle",
    }
}

impl Metric {
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::Accuracy | Metric::RocAuc)
    }

    /// `maximize` or `minimize`, as Optuna names a study's direction.
    pub fn direction(self) -> &'static str {
        if self.higher_is_better() {
            "maximize"
        } else {
            "minimize"
        }
    }

    /// Whether the metric reads class probabilities rather than labels or values.
    pub fn needs_probability(self) -> bool {
        matches!(self, Metric::RocAuc | Metric::LogLoss)
    }

    /// Whether the metric can score a `task`: classification metrics for class targets, the
    /// probability metrics for binary ones only, error metrics for quantities.
    pub fn suits(self, task: Task) -> bool {
        let classification = matches!(self, Metric::Accuracy | Metric::RocAuc | Metric::LogLoss);
        classification == task.is_classification()
            && !(self.needs_probability() && task == Task::Multiclass)
    }
}

crate::named_enum! {
    /// `[validation] scale`: what the metric compares.
    pub enum Scale {
        /// The model's own output (the transformed target, where the recipe transforms it).
        Model = "model",
        /// Truths and predictions after `[submission] inverse`, as the submission holds them.
        Submission = "submission",
    }
}

crate::named_enum! {
    /// `[submission] inverse`: from the model's target back to the submitted value.
    pub enum Inverse {
        None = "none",
        Exp = "exp",
        Expm1 = "expm1",
    }
}

impl Inverse {
    pub fn apply(self, v: f64) -> f64 {
        match self {
            Inverse::None => v,
            Inverse::Exp => v.exp(),
            Inverse::Expm1 => v.exp_m1(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scheme {
    KFold {
        k: usize,
        shuffle: bool,
        stratified: bool,
        seed: u64,
    },
    Holdout {
        fraction: f64,
        shuffle: bool,
        stratified: bool,
        seed: u64,
    },
    None,
}

#[derive(Debug, Clone)]
pub struct ValidationSection {
    pub scheme: Scheme,
    pub metric: Metric,
    pub scale: Scale,
    pub params: Params,
}

impl ValidationSection {
    pub fn from_params(p: Params, recipe_seed: u64) -> Result<Self> {
        let seed = p.opt_usize("seed")?.map_or(recipe_seed, |s| s as u64);
        let kind = p.named::<SchemeKind>("scheme")?;
        let scheme = match kind {
            SchemeKind::KFold => Scheme::KFold {
                k: p.usize("k")?,
                shuffle: p.bool("shuffle")?,
                stratified: p.bool("stratified")?,
                seed,
            },
            SchemeKind::Holdout => {
                let fraction = p.f64("fraction")?;
                if fraction <= 0.0 || fraction >= 1.0 {
                    return Err(p.error("fraction", "must be strictly between 0 and 1"));
                }
                Scheme::Holdout {
                    fraction,
                    shuffle: p.bool("shuffle")?,
                    stratified: p.bool("stratified")?,
                    seed,
                }
            }
            SchemeKind::None => Scheme::None,
        };
        let metric = p.named("metric")?;
        let scale = p.named("scale")?;
        Ok(ValidationSection {
            scheme,
            metric,
            scale,
            params: p,
        })
    }

    pub fn describe(&self) -> String {
        match &self.scheme {
            Scheme::KFold {
                k,
                shuffle,
                stratified,
                seed,
            } => format!(
                "{k}-fold{}{} CV, {}",
                if *stratified { " stratified" } else { "" },
                if *shuffle {
                    format!(" shuffled (seed {seed})")
                } else {
                    String::new()
                },
                self.metric
            ),
            Scheme::Holdout { fraction, .. } => {
                format!("holdout {:.0}%, {}", fraction * 100.0, self.metric)
            }
            Scheme::None => format!("training score only, {}", self.metric),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SubmissionSection {
    pub columns: Vec<String>,
    pub values: Vec<(String, String)>,
    pub inverse: Inverse,
    pub clip_min: Option<f64>,
    pub probability: bool,
    pub params: Params,
}

impl SubmissionSection {
    pub fn from_params(p: Params, data: &DataSection) -> Result<Self> {
        let mut columns = p.strs("columns")?;
        if columns.is_empty() {
            columns = vec![data.id.clone(), data.target.clone()];
        }
        if columns.len() != 2 {
            return Err(p.error(
                "columns",
                "must name exactly two columns: the id and the prediction",
            ));
        }
        let values = p
            .map("values")?
            .into_iter()
            .map(|(k, v)| {
                let out = match v {
                    crate::params::Value::Str(s) => s,
                    other => other.to_string(),
                };
                (k, out)
            })
            .collect();
        Ok(SubmissionSection {
            columns,
            values,
            inverse: p.named("inverse")?,
            clip_min: p.opt_f64("clip_min")?,
            probability: p.bool("probability")?,
            params: p,
        })
    }
}

crate::named_enum! {
    /// Which published score.
    pub enum PublishedKind {
        Train = "train",
        CvMean = "cv_mean",
        CvStd = "cv_std",
        Holdout = "holdout",
        PublicLb = "public_lb",
        PrivateLb = "private_lb",
    }
}

impl PublishedKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Train => "train",
            Self::CvMean => "CV",
            Self::CvStd => "CV std",
            Self::Holdout => "holdout",
            Self::PublicLb => "public LB",
            Self::PrivateLb => "private LB",
        }
    }
}

/// A score the author published. Provenance only: printed beside the replayed score.
#[derive(Debug, Clone)]
pub struct Published {
    pub what: PublishedKind,
    pub value: f64,
    pub source: String,
}

impl Published {
    pub fn from_params(p: &Params) -> Result<Self> {
        Ok(Published {
            what: p.named("what")?,
            value: p.f64("value")?,
            source: p.str("where")?.to_string(),
        })
    }
}

/// The model a recipe (or the chosen variant) trains.
#[derive(Debug, Clone)]
pub struct ModelDecl {
    pub kind: String,
    pub params: Params,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_suit_their_tasks() {
        assert!(Metric::RocAuc.suits(Task::Binary));
        assert!(!Metric::RocAuc.suits(Task::Multiclass));
        assert!(!Metric::LogLoss.suits(Task::Multiclass));
        assert!(Metric::Accuracy.suits(Task::Multiclass));
        assert!(!Metric::Rmse.suits(Task::Binary));
        assert!(!Metric::Accuracy.suits(Task::Regression));
        assert!(Metric::Rmsle.suits(Task::Regression));
    }
}
