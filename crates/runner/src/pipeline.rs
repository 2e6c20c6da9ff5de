//! The feature pipeline: each step fitted on the rows its scope allows, then applied to the
//! train and test frames.
//!
//! Steps before the first fold-scoped learning step do not depend on the fold, so a replay runs
//! that prefix once and only the rest per fold.

use std::ops::Range;

use polars::prelude::*;

use kreplay_recipe::{FitScope, Recipe, StepDecl};

use crate::compat::param_columns;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Context, Result, RunError};
use crate::steps::{self, Ctx, FitData, Fitted, Step};

pub struct Pipeline {
    steps: Vec<(StepDecl, Box<dyn Step>)>,
    id: String,
    target: String,
    /// Per step: nanoseconds spent and how many times it ran (shared prefix once, each fold,
    /// the final fit), for a report's timings.
    spent: Vec<(AtomicU64, AtomicU64)>,
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
        | RunError::InvalidSubmission { .. }
        | RunError::Recipe(_)
        | RunError::DataMissing { .. }
        | RunError::Study(_) => e,
        RunError::Model { model, message } => RunError::Model {
            model: format!("{at}: {model}"),
            message,
        },
    }
}

/// A pipeline's steps after fitting, ready to apply to any frame (a member's sub-pipeline).
pub struct FittedPipeline {
    steps: Vec<(StepDecl, Box<dyn Fitted>)>,
    id: String,
    target: String,
}

impl FittedPipeline {
    pub fn apply(&self, mut df: DataFrame, training: bool) -> Result<DataFrame> {
        let ctx = Ctx {
            id: &self.id,
            target: &self.target,
            training,
        };
        for (decl, fitted) in &self.steps {
            df = fitted.apply(df, &ctx).map_err(|e| in_step(e, decl))?;
        }
        Ok(df)
    }
}

impl Pipeline {
    pub fn build(recipe: &Recipe) -> Result<Pipeline> {
        Self::from_decls(
            &recipe.steps,
            &recipe.data.id,
            &recipe.data.target,
            recipe.seed,
        )
    }

    pub fn from_decls(decls: &[StepDecl], id: &str, target: &str, seed: u64) -> Result<Pipeline> {
        let mut out = Vec::with_capacity(decls.len());
        for decl in decls {
            let def = steps::def(&decl.kind).ok_or_else(|| {
                RunError::data(
                    format!("{}: steps.{}", decl.loc, decl.id),
                    format!("no implementation for step kind `{}`", decl.kind),
                )
            })?;
            out.push((decl.clone(), def.build(&decl.params, seed)?));
        }
        Ok(Pipeline {
            spent: out.iter().map(|_| Default::default()).collect(),
            steps: out,
            id: id.to_string(),
            target: target.to_string(),
        })
    }

    /// Each step's id, the seconds spent in it (fitting and applying, train and test) and how
    /// many times it ran, over every run of the pipeline so far.
    pub fn timings(&self) -> Vec<(String, f64, u64)> {
        self.steps
            .iter()
            .zip(&self.spent)
            .map(|((decl, _), (nanos, runs))| {
                (
                    decl.id.clone(),
                    nanos.load(Ordering::Relaxed) as f64 / 1e9,
                    runs.load(Ordering::Relaxed),
                )
            })
            .collect()
    }

