//! `kreplay fetch` against the Kaggle-compatible server, started for real on 127.0.0.1 and
//! serving the cut competition files (`tests/data`), with its fault switches.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{mirror, scratch, stdout as ok};
use kreplay_host::{Faults, Server, ServerConfig};
use kreplay_kaggle::cache::sha256_file;

const TOKEN: &str = "KGAT_test_token_5f2b9c";
const KEY: &str = "legacy-key-77aa01";

fn server(faults: Faults) -> Server {
    Server::start(ServerConfig {
        data_dir: mirror(),
        tokens: vec![TOKEN.into()],
        keys: vec![("ann".into(), KEY.into())],
        faults,
        ..Default::default()
    })
    .expect("server starts")
}

/// Runs kreplay with the test server as Kaggle, a private cache and home, and `vars`.
fn run(dir: &Path, server: &Server, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kreplay"));
    cmd.args(args)
        .current_dir(dir)
        .env("KREPLAY_KAGGLE_URL", server.base_url())
        .env("KREPLAY_CACHE", dir.join("cache"))
        .env("KREPLAY_HOME", dir.join("home"))
        .env("HOME", dir.join("home"))
        .env("KREPLAY_MIRROR", dir.join("no-mirror"))
        .env("XDG_CONFIG_HOME", dir.join("home/.config"));
    for v in [
        "KAGGLE_API_TOKEN",
        "KAGGLE_USERNAME",
        "KAGGLE_KEY",
        "KAGGLE_CONFIG_DIR",
    ] {
        cmd.env_remove(v);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("kreplay runs");
    assert_no_secret(dir, &out);
    out
}

fn with_token(dir: &Path, server: &Server, args: &[&str]) -> Output {
    run(dir, server, args, &[("KAGGLE_API_TOKEN", TOKEN)])
}

/// The token and key never reach output or any file kreplay wrote.
fn assert_no_secret(dir: &Path, out: &Output) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for secret in [TOKEN, KEY] {
        assert!(!text.contains(secret), "secret in output:\n{text}");
    }
    fn walk(p: &Path, secret: &str) {
        for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(&path, secret);
            } else if let Ok(bytes) = std::fs::read(&path) {
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(secret),
                    "secret in {}",
                    path.display()
                );
            }
        }
    }
    for secret in [TOKEN, KEY] {
        walk(&dir.join("cache"), secret);
        walk(&dir.join("home/runs"), secret);
    }
}

fn err(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "should have failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn same_as_original(dir: &Path, competition: &str, file: &str) {
    let ours = dir.join("cache/competitions").join(competition).join(file);
    let original = mirror().join(competition).join(file);
    assert_eq!(
        sha256_file(&ours).unwrap(),
        sha256_file(&original).unwrap(),
        "{competition}/{file}"
    );
}

#[test]
fn fetches_titanic_and_house_prices_byte_for_byte_and_skips_unchanged() {
    let dir = scratch("fetch-all");
    let s = server(Faults::default());
    for comp in ["titanic", "house-prices-advanced-regression-techniques"] {
        ok(&with_token(&dir, &s, &["fetch", comp, "-q"]));
        for f in std::fs::read_dir(mirror().join(comp)).unwrap().flatten() {
            same_as_original(&dir, comp, &f.file_name().to_string_lossy());
        }
        let manifest: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(
                dir.join("cache/competitions")
                    .join(comp)
                    .join("manifest.json"),
            )
            .unwrap(),
        )
        .unwrap();
        assert!(manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["sha256"].as_str().unwrap().len() == 64));
    }
    let gets = s.stats().storage_gets;
    let again = ok(&with_token(&dir, &s, &["fetch", "titanic"]));
    assert!(again.contains("0 stored, 3 up to date"), "{again}");
    assert_eq!(
        s.stats().storage_gets,
        gets,
        "an unchanged file was downloaded again"
    );
}

#[test]
fn cut_downloads_resume_to_identical_bytes() {
    let dir = scratch("fetch-resume");
    let s = server(Faults {
        drop_after: vec![1000, 5_000, 5_000],
        ..Default::default()
    });
    ok(&with_token(
        &dir,
        &s,
        &["fetch", "titanic", "--file", "train.csv", "-q"],
    ));
    same_as_original(&dir, "titanic", "train.csv");
    assert!(s.stats().range_gets >= 3, "{:?}", s.stats());
}

#[test]
fn a_server_that_ignores_range_gets_a_clean_restart() {
    let dir = scratch("fetch-norange");
    let s = server(Faults {
        drop_after: vec![15_000],
        ignore_range: true,
        ..Default::default()
    });
    ok(&with_token(
        &dir,
        &s,
        &["fetch", "titanic", "--file", "train.csv", "-q"],
    ));
    same_as_original(&dir, "titanic", "train.csv");
}

