use std::path::PathBuf;

use super::*;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kreplay-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("runs.sqlite")
}

/// A run with the given name, start and scores, the rest realistic.
fn run(recipe: &str, started: &str, cv: Option<f64>, train: Option<f64>, seconds: f64) -> Run {
    Run {
        started: started.into(),
        recipe: recipe.into(),
        file: "recipes/titanic/milla-decision-tree.toml".into(),
        hash: "5f".repeat(32),
        overrides: Vec::new(),
        resolved: serde_json::json!({
            "model": { "kind": "decision_tree", "params": { "max_depth": 3 } },
            "validation": { "k": 10 },
        }),
        data: vec![DataFile {
            file: "train.csv".into(),
            sha256: "7d".repeat(32),
        }],
        metric: "accuracy".into(),
        folds: vec![0.8, 0.9],
        cv_mean: cv,
        cv_std: cv.map(|_| 0.01),
        train,
        seconds,
        cv_seconds: seconds / 2.0,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        submission: Some(SubmissionRecord {
            path: "submissions/titanic/milla-decision-tree.csv".into(),
            rows: 418,
            sha256: "ab".repeat(32),
        }),
        sweep: None,
        features: vec!["Pclass".into(), "Sex".into()],
    }
}

fn ids(rows: &[RunRow]) -> Vec<i64> {
    rows.iter().map(|r| r.id).collect()
}

#[test]
fn insert_then_get_round_trips() {
    let store = RunStore::open(&scratch("roundtrip")).unwrap();
    let mut r = run(
        "t/a",
        "2025-01-01T00:00:00.000Z",
        Some(0.85),
        Some(0.83),
        1.5,
    );
    r.overrides = vec!["model.max_depth=5".into()];
    r.sweep = Some("sweep-1".into());
    let id = store.insert_run(&r).unwrap();
    let got = store.get(id).unwrap().expect("the run just inserted");
    assert_eq!(got.id, id);
    assert_eq!(got.run, r);
    assert_eq!(store.get(id + 1).unwrap(), None);
    assert_eq!(store.count().unwrap(), 1);
}

#[test]
fn nan_scores_are_stored_as_missing() {
    let store = RunStore::open(&scratch("nan")).unwrap();
    let mut r = run("t/a", "2025-01-01T00:00:00.000Z", Some(f64::NAN), None, 1.0);
    r.folds = vec![0.5, f64::NAN];
    let id = store.insert_run(&r).unwrap();
    let got = store.get(id).unwrap().unwrap().run;
    assert_eq!(got.cv_mean, None);
    assert_eq!(got.folds[0], 0.5);
    assert!(got.folds[1].is_nan());
}

#[test]
fn list_filters_sorts_and_limits() {
    let mut store = RunStore::open(&scratch("list")).unwrap();
    let mut swept = run("t/a", "2025-01-03T00:00:00.000Z", Some(0.7), Some(0.9), 3.0);
    swept.sweep = Some("s1".into());
    store
        .insert_runs(&[
            run("t/a", "2025-01-01T00:00:00.000Z", Some(0.8), Some(0.8), 1.0), // 1
            run(
                "t/a:v",
                "2025-01-02T00:00:00.000Z",
                Some(0.9),
                Some(0.7),
                2.0,
            ), // 2
            swept,                                                             // 3
            run(
                "t/ab",
                "2025-01-04T00:00:00.000Z",
                Some(0.6),
                Some(0.6),
                0.5,
            ), // 4
        ])
        .unwrap();
    let list = |f: RunFilter| ids(&store.list(&f).unwrap());
    assert_eq!(list(RunFilter::default()), [4, 3, 2, 1]);
    let by = |sort| RunFilter {
        sort,
        ..RunFilter::default()
    };
    assert_eq!(list(by(Sort::Cv)), [2, 1, 3, 4]);
    assert_eq!(list(by(Sort::Train)), [3, 1, 2, 4]);
    assert_eq!(list(by(Sort::Time)), [3, 2, 1, 4]);
    let recipe = |r: &str| RunFilter {
        recipe: Some(r.into()),
        ..RunFilter::default()
    };
    // A name covers its variants but not a longer name sharing the prefix.
    assert_eq!(list(recipe("t/a")), [3, 2, 1]);
    assert_eq!(list(recipe("t/a:v")), [2]);
    assert_eq!(list(recipe("t/nothing")), Vec::<i64>::new());
    let sweep = RunFilter {
        sweep: Some("s1".into()),
        ..RunFilter::default()
    };
    assert_eq!(list(sweep), [3]);
    let limited = RunFilter {
        limit: 2,
        sort: Sort::Cv,
        recipe: Some("t/a".into()),
        sweep: None,
    };
    assert_eq!(list(limited), [2, 1]);
    let row = &store.list(&RunFilter::default()).unwrap()[3];
    assert_eq!(row.recipe, "t/a");
    assert_eq!(
        (row.cv_mean, row.cv_std, row.train),
        (Some(0.8), Some(0.01), Some(0.8))
    );
    assert_eq!(row.overrides, Vec::<String>::new());
}

