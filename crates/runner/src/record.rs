//! Run records: what was run (recipe hash, resolved parameters, data sha256, tool version) and
//! what came out (scores, timings, submission), one JSON file per run.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use kreplay_recipe::Recipe;

use crate::error::Result;
use crate::replay::ReplayReport;

/// Where run records go: `$KREPLAY_HOME/runs`, else `$XDG_DATA_HOME/kreplay/runs`, else
/// `~/.local/share/kreplay/runs`.
pub fn default_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("KREPLAY_HOME") {
        return PathBuf::from(home).join("runs");
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("kreplay").join("runs")
}

pub fn write(
    dir: &Path,
    recipe: &Recipe,
    files: &[(String, String)],
    report: &ReplayReport,
) -> Result<PathBuf> {
    let now = SystemTime::now();
    let millis = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let record = json!({
        "tool": { "name": "kreplay", "version": env!("CARGO_PKG_VERSION") },
        "started": humantime::format_rfc3339_millis(now - report.elapsed).to_string(),
        "recipe": {
            "name": recipe.display_name(),
            "file": recipe.source.name,
            "hash": recipe.hash,
            "overrides": recipe.overrides,
            "resolved": recipe.resolved_json(),
        },
        "data": files.iter().map(|(f, h)| json!({ "file": f, "sha256": h })).collect::<Vec<_>>(),
        "scores": {
            "metric": report.metric.name(),
            "folds": report.fold_scores,
            "cv_mean": report.cv.map(|c| c.0),
            "cv_std": report.cv.map(|c| c.1),
            "train": report.train_score,
        },
        "features": report.features,
        "timings_s": { "total": report.elapsed.as_secs_f64(), "cv": report.cv_time.as_secs_f64() },
        "submission": report.submission.as_ref().map(|s| json!({ "path": s.path, "rows": s.rows, "sha256": s.sha256 })),
    });
    let name: String = recipe
        .display_name()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{millis}-{name}-{}.json", &recipe.hash[..12]));
    let text = serde_json::to_string_pretty(&record).expect("a JSON value serialises");
    crate::atomic::write(&path, text.as_bytes())?;
    Ok(path)
}
