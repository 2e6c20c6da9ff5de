//! The README's first command: the embedded example replays with no account and no network.

mod common;

use common::scratch;

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
}
