//! The published Titanic numbers, replayed from the CLI on the real competition files.

use crate::common::{close, kreplay, mirror, replay_json, scratch};

#[test]
fn gender_rule_reproduces_gender_submission() {
    let dir = scratch("gender");
    let report = replay_json(&dir, &["titanic/gender", "-o", "gender.csv"]);
    assert_eq!(report["submission"]["rows"], 418);
    let ours = std::fs::read_to_string(dir.join("gender.csv")).unwrap();
    let theirs = std::fs::read_to_string(mirror().join("titanic/gender_submission.csv")).unwrap();
    let lines = |s: &str| {
        s.lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&ours), lines(&theirs));
}

#[test]
fn milla_depth_three_tree() {
    let dir = scratch("milla");
    let r = replay_json(&dir, &["titanic/milla-decision-tree"]);
    close(r["cv_mean"].as_f64().unwrap(), 0.828, 0.005, "10-fold CV");
    close(
        r["train"].as_f64().unwrap(),
        0.8238,
        0.00005,
        "training accuracy",
    );
    assert_eq!(r["folds"].as_array().unwrap().len(), 10);
}

/// The published configuration and the entropy variant the sweep tests explore.
#[test]
fn milla_depth_three_gini_and_entropy_cross_validate_as_published() {
    let dir = scratch("milla-criteria");
    for (criterion, cv) in [("gini", 0.8283), ("entropy", 0.8316)] {
        let r = replay_json(
            &dir,
            &[
                "titanic/milla-decision-tree",
                "model.max_depth=3",
                &format!("model.criterion={criterion}"),
                "--no-submission",
            ],
        );
        close(r["cv_mean"].as_f64().unwrap(), cv, 5e-4, criterion);
    }
}

#[test]
fn sehgal_models_match_published_training_accuracy() {
    let dir = scratch("sehgal");
    for (variant, published, tol) in [
        ("decision_tree", 0.8676, 0.00005),
        ("knn", 0.8474, 0.005),
        ("naive_bayes", 0.7228, 0.005),
        ("logistic_regression", 0.8036, 0.00005),
    ] {
        let r = replay_json(
            &dir,
            &[&format!("titanic/sehgal:{variant}"), "--no-submission"],
        );
        close(r["train"].as_f64().unwrap(), published, tol, variant);
    }
    let r = replay_json(&dir, &["titanic/sehgal"]);
    close(
        r["train"].as_f64().unwrap(),
        0.8676,
        0.00005,
        "random forest",
    );
    assert_eq!(
        r["features"],
        serde_json::json!([
            "Pclass",
            "Sex",
            "Age",
            "Fare",
            "Embarked",
            "Title",
            "IsAlone",
            "Age*Class"
        ])
    );
}

#[test]
fn same_recipe_twice_writes_identical_submissions() {
    let dir = scratch("determinism");
    for recipe in [
        "titanic/tutorial-random-forest",
        "titanic/milla-decision-tree",
    ] {
        replay_json(&dir, &[recipe, "-o", "a.csv"]);
        replay_json(&dir, &[recipe, "-o", "b.csv"]);
        let a = std::fs::read(dir.join("a.csv")).unwrap();
        let b = std::fs::read(dir.join("b.csv")).unwrap();
        assert_eq!(a, b, "{recipe}: submissions differ between runs");
        assert_eq!(String::from_utf8(a).unwrap().lines().count(), 419);
    }
}

#[test]
fn overrides_change_the_replay_and_the_hash() {
    let dir = scratch("override");
    let base = replay_json(&dir, &["titanic/milla-decision-tree", "--no-submission"]);
    let deeper = replay_json(
        &dir,
        &[
            "titanic/milla-decision-tree",
            "--no-submission",
            "-S",
            "model.max_depth=8",
        ],
    );
    assert_ne!(base["hash"], deeper["hash"]);
    assert!(deeper["train"].as_f64().unwrap() > base["train"].as_f64().unwrap());
}

#[test]
fn run_record_names_recipe_hash_and_data_checksums() {
    let dir = scratch("record");
    let r = replay_json(&dir, &["titanic/gender", "--no-submission"]);
    let id = r["run"]
        .as_i64()
        .expect("the replay was recorded")
        .to_string();
    let out = kreplay(&dir, &["runs", "show", &id, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["hash"], r["hash"]);
    assert_eq!(record["recipe"], "titanic/gender");
    assert_eq!(record["data"][0]["file"], "train.csv");
    assert_eq!(
        record["data"][0]["sha256"],
        "7d118fef8b6ccf7f81111877bc388536f7b1e498a655e3d649d19aaa010e9f6f"
    );
    assert_eq!(record["tool_version"], env!("CARGO_PKG_VERSION"));
    assert!(record["resolved"]["data"].is_object(), "{record}");
}

#[test]
fn missing_data_says_how_to_get_it() {
    let dir = scratch("nodata");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kreplay"))
        .args(["replay", "titanic/gender"])
        .current_dir(&dir)
        .env("KREPLAY_MIRROR", dir.join("nowhere"))
        .env("KREPLAY_CACHE", dir.join("cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kreplay fetch titanic"), "{err}");
    assert!(!dir.join("submissions").exists());
}