#[test]
fn server_errors_and_rate_limits_are_retried() {
    let dir = scratch("fetch-retry");
    let s = server(Faults {
        errors_500: 2,
        rate_limit: 2,
        retry_after_secs: 1,
        chunk_delay_ms: 2,
        ..Default::default()
    });
    ok(&with_token(&dir, &s, &["fetch", "titanic", "-q"]));
    same_as_original(&dir, "titanic", "test.csv");
}

#[test]
fn a_download_that_keeps_failing_leaves_nothing_corrupt_and_resumes_later() {
    let dir = scratch("fetch-giveup");
    let s = server(Faults {
        drop_after: vec![1000; 10],
        ..Default::default()
    });
    let e = err(&with_token(
        &dir,
        &s,
        &["fetch", "titanic", "--file", "train.csv", "-q"],
    ));
    assert!(
        e.contains("download of train.csv failed") && e.contains("run the same command again"),
        "{e}"
    );
    let cached = dir.join("cache/competitions/titanic");
    assert!(
        !cached.join("train.csv").exists(),
        "a partial file was stored under its final name"
    );
    s.set_faults(Faults::default());
    let before = s.stats().range_gets;
    ok(&with_token(
        &dir,
        &s,
        &["fetch", "titanic", "--file", "train.csv", "-q"],
    ));
    assert!(
        s.stats().range_gets > before,
        "the second run did not resume"
    );
    same_as_original(&dir, "titanic", "train.csv");
}

#[test]
fn rules_not_accepted_says_where_to_accept_them() {
    let dir = scratch("fetch-rules");
    let s = server(Faults {
        rules_not_accepted: vec!["titanic".into()],
        ..Default::default()
    });
    let e = err(&with_token(&dir, &s, &["fetch", "titanic"]));
    assert!(
        e.contains("403") && e.contains("https://www.kaggle.com/competitions/titanic/rules"),
        "{e}"
    );
    let cached = dir.join("cache/competitions/titanic");
    assert!(!cached.join("train.csv").exists() && !cached.join("test.csv").exists());
}

#[test]
fn unknown_competition_and_urls() {
    let dir = scratch("fetch-404");
    let s = server(Faults::default());
    let e = err(&with_token(&dir, &s, &["fetch", "titanc"]));
    assert!(
        e.contains("404") && e.contains("kreplay competitions --search"),
        "{e}"
    );
    ok(&with_token(
        &dir,
        &s,
        &["fetch", "https://www.kaggle.com/competitions/titanic", "-q"],
    ));
    same_as_original(&dir, "titanic", "gender_submission.csv");
}

#[test]
fn credential_problems_are_explained() {
    let dir = scratch("fetch-creds");
    let s = server(Faults::default());
    let e = err(&run(&dir, &s, &["fetch", "titanic"], &[]));
    assert!(
        e.contains("no Kaggle credentials found") && e.contains("access_token"),
        "{e}"
    );
    let e = err(&run(
        &dir,
        &s,
        &["fetch", "titanic"],
        &[("KAGGLE_API_TOKEN", "KGAT_wrong")],
    ));
    assert!(e.contains("401") && e.contains("KAGGLE_API_TOKEN"), "{e}");
    ok(&run(
        &dir,
        &s,
        &["fetch", "titanic", "-q"],
        &[("KAGGLE_USERNAME", "ann"), ("KAGGLE_KEY", KEY)],
    ));
    let home = dir.join("home/.kaggle");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("access_token"), TOKEN).unwrap();
    ok(&run(&dir, &s, &["fetch", "titanic", "--force", "-q"], &[]));
}

#[test]
fn listing_commands() {
    let dir = scratch("fetch-list");
    let s = server(Faults::default());
    let out = ok(&with_token(&dir, &s, &["competitions", "--search", "tit"]));
    assert!(
        out.contains("titanic") && out.contains("spaceship-titanic") && !out.contains("bike"),
        "{out}"
    );
    let out = ok(&with_token(&dir, &s, &["files", "titanic", "--json"]));
    let files: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(files.as_array().unwrap().len(), 3);
    assert_eq!(files[1]["name"], "test.csv");
    let size = std::fs::metadata(mirror().join("titanic/test.csv"))
        .unwrap()
        .len();
    assert_eq!(files[1]["totalBytes"], size);
}

#[test]
fn import_then_replay_offline() {
    let dir = scratch("fetch-import");
    let s = server(Faults::default());
    let from = mirror().join("titanic");
    ok(&run(
        &dir,
        &s,
        &["fetch", "titanic", "--from", from.to_str().unwrap()],
        &[],
    ));
    same_as_original(&dir, "titanic", "train.csv");
    // No credentials, no mirror: the replay reads the cache.
    let out = ok(&run(&dir, &s, &["replay", "titanic/gender", "--json"], &[]));
    let test = std::fs::read_to_string(from.join("test.csv")).unwrap();
    let rows = format!("\"rows\": {}", test.lines().count() - 1);
    assert!(out.contains(&rows), "{out}");
    assert_eq!(s.stats().rpc, 0);
}

