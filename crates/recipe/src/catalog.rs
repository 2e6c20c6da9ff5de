//! The definitions of step and model kinds, as the runner hands them to the parser.
//!
//! The runner owns the implementations; each declares its [`StepSpec`] or [`ModelSpec`] next to
//! its code, and the runner's registry implements [`Catalog`] over them. Parsing, `kreplay steps`,
//! overrides and sweeps all read these same definitions.

use crate::error::suggestion;
use crate::schema::ParamSpec;
use crate::sections::Task;

/// A feature step kind.
#[derive(Debug)]
pub struct StepSpec {
    pub kind: &'static str,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    /// Whether the step learns something from data (so its `fit_on` scope matters).
    pub learns: bool,
}

/// A model kind.
#[derive(Debug)]
pub struct ModelSpec {
    pub kind: &'static str,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    pub tasks: &'static [Task],
    /// Which implementation runs it, e.g. "linfa-logistic" or "kreplay CART (sklearn semantics)".
    pub engine: &'static str,
}

pub trait Catalog {
    fn steps(&self) -> &[&'static StepSpec];
    fn models(&self) -> &[&'static ModelSpec];

    fn step(&self, kind: &str) -> Option<&'static StepSpec> {
        self.steps().iter().copied().find(|s| s.kind == kind)
    }

    fn model(&self, kind: &str) -> Option<&'static ModelSpec> {
        self.models().iter().copied().find(|s| s.kind == kind)
    }

    fn step_hint(&self, kind: &str) -> String {
        let kinds: Vec<&str> = self.steps().iter().map(|s| s.kind).collect();
        suggestion(kind, &kinds)
    }

    fn model_hint(&self, kind: &str) -> String {
        let kinds: Vec<&str> = self.models().iter().map(|s| s.kind).collect();
        suggestion(kind, &kinds)
    }
}
