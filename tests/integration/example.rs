//! What the README promises: its first command (the embedded example replays with no account
//! and no network), and its Layout section's crate graph.

use crate::common::{kreplay, replay_json, scratch, stdout};

#[test]
fn embedded_example_replays_without_data_or_network() {
    let dir = scratch("example");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kreplay"))
        .args(["replay", "examples/winequality", "--json", "--no-record"])
        .current_dir(&dir)
        .env_remove("KREPLAY_MIRROR")
        .env("KREPLAY_CACHE", dir.join("empty-cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cv = r["cv_mean"].as_f64().unwrap();
    // A 100-tree forest on red wine quality: well above the majority class (0.43), below perfect.
    assert!(cv > 0.6 && cv < 0.8, "CV accuracy {cv}");
    assert_eq!(r["folds"].as_array().unwrap().len(), 5);
    assert_eq!(r["features"].as_array().unwrap().len(), 11);
    // The replay says what memory it used: at least the 1,599 rows it read, less than a GiB.
    let peak = r["peak_memory_bytes"]
        .as_u64()
        .expect("peak memory on Linux");
    assert!(peak > 1 << 20 && peak < 1 << 30, "peak memory {peak}");
}

/// The example carried over to an SVM: quality has six classes, so this is libsvm's
/// one-vs-one. scikit-learn 1.9.1, `cross_val_score(SVC(C=10), X, y,
/// cv=StratifiedKFold(5, shuffle=True, random_state=42))` on the same 1,599 wines: folds
/// 0.5750 0.5281 0.5750 0.5250 0.5674, mean 0.554105; training accuracy 0.564103.
#[test]
fn the_example_as_a_multiclass_svm_matches_sklearn() {
    let dir = scratch("example-svm");
    stdout(&kreplay(
        &dir,
        &["new", "svm.toml", "--from", "examples/winequality"],
    ));
    let path = dir.join("svm.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace(
        "kind = \"random_forest\"\nn_estimators = 100",
        "kind = \"svm\"\nC = 10.0",
    );
    assert!(text.contains("kind = \"svm\""), "{text}");
    std::fs::write(&path, text).unwrap();
    let r = replay_json(&dir, &["svm.toml", "--no-record"]);
    let folds: Vec<f64> = r["folds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_f64().unwrap())
        .collect();
    let want = [0.5750, 0.528125, 0.5750, 0.5250, 0.567398];
    for (got, want) in folds.iter().zip(want) {
        assert!((got - want).abs() < 1e-6, "folds {folds:?}");
    }
    assert!((r["cv_mean"].as_f64().unwrap() - 0.554105).abs() < 1e-6);
    assert!((r["train"].as_f64().unwrap() - 0.564103).abs() < 1e-6);
}

/// The workspace crates each README Layout entry says it uses, by directory under `crates/`.
fn readme_layout() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let readme = include_str!("../../README.md");
    let layout = readme
        .split("\n## Layout\n")
        .nth(1)
        .expect("the README has a Layout section");
    let layout = layout.split("\n## ").next().unwrap();
    layout
        .lines()
        .filter_map(|line| line.strip_prefix("- `crates/"))
        .map(|entry| {
            let (dir, rest) = entry.split_once('`').unwrap();
            let uses = rest
                .strip_prefix(" (uses ")
                .and_then(|r| r.split_once(')'))
                .unwrap_or_else(|| panic!("README Layout: `crates/{dir}` says no (uses ...)"))
                .0;
            let uses = uses
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            (dir.to_string(), uses)
        })
        .collect()
}

#[test]
fn readme_layout_matches_cargo_metadata() {
    let out = cargo(&[
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
        "--offline",
    ]);
    let meta: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let short = |name: &str| name.strip_prefix("kreplay-").unwrap_or(name).to_string();
    let actual: std::collections::BTreeMap<_, _> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let uses = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null() && d["path"].is_string())
                .map(|d| short(d["name"].as_str().unwrap()))
                .collect::<std::collections::BTreeSet<_>>();
            (short(p["name"].as_str().unwrap()), uses)
        })
        .collect();
    assert_eq!(
        readme_layout(),
        actual,
        "the README's Layout section (left) and cargo metadata (right) disagree on which \
         workspace crates each crate uses"
    );
}

/// The API client stays a client: a user who only fetches and submits compiles no data frame
/// library, no model code and no HTTP server.
#[test]
fn the_kaggle_client_compiles_no_ml_stack_or_server() {
    let out = cargo(&[
        "tree",
        "-p",
        "kreplay-kaggle",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--offline",
        "--format",
        "{p}",
    ]);
    let tree = String::from_utf8(out).unwrap();
    let crates: Vec<&str> = tree.lines().filter_map(|l| l.split(' ').next()).collect();
    assert!(crates.contains(&"reqwest"), "{tree}");
    for banned in [
        "polars",
        "linfa",
        "ndarray",
        "forust-ml",
        "axum",
        "rusqlite",
        "kreplay-runner",
    ] {
        assert!(
            !crates
                .iter()
                .any(|c| *c == banned || c.starts_with(&format!("{banned}-"))),
            "kreplay-kaggle depends on {banned}:\n{tree}"
        );
    }
}

/// The stdout of cargo run on this workspace, which must succeed.
fn cargo(args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(env!("CARGO"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo {}: {err}", args.join(" "));
    out.stdout
}
