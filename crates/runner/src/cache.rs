//! Sharing feature-step results between the trials of a sweep.
//!
//! When a sweep leaves the first `untouched` steps alone, their output for a given fold is the
//! same in every trial, so it is computed once and reused. Entries are keyed by everything the
//! output depends on (the data and validation settings and those steps' resolved parameters,
//! hashed, plus the fold), so a hit can never return another configuration's frames.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use polars::prelude::DataFrame;
use sha2::{Digest, Sha256};

use kreplay_recipe::Recipe;

type Frames = Arc<(DataFrame, Option<DataFrame>)>;

pub struct FoldCache {
    /// How many leading steps no trial changes.
    pub untouched: usize,
    entries: Mutex<HashMap<String, Frames>>,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

impl FoldCache {
    /// The cache of a sweep of `recipe` over parameters at `paths`: the steps before the
    /// first one a parameter changes are computed once per fold for every trial.
    pub fn for_sweep(recipe: &kreplay_recipe::Recipe, paths: &[&str]) -> Self {
        let untouched = recipe
            .steps
            .iter()
            .position(|s| {
                let prefix = format!("steps.{}.", s.id);
                paths.iter().any(|p| p.starts_with(&prefix))
            })
            .unwrap_or(recipe.steps.len());
        FoldCache::new(untouched)
    }

    pub fn new(untouched: usize) -> Self {
        FoldCache {
            untouched,
            entries: Mutex::new(HashMap::new()),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }

    /// (hits, misses) so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.hits.load(Ordering::SeqCst),
            self.misses.load(Ordering::SeqCst),
        )
    }

    /// The key of the first `steps` steps' output for `fold` (a fold index, "final" or "shared").
    pub fn key(recipe: &Recipe, steps: usize, fold: &str) -> String {
        let json = serde_json::json!({
            "data": recipe.data.params.to_json(),
            "validation": recipe.validation.params.to_json(),
            "seed": recipe.seed,
            "steps": recipe.steps[..steps].iter().map(|s| serde_json::json!({
                "id": s.id, "kind": s.kind, "fit_on": s.fit_on.name(), "params": s.params.to_json(),
            })).collect::<Vec<_>>(),
        });
        let digest = Sha256::digest(json.to_string().as_bytes());
        format!("{fold}|{steps}|{}", kreplay_recipe::recipe::hex(&digest))
    }

    /// The cached frames for `key`, or `compute`d and stored.
    pub fn get_or<E>(
        &self,
        key: String,
        compute: impl FnOnce() -> Result<(DataFrame, Option<DataFrame>), E>,
    ) -> Result<Frames, E> {
        if let Some(f) = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            self.hits.fetch_add(1, Ordering::SeqCst);
            return Ok(f.clone());
        }
        self.misses.fetch_add(1, Ordering::SeqCst);
        let frames = Arc::new(compute()?);
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, frames.clone());
        Ok(frames)
    }
}
