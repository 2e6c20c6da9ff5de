//! What one run record holds.
//!
//! A record says what was run (recipe, hash, overrides, resolved parameters, data sha256, tool
//! version) and what came out (fold scores, CV, training score, timings, submission). Nothing
//! about credentials: the Kaggle token never reaches the runner, so it cannot end up here.

use serde::{Deserialize, Serialize};

/// A data file the run read, by content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataFile {
    pub file: String,
    pub sha256: String,
}

/// The submission a run wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionRecord {
    pub path: String,
    pub rows: u64,
    pub sha256: String,
}

/// Everything recorded about one run, before the store gives it an id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// When the replay started, RFC 3339 in UTC with milliseconds (sorts as text).
    pub started: String,
    /// Display name, with `:variant`.
    pub recipe: String,
    /// The recipe file (or embedded name) it was read from.
    pub file: String,
    pub hash: String,
    pub overrides: Vec<String>,
    /// `Recipe::resolved_json()`: every parameter as the replay used it.
    pub resolved: serde_json::Value,
    pub data: Vec<DataFile>,
    pub metric: String,
    /// One score per CV fold; NaN where a fold had no score (JSON `null`).
    #[serde(deserialize_with = "nan_for_null")]
    pub folds: Vec<f64>,
    pub cv_mean: Option<f64>,
    pub cv_std: Option<f64>,
    pub train: Option<f64>,
    pub seconds: f64,
    pub cv_seconds: f64,
    pub tool_version: String,
    pub submission: Option<SubmissionRecord>,
    /// Shared by the trials of one sweep.
    pub sweep: Option<String>,
    pub features: Vec<String>,
}

/// A stored run: its id and everything recorded (`kreplay runs show`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: i64,
    #[serde(flatten)]
    pub run: Run,
}

/// The summary columns of a run, for listings: no resolved parameters, folds or features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub started: String,
    pub recipe: String,
    pub hash: String,
    pub overrides: Vec<String>,
    pub metric: String,
    /// `maximize` or `minimize`: the metric's direction (empty for a metric this kreplay does
    /// not know).
    pub direction: String,
    pub cv_mean: Option<f64>,
    pub cv_std: Option<f64>,
    pub train: Option<f64>,
    pub seconds: f64,
    pub sweep: Option<String>,
}

/// JSON writes NaN as `null`; reading it back gives the NaN.
fn nan_for_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let folds: Vec<Option<f64>> = Deserialize::deserialize(d)?;
    Ok(folds.into_iter().map(|f| f.unwrap_or(f64::NAN)).collect())
}
