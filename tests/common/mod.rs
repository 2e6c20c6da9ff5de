//! Helpers for the end-to-end tests of both tiers: run the real binary against competition files.

#![allow(dead_code)]

pub mod hostile;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The competition files this test binary runs on (the committed cuts for the default tier,
/// the real mirror for the replay tier).
pub fn mirror() -> PathBuf {
    crate::MIRROR()
}

/// The small tables in `tests/data`, cut from the public files by `tests/data/cut.sh`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The mirror of real competition files: `$KREPLAY_MIRROR`, default `../shared/data`. A
/// relative path is taken from the workspace, where the README's command is typed (the tests
/// run the binary in scratch folders, where it would point nowhere). A missing mirror fails
/// the test: these tests never skip silently.
pub fn real_mirror() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = match std::env::var_os("KREPLAY_MIRROR").map(PathBuf::from) {
        Some(d) if d.is_relative() => root.join(d),
        Some(d) => d,
        None => root.join("../shared/data"),
    };
    assert!(
        dir.join("titanic/train.csv").is_file(),
        "competition data not found at {} (set KREPLAY_MIRROR)",
        dir.display()
    );
    dir
}

/// A scratch folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kreplay-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The kreplay command in `dir` with the mirror set and run records kept inside `dir`
/// (the run store is `dir/home/runs.sqlite`).
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kreplay"));
    cmd.args(args)
        .current_dir(dir)
        .env("KREPLAY_MIRROR", mirror())
        .env("KREPLAY_HOME", dir.join("home"))
        .env("KREPLAY_CACHE", dir.join("cache"))
        .env_remove("KREPLAY_RECIPES");
    cmd
}

/// Runs kreplay in `dir` (see [`command`]) to completion.
pub fn kreplay(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("kreplay runs")
}

/// Replays with `--json` and returns the report.
pub fn replay_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["replay", "--json"];
    all.extend_from_slice(args);
    let out = kreplay(dir, &all);
    assert!(
        out.status.success(),
        "kreplay {all:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("replay --json prints JSON")
}

pub fn close(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: replayed {actual:.5}, expected {expected} ± {tol}"
    );
}

/// A successful run's stdout; a failure shows its stderr.
pub fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The feature names a `replay --json` report lists, in model-input order.
pub fn feature_names(report: &serde_json::Value) -> Vec<&str> {
    report["features"]
        .as_array()
        .expect("the report lists its features")
        .iter()
        .map(|f| f.as_str().expect("feature names are strings"))
        .collect()
}
