//! Running many configurations of one recipe in parallel and ranking them.
//!
//! Every trial is a full replay (without submission) of the recipe with its overrides; trials
//! are independent and each is deterministic, so the results are the same whatever the number
//! of parallel jobs. Trials are recorded as they finish, under one sweep id, through one
//! connection to the run store shared by the threads.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rayon::prelude::*;

use kreplay_recipe::Recipe;

use crate::data::CompetitionData;
use crate::error::{Result, RunError};
use crate::replay::{replay, ReplayOptions, ReplayReport};
use crate::store::RunStore;

#[derive(Debug, Clone)]
pub struct Trial {
    /// Position in the expanded list (stable across runs).
    pub index: usize,
    pub overrides: Vec<String>,
    pub hash: String,
    pub outcome: std::result::Result<ReplayReport, String>,
}

impl Trial {
    /// The score trials are ranked by: CV mean, or the training score when there is no CV.
    pub fn score(&self) -> Option<f64> {
        self.outcome
            .as_ref()
            .ok()
            .map(|r| r.cv.map_or(r.train_score, |c| c.0))
    }

    pub fn elapsed(&self) -> Duration {
        self.outcome.as_ref().map(|r| r.elapsed).unwrap_or_default()
    }
}

/// Where a sweep records its trials: the run store, and the id its trials share.
pub struct Recording<'a> {
    pub store: &'a Path,
    pub sweep: &'a str,
}

/// Runs every recipe on `jobs` threads; returns the trials ranked best first (failed ones last,
/// ties in expansion order).
pub fn run(
    recipes: &[Recipe],
    data: &CompetitionData,
    jobs: usize,
    recording: Option<Recording>,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<Vec<Trial>> {
    // Opened before any trial runs, so a store that cannot be opened fails the sweep at once.
    let store = recording
        .as_ref()
        .map(|r| RunStore::open(r.store).map(Mutex::new))
        .transpose()?;
    let sweep_id = recording.as_ref().map(|r| r.sweep);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|e| RunError::data("sweep", format!("cannot start {jobs} jobs: {e}")))?;
    let done = AtomicUsize::new(0);
    let total = recipes.len();
    let mut trials: Vec<Trial> = pool.install(|| {
        recipes
            .par_iter()
            .enumerate()
            .map(|(index, recipe)| {
                let opts = ReplayOptions {
                    output: None,
                    store: None,
                    sweep: None,
                    progress: None,
                };
                let outcome = replay(recipe, data, &opts)
                    .and_then(|mut report| {
                        if let Some(store) = &store {
                            // A trial that panicked while inserting leaves nothing half-done
                            // (the insert is one statement), so a poisoned lock is still usable.
                            let store = store.lock().unwrap_or_else(|p| p.into_inner());
                            report.record =
                                Some(store.insert(recipe, &data.files, &report, sweep_id)?);
                        }
                        Ok(report)
                    })
                    .map_err(|e| e.to_string());
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                if let Some(p) = progress {
                    p(n, total);
                }
                Trial {
                    index,
                    overrides: recipe.overrides.clone(),
                    hash: recipe.hash.clone(),
                    outcome,
                }
            })
            .collect()
    });
    let higher = recipes
        .first()
        .is_none_or(|r| r.validation.metric.higher_is_better());
    trials.sort_by(|a, b| match (a.score(), b.score()) {
        (Some(x), Some(y)) => {
            let ord = if higher {
                y.total_cmp(&x)
            } else {
                x.total_cmp(&y)
            };
            ord.then(a.index.cmp(&b.index))
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.index.cmp(&b.index),
    });
    Ok(trials)
}
