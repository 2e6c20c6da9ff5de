//! A finished replay as the run store records it: what was run (recipe, hash, overrides,
//! resolved parameters, data sha256, tool version) and what came out (fold scores, CV, training
//! score, timings, submission). Nothing about credentials: the Kaggle token never reaches the
//! runner, so it cannot end up here.

use std::time::SystemTime;

use kreplay_recipe::Recipe;
use kreplay_store::{DataFile, Run, SubmissionRecord};

use crate::replay::ReplayReport;

/// The record of `report`, a replay of `recipe` on `files` (name, sha256), in sweep `sweep`.
pub fn run_of(
    recipe: &Recipe,
    files: &[(String, String)],
    report: &ReplayReport,
    sweep: Option<&str>,
) -> Run {
    let now = SystemTime::now();
    let started = now.checked_sub(report.elapsed).unwrap_or(now);
    Run {
        started: humantime::format_rfc3339_millis(started).to_string(),
        recipe: recipe.display_name(),
        file: recipe.source.name.clone(),
        hash: recipe.hash.clone(),
        overrides: recipe.overrides.clone(),
        resolved: recipe.resolved_json(),
        data: files
            .iter()
            .map(|(file, sha256)| DataFile {
                file: file.clone(),
                sha256: sha256.clone(),
            })
            .collect(),
        metric: report.metric.name().to_string(),
        folds: report.fold_scores.clone(),
        cv_mean: report.cv.map(|c| c.0),
        cv_std: report.cv.map(|c| c.1),
        train: Some(report.train_score),
        seconds: report.elapsed.as_secs_f64(),
        cv_seconds: report.cv_time.as_secs_f64(),
        tool_version: crate::catalog::tool_version(recipe),
        submission: report.submission.as_ref().map(|s| SubmissionRecord {
            path: s.path.display().to_string(),
            rows: s.rows as u64,
            sha256: s.sha256.clone(),
        }),
        sweep: sweep.map(str::to_string),
        features: report.features.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use kreplay_recipe::{Library, Metric, Override, Recipe};
    use kreplay_store::flat::flat_params;
    use kreplay_store::RunStore;

    use super::*;
    use crate::replay::SubmissionInfo;

    fn milla(overrides: &[&str]) -> Recipe {
        let (source, name) = Library::in_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../recipes"))
            .load("titanic/milla-decision-tree")
            .unwrap();
        let overrides: Vec<Override> = overrides
            .iter()
            .map(|o| Override::parse(o).unwrap())
            .collect();
        Recipe::parse(source, &name, None, &overrides, crate::catalog()).unwrap()
    }

    fn report(cv: Option<(f64, f64)>, train: f64) -> ReplayReport {
        ReplayReport {
            metric: Metric::Accuracy,
            fold_scores: vec![0.8, 0.9],
            cv,
            train_score: train,
            features: vec!["Pclass".into(), "Sex".into()],
            submission: Some(SubmissionInfo {
                path: "submissions/titanic/milla-decision-tree.csv".into(),
                rows: 418,
                sha256: "ab".repeat(32),
                kept: None,
                warnings: Vec::new(),
            }),
            record: None,
            elapsed: Duration::from_millis(1500),
            cv_time: Duration::from_millis(1200),
            pruned: false,
            diagnostics: None,
        }
    }

    fn files() -> Vec<(String, String)> {
        vec![
            ("train.csv".into(), "7d".repeat(32)),
            ("test.csv".into(), "3e".repeat(32)),
        ]
    }

    #[test]
    fn a_replay_is_stored_and_read_back_whole() {
        let dir = std::env::temp_dir().join(format!("kreplay-record-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = RunStore::open(&PathBuf::from(&dir).join("runs.sqlite")).unwrap();
        let recipe = milla(&["model.max_depth=5"]);
        let rep = report(Some((0.85, 0.05)), 0.83);
        let run = run_of(&recipe, &files(), &rep, Some("sweep-1"));
        let id = store.insert_run(&run).unwrap();
        let got = store.get(id).unwrap().expect("the run just inserted");
        assert_eq!(got.id, id);
        assert_eq!(got.run.hash, recipe.hash);
        assert_eq!(got.run.overrides, ["model.max_depth=5"]);
        assert_eq!(got.run.resolved, recipe.resolved_json());
        assert_eq!(got.run.data[0].sha256, "7d".repeat(32));
        assert_eq!(got.run.folds, [0.8, 0.9]);
        assert_eq!(got.run.cv_mean, Some(0.85));
        assert_eq!(got.run.tool_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(got.run.submission.as_ref().unwrap().rows, 418);
        assert_eq!(got.run.sweep.as_deref(), Some("sweep-1"));
        // And the whole record, field by field, as built from the replay.
        assert_eq!(got.run, run);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The store's dotted paths of a recorded run are the recipe's own override paths.
    #[test]
    fn stored_paths_are_the_recipe_paths() {
        let r = milla(&[]);
        let flat = flat_params(&r.resolved_json());
        for (path, _) in r.flat_params() {
            assert!(flat.contains_key(&path), "{path} missing from {flat:?}");
        }
        assert_eq!(flat["model.max_depth"], 3);
        assert!(flat.contains_key("validation.k"), "{flat:?}");
    }

    #[test]
    fn an_override_changes_exactly_its_stored_path() {
        let a = flat_params(&milla(&[]).resolved_json());
        let b = flat_params(&milla(&["model.max_depth=5"]).resolved_json());
        let changed: Vec<&String> = a.keys().filter(|k| a.get(*k) != b.get(*k)).collect();
        assert_eq!(changed, ["model.max_depth"]);
    }
}
