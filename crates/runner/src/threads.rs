//! How many threads the work may use. Results never depend on it (folds, trees and trials
//! are reduced in a fixed order); only the time does.

/// Limits rayon's pool (trees, folds, kernels) and polars' to `n` threads. Call once, before
/// any work starts (polars sizes its pool on first use).
pub fn limit(n: usize) -> crate::Result<()> {
    // Before any thread exists: the process has only the main thread at this point.
    std::env::set_var("POLARS_MAX_THREADS", n.to_string());
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
        .map_err(|e| crate::RunError::data("--threads", e.to_string()))
}

/// The threads the work runs on: `--threads`, else `RAYON_NUM_THREADS`, else every core.
pub fn available() -> usize {
    rayon::current_num_threads()
}
