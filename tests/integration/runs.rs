//! The run store from the CLI: replays and sweep trials recorded, listed, shown, compared, and
//! kept when a sweep is killed half-way.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{command, kreplay, replay_json, scratch};
use kreplay_store::{RunFilter, RunStore};

/// The sha256 of the Titanic training file the runs read, as lowercase hex.
fn train_sha256() -> String {
    use sha2::Digest;
    let bytes = std::fs::read(crate::common::mirror().join("titanic/train.csv")).unwrap();
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn ok_stdout(dir: &Path, args: &[&str]) -> String {
    let out = kreplay(dir, args);
    assert!(
        out.status.success(),
        "kreplay {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json_of(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok_stdout(dir, args)).expect("--json prints JSON")
}

fn listed_ids(list: &Value) -> Vec<i64> {
    list["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn replays_are_listed_shown_and_compared() {
    let dir = scratch("runs-cli");
    let replay = |depth: &str| {
        replay_json(
            &dir,
            &[
                "titanic/milla-decision-tree",
                "--no-submission",
                "-S",
                &format!("model.max_depth={depth}"),
            ],
        )
    };
    let (ra, rb) = (replay("4"), replay("6"));
    let (a, b) = (ra["run"].as_i64().unwrap(), rb["run"].as_i64().unwrap());
    assert_ne!(a, b);

    let list = json_of(&dir, &["runs", "--json"]);
    assert_eq!(listed_ids(&list), [b, a], "newest first");
    assert_eq!(list["total"], 2);
    assert_eq!(list["runs"][1]["overrides"], json!(["model.max_depth=4"]));
    let table = ok_stdout(&dir, &["runs"]);
    assert!(
        table.contains(&format!("#{a}")) && table.contains("model.max_depth=6"),
        "{table}"
    );

    let shown = json_of(&dir, &["runs", "show", &a.to_string(), "--json"]);
    assert_eq!(shown["id"], a);
    assert_eq!(shown["hash"], ra["hash"]);
    assert_eq!(shown["overrides"], json!(["model.max_depth=4"]));
    assert_eq!(shown["folds"], ra["folds"]);
    assert_eq!(shown["cv_mean"], ra["cv_mean"]);
    assert_eq!(shown["train"], ra["train"]);
    assert_eq!(
        shown["data"][0],
        json!({"file": "train.csv", "sha256": train_sha256()})
    );
    assert_eq!(shown["resolved"]["model"]["params"]["max_depth"], 4);
    let text = ok_stdout(&dir, &["runs", "show", &format!("#{a}")]);
    assert!(
        text.contains(&train_sha256()) && text.contains("model.max_depth"),
        "{text}"
    );

    let cv = |r: &Value| r["cv_mean"].as_f64().unwrap();
    let diff = ((cv(&rb) - cv(&ra)) * 1e4).round() / 1e4 + 0.0;
    let text = ok_stdout(&dir, &["runs", "compare", &a.to_string(), &b.to_string()]);
    let cv_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("cv_mean"))
        .unwrap_or_else(|| panic!("no cv_mean line in\n{text}"));
    assert!(cv_line.contains(&format!("{diff:+.4}")), "{text}");
    assert!(text.contains("model.max_depth"), "{text}");
    for unchanged in [
        "model.criterion",
        "steps.fare",
        "validation.",
        "recipe.seed",
    ] {
        assert!(
            !text.contains(unchanged),
            "{unchanged} did not change:\n{text}"
        );
    }
    assert!(text.contains("the same files"), "{text}");
    let cmp = json_of(
        &dir,
        &["runs", "compare", &a.to_string(), &b.to_string(), "--json"],
    );
    assert_eq!(
        cmp["parameters"],
        json!([{"path": "model.max_depth", "a": 4, "b": 6}])
    );
    assert_eq!(cmp["scores"]["cv_mean"]["difference"], diff);
    assert_eq!(cmp["data"], json!([]));
}

#[test]
fn an_unknown_run_names_the_id_and_how_to_list_runs() {
    let dir = scratch("runs-unknown");
    for args in [&["runs", "show", "42"][..], &["runs", "compare", "1", "42"]] {
        let out = kreplay(&dir, args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("no run #") && err.contains("kreplay runs"),
            "{err}"
        );
    }
    let err = kreplay(&dir, &["runs", "show", "twelve"]);
    assert!(String::from_utf8_lossy(&err.stderr).contains("not a run id"));
    assert!(ok_stdout(&dir, &["runs"]).contains("no runs recorded yet"));
}

#[test]
fn a_sweep_records_its_trials_under_one_id() {
    let dir = scratch("runs-sweep");
    let single = replay_json(&dir, &["titanic/milla-decision-tree", "--no-submission"]);
    let sweep = json_of(
        &dir,
        &[
            "sweep",
            "--json",
            "titanic/milla-decision-tree",
            "model.max_depth=2,3,4",
            "--jobs",
            "2",
        ],
    );
    let id = sweep["sweep"].as_str().expect("the sweep id").to_string();
    let mut trial_runs: Vec<i64> = sweep["trials"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["runs"].as_array().expect("each trial recorded").clone())
        .map(|r| r.as_i64().expect("a run id"))
        .collect();
    assert_eq!(trial_runs.len(), 3);
    trial_runs.sort();
    let listed = json_of(&dir, &["runs", "--json", "--sweep", &id]);
    let mut ids = listed_ids(&listed);
    ids.sort();
    assert_eq!(ids, trial_runs);
    assert!(!ids.contains(&single["run"].as_i64().unwrap()));
    for r in listed["runs"].as_array().unwrap() {
        assert_eq!(r["sweep"], id.as_str());
    }
    assert_eq!(listed_ids(&json_of(&dir, &["runs", "--json"])).len(), 4);
}

#[test]
fn a_killed_sweep_keeps_every_finished_trial() {
    let dir = scratch("runs-kill");
    let path = dir.join("home/runs.sqlite");
    let mut child = command(
        &dir,
        &[
            "sweep",
            "titanic/milla-decision-tree",
            "model.max_depth=range(1,101)",
            "--jobs",
            "1",
        ],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .expect("kreplay starts");
    let deadline = Instant::now() + Duration::from_secs(600);
    let recorded = || -> u64 {
        if !path.exists() {
            return 0;
        }
        RunStore::open(&path).and_then(|s| s.count()).unwrap_or(0)
    };
    while recorded() < 3 {
        assert!(Instant::now() < deadline, "no 3 runs recorded in time");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the sweep ended ({status}) before it could be killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the sweep must still be running when killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    let store = RunStore::open(&path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let n = store.count().unwrap();
    assert!((3..100).contains(&n), "{n} runs recorded");
    let rows = store
        .list(&RunFilter {
            limit: 100,
            ..RunFilter::default()
        })
        .unwrap();
    assert_eq!(rows.len() as u64, n);
    let sweep = rows[0].sweep.clone().expect("a sweep id");
    for row in &rows {
        let run = store.get(row.id).unwrap().expect("listed runs exist").run;
        assert_eq!(run.sweep.as_ref(), Some(&sweep));
        assert_eq!(run.folds.len(), 10, "run #{}", row.id);
        assert!(run.cv_mean.is_some() && run.train.is_some());
        assert_eq!(run.hash.len(), 64);
        assert_eq!(run.data[0].sha256, train_sha256());
        assert_eq!(run.overrides.len(), 1);
    }
    // And the CLI reads the same store after the crash.
    assert_eq!(json_of(&dir, &["runs", "--json"])["total"], n);
}

#[test]
fn each_recorded_run_keeps_its_own_submission() {
    // Two replays of one recipe write the same latest file; each record points at its own
    // copy, which the second replay does not touch.
    let dir = scratch("runs-own-submission");
    let sha = |path: &Path| -> String {
        use sha2::Digest;
        sha2::Sha256::digest(std::fs::read(path).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let first = replay_json(&dir, &["titanic/milla-decision-tree"]);
    let second = replay_json(
        &dir,
        &["titanic/milla-decision-tree", "-S", "model.max_depth=1"],
    );
    let latest = dir.join("submissions/titanic/milla-decision-tree.csv");
    assert_eq!(
        sha(&latest),
        second["submission"]["sha256"].as_str().unwrap()
    );
    assert_ne!(
        first["submission"]["sha256"],
        second["submission"]["sha256"]
    );
    for replay in [&first, &second] {
        let id = replay["run"].as_i64().unwrap();
        let shown = json_of(&dir, &["runs", "show", &id.to_string(), "--json"]);
        let kept = Path::new(shown["submission"]["path"].as_str().unwrap());
        assert!(kept.is_absolute(), "{kept:?}");
        assert!(kept.ends_with(format!("submissions/titanic/milla-decision-tree/{id}.csv")));
        assert_eq!(sha(kept), replay["submission"]["sha256"].as_str().unwrap());
        assert_eq!(replay["submission"]["kept"].as_str(), kept.to_str());
    }
    let text = ok_stdout(
        &dir,
        &["runs", "show", &first["run"].as_i64().unwrap().to_string()],
    );
    assert!(text.contains("milla-decision-tree/"), "{text}");
}

#[test]
fn a_replay_names_its_overrides_and_the_next_command() {
    let dir = scratch("runs-next");
    let text = ok_stdout(
        &dir,
        &[
            "replay",
            "titanic/milla-decision-tree",
            "-S",
            "model.max_depth=4",
            "--no-record",
        ],
    );
    assert!(text.contains("overrides     model.max_depth=4"), "{text}");
    assert!(
        text.contains(
            "next          kreplay submit titanic submissions/titanic/milla-decision-tree.csv -m \"titanic/milla-decision-tree model.max_depth=4\""
        ),
        "{text}"
    );
}

#[test]
fn listings_carry_the_metrics_direction() {
    let dir = scratch("runs-direction");
    replay_json(
        &dir,
        &[
            "house-prices-advanced-regression-techniques/papiu-regularized-linear",
            "--no-submission",
        ],
    );
    let runs = json_of(&dir, &["runs", "--json"]);
    assert_eq!(runs["runs"][0]["metric"], "rmse");
    assert_eq!(runs["runs"][0]["direction"], "minimize");
    let list = json_of(&dir, &["list", "--json"]);
    let milla = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "titanic/milla-decision-tree")
        .unwrap();
    assert_eq!(
        (&milla["metric"], &milla["direction"]),
        (&json!("accuracy"), &json!("maximize"))
    );
}
