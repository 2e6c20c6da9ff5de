//! `replay --export-features DIR`: the table the model is fitted on, as files another tool
//! reads (the scikit-learn replays of the tree recipes do): `train.csv` (every feature column
//! and the target, rows in training order), `test.csv` (the features of the test rows) and
//! `validation.json` (the scheme, so a replay can draw the same folds with its own code).
//! Numbers are written in their shortest exact form, so reading them back gives the same
//! doubles.
//!
//! A pipeline with steps fitted per fold gives each fold its own table: those go to
//! `fold-<i>/train.csv` and `fold-<i>/valid.csv` (rows in the fold's order), and a replay
//! uses them in place of drawing folds itself.

use std::fmt::Write as _;
use std::path::Path;

use kreplay_recipe::{Recipe, Scheme, SchemeKind};

use crate::error::Result;
use crate::matrix::Matrix;

fn csv(x: &Matrix, target: Option<(&str, &[f64])>) -> String {
    let mut out = String::new();
    let mut header: Vec<&str> = x.names.iter().map(String::as_str).collect();
    if let Some((name, _)) = target {
        header.push(name);
    }
    let _ = writeln!(out, "{}", header.join(","));
    for i in 0..x.rows {
        let mut fields: Vec<String> = x.row(i).iter().map(|v| format!("{v:?}")).collect();
        if let Some((_, y)) = target {
            fields.push(format!("{:?}", y[i]));
        }
        let _ = writeln!(out, "{}", fields.join(","));
    }
    out
}

fn validation_json(recipe: &Recipe) -> serde_json::Value {
    let v = &recipe.validation;
    let scheme = match &v.scheme {
        Scheme::KFold {
            k,
            shuffle,
            stratified,
            seed,
        } => {
            serde_json::json!({"scheme": SchemeKind::KFold.name(), "k": k, "shuffle": shuffle, "stratified": stratified, "seed": seed})
        }
        Scheme::Holdout {
            fraction,
            shuffle,
            stratified,
            seed,
        } => {
            serde_json::json!({"scheme": SchemeKind::Holdout.name(), "fraction": fraction, "shuffle": shuffle, "stratified": stratified, "seed": seed})
        }
        Scheme::None => serde_json::json!({"scheme": SchemeKind::None.name()}),
    };
    serde_json::json!({
        "validation": scheme,
        "metric": v.metric.name(),
        "task": recipe.data.task.name(),
        "target": recipe.data.target,
        "seed": recipe.seed,
    })
}

/// Writes one fold's tables (fold-fitted pipelines only).
pub fn write_fold(
    dir: &Path,
    recipe: &Recipe,
    fold: usize,
    train: (&Matrix, &[f64]),
    valid: (&Matrix, &[f64]),
) -> Result<()> {
    let target = recipe.data.target.as_str();
    let dir = dir.join(format!("fold-{fold}"));
    crate::atomic::write(
        &dir.join("train.csv"),
        csv(train.0, Some((target, train.1))).as_bytes(),
    )?;
    crate::atomic::write(
        &dir.join("valid.csv"),
        csv(valid.0, Some((target, valid.1))).as_bytes(),
    )
}

/// Writes the final fit's tables and the validation scheme.
pub fn write(
    dir: &Path,
    recipe: &Recipe,
    train: (&Matrix, &[f64]),
    test: Option<&Matrix>,
) -> Result<()> {
    let files = [
        (
            "train.csv",
            csv(train.0, Some((&recipe.data.target, train.1))),
        ),
        ("validation.json", validation_json(recipe).to_string()),
    ];
    for (name, text) in files {
        crate::atomic::write(&dir.join(name), text.as_bytes())?;
    }
    if let Some(t) = test {
        crate::atomic::write(&dir.join("test.csv"), csv(t, None).as_bytes())?;
    }
    Ok(())
}