    /// Fits every step in order on `train` (each on the output of the ones before) and returns
    /// the fitted steps with `train` transformed. Rows must not change: the caller's targets
    /// are aligned with them.
    pub fn fit(&self, mut train: DataFrame) -> Result<(FittedPipeline, DataFrame)> {
        let ctx = Ctx {
            id: &self.id,
            target: &self.target,
            training: true,
        };
        let rows = train.height();
        let mut fitted = Vec::with_capacity(self.steps.len());
        for (decl, step) in &self.steps {
            let wrap = |e| in_step(e, decl);
            let f = step.fit(&FitData::train(&train), &ctx).map_err(wrap)?;
            train = f.apply(train, &ctx).map_err(wrap)?;
            if train.height() != rows {
                return Err(in_step(
                    RunError::data(
                        "rows",
                        "a member's steps cannot drop rows; put row filters in the recipe's [[steps]]",
                    ),
                    decl,
                ));
            }
            fitted.push((decl.clone(), f));
        }
        Ok((
            FittedPipeline {
                steps: fitted,
                id: self.id.clone(),
                target: self.target.clone(),
            },
            train,
        ))
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

    /// The columns of `train` a fold fits `decl` on: the ones it reads, with the id and the
    /// target, where its declaration says that is all it learns from (so a fold copies those
    /// rows only); else all of them.
    fn fit_columns(&self, train: &DataFrame, decl: &StepDecl) -> Result<DataFrame> {
        let declared = match steps::def(&decl.kind) {
            Some(def) if def.spec.columns.learns_from_reads => def.spec.columns.reads,
            _ => return Ok(train.clone()),
        };
        let subject = declared.first().map(|p| param_columns(&decl.params, p));
        if subject.is_none_or(|s| s.is_empty()) {
            // An empty subject means "every numeric (or text) column".
            return Ok(train.clone());
        }
        let mut keep: Vec<String> = Vec::new();
        let named = declared.iter().flat_map(|p| param_columns(&decl.params, p));
        for name in named.chain([self.id.clone(), self.target.clone()]) {
            if !keep.contains(&name) && train.column(&name).is_ok() {
                keep.push(name);
            }
        }
        train
            .select(keep)
            .ctx(|| format!("steps.{}: selecting its columns", decl.id))
    }

    /// Whether any step in `range` learns from the test rows (`fit_on = "train+test"`).
    pub fn learns_from_test(&self, range: Range<usize>) -> bool {
        self.steps[range]
            .iter()
            .any(|(d, _)| d.learns && d.fit_on == FitScope::TrainTest)
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
        let first = range.start;
        for (k, (decl, step)) in self.steps[range].iter().enumerate() {
            let started = std::time::Instant::now();
            let spent = &self.spent[first + k];
            let count = || {
                spent
                    .0
                    .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
                spent.1.fetch_add(1, Ordering::Relaxed);
            };
            let wrap = |e| in_step(e, decl);
            let fitted = match (decl.fit_on, fold_rows) {
                (FitScope::Each, _) => {
                    let f = step.fit(&FitData::train(&train), &ctx).map_err(wrap)?;
                    train = f.apply(train, &ctx).map_err(wrap)?;
                    if let Some(t) = test.take() {
                        let f = step.fit(&FitData::train(&t), &test_ctx).map_err(wrap)?;
                        test = Some(f.apply(t, &test_ctx).map_err(wrap)?);
                    }
                    count();
                    continue;
                }
                (FitScope::Fold, Some(rows)) if decl.learns => {
                    let rows = take_rows(&self.fit_columns(&train, decl)?, rows)?;
                    step.fit(&FitData::train(&rows), &ctx)
                }
                // Outside CV a fold-scoped step learns from every training row, as does a
                // train-scoped one always.
                (FitScope::Fold | FitScope::Train, _) => step.fit(&FitData::train(&train), &ctx),
                (FitScope::TrainTest, _) => step.fit(
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
            count();
        }
        Ok((train, test))
    }
}

#[cfg(test)]
mod tests {
    use kreplay_recipe::{Recipe, Source};
    use polars::df;

    use super::*;

    fn pipeline(steps: &str) -> (Pipeline, Recipe) {
        let text = format!(
            "[recipe]\ntitle = \"t\"\nauthor = \"a\"\nsource = \"s\"\ncompetition = \"c\"\n\
             [data]\nid = \"Id\"\ntarget = \"y\"\ntask = \"regression\"\n{steps}\n\
             [model]\nkind = \"ridge\"\n[validation]\nscheme = \"none\"\nmetric = \"rmse\"\n"
        );
        let recipe = Recipe::parse(
            Source::new("t.toml", &text),
            "c/t",
            None,
            &[],
            crate::catalog(),
        )
        .unwrap();
        (Pipeline::build(&recipe).unwrap(), recipe)
    }

    fn frame() -> DataFrame {
        df!(
            "Id" => [1i64, 2, 3, 4, 5, 6],
            "Name" => ["a", "b", "c", "d", "e", "f"],
            "Sex" => ["m", "f", "m", "f", "m", "f"],
            "Age" => [Some(10.0), None, Some(30.0), Some(40.0), None, Some(60.0)],
            "y" => [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        )
        .unwrap()
    }

    #[test]
    fn a_fold_fits_a_step_on_the_columns_it_reads() {
        let (p, _) = pipeline(
            "[[steps]]\nid = \"age\"\nkind = \"fill\"\ncolumns = \"Age\"\nstrategy = \"median\"\nby = \"Sex\"\n",
        );
        let (decl, _) = &p.steps[0];
        let picked = p.fit_columns(&frame(), decl).unwrap();
        let names: Vec<&str> = picked
            .get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect();
        assert_eq!(names, ["Age", "Sex", "Id", "y"]);
        // The fold's statistic (rows 0, 1, 2, 5: medians m 20, f 60) fills the other rows.
        let (train, _) = p.run(0..1, frame(), None, Some(&[0, 1, 2, 5])).unwrap();
        let age = steps::numbers(&train, "Age", "test").unwrap();
        assert_eq!(
            age,
            [
                Some(10.0),
                Some(60.0),
                Some(30.0),
                Some(40.0),
                Some(20.0),
                Some(60.0)
            ]
        );
    }

    #[test]
    fn a_constant_fill_learns_nothing_so_folds_share_it() {
        let constant = "[[steps]]\nid = \"age\"\nkind = \"fill\"\ncolumns = \"Age\"\nstrategy = \"constant\"\nvalue = 7\n";
        let (p, recipe) = pipeline(constant);
        assert!(!recipe.steps[0].learns);
        assert_eq!(p.shared_prefix(), 1);
        assert!(!recipe
            .flat_params()
            .iter()
            .any(|(k, _)| k.ends_with("fit_on")));
        // What makes sharing it right: whatever rows it is fitted on, it fills alike (every
        // column, or a named one; by group or not).
        let every = "[[steps]]\nid = \"all\"\nkind = \"fill\"\nstrategy = \"constant\"\nvalue = 7\nby = [\"Sex\"]\n";
        for steps in [constant, every] {
            let (p, _) = pipeline(steps);
            let run = |rows: &[usize]| p.run(0..1, frame(), None, Some(rows)).unwrap().0;
            assert!(run(&[0, 1]).equals_missing(&run(&[3, 4, 5])));
            assert!(run(&[0, 1]).equals_missing(&p.run(0..1, frame(), None, None).unwrap().0));
        }
        // Any other strategy learns, and a fold scope keeps it per fold.
        let (p, recipe) = pipeline(&constant.replace("\"constant\"\nvalue = 7", "\"median\""));
        assert!(recipe.steps[0].learns);
        assert_eq!(p.shared_prefix(), 0);
    }

    #[test]
    fn a_step_that_reads_every_column_by_default_fits_on_all_of_them() {
        let (p, _) = pipeline("[[steps]]\nid = \"fill\"\nkind = \"fill\"\nstrategy = \"mode\"\n");
        let (decl, _) = &p.steps[0];
        assert_eq!(p.fit_columns(&frame(), decl).unwrap().width(), 5);
    }
}
