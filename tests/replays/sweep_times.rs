//! A sweep's trials each record their own start and duration: a trial never runs another
//! trial's work while it waits for its own (as it did when trials and their folds shared one
//! work-stealing pool: eight trials of zlatankr's forest on two jobs recorded 4.0 s of trial
//! time in a 1.05 s sweep, six of them "started" within 30 ms).

use crate::common::{kreplay, scratch};

/// Seconds of the day (plus days of the month) of an RFC 3339 time with milliseconds.
fn instant(rfc3339: &str) -> f64 {
    let (date, time) = rfc3339.trim_end_matches('Z').split_once('T').unwrap();
    let day: f64 = date.rsplit('-').next().unwrap().parse().unwrap();
    let mut parts = time.split(':').map(|p| p.parse::<f64>().unwrap());
    let (h, m, s) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    day * 86_400.0 + h * 3600.0 + m * 60.0 + s
}

#[test]
fn each_trial_records_its_own_start_and_duration() {
    let dir = scratch("sweep-times");
    let wall = std::time::Instant::now();
    let out = kreplay(
        &dir,
        &[
            "--threads",
            "2",
            "sweep",
            "--json",
            "titanic/zlatankr-random-forest",
            "-S",
            "model.n_estimators=300,700",
            "model.max_depth=6,7,8,9",
            "--jobs",
            "2",
        ],
    );
    let wall = wall.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sweep = v["sweep"].as_str().unwrap();
    let out = kreplay(&dir, &["runs", "--sweep", sweep, "--json"]);
    assert!(out.status.success());
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let spans: Vec<(f64, f64)> = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let start = instant(r["started"].as_str().unwrap());
            (start, start + r["seconds"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(spans.len(), 8);
    // With two jobs at most two recorded trials run at any moment. Timestamps have
    // millisecond precision: spans are shrunk by 2 ms at each end.
    for &(at, _) in &spans {
        let at = at + 0.002;
        let running = spans
            .iter()
            .filter(|&&(s, e)| s + 0.002 <= at && at < e - 0.002)
            .count();
        assert!(
            running <= 2,
            "{running} trials at once on 2 jobs: {spans:?}"
        );
    }
    // Two jobs cannot do more than two seconds of trial work per second of the sweep (the
    // process's start and the data's loading are in `wall` too).
    let total: f64 = v["trials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["seconds"].as_f64().unwrap())
        .sum();
    assert!(
        total <= 2.0 * wall,
        "{total} s of trials in a {wall} s sweep on 2 jobs"
    );
}
