//! One replay end to end: steps, cross-validation, final fit, training score, submission, run record.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use polars::prelude::DataFrame;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use kreplay_recipe::{Metric, Recipe, RecipeError, Scale};

use crate::data::CompetitionData;
use crate::error::{Result, RunError};
use crate::matrix::{matrix_of, numeric_column, Matrix, Rows};
use crate::models::{self, frame_rows, Model, Training};
use crate::pipeline::Pipeline;
use crate::steps::strings;
use kreplay_core::folds;
use kreplay_metrics as metrics;
use kreplay_store::RunStore;

#[derive(Default)]
pub struct ReplayOptions<'a> {
    /// Where to write the submission; `None` = no submission.
    pub output: Option<PathBuf>,
    /// The run store to record the run in; `None` = no record.
    pub store: Option<PathBuf>,
    /// The sweep the run belongs to, recorded with it. (`sweep::run` records its trials
    /// itself, through one connection shared by its threads.)
    pub sweep: Option<String>,
    /// Called with (finished, total) as CV folds and the final fit complete.
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// Early stopping: called after each fold (folds then run in order) with the number of
    /// folds done and their mean score; `true` stops the replay, which is then marked pruned.
    pub prune: Option<&'a (dyn Fn(usize, f64) -> bool + Sync)>,
    /// Feature-step results shared with other replays (a sweep's trials).
    pub cache: Option<&'a crate::cache::FoldCache>,
    /// Where to write the model's input table ([`crate::export`]).
    pub export: Option<PathBuf>,
    /// A folder where a recorded run keeps its own copy of its submission, `<run id>.csv`,
    /// which its record points at: `output` is only the latest, which the next replay
    /// overwrites.
    pub keep: Option<PathBuf>,
    /// Collect the evidence a report shows ([`crate::diagnose::Diagnostics`]).
    pub diagnose: bool,
}

#[derive(Debug, Clone)]
pub struct SubmissionInfo {
    pub path: PathBuf,
    pub rows: usize,
    pub sha256: String,
    /// The recorded run's own copy ([`ReplayOptions::keep`]).
    pub kept: Option<PathBuf>,
    /// What the competition's own reading of its files says against the file (written anyway:
    /// a regression's quantities where the files look like class labels).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ReplayReport {
    pub metric: Metric,
    pub fold_scores: Vec<f64>,
    /// Mean and population std of the fold scores.
    pub cv: Option<(f64, f64)>,
    /// The metric on the training rows, model fitted on all of them.
    pub train_score: f64,
    pub features: Vec<String>,
    pub submission: Option<SubmissionInfo>,
    /// The run's id in the run store, when it was recorded.
    pub record: Option<i64>,
    pub elapsed: Duration,
    pub cv_time: Duration,
    /// Stopped after some folds by a pruner (a sweep's): `cv` covers only those folds.
    pub pruned: bool,
    /// With [`ReplayOptions::diagnose`]: out-of-fold predictions, importances, fold times.
    pub diagnostics: Option<crate::diagnose::Diagnostics>,
}

/// Every column but the id and the target, in frame order; none for models that read the frame.
fn feature_columns(
    train: &polars::prelude::DataFrame,
    recipe: &Recipe,
    model: &dyn Model,
) -> Vec<String> {
    if !model.reads_features() {
        return Vec::new();
    }
    train
        .get_column_names()
        .into_iter()
        .filter(|n| n.as_str() != recipe.data.id && n.as_str() != recipe.data.target)
        .map(|n| n.to_string())
        .collect()
}

fn score(recipe: &Recipe, truth: &[f64], pred: &models::Prediction) -> Result<f64> {
    let (truth, values) = match recipe.validation.scale {
        Scale::Submission => {
            let inverse = recipe.submission.inverse;
            (
                truth.iter().map(|v| inverse.apply(*v)).collect(),
                pred.values.iter().map(|v| inverse.apply(*v)).collect(),
            )
        }
        Scale::Model => (truth.to_vec(), pred.values.clone()),
    };
    metrics::score(
        recipe.validation.metric,
        &truth,
        &values,
        pred.proba.as_deref(),
    )
    .map_err(|m| RunError::model(&recipe.model.kind, m))
}

