//! The feature pipeline: each step fitted on the rows its scope allows, then applied to the
//! train and test frames.
//!
//! Steps before the first fold-scoped learning step do not depend on the fold, so a replay runs
//! that prefix once and only the rest per fold.

use std::ops::Range;

use polars::prelude::*;

use kreplay_recipe::{FitScope, Recipe, StepDecl};

use crate::error::{Context, Result, RunError};
use crate::steps::{self, Ctx, FitData, Step};

pub struct Pipeline {
    steps: Vec<(StepDecl, Box<dyn Step>)>,
    id: String,
    target: String,
}

/// The rows of `df` at `idx`, in that order.
pub fn take_rows(df: &DataFrame, idx: &[usize]) -> Result<DataFrame> {
    let idx: Vec<IdxSize> = idx.iter().map(|&i| i as IdxSize).collect();
    df.take(&IdxCa::from_vec("".into(), idx))
        .ctx(|| "selecting rows".into())
}

/// Prefixes a step's errors with where the step is declared.
fn in_step(e: RunError, decl: &StepDecl) -> RunError {
    let at = format!("{}: steps.{} ({})", decl.loc, decl.id, decl.kind);
    match e {
        RunError::Data { context, message } => RunError::Data {
            context: format!("{at}: {context}"),
            message,
        },
        RunError::Read { .. }
        | RunError::Write { .. }
        | RunError::Store { .. }
        | RunError::NoRun { .. }
        | RunError::Recipe(_)
        | RunError::DataMissing { .. } => e,
        RunError::Model { model, message } => RunError::Model {
            model: format!("{at}: {model}"),
            message,
        },
    }
}

impl Pipeline {
    pub fn build(recipe: &Recipe) -> Result<Pipeline> {
        let mut out = Vec::with_capacity(recipe.steps.len());
        for decl in &recipe.steps {
            let def = steps::def(&decl.kind).ok_or_else(|| {
                RunError::data(
                    format!("steps.{}", decl.id),
                    format!("no implementation for step kind `{}`", decl.kind),
                )
            })?;
            out.push((decl.clone(), (def.build)(&decl.params, recipe.seed)?));
        }
        Ok(Pipeline {
            steps: out,
            id: recipe.data.id.clone(),
            target: recipe.data.target.clone(),
        })
    }

    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// How many leading steps are the same in every fold.
    pub fn shared_prefix(&self) -> usize {
        self.steps
            .iter()
            .position(|(d, _)| d.learns && d.fit_on == FitScope::Fold)
            .unwrap_or(self.steps.len())
    }

    /// Runs `range` of the steps. Fold-scoped steps learn from `fold_rows` of `train`
    /// (all rows when `None`).
    pub fn run(
        &self,
        range: Range<usize>,
        mut train: DataFrame,
        mut test: Option<DataFrame>,
        fold_rows: Option<&[usize]>,
    ) -> Result<(DataFrame, Option<DataFrame>)> {
        let ctx = Ctx {
            id: &self.id,
            target: &self.target,
            training: true,
        };
        let test_ctx = ctx.for_test();
        for (decl, step) in &self.steps[range] {
            let wrap = |e| in_step(e, decl);
            let fitted = match decl.fit_on {
                FitScope::Each => {
                    let f = step
                        .fit(
                            &FitData {
                                train: &train,
                                test: None,
                            },
                            &ctx,
                        )
                        .map_err(wrap)?;
                    train = f.apply(train, &ctx).map_err(wrap)?;
                    if let Some(t) = test.take() {
                        let f = step
                            .fit(
                                &FitData {
                                    train: &t,
                                    test: None,
                                },
                                &test_ctx,
                            )
                            .map_err(wrap)?;
                        test = Some(f.apply(t, &test_ctx).map_err(wrap)?);
                    }
                    continue;
                }
                FitScope::Fold => match fold_rows {
                    Some(rows) if decl.learns => {
                        let rows = take_rows(&train, rows)?;
                        step.fit(
                            &FitData {
                                train: &rows,
                                test: None,
                            },
                            &ctx,
                        )
                    }
                    _ => step.fit(
                        &FitData {
                            train: &train,
                            test: None,
                        },
                        &ctx,
                    ),
                },
                FitScope::Train => step.fit(
                    &FitData {
                        train: &train,
                        test: None,
                    },
                    &ctx,
                ),
                FitScope::TrainTest => step.fit(
                    &FitData {
                        train: &train,
                        test: test.as_ref(),
                    },
                    &ctx,
                ),
            }
            .map_err(wrap)?;
            train = fitted.apply(train, &ctx).map_err(wrap)?;
            if let Some(t) = test.take() {
                test = Some(fitted.apply(t, &test_ctx).map_err(wrap)?);
            }
        }
        Ok((train, test))
    }
}
