//! Sweeps shared through PostgreSQL (`sweep --storage`, `kreplay worker`, `sweep show`), on a
//! real server: `.ci/postgres.sh` starts one and sets `KREPLAY_TEST_POSTGRES`. Run with
//! `cargo test --test integration -- --ignored study::`; without the variable they fail, they
//! never pass by skipping.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kreplay_study::{Address, State, Storage};

use crate::common::{command, kreplay, scratch};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/winequality.toml");

const NEEDS: &str = "needs a PostgreSQL server: eval \"$(.ci/postgres.sh)\"";

fn url() -> String {
    std::env::var("KREPLAY_TEST_POSTGRES").expect(NEEDS)
}

/// A study name no other test (or earlier run on the same database) uses.
fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{name}-{}-{nanos}", std::process::id())
}

/// The password in a postgres://user:password@host/db URL.
fn password(url: &str) -> &str {
    url.rsplit_once('@').unwrap().0.rsplit_once(':').unwrap().1
}

fn storage() -> Storage {
    Storage::open(
        &Address::parse(&url(), None).unwrap(),
        Duration::from_secs(10),
    )
    .unwrap()
}

fn run_ok(dir: &std::path::Path, args: &[&str]) -> String {
    let out = kreplay(dir, args);
    assert!(
        out.status.success(),
        "kreplay {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Creates study `name` for `kreplay worker`s: `kreplay sweep <sweep...> --workers 0`.
fn create(dir: &std::path::Path, name: &str, sweep: &[&str]) -> String {
    let u = url();
    let mut args = vec!["sweep"];
    args.extend_from_slice(sweep);
    args.extend(["--storage", &u, "--study", name, "--workers", "0"]);
    run_ok(dir, &args)
}

fn worker(dir: &std::path::Path, study: &str) -> Child {
    let u = url();
    command(
        dir,
        &["worker", "--storage", &u, "--study", study, "--jobs", "1"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

fn wait_ok(child: Child) {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "worker failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn show(dir: &std::path::Path, study: &str) -> serde_json::Value {
    let u = url();
    let text = run_ok(
        dir,
        &["sweep", "show", "--storage", &u, "--study", study, "--json"],
    );
    serde_json::from_str(&text).unwrap()
}

/// The ranked table without timings: (index, overrides, score, cv std, train, folds).
fn table(v: &serde_json::Value) -> Vec<String> {
    v["trials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{} {} {} {} {} {} {}",
                t["index"],
                t["overrides"],
                t["score"],
                t["cv_std"],
                t["train"],
                t["folds"],
                t["error"]
            )
        })
        .collect()
}

const GRID_48: &[&str] = &[
    "titanic/milla-decision-tree",
    "model.max_depth=1,2,3,4,5,6,7,8",
    "model.criterion=gini,entropy",
    "model.min_samples_leaf=1,2,5",
];

#[test]
#[ignore = "needs a PostgreSQL server (KREPLAY_TEST_POSTGRES)"]
fn a_grid_by_four_workers_is_the_local_sweeps_table() {
    let dir = scratch("study-grid");
    let name = unique("grid");
    let u = url();
    let created = create(&dir, &name, GRID_48);
    assert!(created.contains("48 trials"), "{created}");
    assert!(!created.contains(password(&u)), "{created}");
    let workers: Vec<Child> = (0..4).map(|_| worker(&dir, &name)).collect();
    for w in workers {
        wait_ok(w);
    }
    let shared = show(&dir, &name);
    assert_eq!(shared["progress"]["finished"], 48);
    let mut local = vec!["sweep", "--json", "--no-record"];
    local.extend_from_slice(GRID_48);
    let local: serde_json::Value = serde_json::from_str(&run_ok(&dir, &local)).unwrap();
    assert_eq!(table(&shared).len(), 48);
    assert_eq!(table(&shared), table(&local));
    // The best configuration saved from the study replays to its score.
    run_ok(
        &dir,
        &[
            "sweep",
            "show",
            "--storage",
            &u,
            "--study",
            &name,
            "--save-best",
            "best.toml",
        ],
    );
    let best = crate::common::replay_json(&dir, &["best.toml"]);
    assert_eq!(best["cv_mean"], shared["trials"][0]["cv_mean"]);
    // Every trial ran once, on one of the workers.
    let mut s = storage();
    let study = s.study(&name).unwrap().unwrap();
    let trials = s.trials(study.id).unwrap();
    assert!(trials
        .iter()
        .all(|t| t.state == State::Complete && t.attempts == 1));
}

#[test]
#[ignore = "needs a PostgreSQL server (KREPLAY_TEST_POSTGRES)"]
fn a_tpe_study_by_three_workers_records_each_trial_once() {
    let dir = scratch("study-tpe");
    let name = unique("tpe");
    create(
        &dir,
        &name,
        &[
            "titanic/milla-decision-tree",
            "model.max_depth=int(interval(1, 12))",
            "model.min_samples_leaf=int(interval(1, 30))",
            "--method",
            "tpe",
            "--trials",
            "40",
        ],
    );
    let workers: Vec<Child> = (0..3).map(|_| worker(&dir, &name)).collect();
    for w in workers {
        wait_ok(w);
    }
    let v = show(&dir, &name);
    let trials = v["trials"].as_array().unwrap();
    assert_eq!(trials.len(), 40);
    let mut numbers: Vec<u64> = trials
        .iter()
        .map(|t| t["index"].as_u64().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (0..40).collect::<Vec<u64>>());
    assert!(trials.iter().all(|t| t["score"].is_number()));
    // TPE searched: later trials are suggested from earlier ones, so not all are the same.
    let configs: std::collections::BTreeSet<String> =
        trials.iter().map(|t| t["overrides"].to_string()).collect();
    assert!(configs.len() > 10, "{configs:?}");
}

#[test]
#[ignore = "needs a PostgreSQL server (KREPLAY_TEST_POSTGRES)"]
fn a_killed_workers_trial_is_run_again_by_another() {
    let dir = scratch("study-kill");
    let name = unique("kill");
    // Two slow trials, a heartbeat every 0.3 s, taken back after 1.5 s without one.
    create(
        &dir,
        &name,
        &[
            EXAMPLE,
            "model.n_estimators=1000,1001",
            "--heartbeat",
            "0.3",
            "--grace",
            "1.5",
        ],
    );
    let mut s = storage();
    let study = s.study(&name).unwrap().unwrap();
    let mut first = worker(&dir, &name);
    let start = Instant::now();
    loop {
        let trials = s.trials(study.id).unwrap();
        if trials.iter().any(|t| t.state == State::Running) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no trial started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    first.kill().unwrap(); // SIGKILL: no chance to clean up
    first.wait().unwrap();
    let killed = s
        .trials(study.id)
        .unwrap()
        .into_iter()
        .find(|t| t.state == State::Running)
        .expect("the killed worker's trial is still marked running");
    wait_ok(worker(&dir, &name));
    let trials = s.trials(study.id).unwrap();
    assert_eq!(trials.len(), 2);
    assert!(
        trials.iter().all(|t| t.state == State::Complete),
        "{trials:?}"
    );
    let again = &trials[killed.number];
    assert_eq!(again.attempts, 2, "{again:?}");
    assert_ne!(again.worker, killed.worker);
    // And it is the same result a local sweep gets.
    let local: serde_json::Value = serde_json::from_str(&run_ok(
        &dir,
        &[
            "sweep",
            "--json",
            "--no-record",
            EXAMPLE,
            "model.n_estimators=1000,1001",
        ],
    ))
    .unwrap();
    assert_eq!(table(&show(&dir, &name)), table(&local));
}

#[test]
#[ignore = "needs a PostgreSQL server (KREPLAY_TEST_POSTGRES)"]
fn two_studies_on_one_database_stay_apart() {
    let dir = scratch("study-apart");
    let (a, b) = (unique("apart-a"), unique("apart-b"));
    let u = url();
    for (name, grid) in [(&a, "model.max_depth=2,3"), (&b, "model.max_depth=4,5,6")] {
        create(&dir, name, &["titanic/milla-decision-tree", grid]);
    }
    wait_ok(worker(&dir, &a));
    let (va, vb) = (show(&dir, &a), show(&dir, &b));
    assert_eq!(va["progress"]["finished"], 2);
    assert_eq!(vb["progress"]["finished"], 0);
    assert_eq!(vb["progress"]["waiting"], 3);
    wait_ok(worker(&dir, &b));
    let vb = show(&dir, &b);
    let depths: std::collections::BTreeSet<String> = vb["trials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["param_model.max_depth"].to_string())
        .collect();
    assert_eq!(depths, ["4", "5", "6"].map(String::from).into());
    // Each study's replays are runs, listed and shown as the local store's are.
    let runs = |study: &str| -> serde_json::Value {
        serde_json::from_str(&run_ok(
            &dir,
            &[
                "runs",
                "--storage",
                &u,
                "--sweep",
                study,
                "--json",
                "--sort",
                "cv",
            ],
        ))
        .unwrap()
    };
    let (ra, rb) = (runs(&a), runs(&b));
    assert_eq!(ra["runs"].as_array().unwrap().len(), 2);
    assert_eq!(rb["runs"].as_array().unwrap().len(), 3);
    assert!(!ra["store"].as_str().unwrap().contains(password(&u)));
    let best = &rb["runs"][0];
    assert_eq!(best["sweep"], b.as_str());
    assert_eq!(best["cv_mean"], vb["trials"][0]["cv_mean"]);
    let id = best["id"].as_i64().unwrap().to_string();
    let shown: serde_json::Value = serde_json::from_str(&run_ok(
        &dir,
        &["runs", "show", &id, "--storage", &u, "--json"],
    ))
    .unwrap();
    assert_eq!(shown["recipe"], "titanic/milla-decision-tree");
    assert_eq!(shown["overrides"], vb["trials"][0]["overrides"]);
    assert_eq!(shown["folds"].as_array().unwrap().len(), 10);
    // The same name with another sweep is refused, not mixed in.
    let out = kreplay(
        &dir,
        &[
            "sweep",
            "titanic/milla-decision-tree",
            "model.max_depth=7",
            "--storage",
            &u,
            "--study",
            &a,
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already exists as a different sweep"), "{err}");
}

#[test]
#[ignore = "needs a PostgreSQL server (KREPLAY_TEST_POSTGRES)"]
fn a_wrong_password_or_no_server_is_a_clear_error() {
    let dir = scratch("study-auth");
    let u = url();
    // postgres://kreplay:<password>@host:port/db -> the same with another password.
    let (scheme_user, rest) = u.rsplit_once('@').unwrap();
    let user_part = scheme_user.rsplit_once(':').unwrap().0;
    let wrong = format!("{user_part}:not-the-password@{rest}");
    let out = kreplay(
        &dir,
        &[
            "sweep",
            EXAMPLE,
            "model.max_depth=2",
            "--storage",
            &wrong,
            "--study",
            "x",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("password authentication failed"), "{err}");
    assert!(err.contains(":***@"), "{err}");
    assert!(!err.contains("not-the-password"), "{err}");
    let host = rest.split('/').next().unwrap();
    let nowhere = u.replace(host, "127.0.0.1:1");
    let start = Instant::now();
    let out = command(&dir, &["worker", "--storage", &nowhere])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("PostgreSQL at postgres://kreplay:***@127.0.0.1:1/"),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(30));
    assert!(!err.contains(password(&u)), "{err}");
}

#[test]
fn sweep_show_and_worker_need_a_storage() {
    let dir = scratch("study-args");
    let out = Command::new(env!("CARGO_BIN_EXE_kreplay"))
        .args(["worker"])
        .env_remove("KREPLAY_STORAGE")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--storage"));
    let out = Command::new(env!("CARGO_BIN_EXE_kreplay"))
        .args(["sweep", "show", "--study", "x"])
        .env_remove("KREPLAY_STORAGE")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--storage"));
}

/// A server of the test's own (`.ci/postgres.sh PORT`, on a port free now, so that runs of
/// these tests side by side do not share it), which it may stop and start without disturbing
/// the other tests: (URL, pg_ctl command line).
fn own_server() -> (String, String, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/postgres.sh"))
        .arg(port.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let var = |name: &str| -> String {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("export {name}=")))
            .unwrap();
        let value = line.split_once('=').unwrap().1;
        value.trim_matches('\'').to_string()
    };
    (
        var("KREPLAY_TEST_POSTGRES"),
        var("KREPLAY_TEST_POSTGRES_CTL"),
        port,
    )
}

fn ctl(ctl: &str, action: &str) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{ctl} -m immediate {action}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Waits until one of `study`'s trials is running.
fn until_running(s: &mut Storage, study: i64) {
    let start = Instant::now();
    while !s
        .trials(study)
        .unwrap()
        .iter()
        .any(|t| t.state == State::Running)
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no trial started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs a PostgreSQL server (KREPLAY_TEST_POSTGRES) and root or the postgres user"]
fn a_worker_rides_out_a_database_restart_and_stops_if_it_stays_away() {
    let _ = url(); // the same requirement as the other tests
    let (u, pg, port) = own_server();
    let dir = scratch("study-outage");
    // On this test's own server, not the shared one `create` uses.
    let create = |name: &str| {
        run_ok(
            &dir,
            &[
                "sweep",
                EXAMPLE,
                "model.n_estimators=1500,1501,1502",
                "--storage",
                &u,
                "--study",
                name,
                "--workers",
                "0",
                "--heartbeat",
                "0.5",
                "--grace",
                "60",
            ],
        )
    };
    let spawn = |name: &str, patience: &str| {
        command(
            &dir,
            &[
                "worker",
                "--storage",
                &u,
                "--study",
                name,
                "--jobs",
                "1",
                "--patience",
                patience,
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
    };
    let open =
        || Storage::open(&Address::parse(&u, None).unwrap(), Duration::from_secs(30)).unwrap();

    // Away for 3 s, back again: the worker waits, then finishes every trial, each once.
    create("restart");
    let mut s = open();
    let study = s.study("restart").unwrap().unwrap();
    let w = spawn("restart", "60");
    until_running(&mut s, study.id);
    ctl(&pg, "stop");
    std::thread::sleep(Duration::from_secs(3));
    ctl(&pg, "start");
    wait_ok(w);
    let mut s = open();
    let trials = s.trials(study.id).unwrap();
    assert_eq!(trials.len(), 3);
    assert!(
        trials
            .iter()
            .all(|t| t.state == State::Complete && t.attempts == 1),
        "{trials:?}"
    );

    // Away for good: the worker gives up after its patience, with a message, and no password.
    create("gone");
    let study = s.study("gone").unwrap().unwrap();
    let w = spawn("gone", "3");
    until_running(&mut s, study.id);
    drop(s);
    ctl(&pg, "stop");
    let start = Instant::now();
    let out = w.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(start.elapsed() < Duration::from_secs(60));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did not come back within 3 s"), "{err}");
    assert!(!err.contains(password(&u)), "{err}");
    // The stopped server's files (`.ci/postgres.sh` puts them there).
    let _ = std::fs::remove_dir_all(format!("/tmp/kreplay-pg-{port}"));
}

/// Creates a study of two slow trials (`trees` is `model.n_estimators=a,b`; heartbeats every
/// 0.3 s, taken back after 1.5 s).
fn slow_study(dir: &std::path::Path, name: &str, retries: &str, trees: &str) {
    create(
        dir,
        name,
        &[
            EXAMPLE,
            trees,
            "--heartbeat",
            "0.3",
            "--grace",
            "1.5",
            "--retries",
            retries,
        ],
    );
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig}");
}

#[test]
#[ignore = "needs a PostgreSQL server (KREPLAY_TEST_POSTGRES)"]
fn a_worker_given_up_on_writes_nothing_when_it_wakes() {
    let dir = scratch("study-late");
    let name = unique("late");
    slow_study(&dir, &name, "2", "model.n_estimators=2000,2001");
    let mut s = storage();
    let study = s.study(&name).unwrap().unwrap();
    let sleeper = worker(&dir, &name);
    until_running(&mut s, study.id);
    // Stopped half-way through its trial, so that once woken it finishes before the worker
    // that took the trial over (which starts from the beginning) and tries to record first.
    std::thread::sleep(Duration::from_millis(800));
    signal(&sleeper, "-STOP");
    let first = s
        .trials(study.id)
        .unwrap()
        .into_iter()
        .find(|t| t.state == State::Running)
        .unwrap();
    // Another worker runs the other trial, then takes the sleeper's back and runs it.
    let other = worker(&dir, &name);
    let start = Instant::now();
    loop {
        let t = &s.trials(study.id).unwrap()[first.number];
        if t.attempts == 2 && t.state == State::Running {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "{t:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The sleeper wakes mid-replay, finishes first, and must not record its result.
    signal(&sleeper, "-CONT");
    wait_ok(other);
    wait_ok(sleeper);
    let trials = s.trials(study.id).unwrap();
    let again = &trials[first.number];
    assert_eq!(again.state, State::Complete);
    assert_eq!(again.recorded_by, again.worker, "{again:?}");
    assert_ne!(
        again.recorded_by, first.worker,
        "the late result was recorded: {again:?}"
    );
}

#[test]
#[ignore = "needs a PostgreSQL server (KREPLAY_TEST_POSTGRES)"]
fn a_trial_out_of_retries_fails_with_the_reason() {
    let dir = scratch("study-retries");
    let name = unique("retries");
    slow_study(&dir, &name, "0", "model.n_estimators=1000,1001");
    let mut s = storage();
    let study = s.study(&name).unwrap().unwrap();
    let mut first = worker(&dir, &name);
    until_running(&mut s, study.id);
    first.kill().unwrap();
    first.wait().unwrap();
    let killed = s
        .trials(study.id)
        .unwrap()
        .into_iter()
        .find(|t| t.state == State::Running)
        .unwrap();
    wait_ok(worker(&dir, &name));
    let trials = s.trials(study.id).unwrap();
    let t = &trials[killed.number];
    assert_eq!(t.state, State::Failed, "{t:?}");
    assert!(
        t.outcome
            .error
            .as_deref()
            .is_some_and(|e| e.contains("stopped responding")),
        "{t:?}"
    );
    assert_eq!(trials[1 - killed.number].state, State::Complete);
    let shown = show(&dir, &name);
    assert_eq!(shown["progress"]["finished"], 2);
}

#[test]
#[ignore = "needs a PostgreSQL server (KREPLAY_TEST_POSTGRES)"]
fn a_worker_with_other_data_is_refused() {
    let dir = scratch("study-data");
    let name = unique("data");
    let u = url();
    create(
        &dir,
        &name,
        &["titanic/milla-decision-tree", "model.max_depth=2,3"],
    );
    // The same files with one passenger's row repeated.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    let real = crate::common::mirror().join("titanic");
    for f in ["train.csv", "test.csv"] {
        let mut text = std::fs::read_to_string(real.join(f)).unwrap();
        if f == "train.csv" {
            let row = text.lines().nth(1).unwrap().to_owned();
            text.push_str(&row);
            text.push('\n');
        }
        std::fs::write(other.join(f), text).unwrap();
    }
    let out = command(
        &dir,
        &[
            "worker",
            "--storage",
            &u,
            "--study",
            &name,
            "--data",
            other.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("competition data differs from the study's"),
        "{err}"
    );
    assert!(err.matches("train.csv sha256:").count() == 2, "{err}");
    assert_eq!(show(&dir, &name)["progress"]["waiting"], 2);
}

#[test]
#[ignore = "needs a PostgreSQL server (KREPLAY_TEST_POSTGRES)"]
fn readers_create_nothing_and_find_nothing_in_an_unused_database() {
    let u = url();
    let db = format!("kreplay_empty_{}", std::process::id());
    let mut admin = postgres::Client::connect(&u, postgres::NoTls).unwrap();
    // One statement each: a multi-statement batch is one transaction, which they refuse.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    let empty = format!("{}/{db}", u.rsplit_once('/').unwrap().0);
    let dir = scratch("study-empty");
    let text = run_ok(&dir, &["runs", "--storage", &empty]);
    assert!(text.contains("no runs recorded yet"), "{text}");
    let out = kreplay(
        &dir,
        &["sweep", "show", "--storage", &empty, "--study", "x"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no study named `x`"), "{err}");
    let mut c = postgres::Client::connect(&empty, postgres::NoTls).unwrap();
    let tables: i64 = c
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'kreplay%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "a reader created tables");
    drop(c);
    admin.batch_execute(&format!("DROP DATABASE {db}")).unwrap();
}
