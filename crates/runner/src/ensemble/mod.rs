//! Ensembles as recipe constructs: voting, averaging and weighted blends, and out-of-fold
//! stacking over named members (`[members.<name>]`), each a full sub-pipeline (its own feature
//! steps and model). An ensemble is itself a [`Model`], so it cross-validates, sweeps and
//! submits like any other, and members may be ensembles (Serigne's final blend averages a
//! stacked model with two boosters).
//!
//! Ensemble kinds are listed with the other models (`kreplay models`) from the same
//! [`ModelSpec`]s; they differ in how they are built: from their members, which the recipe
//! parser has already checked exist and form no cycle.

mod average;
mod member;
mod stack;
mod vote;

use kreplay_recipe::{FromParam, ModelDecl, ModelSpec, Params, Recipe, Value};
use rayon::prelude::*;

use crate::error::{Result, RunError};
use crate::models::{self, Model};

pub use member::Member;

/// An ensemble kind: its definition and how it is built from its members.
pub struct EnsembleDef {
    pub spec: ModelSpec,
    pub build: fn(&Params, &Builder) -> Result<Box<dyn Model>>,
}

pub static ENSEMBLES: &[&EnsembleDef] = &[
    &member::MEMBER,
    &average::AVERAGE,
    &vote::VOTE,
    &stack::STACK,
];

pub fn def(kind: &str) -> Option<&'static EnsembleDef> {
    ENSEMBLES.iter().copied().find(|d| d.spec.kind == kind)
}

/// Builds members by name, recursively, for the recipe being replayed.
pub struct Builder<'a> {
    pub recipe: &'a Recipe,
}

impl Builder<'_> {
    pub fn member(&self, name: &str) -> Result<Member> {
        let decl = self
            .recipe
            .members
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| RunError::model(name, "no such member (the parser checks this)"))?;
        Member::build(decl, self)
    }

    pub fn members(&self, names: &[String]) -> Result<Vec<Member>> {
        names.iter().map(|n| self.member(n)).collect()
    }

    pub fn seed(&self) -> u64 {
        self.recipe.seed
    }
}

/// Builds a model declaration of the recipe: a plain model or an ensemble of its members.
pub fn build(decl: &ModelDecl, recipe: &Recipe) -> Result<Box<dyn Model>> {
    if let Some(def) = def(&decl.kind) {
        return (def.build)(&decl.params, &Builder { recipe });
    }
    let def = models::def(&decl.kind)
        .ok_or_else(|| RunError::model(&decl.kind, "no implementation for this model kind"))?;
    def.build(&decl.params, recipe.seed)
}

/// Every member fitted on the same rows, in parallel (each is seeded by itself).
fn fit_all(
    members: &[Member],
    t: &crate::models::Training,
) -> Result<Vec<Box<dyn crate::models::Trained>>> {
    members.par_iter().map(|m| m.fit(t)).collect()
}

/// Every fitted member's prediction for the same rows.
fn predict_all(
    trained: &[Box<dyn crate::models::Trained>],
    frame: &polars::prelude::DataFrame,
    x: &crate::matrix::Matrix,
) -> Result<Vec<crate::models::Prediction>> {
    trained.par_iter().map(|m| m.predict(frame, x)).collect()
}

/// An ensemble's `weights` as written: unset (equal weights) or a list, even an empty one,
/// which [`weights`] checks against the member count like any other.
#[derive(Debug, Clone)]
struct Weights(Option<Vec<f64>>);

impl FromParam for Weights {
    fn from_param(p: &Params, name: &str) -> kreplay_recipe::Result<Self> {
        match p.get(name).map(|x| &x.value) {
            None | Some(Value::None) => Ok(Weights(None)),
            Some(_) => p.f64s(name).map(|w| Weights(Some(w))),
        }
    }
}

/// Weights given or equal ones, checked against the member count.
fn weights(given: Weights, n: usize, kind: &str) -> Result<Vec<f64>> {
    let w = given.0.unwrap_or_else(|| vec![1.0; n]);
    if w.len() != n {
        return Err(RunError::model(
            kind,
            format!("{} weights for {} members", w.len(), n),
        ));
    }
    if w.iter().any(|v| !v.is_finite() || *v < 0.0) || w.iter().sum::<f64>() <= 0.0 {
        return Err(RunError::model(
            kind,
            "weights must be non-negative with a positive sum",
        ));
    }
    Ok(w)
}
