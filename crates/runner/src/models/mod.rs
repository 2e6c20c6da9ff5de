//! Models as the pipeline sees them: the numeric core's model zoo, plus kinds that read the
//! frame itself (a rule's SQL expression; ensembles, whose members run their own steps).
//!
//! The core's models read only the [`Matrix`]; [`Kind`] wraps them so that the pipeline, the
//! folds and the ensembles handle every model kind through one trait.

mod rule;

use polars::prelude::DataFrame;

use kreplay_core::models as core;
use kreplay_recipe::{ModelSpec, Params, Task};

pub use kreplay_core::models::{library_of, seed_or, Classes, Explanation, Prediction};

use crate::error::Result;
use crate::matrix::{Matrix, Rows};

/// What a model is trained on: the frame's rows (empty for models that never read it), rows
/// of the feature matrix (a fold's are indices into the shared one) and their targets. For
/// classification `y` holds the raw class labels.
pub struct Training<'a> {
    pub frame: &'a DataFrame,
    pub x: Rows<'a>,
    pub y: &'a [f64],
    pub task: Task,
}

pub trait Model: Send + Sync {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>>;

    /// Whether the model reads the numeric feature matrix (a rule reads the frame instead).
    fn reads_features(&self) -> bool {
        true
    }

    /// Whether fitting or predicting reads the frame's rows (a rule's expression, a member's
    /// own steps). When not, cross-validation hands it an empty frame instead of copying
    /// every column's rows for each fold.
    fn reads_frame(&self) -> bool {
        false
    }
}

pub trait Trained: Send + Sync {
    fn predict(&self, frame: &DataFrame, x: &Matrix) -> Result<Prediction>;

    /// The model's own account of its features, in the matrix's columns (see
    /// [`kreplay_core::models::Trained::explain`]); `None` for ensembles and rules.
    fn explain(&self) -> Option<Explanation> {
        None
    }

    /// For models built in stages, how many there are.
    fn stages(&self) -> Option<usize> {
        None
    }

    /// The predictions after each of `stages` (1-based, ascending): `staged_predict`.
    fn staged(&self, _x: &Matrix, _stages: &[usize]) -> Option<Vec<Prediction>> {
        None
    }
}

/// The rows of `frame` at `idx` for `model`, or an empty frame when it never reads the frame
/// (so a fold does not copy every column's rows for a model that reads only its matrix).
pub fn frame_rows(model: &dyn Model, frame: &DataFrame, idx: &[usize]) -> Result<DataFrame> {
    match model.reads_frame() {
        true => crate::pipeline::take_rows(frame, idx),
        false => Ok(DataFrame::default()),
    }
}

/// A model kind that reads the frame, defined in this crate.
pub struct ModelDef {
    pub spec: ModelSpec,
    /// Builds the model from checked parameters; `seed` is the recipe's seed.
    pub build: fn(&Params, u64) -> Result<Box<dyn Model>>,
}

static FRAME_MODELS: &[&ModelDef] = &[&rule::RULE];

/// A model kind: one of the core's, or one that reads the frame.
#[derive(Clone, Copy)]
pub enum Kind {
    Numeric(&'static core::ModelDef),
    Frame(&'static ModelDef),
}

impl Kind {
    pub fn spec(self) -> &'static ModelSpec {
        match self {
            Kind::Numeric(d) => &d.spec,
            Kind::Frame(d) => &d.spec,
        }
    }

    /// Builds the model from checked parameters; `seed` is the recipe's seed for models whose
    /// own `seed` is not set.
    pub fn build(self, p: &Params, seed: u64) -> Result<Box<dyn Model>> {
        match self {
            Kind::Numeric(d) => Ok(Box::new(Numeric((d.build)(p, seed)?))),
            Kind::Frame(d) => (d.build)(p, seed),
        }
    }
}

/// Every model kind (ensembles aside), in the order `kreplay models` lists them.
pub fn kinds() -> impl Iterator<Item = Kind> {
    FRAME_MODELS
        .iter()
        .map(|d| Kind::Frame(d))
        .chain(core::MODELS.iter().map(|d| Kind::Numeric(d)))
}

pub fn def(kind: &str) -> Option<Kind> {
    kinds().find(|k| k.spec().kind == kind)
}

/// A core model, which reads only the matrix.
struct Numeric(Box<dyn core::Model>);

impl Model for Numeric {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let fitted = self.0.fit(&core::Training {
            x: t.x,
            y: t.y,
            task: t.task,
        })?;
        Ok(Box::new(NumericTrained(fitted)))
    }
}

struct NumericTrained(Box<dyn core::Trained>);

impl Trained for NumericTrained {
    fn predict(&self, _: &DataFrame, x: &Matrix) -> Result<Prediction> {
        Ok(self.0.predict(x)?)
    }

    fn explain(&self) -> Option<Explanation> {
        self.0.explain()
    }

    fn stages(&self) -> Option<usize> {
        self.0.stages()
    }

    fn staged(&self, x: &Matrix, stages: &[usize]) -> Option<Vec<Prediction>> {
        self.0.staged(x, stages)
    }
}