fn build_model(recipe: &Recipe) -> Result<Box<dyn Model>> {
    crate::ensemble::build(&recipe.model, recipe)
}

/// Builds every step and the model without data, so that what only their constructors can
/// check (a regex, a SQL expression) is reported before any data is read.
pub fn check(recipe: &Recipe) -> Result<()> {
    Pipeline::build(recipe)?;
    build_model(recipe)?;
    Ok(())
}

/// Runs steps `range` over the frames; the part of it within the cache's untouched prefix
/// comes from (or goes to) the cache.
fn run_steps(
    pipeline: &Pipeline,
    recipe: &Recipe,
    cache: Option<&crate::cache::FoldCache>,
    range: std::ops::Range<usize>,
    frames: (DataFrame, Option<DataFrame>),
    rows: Option<&[usize]>,
    fold: &str,
) -> Result<(DataFrame, Option<DataFrame>)> {
    let split = cache.map_or(range.start, |c| c.untouched.clamp(range.start, range.end));
    let (train, test) = match cache {
        Some(c) if split > range.start => {
            let key = crate::cache::FoldCache::key(recipe, split, fold);
            let f = c.get_or(key, || {
                pipeline.run(range.start..split, frames.0, frames.1, rows)
            })?;
            (f.0.clone(), f.1.clone())
        }
        _ => frames,
    };
    pipeline.run(split.max(range.start)..range.end, train, test, rows)
}

/// Replays `recipe` on `data`, which stays the caller's (a sweep replays many recipes on it).
pub fn replay(
    recipe: &Recipe,
    data: &CompetitionData,
    opts: &ReplayOptions,
) -> Result<ReplayReport> {
    let frames = (data.train.clone(), data.test.clone());
    replay_frames(recipe, frames, data, opts)
}

/// Replays `recipe` on `data`, which it consumes: the raw training frame (its text columns
/// above all) is freed once the shared steps have made the table the folds read, instead of
/// staying alive through the whole CV.
pub fn replay_owned(
    recipe: &Recipe,
    data: CompetitionData,
    opts: &ReplayOptions,
) -> Result<ReplayReport> {
    let files = CompetitionData {
        train: DataFrame::default(),
        test: None,
        ..data
    };
    replay_frames(recipe, (data.train, data.test), &files, opts)
}

