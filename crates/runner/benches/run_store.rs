//! Does the run store stay fast with 100,000 runs? Fills a temporary store with synthetic but
//! realistic runs (the resolved JSON of the embedded `titanic/milla-decision-tree` recipe,
//! ten fold scores, two data files), then times what `kreplay runs` does: list 50 runs in each
//! order and filtered, count, and fetch one run in full. Prints each timing and the file size.
//!
//! `cargo bench -p kreplay -p kreplay-runner --bench run_store` (set RUNS=N for another size,
//! KEEP_DIR=<dir> to keep the store).
//! Naming the `kreplay` package too keeps the features of the release build, so polars is not
//! compiled again; `-p kreplay-runner` alone works but rebuilds most dependencies.

use std::path::Path;
use std::time::{Duration, Instant, UNIX_EPOCH};

use kreplay_recipe::{Library, Metric, Override, Recipe};
use kreplay_runner::record::run_of;
use kreplay_runner::replay::SubmissionInfo;
use kreplay_runner::{catalog, ReplayReport};
use kreplay_store::{Run, RunFilter, RunStore, Sort};

const BATCH: usize = 1_000;

/// A small deterministic generator: the same store every time, no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn recipe(depth: usize) -> Recipe {
    let (source, name) = Library::in_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../recipes"))
        .load("titanic/milla-decision-tree")
        .expect("embedded recipe");
    let o = Override::parse(&format!("model.max_depth={depth}")).expect("override");
    Recipe::parse(source, &name, None, &[o], catalog()).expect("recipe parses")
}

fn report(rng: &mut Lcg) -> ReplayReport {
    let folds: Vec<f64> = (0..10).map(|_| 0.75 + 0.1 * rng.next()).collect();
    let mean = folds.iter().sum::<f64>() / folds.len() as f64;
    ReplayReport {
        metric: Metric::Accuracy,
        cv: Some((mean, 0.03)),
        fold_scores: folds,
        train_score: 0.8 + 0.1 * rng.next(),
        features: [
            "Pclass",
            "Sex",
            "Age",
            "Parch",
            "Fare",
            "Embarked",
            "Has_Cabin",
            "FamilySize",
            "IsAlone",
            "Title",
        ]
        .map(String::from)
        .to_vec(),
        submission: Some(SubmissionInfo {
            path: "submissions/titanic/milla-decision-tree.csv".into(),
            rows: 418,
            sha256: "5e".repeat(32),
            kept: None,
            warnings: Vec::new(),
        }),
        record: None,
        elapsed: Duration::from_millis(200 + (rng.next() * 800.0) as u64),
        cv_time: Duration::from_millis(150),
        pruned: false,
        diagnostics: None,
    }
}

/// The sweep run `i` belongs to: half the runs are in sweeps of 20 trials.
fn sweep_of(i: usize) -> Option<String> {
    (i % 40 < 20).then(|| format!("1700000000000-{:08x}", i / 40))
}

/// Run `i` of `n`: one of 10 recipe names, a depth override, started over one year, one in 50
/// without a CV score.
fn synthetic(i: usize, n: usize, recipes: &[Recipe], rng: &mut Lcg) -> Run {
    let files = [
        ("train.csv".to_string(), "7d".repeat(32)),
        ("test.csv".to_string(), "3e".repeat(32)),
    ];
    let r = &recipes[i % recipes.len()];
    let mut run = run_of(r, &files, &report(rng), sweep_of(i).as_deref());
    run.recipe = format!("comp{}/recipe-{}", i % 5, i % 10);
    let year = 365 * 24 * 3600;
    let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000 + (i * year / n) as u64);
    run.started = humantime::format_rfc3339_millis(t).to_string();
    if i.is_multiple_of(50) {
        run.cv_mean = None;
        run.cv_std = None;
    }
    run
}