#[test]
fn replay_fetches_on_first_use() {
    let dir = scratch("fetch-first-use");
    let s = server(Faults::default());
    let out = ok(&with_token(
        &dir,
        &s,
        &["replay", "titanic/milla-decision-tree", "--json"],
    ));
    let r: serde_json::Value = serde_json::from_str(&out[out.find('{').unwrap()..]).unwrap();
    // The fetched files replay exactly as the served ones do.
    let served = crate::common::replay_json(&dir, &["titanic/milla-decision-tree", "--no-record"]);
    assert_eq!(r["train"], served["train"]);
    assert_eq!(r["folds"], served["folds"]);
    same_as_original(&dir, "titanic", "train.csv");
}

#[test]
fn rate_limits_that_do_not_end_are_reported() {
    let dir = scratch("fetch-429");
    let s = server(Faults {
        rate_limit: 100,
        retry_after_secs: 0,
        ..Default::default()
    });
    let e = err(&with_token(&dir, &s, &["fetch", "titanic"]));
    assert!(
        e.contains("429") && e.contains("Too many requests") && e.contains("wait a few minutes"),
        "{e}"
    );
}

#[test]
fn host_command_serves_a_folder_to_the_fetcher() {
    use std::io::BufRead;
    let dir = scratch("fetch-host");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut host = Command::new(env!("CARGO_BIN_EXE_kreplay"))
        .args([
            "host",
            mirror().to_str().unwrap(),
            "--port",
            &port.to_string(),
            "--token",
            TOKEN,
            "--state",
            dir.join("host.sqlite").to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Kept open until the end: a host whose stdout is closed ends quietly.
    let mut lines = std::io::BufReader::new(host.stdout.take().unwrap());
    lines.read_line(&mut first).unwrap();
    assert!(first.contains(&format!("127.0.0.1:{port}/v1")), "{first}");
    let out = Command::new(env!("CARGO_BIN_EXE_kreplay"))
        .args(["fetch", "spaceship-titanic", "-q"])
        .env("KREPLAY_KAGGLE_URL", format!("http://127.0.0.1:{port}/v1"))
        .env("KAGGLE_API_TOKEN", TOKEN)
        .env("KREPLAY_CACHE", dir.join("cache"))
        .output()
        .unwrap();
    host.kill().unwrap();
    let _ = host.wait();
    drop(lines);
    ok(&out);
    same_as_original(&dir, "spaceship-titanic", "train.csv");
}

#[test]
fn bundle_download_and_cache_flag() {
    let dir = scratch("fetch-bundle");
    let s = server(Faults {
        drop_after: vec![20_000],
        ..Default::default()
    });
    let comp = "house-prices-advanced-regression-techniques";
    let other = dir.join("elsewhere");
    ok(&with_token(
        &dir,
        &s,
        &[
            "fetch",
            comp,
            "--bundle",
            "-q",
            "--cache",
            other.to_str().unwrap(),
        ],
    ));
    for f in [
        "train.csv",
        "test.csv",
        "sample_submission.csv",
        "data_description.txt",
    ] {
        let ours = other.join("competitions").join(comp).join(f);
        assert_eq!(
            sha256_file(&ours).unwrap(),
            sha256_file(&mirror().join(comp).join(f)).unwrap(),
            "{f}"
        );
    }
    let manifest =
        std::fs::read_to_string(other.join("competitions").join(comp).join("manifest.json"))
            .unwrap();
    assert!(
        !manifest.contains(".zip") && manifest.contains("data_description.txt"),
        "{manifest}"
    );
    assert!(!other
        .join("competitions")
        .join(comp)
        .join(format!("{comp}.zip"))
        .exists());
    assert!(s.stats().range_gets >= 1, "the cut bundle did not resume");
    let again = ok(&with_token(
        &dir,
        &s,
        &[
            "fetch",
            comp,
            "--bundle",
            "--cache",
            other.to_str().unwrap(),
        ],
    ));
    assert!(again.contains("0 stored, 4 up to date"), "{again}");
}

#[test]
fn competition_listing_options() {
    let dir = scratch("fetch-options");
    let s = server(Faults::default());
    let out = ok(&with_token(
        &dir,
        &s,
        &[
            "competitions",
            "--category",
            "getting-started",
            "--sort",
            "teams",
            "--json",
        ],
    ));
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Every folder of the mirror is a getting-started competition.
    let folders = std::fs::read_dir(mirror())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .count();
    assert_eq!(list.as_array().unwrap().len(), folders);
    let e = err(&with_token(
        &dir,
        &s,
        &["competitions", "--category", "featurd"],
    ));
    assert!(e.contains("did you mean `featured`"), "{e}");
}
