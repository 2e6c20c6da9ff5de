//! Running many configurations of one recipe in parallel and ranking them.
//!
//! Every trial is a full replay (without submission) of the recipe with its overrides; trials
//! are independent and each is deterministic, so the results are the same whatever the number
//! of parallel jobs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rayon::prelude::*;

use kreplay_recipe::Recipe;

use crate::data::CompetitionData;
use crate::error::{Result, RunError};
use crate::replay::{replay, ReplayOptions, ReplayReport};

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

/// Runs every recipe on `jobs` threads; returns the trials ranked best first (failed ones last,
/// ties in expansion order).
pub fn run(
    recipes: &[Recipe],
    data: &CompetitionData,
    jobs: usize,
    runs_dir: Option<std::path::PathBuf>,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<Vec<Trial>> {
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
                    runs_dir: runs_dir.clone(),
                    progress: None,
                };
                let outcome = replay(recipe, data, &opts).map_err(|e| e.to_string());
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
