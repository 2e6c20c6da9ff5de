//! `kreplay runs compare A B`: the parameters that differ (as the `-S` paths that would make
//! the difference), then the scores of both with B − A, then data files whose sha256 differ.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use kreplay_store::{flat, RunRecord};

use crate::out;
use crate::report::Result;

/// (path, value in A, value in B) for every path whose values differ; a missing path is null.
fn changed_params(a: &RunRecord, b: &RunRecord) -> Vec<(String, Value, Value)> {
    let (fa, fb) = (
        flat::flat_params(&a.run.resolved),
        flat::flat_params(&b.run.resolved),
    );
    let paths: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
    paths
        .into_iter()
        .filter_map(|p| {
            let (x, y) = (fa.get(p), fb.get(p));
            (x != y).then(|| {
                (
                    p.clone(),
                    x.cloned().unwrap_or(Value::Null),
                    y.cloned().unwrap_or(Value::Null),
                )
            })
        })
        .collect()
}

/// (file, sha256 in A, sha256 in B) for files that differ or that only one run read.
fn changed_data(a: &RunRecord, b: &RunRecord) -> Vec<(String, Option<String>, Option<String>)> {
    let sha = |r: &RunRecord| -> BTreeMap<String, String> {
        r.run
            .data
            .iter()
            .map(|d| (d.file.clone(), d.sha256.clone()))
            .collect()
    };
    let (da, db) = (sha(a), sha(b));
    let files: BTreeSet<&String> = da.keys().chain(db.keys()).collect();
    files
        .into_iter()
        .filter(|f| da.get(*f) != db.get(*f))
        .map(|f| ((*f).clone(), da.get(f).cloned(), db.get(f).cloned()))
        .collect()
}

/// (name, A, B) of the scores compared.
fn scores(a: &RunRecord, b: &RunRecord) -> [(&'static str, Option<f64>, Option<f64>); 3] {
    [
        ("cv_mean", a.run.cv_mean, b.run.cv_mean),
        ("cv_std", a.run.cv_std, b.run.cv_std),
        ("train", a.run.train, b.run.train),
    ]
}

/// B − A, rounded to display precision first so that nothing prints as -0.0000.
fn difference(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(((b? - a?) * 1e4).round() / 1e4 + 0.0)
}

pub(super) fn run(runs: &mut super::Runs, id_a: i64, id_b: i64, json: bool) -> Result {
    let a = runs.fetch(id_a)?;
    let b = runs.fetch(id_b)?;
    let params = changed_params(&a, &b);
    let data = changed_data(&a, &b);
    if json {
        let side = |r: &RunRecord| {
            json!({
                "id": r.id, "recipe": r.run.recipe, "hash": r.run.hash,
                "overrides": r.run.overrides, "metric": r.run.metric,
            })
        };
        let report = json!({
            "a": side(&a),
            "b": side(&b),
            "parameters": params.iter().map(|(p, x, y)| json!({"path": p, "a": x, "b": y})).collect::<Vec<_>>(),
            "scores": scores(&a, &b).iter().map(|(name, x, y)| {
                (name.to_string(), json!({"a": x, "b": y, "difference": difference(*x, *y)}))
            }).collect::<serde_json::Map<_, _>>(),
            "data": data.iter().map(|(f, x, y)| json!({"file": f, "a": x, "b": y})).collect::<Vec<_>>(),
        });
        out!("{}", serde_json::to_string_pretty(&report).expect("JSON"));
        return Ok(());
    }
    for r in [&a, &b] {
        let line = format!(
            "{:<7} {}  {}  {}",
            format!("#{}", r.id),
            r.run.recipe,
            r.run.hash.get(..12).unwrap_or(&r.run.hash),
            r.run.overrides.join(" ")
        );
        out!("{}", line.trim_end());
    }
    let (la, lb) = (format!("#{}", a.id), format!("#{}", b.id));
    if params.is_empty() {
        out!("  parameters    no differences: the same configuration");
    } else {
        let width = params.iter().map(|p| p.0.len()).max().unwrap_or(0).max(9);
        let col = params
            .iter()
            .map(|p| p.1.to_string().len())
            .max()
            .unwrap_or(0)
            .max(la.len());
        out!("  {:<width$}  {la:<col$}  {lb}", "parameter");
        for (path, x, y) in &params {
            let show = |v: &Value| {
                if v.is_null() {
                    "-".into()
                } else {
                    v.to_string()
                }
            };
            out!("  {path:<width$}  {:<col$}  {}", show(x), show(y));
        }
    }
    if a.run.metric != b.run.metric {
        out!(
            "  metrics differ ({} vs {}): the scores are not comparable",
            a.run.metric,
            b.run.metric
        );
    }
    out!("  {:<9}  {la:<8}  {lb:<8}  difference", "score");
    let fmt = |x: Option<f64>| x.map_or("-".into(), |x| format!("{x:.4}"));
    for (name, x, y) in scores(&a, &b) {
        out!(
            "  {name:<9}  {:<8}  {:<8}  {}",
            fmt(x),
            fmt(y),
            difference(x, y).map_or("-".into(), |d| format!("{d:+.4}"))
        );
    }
    if data.is_empty() {
        let files: Vec<&str> = a.run.data.iter().map(|d| d.file.as_str()).collect();
        out!("  data          the same files ({})", files.join(", "));
    }
    for (file, x, y) in &data {
        let sha = |s: &Option<String>| s.clone().unwrap_or_else(|| "(not read)".into());
        out!("  data          {file}: {la} {}  {lb} {}", sha(x), sha(y));
    }
    Ok(())
}
