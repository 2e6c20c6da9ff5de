//! CLI behaviour that is not about one recipe.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::common::{kreplay, replay_json, scratch, stdout};

#[test]
fn closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kreplay"))
        .args(["steps"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reader is gone now, as with `kreplay steps | head -1`.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.success());
}

#[test]
fn list_shows_recipes_variants_and_published_scores() {
    let dir = scratch("list");
    let out = kreplay(&dir, &["list", "--json"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for expected in [
        "titanic/gender",
        "titanic/milla-decision-tree",
        "titanic/sehgal",
        "titanic/sehgal:knn",
        "examples/winequality",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let milla = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "titanic/milla-decision-tree")
        .unwrap();
    assert_eq!(milla["published"][0]["value"], 0.828);
}

#[test]
fn show_marks_leaky_fit_scopes() {
    let dir = scratch("show");
    let out = kreplay(&dir, &["show", "titanic/sehgal"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let age = text
        .lines()
        .find(|l| l.trim_start().starts_with("age "))
        .unwrap();
    assert!(
        age.contains("fit on each") && age.contains("leakage"),
        "{age}"
    );
    let sex = text
        .lines()
        .find(|l| l.trim_start().starts_with("sex "))
        .unwrap();
    assert!(
        sex.contains("stateless") && !sex.contains("leakage"),
        "{sex}"
    );
    let out = kreplay(
        &dir,
        &["show", "titanic/sehgal", "-S", "steps.age.fit_on=fold"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let age = text
        .lines()
        .find(|l| l.trim_start().starts_with("age "))
        .unwrap();
    assert!(
        age.contains("fit on fold") && !age.contains("leakage"),
        "{age}"
    );
}

/// A constant fill learns nothing: `show` calls it stateless (the unit tests cover the other
/// strategies and the folds sharing it); `steps` says when `fill` learns.
#[test]
fn a_constant_fill_is_stateless() {
    let dir = scratch("constant-fill");
    let step = |args: &[&str]| -> String {
        let text = String::from_utf8_lossy(&kreplay(&dir, args).stdout).into_owned();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("embarked "));
        line.unwrap_or_default().to_string()
    };
    let shown = step(&["show", "titanic/milla-decision-tree"]);
    assert!(shown.contains("stateless"), "{shown}");
    let out = kreplay(&dir, &["steps", "fill"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[learns, except strategy = \"constant\"]"),
        "{text}"
    );
}

/// `--threads` bounds the work's threads; the scores and the submission bytes do not move.
#[test]
fn threads_change_nothing_but_time() {
    let dir = scratch("threads");
    let run = |threads: &str| {
        let out = kreplay(
            &dir,
            &[
                "replay",
                "titanic/zlatankr-random-forest",
                "--threads",
                threads,
                "--json",
                "--no-record",
                "-o",
                &format!("{threads}.csv"),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let csv = std::fs::read(dir.join(format!("{threads}.csv"))).unwrap();
        (r["folds"].clone(), r["train"].clone(), csv)
    };
    assert_eq!(run("1"), run("2"));
    let out = kreplay(&dir, &["replay", "titanic/gender", "--threads", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'--threads <N>'"));
}

/// Habits from sweeps and other tools get an answer instead of a confusing failure.
#[test]
fn replay_answers_sweep_habits_and_zero_counts() {
    let dir = scratch("habits");
    let out = kreplay(
        &dir,
        &[
            "replay",
            "titanic/milla-decision-tree",
            "model.max_depth=3,5",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("several values: a replay runs one configuration"),
        "{err}"
    );
    assert!(
        err.contains("`kreplay sweep titanic/milla-decision-tree model.max_depth=3,5`"),
        "{err}"
    );
    // A one-value list is a value, not a sweep.
    let out = kreplay(
        &dir,
        &[
            "replay",
            "titanic/milla-decision-tree",
            "-S",
            "validation.scheme=holdout",
            "--no-submission",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("(holdout)") && !text.contains('±'), "{text}");
    for args in [
        &["runs", "--limit", "0"][..],
        &["sweep", "titanic/gender", "recipe.seed=1,2", "--jobs", "0"][..],
    ] {
        let out = kreplay(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is not in 1.."),
            "{args:?}"
        );
    }
}

#[test]
fn the_kaggle_clis_habits_and_short_names_are_understood() {
    let dir = scratch("cli-habits");
    // A unique prefix names its recipe; an ambiguous one lists the candidates.
    let shown = stdout(&kreplay(&dir, &["show", "titanic/milla", "--json"]));
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["name"], "titanic/milla-decision-tree");
    assert_eq!(shown["direction"], "maximize");
    let out = kreplay(&dir, &["show", "titanic/"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("names several recipes") && err.contains("titanic/gender"),
        "{err}"
    );
    // `list FILTER`.
    let listed = stdout(&kreplay(&dir, &["list", "forest"]));
    assert!(
        listed.contains("titanic/zlatankr-random-forest"),
        "{listed}"
    );
    assert!(!listed.contains("titanic/gender"), "{listed}");
    // `validate -c COMPETITION -f FILE --json`, exit 1 when invalid.
    std::fs::write(dir.join("bad.csv"), "PassengerId,Survived\n892,2\n").unwrap();
    let out = kreplay(
        &dir,
        &["validate", "-c", "titanic", "-f", "bad.csv", "--json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(
        v["problems"][0].as_str().unwrap().contains("invalid label"),
        "{v}"
    );
    // `diff` exits 1 when the recipes differ, with an A/B header, and 0 when they do not.
    let out = kreplay(&dir, &["diff", "titanic/sehgal", "titanic/sehgal:knn"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("--- a  titanic/sehgal\n+++ b  titanic/sehgal:knn\n"),
        "{text}"
    );
    let out = kreplay(
        &dir,
        &["diff", "titanic/gender", "titanic/gender", "--json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["same"], true);
    // `steps --json` and `models --json`.
    let steps: serde_json::Value =
        serde_json::from_str(&stdout(&kreplay(&dir, &["steps", "fill", "--json"]))).unwrap();
    assert_eq!(steps[0]["kind"], "fill");
    assert!(steps[0]["params"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "strategy"));
    let models: serde_json::Value =
        serde_json::from_str(&stdout(&kreplay(&dir, &["models", "--json"]))).unwrap();
    assert!(models
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["kind"] == "random_forest"));
    // `download` is `fetch`.
    let help = stdout(&kreplay(&dir, &["download", "--help"]));
    assert!(help.contains("--from"), "{help}");
}

#[test]
fn colour_completions_and_the_man_page() {
    let dir = scratch("cli-colour");
    // Piped output has no colour unless asked for; NO_COLOR wins over auto.
    let plain = stdout(&kreplay(&dir, &["list", "milla"]));
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let coloured = stdout(&kreplay(&dir, &["list", "milla", "--color", "always"]));
    assert!(coloured.contains("\u{1b}[1m"), "{coloured:?}");
    let out = crate::common::command(&dir, &["list", "milla", "--color", "auto"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    // Not a terminal: every character, nothing cut.
    assert!(plain.contains("titanic/milla-decision-tree"), "{plain}");
    assert!(!plain.contains('…'), "{plain}");
    let bash = stdout(&kreplay(&dir, &["completions", "bash"]));
    assert!(
        bash.contains("_kreplay()") && bash.contains("replay"),
        "{bash}"
    );
    let man = stdout(&kreplay(&dir, &["man"]));
    assert!(man.contains(".TH kreplay 1") && man.contains("Replay published Kaggle solutions"));
}

/// A recipe whose model (or a member it reaches) runs on a stand-in says so in the replay
/// header and its JSON, and `kreplay models` names each kind's engine in this build.
#[test]
fn stand_in_engines_are_named() {
    let dir = scratch("stand-in");
    let lgbm = !cfg!(feature = "lightgbm");
    let out = stdout(&kreplay(
        &dir,
        &["replay", "spaceship-titanic/dantas-lgbm", "--no-submission"],
    ));
    assert_eq!(
        out.contains("stand-in      lightgbm runs on forust-ml")
            && out.contains("--features lightgbm"),
        lgbm,
        "{out}"
    );
    // The run record says which engine decided its numbers.
    let run = stdout(&kreplay(&dir, &["runs", "show", "1"]));
    let recorded = if lgbm {
        "lightgbm on the forust-ml stand-in"
    } else {
        "LightGBM 4.7.0 (built in)"
    };
    assert!(run.contains(recorded), "{run}");
    // The stack reaches XGBoost only through its meta member; the tree members run as written.
    let r = replay_json(
        &dir,
        &[
            "titanic/anisotropic-stacking",
            "--no-record",
            "--no-submission",
            "-S",
            "validation.scheme=none",
        ],
    );
    let notes: Vec<&str> = r["stand_ins"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        notes.len(),
        usize::from(!cfg!(feature = "xgboost")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .all(|n| n.starts_with("xgboost runs on forust-ml")),
        "{notes:?}"
    );
    // A recipe without such a kind has no stand-in line.
    let out = stdout(&kreplay(
        &dir,
        &[
            "replay",
            "titanic/milla-decision-tree",
            "--no-record",
            "--no-submission",
        ],
    ));
    assert!(!out.contains("stand-in"), "{out}");
    let models = stdout(&kreplay(&dir, &["models", "lightgbm"]));
    let engine = if lgbm {
        "forust-ml 0.8, a stand-in for LightGBM"
    } else {
        "LightGBM 4.7.0 itself"
    };
    assert!(models.contains(engine), "{models}");
}
