//! `kreplay report <run-id | sweep-id>`, and `--report` on replay and sweep: one HTML file.
//!
//! A run's page needs what only a replay sees (out-of-fold predictions, importances), so the
//! report of a recorded run replays its recipe with its overrides again (replays are
//! deterministic) and says so if the recipe has changed since. A sweep's page is read from
//! the run store.

use std::path::{Path, PathBuf};

use kreplay_recipe::{Metric, Recipe};
use kreplay_report::run::{Evidence, RunPage};
use kreplay_report::sweep::{SweepPage, TrialRow};
use kreplay_runner::sweep::Summary;
use kreplay_runner::{replay_owned, ReplayOptions, ReplayReport, RunError};
use kreplay_store::{self as store, RunFilter, RunStore, Sort};

use crate::report::Result;

/// reports/<competition>/<recipe>[-run<id>].html
pub fn default_run_path(recipe: &Recipe, run: Option<i64>) -> PathBuf {
    let stem = recipe.display_name().replace(['/', ':'], "-");
    let file = match run {
        Some(id) => format!("{stem}-run{id}.html"),
        None => format!("{stem}.html"),
    };
    PathBuf::from("reports").join(file)
}

fn sweep_path(sweep: &str) -> PathBuf {
    PathBuf::from("reports").join(format!("sweep-{sweep}.html"))
}

fn write(path: &Path, html: &str, open: bool) -> Result {
    kreplay_runner::atomic::write(path, html.as_bytes())?;
    // On stderr: stdout may be a --json document.
    eprintln!("report: {}", path.display());
    if open {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        if let Err(e) = std::process::Command::new(opener).arg(path).spawn() {
            eprintln!("warning: cannot open the report with `{opener}`: {e}");
        }
    }
    Ok(())
}

/// The HTML page of a replay (which collected its diagnostics).
pub fn write_run(recipe: &Recipe, report: &ReplayReport, path: &Path, open: bool) -> Result {
    let evidence = report.diagnostics.as_ref().map(|d| Evidence {
        truth: d.truth.clone(),
        predicted: d.predicted.clone(),
        proba: d.proba.clone(),
        importances: d.importances.clone(),
        fold_seconds: d.fold_seconds.clone(),
        explained: d.explained.clone(),
        curve: d.curve.clone(),
        step_seconds: d.step_seconds.clone(),
    });
    let html = kreplay_report::run::render(&RunPage {
        recipe,
        run: report.record,
        fold_scores: &report.fold_scores,
        cv: report.cv,
        train: report.train_score,
        seconds: report.elapsed.as_secs_f64(),
        cv_seconds: report.cv_time.as_secs_f64(),
        submission: report
            .submission
            .as_ref()
            .map(|s| s.kept.as_ref().unwrap_or(&s.path).display().to_string()),
        evidence: evidence.as_ref(),
    });
    write(path, &html, open)
}

/// The HTML page of a sweep's trials, as they finished.
pub fn write_sweep(
    recipe: &Recipe,
    sweep: &str,
    method: &str,
    trials: &[Summary],
    path: &Path,
    open: bool,
) -> Result {
    let mut rows: Vec<TrialRow> = trials
        .iter()
        .map(|t| TrialRow {
            index: t.index,
            params: t
                .overrides
                .iter()
                .filter_map(|o| o.split_once('='))
                .map(|(p, v)| (p.to_string(), v.to_string()))
                .collect(),
            score: t.score,
            cv_std: t.cv.map(|c| c.1),
            seconds: t.seconds,
            pruned: t.pruned,
            error: t.error.clone(),
            runs: t.runs.clone(),
            repeat_of: t.repeat_of,
        })
        .collect();
    // The order the trials were tried, which the progress chart follows.
    rows.sort_by_key(|t| t.index);
    let html = kreplay_report::sweep::render(&SweepPage {
        recipe: &recipe.display_name(),
        sweep,
        method,
        metric: recipe.validation.metric,
        trials: rows,
    });
    write(path, &html, open)
}

/// `kreplay report TARGET`: a run id (replayed again for its evidence) or a sweep id.
pub fn run(target: &str, output: Option<PathBuf>, open: bool, data: Option<PathBuf>) -> Result {
    let path = store::default_path();
    let store = match path.exists() {
        true => Some(RunStore::open(&path)?),
        false => None,
    };
    if let Ok(id) = target.parse::<i64>() {
        let record = store
            .as_ref()
            .and_then(|s| s.get(id).transpose())
            .transpose()?;
        let record = record.ok_or(RunError::NoRun { id, path })?;
        let run = &record.run;
        // A recipe file the run read is read again; a shipped recipe by its name.
        let reference = match Path::new(&run.file).is_file() {
            true => run.file.clone(),
            false => run.recipe.clone(),
        };
        let recipe = super::load(&reference, &run.overrides)?;
        if recipe.hash != run.hash {
            eprintln!(
                "warning: {} has changed since run #{id} (hash {} then, {} now): the report shows today's replay",
                recipe.display_name(),
                run.hash.get(..8).unwrap_or(&run.hash),
                recipe.hash.get(..8).unwrap_or(&recipe.hash)
            );
        }
        let frames = super::replay::data_of(&recipe, data.as_deref())?;
        let mut report = replay_owned(
            &recipe,
            frames,
            &ReplayOptions {
                diagnose: true,
                ..Default::default()
            },
        )?;
        report.record = Some(id);
        let out_path = output.unwrap_or_else(|| default_run_path(&recipe, Some(id)));
        return write_run(&recipe, &report, &out_path, open);
    }
    let runs = match &store {
        Some(s) => s.list(&RunFilter {
            recipe: None,
            sweep: Some(target.to_string()),
            sort: Sort::Started,
            limit: usize::MAX >> 1,
        })?,
        None => Vec::new(),
    };
    if runs.is_empty() {
        return Err(RunError::data(
            "report",
            format!(
                "`{target}` is neither a run id nor a sweep with recorded trials in {}; \
                 `kreplay runs` lists both",
                path.display()
            ),
        )
        .into());
    }
    let metric = Metric::parse(&runs[0].metric).unwrap_or(Metric::Accuracy);
    let mut runs = runs;
    runs.reverse(); // oldest first: the order the trials finished
    let rows: Vec<TrialRow> = runs
        .iter()
        .enumerate()
        .map(|(index, r)| TrialRow {
            index,
            params: r
                .overrides
                .iter()
                .filter_map(|o| o.split_once('='))
                .map(|(p, v)| (p.to_string(), v.to_string()))
                .collect(),
            score: r.cv_mean.or(r.train),
            cv_std: r.cv_std,
            seconds: r.seconds,
            pruned: false,
            error: None,
            runs: vec![r.id],
            repeat_of: None,
        })
        .collect();
    let html = kreplay_report::sweep::render(&SweepPage {
        recipe: &runs[0].recipe,
        sweep: target,
        method: "recorded",
        metric,
        trials: rows,
    });
    write(&output.unwrap_or_else(|| sweep_path(target)), &html, open)
}

/// The default file of a sweep's report.
pub fn default_sweep_path(sweep: &str) -> PathBuf {
    sweep_path(sweep)
}