#[test]
fn runs_without_a_score_sort_last() {
    let store = RunStore::open(&scratch("nulls")).unwrap();
    for (i, (cv, train)) in [(None, None), (Some(0.2), Some(0.1)), (Some(0.9), None)]
        .into_iter()
        .enumerate()
    {
        store
            .insert_run(&run(
                "t/a",
                &format!("2025-01-0{}T00:00:00.000Z", i + 1),
                cv,
                train,
                1.0,
            ))
            .unwrap();
    }
    let sorted = |sort| {
        ids(&store
            .list(&RunFilter {
                sort,
                ..RunFilter::default()
            })
            .unwrap())
    };
    assert_eq!(sorted(Sort::Cv), [3, 2, 1]);
    assert_eq!(sorted(Sort::Train), [2, 3, 1]);
}

#[test]
fn scores_sort_best_first_in_their_metrics_direction() {
    let mut store = RunStore::open(&scratch("direction")).unwrap();
    let with = |metric: &str, cv: f64, day: u32| {
        let mut r = run(
            "t/a",
            &format!("2025-01-0{day}T00:00:00.000Z"),
            Some(cv),
            Some(cv),
            1.0,
        );
        r.metric = metric.into();
        r
    };
    store
        .insert_runs(&[
            with("rmse", 0.20, 1),     // 1
            with("rmse", 0.12, 2),     // 2
            with("rmse", 0.15, 3),     // 3
            with("log_loss", 0.40, 4), // 4
            with("accuracy", 0.81, 5), // 5
            with("accuracy", 0.83, 6), // 6
        ])
        .unwrap();
    let sorted = |sort| {
        ids(&store
            .list(&RunFilter {
                sort,
                ..RunFilter::default()
            })
            .unwrap())
    };
    let rmse_first =
        |ids: Vec<i64>| -> Vec<i64> { ids.into_iter().filter(|i| [1, 2, 3].contains(i)).collect() };
    assert_eq!(rmse_first(sorted(Sort::Cv)), [2, 3, 1]);
    assert_eq!(rmse_first(sorted(Sort::Train)), [2, 3, 1]);
    let accuracy: Vec<i64> = sorted(Sort::Cv)
        .into_iter()
        .filter(|i| [5, 6].contains(i))
        .collect();
    assert_eq!(accuracy, [6, 5]);
}

#[test]
fn reopening_keeps_the_runs() {
    let path = scratch("reopen");
    let id = {
        let store = RunStore::open(&path).unwrap();
        store
            .insert_run(&run(
                "t/a",
                "2025-01-01T00:00:00.000Z",
                Some(0.5),
                Some(0.5),
                1.0,
            ))
            .unwrap()
    };
    let store = RunStore::open(&path).unwrap();
    assert_eq!(store.count().unwrap(), 1);
    assert_eq!(store.get(id).unwrap().unwrap().run.recipe, "t/a");
    let next = store
        .insert_run(&run("t/b", "2025-01-02T00:00:00.000Z", None, None, 1.0))
        .unwrap();
    assert!(next > id);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn a_newer_schema_is_refused_by_name() {
    let path = scratch("newer");
    {
        let store = RunStore::open(&path).unwrap();
        store.conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = RunStore::open(&path).err().expect("refused").to_string();
    assert!(err.contains("runs.sqlite") && err.contains("99"), "{err}");
}

#[test]
fn a_file_that_is_not_a_store_is_an_error_naming_it() {
    let path = scratch("garbage");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        "not a database, just text that is long enough ".repeat(40),
    )
    .unwrap();
    let err = RunStore::open(&path).err().expect("refused").to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
}

#[test]
fn runs_in_memory_list_as_the_store_lists_them() {
    let path = scratch("select");
    let mut store = RunStore::open(&path).unwrap();
    let mut runs = Vec::new();
    for i in 0..12 {
        let recipe = match i % 3 {
            0 => "titanic/milla",
            1 => "titanic/milla:deep",
            _ => "house/serigne",
        };
        let started = format!("2026-01-01T00:00:{:02}.000Z", (i * 5) % 12);
        let cv = (i % 4 != 0).then_some(0.5 + (i % 5) as f64 / 10.0);
        let mut r = run(
            recipe,
            &started,
            cv,
            Some(i as f64 / 20.0),
            ((i * 7) % 5) as f64,
        );
        r.metric = if i % 3 == 2 {
            "rmse".into()
        } else {
            "accuracy".into()
        };
        r.sweep = (i % 2 == 0).then(|| "s1".to_string());
        r.folds = vec![0.5, f64::NAN];
        runs.push(r);
    }
    store.insert_runs(&runs).unwrap();
    // The same records as a shared study holds them: JSON text, read back.
    let records: Vec<RunRecord> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let text = serde_json::to_string(r).unwrap();
            RunRecord {
                id: i as i64 + 1,
                run: serde_json::from_str(&text).unwrap(),
            }
        })
        .collect();
    assert!(records[0].run.folds[1].is_nan());
    for sort in [Sort::Started, Sort::Cv, Sort::Train, Sort::Time] {
        for recipe in [None, Some("titanic/milla"), Some("titanic/milla:deep")] {
            for sweep in [None, Some("s1")] {
                let filter = RunFilter {
                    recipe: recipe.map(String::from),
                    sweep: sweep.map(String::from),
                    sort,
                    limit: 7,
                };
                let want = store.list(&filter).unwrap();
                let got = crate::select(&records, &filter);
                assert_eq!(ids(&got), ids(&want), "{filter:?}");
            }
        }
    }
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