/// Median of `reps` timings of `f`.
fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[reps / 2]
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn main() {
    let n: usize = std::env::var("RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("kreplay-bench-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("runs.sqlite");
    let recipes: Vec<Recipe> = (1..=20).map(recipe).collect();
    let mut rng = Lcg(42);
    let mut store = RunStore::open(&path).expect("store opens");
    // Generated a batch at a time (100,000 resolved JSON trees would not fit in memory), and
    // only the inserts are timed.
    let mut fill = Duration::ZERO;
    for first in (0..n).step_by(BATCH) {
        let batch: Vec<Run> = (first..n.min(first + BATCH))
            .map(|i| synthetic(i, n, &recipes, &mut rng))
            .collect();
        let start = Instant::now();
        store.insert_runs(&batch).expect("insert");
        fill += start.elapsed();
    }
    println!(
        "insert {n} runs in batches of {BATCH}: {:.2} s ({:.1} µs/run)",
        fill.as_secs_f64(),
        fill.as_secs_f64() * 1e6 / n as f64
    );
    // The path a replay takes: one run, one transaction, one commit.
    let single = 200;
    let extra: Vec<Run> = (0..single)
        .map(|i| synthetic(i, n, &recipes, &mut rng))
        .collect();
    let start = Instant::now();
    for run in &extra {
        store.insert_run(run).expect("insert");
    }
    println!(
        "insert one run per transaction: {:.3} ms/run (mean of {single})",
        start.elapsed().as_secs_f64() * 1e3 / single as f64
    );
    drop(store);
    println!(
        "file size: {:.1} MB ({} runs, {:.2} KB/run)",
        size(&path) as f64 / 1e6,
        n + single,
        size(&path) as f64 / 1e3 / (n + single) as f64
    );

    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
    println!(
        "open existing store: {}",
        ms(time(20, || RunStore::open(&path).map(|_| ())))
    );
    let store = RunStore::open(&path).expect("store opens");
    let reps = 50;
    for (label, filter) in [
        ("list 50, newest first", RunFilter::default()),
        (
            "list 50, by cv",
            RunFilter {
                sort: Sort::Cv,
                ..RunFilter::default()
            },
        ),
        (
            "list 50, by train",
            RunFilter {
                sort: Sort::Train,
                ..RunFilter::default()
            },
        ),
        (
            "list 50, by time",
            RunFilter {
                sort: Sort::Time,
                ..RunFilter::default()
            },
        ),
        (
            "list 50, one recipe (10% of runs), newest first",
            RunFilter {
                recipe: Some("comp3/recipe-3".into()),
                ..RunFilter::default()
            },
        ),
        (
            "list 50, one recipe (10% of runs), by cv",
            RunFilter {
                recipe: Some("comp3/recipe-3".into()),
                sort: Sort::Cv,
                ..RunFilter::default()
            },
        ),
        (
            "list one sweep (20 runs)",
            RunFilter {
                sweep: sweep_of(n / 80 * 40),
                ..RunFilter::default()
            },
        ),
    ] {
        let rows = store.list(&filter).expect("list").len();
        println!(
            "{label}: {} ({rows} rows)",
            ms(time(reps, || store.list(&filter).expect("list")))
        );
    }
    println!(
        "count: {}",
        ms(time(reps, || store.count().expect("count")))
    );
    let mut id = 0;
    let get = time(1_000, || {
        id = (id * 7919 + 13) % n as i64 + 1;
        store.get(id).expect("get").expect("run exists")
    });
    println!("get one run in full: {}", ms(get));
    let start = Instant::now();
    let check = store.integrity_check().expect("check");
    println!(
        "integrity_check: {check} ({:.2} s)",
        start.elapsed().as_secs_f64()
    );
    drop(store);
    // KEEP_DIR=<dir> keeps the store (as <dir>/runs.sqlite) to time the CLI against it, e.g.
    // `KREPLAY_HOME=<dir> kreplay runs`.
    match std::env::var_os("KEEP_DIR") {
        Some(keep) => {
            let _ = std::fs::remove_dir_all(&keep);
            std::fs::rename(&dir, &keep).expect("keep the store");
            println!("store kept in {}", Path::new(&keep).display());
        }
        None => {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
