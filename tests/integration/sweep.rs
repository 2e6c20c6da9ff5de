//! `kreplay sweep`: expansion, parallel results, the saved best recipe, errors.

use crate::common::{kreplay, scratch};

fn sweep_json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["sweep", "--json"];
    all.extend_from_slice(args);
    let out = kreplay(dir, &all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const GRID: &[&str] = &[
    "titanic/milla-decision-tree",
    "-S",
    "model.max_depth=2,3,4",
    "model.criterion=gini,entropy",
];

#[test]
fn grid_results_do_not_depend_on_jobs_and_best_replays_to_its_score() {
    let dir = scratch("sweep-grid");
    let mut one = GRID.to_vec();
    one.extend(["--jobs", "1", "--save-best", "best.toml"]);
    let a = sweep_json(&dir, &one);
    let mut two = GRID.to_vec();
    two.extend(["--jobs", "2"]);
    let b = sweep_json(&dir, &two);
    let key = |v: &serde_json::Value| -> Vec<(u64, String, f64)> {
        v["trials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["index"].as_u64().unwrap(),
                    t["hash"].as_str().unwrap().to_string(),
                    t["score"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(key(&a).len(), 6);
    assert_eq!(key(&a), key(&b));
    let scores: Vec<f64> = key(&a).iter().map(|k| k.2).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "not ranked: {scores:?}"
    );
    // depth 3 / gini is the recipe's own configuration: the trial scores as the plain replay
    // (the replay tier checks that against the published CV 0.8283).
    let plain =
        crate::common::replay_json(&dir, &["titanic/milla-decision-tree", "--no-submission"]);
    let published = a["trials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            t["overrides"][0] == "model.max_depth=3" && t["overrides"][1] == "model.criterion=gini"
        })
        .unwrap();
    assert_eq!(published["cv_mean"], plain["cv_mean"]);
    let text = std::fs::read_to_string(dir.join("best.toml")).unwrap();
    assert!(
        text.contains("parent = \"titanic/milla-decision-tree\""),
        "{text}"
    );
    let replayed = crate::common::replay_json(&dir, &["best.toml", "--no-submission"]);
    assert_eq!(replayed["cv_mean"].as_f64().unwrap(), scores[0]);
}

#[test]
fn dry_run_lists_configurations_without_running() {
    let dir = scratch("sweep-dry");
    let out = kreplay(
        &dir,
        &[
            "sweep",
            "titanic/sehgal:knn",
            "model.n_neighbors=range(1,8,2)",
            "model.weights=uniform,distance",
            "--dry-run",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 8, "{text}");
    assert!(text
        .lines()
        .next()
        .unwrap()
        .contains("model.n_neighbors=1 model.weights=uniform"));
    assert!(!dir.join("home/runs").exists(), "a dry run ran something");
}

#[test]
fn random_search_is_seeded_and_in_bounds() {
    let dir = scratch("sweep-random");
    let args = [
        "titanic/milla-decision-tree",
        "model.max_depth=int(interval(2, 9))",
        "model.min_samples_leaf=tag(log, int(interval(1, 50)))",
        "--method",
        "random",
        "--trials",
        "4",
        "--seed",
        "3",
        "--dry-run",
    ];
    let a = kreplay(
        &dir,
        &["sweep"]
            .iter()
            .chain(args.iter())
            .copied()
            .collect::<Vec<_>>(),
    );
    let b = kreplay(
        &dir,
        &["sweep"]
            .iter()
            .chain(args.iter())
            .copied()
            .collect::<Vec<_>>(),
    );
    assert_eq!(a.stdout, b.stdout);
    let text = String::from_utf8_lossy(&a.stdout);
    assert_eq!(text.lines().count(), 4);
    for line in text.lines() {
        let depth: i64 = line
            .split("model.max_depth=")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((2..9).contains(&depth), "{line}");
    }
}

#[test]
fn sweep_errors_are_located() {
    let dir = scratch("sweep-errors");
    for (args, expect) in [
        (vec!["model.max_dept=2,3"], "did you mean `max_depth`"),
        (vec!["model.max_depth=range(1,5,0)"], "is empty"),
        (vec!["model.max_depth=interval(1,5)"], "use --method random"),
        (
            vec!["model.max_depth=2,deep"],
            "expects integer or \"none\"",
        ),
        (vec!["data.target=Sex"], "cannot change the data"),
    ] {
        let mut all = vec!["sweep", "titanic/milla-decision-tree"];
        all.extend(args);
        let out = kreplay(&dir, &all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(expect), "{expect:?} not in:\n{err}");
    }
}

#[test]
fn hydra_style_overrides_on_replay() {
    let dir = scratch("sweep-hydra");
    let r = crate::common::replay_json(
        &dir,
        &[
            "titanic/milla-decision-tree",
            "model.max_depth=4",
            "model.criterion=entropy",
            "--no-submission",
        ],
    );
    let s = crate::common::replay_json(
        &dir,
        &[
            "titanic/milla-decision-tree",
            "-S",
            "model.max_depth=4",
            "-S",
            "model.criterion=entropy",
            "--no-submission",
        ],
    );
    let plain =
        crate::common::replay_json(&dir, &["titanic/milla-decision-tree", "--no-submission"]);
    assert_eq!(r["cv_mean"], s["cv_mean"]);
    assert_eq!(r["hash"], s["hash"]);
    assert_ne!(r["folds"], plain["folds"], "the overrides changed nothing");
}

/// The same sweep with --jobs 1 and --jobs 2.
fn with_one_and_two_jobs(
    dir: &std::path::Path,
    args: &[&str],
) -> (serde_json::Value, serde_json::Value) {
    let run = |jobs: &str| {
        let mut all = args.to_vec();
        all.extend(["--jobs", jobs]);
        sweep_json(dir, &all)
    };
    (run("1"), run("2"))
}

fn trial_keys(v: &serde_json::Value) -> Vec<String> {
    v["trials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| format!("{} {} {}", t["index"], t["overrides"], t["score"]))
        .collect()
}

#[test]
fn tpe_is_seeded_and_independent_of_jobs() {
    let dir = scratch("sweep-tpe");
    let args = [
        "titanic/milla-decision-tree",
        "model.max_depth=int(interval(1, 12))",
        "model.criterion=gini,entropy",
        "--method",
        "tpe",
        "--trials",
        "14",
        "--seed",
        "5",
    ];
    let (a, b) = with_one_and_two_jobs(&dir, &args);
    assert_eq!(a["method"], "TPE");
    assert_eq!(trial_keys(&a).len(), 14);
    assert_eq!(trial_keys(&a), trial_keys(&b));
}

#[test]
fn seeds_repeat_each_configuration() {
    let dir = scratch("sweep-seeds");
    let r = sweep_json(
        &dir,
        &[
            "titanic/tutorial-random-forest",
            "validation.scheme=kfold",
            "validation.k=3",
            "model.n_estimators=10,20",
            "model.seed=none",
            "--seeds",
            "0,1,2",
        ],
    );
    for t in r["trials"].as_array().unwrap() {
        assert_eq!(t["runs"].as_array().unwrap().len(), 3, "{t}");
    }
}

#[test]
fn median_pruning_stops_hopeless_configurations_deterministically() {
    let dir = scratch("sweep-prune");
    let args = [
        "titanic/milla-decision-tree",
        "model.max_depth=range(1,13)",
        "--prune",
    ];
    let (a, b) = with_one_and_two_jobs(&dir, &args);
    assert_eq!(trial_keys(&a), trial_keys(&b));
    let trials = a["trials"].as_array().unwrap();
    let pruned = trials.iter().filter(|t| t["pruned"] == true).count();
    assert!(pruned >= 1, "nothing was pruned");
    assert!(trials[0]["pruned"] == false, "a pruned trial ranked first");
    // The first batch (8 trials) runs before the pruner has references, so it is never pruned.
    assert!(trials
        .iter()
        .filter(|t| t["index"].as_u64().unwrap() < 8)
        .all(|t| t["pruned"] == false));
}

#[test]
fn untouched_steps_are_computed_once_per_fold() {
    let dir = scratch("sweep-cache");
    // Milla's recipe with its second step learning per fold (the mode, not the constant "S"),
    // so that every later step runs per fold.
    let milla = include_str!("../../recipes/titanic/milla-decision-tree.toml");
    let per_fold = milla.replacen(
        "strategy = \"constant\"\nvalue = \"S\"",
        "strategy = \"mode\"",
        1,
    );
    assert_ne!(per_fold, milla);
    std::fs::write(dir.join("milla.toml"), per_fold).unwrap();
    let r = sweep_json(
        &dir,
        &["milla.toml", "model.max_depth=2,3,4,5", "--jobs", "1"],
    );
    let (hits, misses) = (
        r["cache"]["hits"].as_u64().unwrap(),
        r["cache"]["misses"].as_u64().unwrap(),
    );
    // 4 trials x (shared prefix + 10 folds + final fit) = 48 lookups; a trial's own are at most 12.
    assert_eq!(hits + misses, 48);
    assert!(hits >= 24, "cache hits {hits}, misses {misses}");
    assert_eq!(r["cache"]["untouched_steps"], 14);
    let r = sweep_json(
        &dir,
        &[
            "milla.toml",
            "steps.fare.strategy=mean,median",
            "--jobs",
            "1",
        ],
    );
    assert_eq!(r["cache"]["untouched_steps"], 2);
    assert_ne!(r["trials"][0]["hash"], r["trials"][1]["hash"]);
}

/// Without validation a sweep ranks by training score; it says so, unless the sweep itself
/// sets a scheme.
#[test]
fn a_sweep_without_validation_warns_that_it_ranks_by_training_score() {
    let dir = scratch("sweep-unvalidated");
    let out = kreplay(&dir, &["sweep", "titanic/gender", "recipe.seed=1,2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: titanic/gender has no validation")
            && err.contains("-S validation.scheme=kfold"),
        "{err}"
    );
    let out = kreplay(
        &dir,
        &[
            "sweep",
            "titanic/gender",
            "recipe.seed=1,2",
            "validation.scheme=kfold",
            "validation.k=3",
        ],
    );
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

#[test]
fn sweep_json_has_the_direction_a_field_per_parameter_and_the_folds() {
    let dir = scratch("sweep-fields");
    let v = sweep_json(&dir, GRID);
    assert_eq!(v["metric"], "accuracy");
    assert_eq!(v["direction"], "maximize");
    for t in v["trials"].as_array().unwrap() {
        let depth = t["param_model.max_depth"].as_i64().unwrap();
        assert!((2..=4).contains(&depth), "{t}");
        assert!(["gini", "entropy"].contains(&t["param_model.criterion"].as_str().unwrap()));
        let folds: Vec<f64> = t["folds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_f64().unwrap())
            .collect();
        assert!(!folds.is_empty());
        let mean = folds.iter().sum::<f64>() / folds.len() as f64;
        assert!((mean - t["cv_mean"].as_f64().unwrap()).abs() < 1e-12, "{t}");
    }
}

#[test]
fn a_configuration_tried_before_repeats_its_outcome_without_running() {
    let dir = scratch("sweep-repeats");
    let v = sweep_json(
        &dir,
        &["titanic/milla-decision-tree", "-S", "model.max_depth=3,4,3"],
    );
    let trials = v["trials"].as_array().unwrap();
    assert_eq!(trials.len(), 3);
    let repeat = trials.iter().find(|t| t["index"] == 2).unwrap();
    let first = trials.iter().find(|t| t["index"] == 0).unwrap();
    assert_eq!(repeat["repeat_of"], 0);
    assert_eq!(repeat["score"], first["score"]);
    assert_eq!(repeat["runs"], first["runs"], "no run of its own");
    let sweep = v["sweep"].as_str().unwrap();
    let runs: serde_json::Value =
        serde_json::from_slice(&kreplay(&dir, &["runs", "--sweep", sweep, "--json"]).stdout)
            .unwrap();
    assert_eq!(runs["runs"].as_array().unwrap().len(), 2);
    // An integer interval includes its upper end, as Optuna's IntDistribution does.
    let v = sweep_json(
        &dir,
        &[
            "titanic/milla-decision-tree",
            "-S",
            "model.max_depth=int(interval(2,3))",
            "--method",
            "random",
            "--trials",
            "12",
            "--no-record",
        ],
    );
    let depths: std::collections::BTreeSet<i64> = v["trials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["param_model.max_depth"].as_i64().unwrap())
        .collect();
    assert_eq!(depths, [2, 3].into_iter().collect());
}

/// Runs `kreplay <args>` on a 60-column terminal (util-linux `script` gives it a pty) and
/// returns its table lines (the header and the rows naming a criterion), escapes removed.
fn on_a_narrow_terminal(dir: &std::path::Path, args: &str) -> Vec<String> {
    let cmd = format!(
        "stty rows 40 cols 60; {} {args}",
        env!("CARGO_BIN_EXE_kreplay")
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir)
        .env("KREPLAY_MIRROR", crate::common::mirror())
        .env("KREPLAY_HOME", dir.join("home"))
        .env("NO_COLOR", "1")
        .output()
        .expect("util-linux script runs");
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    strip_escapes(&text)
        .lines()
        .filter(|l| l.contains("rank") || l.contains("gini") || l.contains("entropy"))
        .map(str::to_string)
        .collect()
}

/// `text` without terminal escape sequences (the progress bar's).
fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[test]
fn the_sweep_table_fits_the_terminal_unless_wide() {
    let dir = scratch("sweep-width");
    let args = "sweep titanic/milla-decision-tree model.max_depth=2,3 \
                model.criterion=gini,entropy --no-record";
    let narrow = on_a_narrow_terminal(&dir, args);
    assert_eq!(narrow.len(), 5, "{narrow:?}");
    assert!(
        narrow.iter().all(|l| l.chars().count() <= 60),
        "{narrow:#?}"
    );
    assert!(narrow[0].contains('…'), "{narrow:#?}");
    // The scores are never the part cut.
    assert!(narrow[1].contains(" ± "), "{narrow:#?}");
    let wide = on_a_narrow_terminal(&dir, &format!("{args} --wide"));
    assert!(wide[0].contains("model.max_depth"), "{wide:#?}");
    assert!(wide.iter().any(|l| l.chars().count() > 60), "{wide:#?}");
}