fn replay_frames(
    recipe: &Recipe,
    (train, test): (DataFrame, Option<DataFrame>),
    data: &CompetitionData,
    opts: &ReplayOptions,
) -> Result<ReplayReport> {
    let start = Instant::now();
    // The submission's ids are the raw test file's (a small frame, shared, not copied).
    let raw_test = test.clone();
    // Opened first: a store that cannot be written fails before the work, not after it.
    let store = opts.store.as_deref().map(RunStore::open).transpose()?;
    // Every column the recipe reads that the data lacks is reported at once, located in the
    // recipe, before any step runs.
    let names: Vec<String> = train
        .get_column_names()
        .into_iter()
        .map(|n| n.to_string())
        .collect();
    let missing = crate::compat::missing_columns(recipe, &names)
        .into_iter()
        .map(|m| {
            RecipeError::new(
                m.loc,
                format!(
                    "{} reads `{}`, which the training data does not have at that point",
                    m.at, m.column
                ),
            )
            .with_help(
                match kreplay_recipe::error::did_you_mean(
                    &m.column,
                    names.iter().map(String::as_str),
                ) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("the training data has: {}", names.join(", ")),
                },
            )
        })
        .collect();
    if let Some(e) = RecipeError::all(missing) {
        return Err(e.into());
    }
    // What the competition accepts is read before the work, so a replay never fits for a
    // submission its validator would refuse to let it write.
    let expectation = match (&opts.output, &data.dir, &test) {
        (Some(_), Some(dir), Some(_)) => Some(crate::submission::expectation(recipe, dir)?),
        _ => None,
    };
    let model = build_model(recipe)?;
    let pipeline = Pipeline::build(recipe)?;
    let target = &recipe.data.target;
    let task = recipe.data.task;

    let prefix = pipeline.shared_prefix();
    let (train0, test0) = run_steps(
        &pipeline,
        recipe,
        opts.cache,
        0..prefix,
        (train, test),
        None,
        "shared",
    )?;

    // Splits come after the steps every fold shares, as the notebooks split after their
    // outlier rules: the rows are the ones left, the classes the target's values then.
    let split_y = numeric_column(&train0, target, "target")?;
    if let Some(e) = crate::target::contradiction(recipe, &split_y) {
        return Err(e.into());
    }
    if let Some((param, message)) = folds::problem(&recipe.validation.scheme, &split_y) {
        return Err(recipe.validation.params.error(param, message).into());
    }
    let splits = folds::folds(&recipe.validation.scheme, &split_y);
    let total = splits.len() + 1;
    let done = AtomicUsize::new(0);
    let tick = || {
        let n = done.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(p) = opts.progress {
            p(n, total);
        }
    };
    let shared_rows = train0.height();
    let rows_kept = |train: &DataFrame| -> Result<()> {
        if train.height() == shared_rows {
            return Ok(());
        }
        Err(RunError::data(
            "steps",
            format!(
                "a fold-fitted part of the pipeline changed the number of training rows ({} -> {}); \
                 steps that drop rows must come before any step with fit_on = \"fold\"",
                shared_rows,
                train.height()
            ),
        ))
    };

    // A fold's table: its steps' output and the model's matrix and target from it. Where no
    // step runs per fold, every fold has the same one, built once.
    let fold_table = |train0: &DataFrame,
                      i: usize,
                      split: &folds::Split|
     -> Result<(DataFrame, Matrix, Vec<f64>)> {
        let (train, _) = run_steps(
            &pipeline,
            recipe,
            opts.cache,
            prefix..pipeline.len(),
            // A fold scores validation rows: the test rows go through its steps only where a
            // step learns from them.
            (
                train0.clone(),
                test0
                    .clone()
                    .filter(|_| pipeline.learns_from_test(prefix..pipeline.len())),
            ),
            Some(&split.train),
            &i.to_string(),
        )?;
        rows_kept(&train)?;
        let features = feature_columns(&train, recipe, model.as_ref());
        let x = matrix_of(&train, &features, "model input")?;
        let y = numeric_column(&train, target, "target")?;
        Ok((train, x, y))
    };
    let shared_table = match splits.is_empty() {
        false if prefix == pipeline.len() => Some(fold_table(&train0, 0, &splits.split(0))?),
        _ => None,
    };
    // With one table for every fold and a model that reads only its matrix, the frame has
    // nothing more to give: its columns are freed before the folds run, not after the fit.
    let (train0, shared_table) = match shared_table {
        Some((_, x, y)) if !model.reads_frame() => (None, Some((DataFrame::default(), x, y))),
        table => (Some(train0), table),
    };

    let cv_start = Instant::now();
    // A fold's row indices are made when it runs and dropped with it.
    let evidence_of_folds = std::sync::Mutex::new(Vec::new());
    let fold = |i: usize| -> Result<f64> {
        let fold_start = Instant::now();
        let split = &splits.split(i);
        let own;
        let (train, x, y) = match &shared_table {
            Some(t) => t,
            None => {
                let train0 = train0
                    .as_ref()
                    .expect("kept when the folds have no shared table");
                own = fold_table(train0, i, split)?;
                &own
            }
        };
        let pick = |idx: &[usize]| idx.iter().map(|&i| y[i]).collect::<Vec<f64>>();
        let rows = |idx: &[usize]| frame_rows(model.as_ref(), train, idx);
        let fit_frame = rows(&split.train)?;
        let fit_y = pick(&split.train);
        // The fold's training rows are read in place from the shared matrix: only the models
        // that need a contiguous one copy them.
        let trained = model.fit(&Training {
            frame: &fit_frame,
            x: Rows::of(x, &split.train),
            y: &fit_y,
            task,
        })?;
        let valid_frame = rows(&split.valid)?;
        let valid_x = x.take(&split.valid);
        if let Some(dir) = opts.export.as_ref().filter(|_| prefix < pipeline.len()) {
            let valid_y = pick(&split.valid);
            let fit_x = x.take(&split.train);
            crate::export::write_fold(dir, recipe, i, (&fit_x, &fit_y), (&valid_x, &valid_y))?;
        }
        let pred = trained.predict(&valid_frame, &valid_x)?;
        let valid_y = pick(&split.valid);
        let s = score(recipe, &valid_y, &pred)?;
        // The fold's own time: fitting, predicting, scoring (not the importances).
        let fold_seconds = fold_start.elapsed().as_secs_f64();
        if opts.diagnose {
            let evidence = crate::diagnose::FoldEvidence {
                valid: split.valid.clone(),
                names: valid_x.names.clone(),
                prediction: pred,
                importances: Vec::new(),
                explained: None,
                curve: Vec::new(),
                seconds: fold_seconds,
            };
            // The model is kept for the importances, computed once the CV clock has stopped,
            // so that a run with a report records the same CV time as one without.
            let kept = (trained, valid_frame, valid_x, valid_y, s);
            evidence_of_folds
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((i, evidence, kept));
        }
        tick();
        Ok(s)
    };
    let mut pruned = false;
    let fold_scores: Vec<f64> = match opts.prune {
        // Folds in order, so that the decision after fold k only sees folds 1..=k.
        Some(prune) => {
            let mut scores = Vec::new();
            for i in 0..splits.len() {
                scores.push(fold(i)?);
                if scores.len() < splits.len() && prune(scores.len(), metrics::mean_std(&scores).0)
                {
                    pruned = true;
                    break;
                }
            }
            scores
        }
        None => (0..splits.len())
            .into_par_iter()
            .map(fold)
            .collect::<Result<_>>()?,
    };
    let cv_time = cv_start.elapsed();
    let diagnostics = match opts.diagnose {
        true => {
            let folds = evidence_of_folds
                .into_inner()
                .unwrap_or_else(|p| p.into_inner());
            let permute = model.reads_features() && !model.reads_frame();
            let folds = folds
                .into_par_iter()
                .map(|(i, mut evidence, (trained, frame, x, y, s))| {
                    if permute {
                        evidence.importances = crate::diagnose::permutation_importance(
                            trained.as_ref(),
                            &frame,
                            &x,
                            s,
                            recipe.validation.metric.higher_is_better(),
                            recipe.seed.wrapping_add(i as u64 * 1_000_003),
                            &|p| score(recipe, &y, p),
                        )?;
                    }
                    evidence.explained = trained.explain();
                    evidence.curve = crate::diagnose::learning_curve(trained.as_ref(), &x, &|p| {
                        score(recipe, &y, p)
                    });
                    Ok((i, evidence))
                })
                .collect::<Result<Vec<_>>>()?;
            Some(crate::diagnose::assemble(split_y.clone(), folds))
        }
        false => None,
    };
    let cv = (!fold_scores.is_empty()).then(|| metrics::mean_std(&fold_scores));

    if pruned {
        // Stopped early: the partial CV is the result; no final fit, submission or record.
        return Ok(ReplayReport {
            metric: recipe.validation.metric,
            fold_scores,
            cv,
            train_score: f64::NAN,
            features: Vec::new(),
            submission: None,
            record: None,
            elapsed: start.elapsed(),
            cv_time,
            pruned: true,
            diagnostics,
        });
    }

    // Final fit on every train row.
    let (train, test, features) = match train0 {
        Some(train0) => {
            let (train, test) = run_steps(
                &pipeline,
                recipe,
                opts.cache,
                prefix..pipeline.len(),
                (train0, test0),
                None,
                "final",
            )?;
            rows_kept(&train)?;
            let features = feature_columns(&train, recipe, model.as_ref());
            (train, test, features)
        }
        // The shared table is the final one (no step runs per fold or at the end), and its
        // matrix names the features.
        None => {
            let features = shared_table
                .as_ref()
                .map_or_else(Vec::new, |t| t.1.names.clone());
            (DataFrame::default(), test0, features)
        }
    };
    if features.is_empty() && model.reads_features() {
        return Err(RunError::data(
            "model input",
            "no feature columns are left after the steps",
        ));
    }
    // The folds' shared table is this one when no step runs per fold or at the end.
    let (x, y) = match shared_table {
        Some((_, x, y)) => (x, y),
        None => (
            matrix_of(&train, &features, "model input (train)")?,
            numeric_column(&train, target, "target")?,
        ),
    };
    let trained = model.fit(&Training {
        frame: &train,
        x: Rows::all(&x),
        y: &y,
        task,
    })?;
    let train_score = score(recipe, &y, &trained.predict(&train, &x)?)?;
    tick();
    if let Some(dir) = &opts.export {
        let tx = test
            .as_ref()
            .map(|t| matrix_of(t, &features, "model input (test)"))
            .transpose()?;
        crate::export::write(dir, recipe, (&x, &y), tx.as_ref())?;
    }

    let submission = match (&test, &opts.output) {
        (Some(test), Some(path)) => {
            let tx = matrix_of(test, &features, "model input (test)")?;
            let pred = trained.predict(test, &tx)?;
            let raw_test = raw_test
                .as_ref()
                .expect("test frame present when transformed test is");
            let ids: Vec<String> = strings(raw_test, &recipe.data.id, "submission ids")?
                .into_iter()
                .map(|v| v.unwrap_or_default())
                .collect();
            let text = crate::submission::render(
                &ids,
                &pred.values,
                pred.proba.as_deref(),
                &recipe.submission,
                task,
            )?;
            let warnings = crate::submission::write(path, &text, expectation.as_ref())?;
            Some((
                SubmissionInfo {
                    path: path.clone(),
                    rows: ids.len(),
                    sha256: kreplay_recipe::recipe::hex(&Sha256::digest(text.as_bytes())),
                    kept: None,
                    warnings,
                },
                text,
            ))
        }
        _ => None,
    };

    let (submission, text) = submission.unzip();
    let diagnostics = diagnostics.map(|mut d| {
        d.step_seconds = pipeline.timings();
        d
    });
    let mut report = ReplayReport {
        metric: recipe.validation.metric,
        fold_scores,
        cv,
        train_score,
        features,
        submission,
        record: None,
        elapsed: start.elapsed(),
        cv_time,
        pruned: false,
        diagnostics,
    };
    if let Some(store) = &store {
        let run = crate::record::run_of(recipe, &data.files, &report, opts.sweep.as_deref());
        let id = store.insert_run(&run)?;
        report.record = Some(id);
        // The run's own copy, named by its id, so that a later replay writing the same
        // output never changes the file this record points at.
        if let (Some(dir), Some(sub), Some(text)) = (&opts.keep, &mut report.submission, &text) {
            let kept = dir.join(format!("{id}.csv"));
            crate::atomic::write(&kept, text.as_bytes())?;
            store.set_submission(
                id,
                &kreplay_store::SubmissionRecord {
                    path: kept.display().to_string(),
                    rows: sub.rows as u64,
                    sha256: sub.sha256.clone(),
                },
            )?;
            sub.kept = Some(kept);
        }
    }
    Ok(report)
}
