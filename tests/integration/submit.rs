//! The loop closed end to end: replay → validate → submit → wait → score, against the
//! Kaggle-compatible server hosting a contest this test builds from Titanic's train.csv.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{mirror, scratch, stdout};
use kreplay_host::{Server, ServerConfig};
use kreplay_submission::validate::split_csv_line;

const TOKEN: &str = "KGAT_contest_token_41";

fn join_csv(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| {
            if f.contains([',', '"']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A contest named `titanic`: the first two thirds of the labelled passengers to train on, the
/// others to predict, their labels hidden in solution.csv.
fn contest(dir: &Path) -> PathBuf {
    contest_with_limit(dir, 5)
}

fn contest_with_limit(dir: &Path, limit: u32) -> PathBuf {
    let root = dir.join("contest");
    let comp = root.join("titanic");
    std::fs::create_dir_all(&comp).unwrap();
    let text = std::fs::read_to_string(mirror().join("titanic/train.csv")).unwrap();
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let (head, rows) = (lines[0], &lines[1..]);
    let mut train = vec![head.to_string()];
    let cut = rows.len() * 2 / 3;
    train.extend(rows[..cut].iter().map(|r| r.to_string()));
    let header = split_csv_line(head);
    let mut test = vec![join_csv(&[&header[..1], &header[2..]].concat())];
    let mut solution = vec!["PassengerId,Survived".to_string()];
    let mut sample = vec!["PassengerId,Survived".to_string()];
    for r in &rows[cut..] {
        let f = split_csv_line(r);
        test.push(join_csv(&[&f[..1], &f[2..]].concat()));
        solution.push(format!("{},{}", f[0], f[1]));
        sample.push(format!("{},0", f[0]));
    }
    for (name, body) in [
        ("train.csv", train),
        ("test.csv", test),
        ("solution.csv", solution),
        ("gender_submission.csv", sample),
    ] {
        std::fs::write(comp.join(name), body.join("\n") + "\n").unwrap();
    }
    let toml = format!(
        "metric = \"accuracy\"\nmax_daily_submissions = {limit}\npublic_fraction = 0.5\nseed = 0\n"
    );
    std::fs::write(comp.join("competition.toml"), toml).unwrap();
    root
}

fn host(root: &Path, state: &Path) -> Server {
    Server::start(ServerConfig {
        data_dir: root.to_path_buf(),
        tokens: vec![TOKEN.into()],
        state: Some(state.to_path_buf()),
        ..Default::default()
    })
    .unwrap()
}

fn kreplay(dir: &Path, root: &Path, server: &Server, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_kreplay"))
        .args(args)
        .current_dir(dir)
        .env("KREPLAY_MIRROR", root)
        .env("KREPLAY_HOME", dir.join("home"))
        .env("KREPLAY_CACHE", dir.join("cache"))
        .env("KREPLAY_KAGGLE_URL", server.base_url())
        .env("KAGGLE_API_TOKEN", TOKEN)
        .env("HOME", dir.join("home"))
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(TOKEN), "the token leaked:\n{all}");
    out
}

#[test]
fn replay_submit_wait_score_and_reject_bad_files_locally() {
    let dir = scratch("submit");
    let root = contest(&dir);
    let state = dir.join("host.sqlite");
    let server = host(&root, &state);
    let text = stdout(&kreplay(
        &dir,
        &root,
        &server,
        &[
            "replay",
            "titanic/milla-decision-tree",
            "--submit",
            "-m",
            "depth 3",
            "--wait",
        ],
    ));
    assert!(
        text.contains("Successfully submitted") && text.contains("public score"),
        "{text}"
    );

    let list: serde_json::Value = serde_json::from_str(&stdout(&kreplay(
        &dir,
        &root,
        &server,
        &["submissions", "titanic", "--json"],
    )))
    .unwrap();
    let subs = list.as_array().unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0]["status"], "COMPLETE");
    let public: f64 = subs[0]["publicScore"].as_str().unwrap().parse().unwrap();
    assert!((0.6..0.95).contains(&public), "public score {public}");
    assert_eq!(subs[0]["description"], "depth 3");

    let board = stdout(&kreplay(
        &dir,
        &root,
        &server,
        // The official Kaggle CLI's way of naming the competition.
        &[
            "leaderboard",
            "-c",
            "titanic",
            "--score",
            "0.5",
            "--metric",
            "accuracy",
        ],
    ));
    assert!(
        board.contains("team1")
            && board.contains("would rank 2 of 2")
            && board.contains("only 1 team, too few for a percentile"),
        "{board}"
    );

    // A file that fails the local check is never uploaded.
    let good =
        std::fs::read_to_string(dir.join("submissions/titanic/milla-decision-tree.csv")).unwrap();
    let mut lines: Vec<&str> = good.lines().collect();
    lines[2] = lines[1];
    std::fs::write(dir.join("bad.csv"), lines.join("\n")).unwrap();
    let out = kreplay(
        &dir,
        &root,
        &server,
        &["submit", "-c", "titanic", "-f", "bad.csv", "-m", "oops"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("duplicate id") && err.contains("not uploaded"),
        "{err}"
    );

    // Everything survives a restart of the host.
    drop(server);
    let server = host(&root, &state);
    let list: serde_json::Value = serde_json::from_str(&stdout(&kreplay(
        &dir,
        &root,
        &server,
        &["submissions", "titanic", "--json"],
    )))
    .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[test]
fn the_daily_limit_is_shown_with_the_hosts_own_message() {
    let dir = scratch("submit-limit");
    let root = contest_with_limit(&dir, 1);
    let server = host(&root, &dir.join("host.sqlite"));
    let sample = root.join("titanic/gender_submission.csv");
    let sample = sample.to_str().unwrap();
    stdout(&kreplay(
        &dir,
        &root,
        &server,
        &["submit", "titanic", sample, "-m", "one", "--wait"],
    ));
    let out = kreplay(
        &dir,
        &root,
        &server,
        &["submit", "titanic", sample, "-m", "two"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a second submission was accepted");
    assert!(
        err.contains("400") && err.contains("daily Submission allowance (1)"),
        "{err}"
    );
}
