//! Differential tests of the tree models against scikit-learn itself: `sklearn/trees.py` fits
//! decision trees, random forests, extra trees, gradient boosting and AdaBoost (classifiers and
//! regressors, several criteria, `max_features`, `subsample`) on real Titanic features and on
//! generated tables, over four seeds; these tests fit the same cases here and compare classes
//! predictions and probabilities bit for bit, and single trees node by node (features and
//! thresholds).
//!
//! `sklearn/linear.py` does the same for logistic regression, whose solvers differ from
//! scikit-learn's: probabilities agree to 1e-6 at a tight tolerance, classes exactly.
//!
//! They need a Python with scikit-learn (`KREPLAY_PYTHON`, default `target/py/bin/python`,
//! which `.ci/run` installs) and the Titanic files (`KREPLAY_MIRROR`), so they are ignored in
//! a plain `cargo test`; `.ci/run` runs them with `--ignored`.

use std::path::PathBuf;
use std::process::Command;

use kreplay_recipe::{Task, Value};
use serde_json::Value as Json;

use super::cart::{splitter_seed_of, Columns, Target, Trees};
use super::tree::{DecisionTreeParams, Growth, TreeSettings};
use super::{def, Classes, Training};
use crate::matrix::{Matrix, Rows};
use crate::testing::model_params;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// scikit-learn's answers for every case of `script` (in `crates/runner/sklearn`).
fn sklearn_cases(script: &str) -> Json {
    let python = std::env::var_os("KREPLAY_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/py/bin/python"));
    let mirror = crate::testing::mirror();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sklearn")
        .join(script);
    let out = Command::new(&python)
        .arg(&script)
        .arg(mirror.join("titanic/train.csv"))
        .arg(mirror.join("titanic/test.csv"))
        .output()
        .unwrap_or_else(|e| panic!("{} cannot run ({e}): set KREPLAY_PYTHON", python.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

fn floats(v: &Json) -> Vec<f64> {
    v.as_array()
        .expect("an array of bits")
        .iter()
        .map(|b| f64::from_bits(b.as_u64().expect("u64 bits")))
        .collect()
}

fn matrix(bits: &Json, cols: usize) -> Matrix {
    let data = floats(bits);
    Matrix {
        rows: data.len() / cols,
        cols,
        names: (0..cols).map(|i| format!("x{i}")).collect(),
        data,
    }
}

fn value(v: &Json) -> Value {
    match v {
        Json::String(s) => Value::Str(s.clone()),
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) if n.is_i64() => Value::Int(n.as_i64().unwrap_or_default()),
        Json::Number(n) => Value::Float(n.as_f64().unwrap_or_default()),
        other => panic!("unexpected parameter {other}"),
    }
}

/// Equal to the last bit (`rtol` 0): the models replay scikit-learn's arithmetic in its
/// order, so anything looser would hide a step done differently. A case whose scikit-learn
/// side goes through numpy's vectorised `exp`/`log` (which differ from the C library's in
/// the last bit, and between CPUs) states its own `rtol`.
fn close(a: f64, b: f64, rtol: f64) -> bool {
    a.to_bits() == b.to_bits() || (a - b).abs() <= rtol * a.abs().max(b.abs())
}

/// One case's differences from scikit-learn, as lines of a report (empty when equal).
fn compare(case: &Json, tables: &Json) -> Vec<String> {
    let table = &tables[case["table"].as_str().unwrap_or_default()];
    let cols = table["cols"].as_u64().unwrap_or_default() as usize;
    let (x, xt) = (matrix(&table["x"], cols), matrix(&table["test"], cols));
    let y = floats(&table["y"]);
    let kind = case["kind"].as_str().unwrap_or_default();
    let task = Task::parse(case["task"].as_str().unwrap_or("regression")).expect("a task name");
    let model_def = def(kind).expect("a model kind");
    let set: Vec<(String, Value)> = case["params"]
        .as_object()
        .expect("params")
        .iter()
        .map(|(k, v)| (k.clone(), value(v)))
        .collect();
    let set_ref: Vec<(&str, Value)> = set.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let params = model_params(&model_def.spec, &set_ref);
    let training = Training {
        x: Rows::all(&x),
        y: &y,
        task,
    };
    let mut problems = Vec::new();
    let fitted = match (model_def.build)(&params, 0).and_then(|m| m.fit(&training)) {
        Ok(f) => f,
        Err(e) => return vec![format!("fails: {e}")],
    };
    let prediction = match fitted.predict(&xt) {
        Ok(p) => p,
        Err(e) => return vec![format!("fails: {e}")],
    };
    problems.extend(compare_explained(case, fitted.as_ref(), &xt, task));
    let rtol = case["rtol"].as_f64().unwrap_or(0.0);
    let expected = floats(&case["predict"]);
    // Classes are compared exactly whatever the case's tolerance of probabilities.
    let values_rtol = if task.is_classification() { 0.0 } else { rtol };
    let wrong = expected
        .iter()
        .zip(&prediction.values)
        .filter(|(e, p)| !close(**e, **p, values_rtol))
        .count();
    if wrong > 0 {
        problems.push(format!("{wrong} of {} predictions differ", expected.len()));
    }
    if task == Task::Binary {
        // scikit-learn's two columns; kreplay keeps P(class 1).
        let proba = floats(&case["proba"]);
        let positive: Vec<f64> = proba.chunks(2).map(|p| p[1]).collect();
        if let Some(ours) = &prediction.proba {
            let off = positive
                .iter()
                .zip(ours)
                .filter(|(e, p)| !close(**e, **p, rtol))
                .count();
            if off > 0 {
                let worst = positive
                    .iter()
                    .zip(ours)
                    .map(|(e, p)| (e - p).abs() / e.abs().max(p.abs()))
                    .fold(0.0, f64::max);
                problems.push(format!(
                    "{off} of {} probabilities differ (by up to {worst:.1e} relative)",
                    positive.len()
                ));
            }
        }
    }
    if kind == "decision_tree" {
        problems.extend(compare_tree(case, &params, task, &x, &y));
    }
    problems
}

/// The impurity importances (to 1e-12 relative: numpy sums some of them pairwise) and the
/// staged predictions (classes exactly, values to 1e-12) against scikit-learn's.
fn compare_explained(
    case: &Json,
    fitted: &dyn super::Trained,
    xt: &Matrix,
    task: Task,
) -> Vec<String> {
    let mut problems = Vec::new();
    // Only the tree cases record scikit-learn's importances (`trees.py`).
    let expected = match case.get("importances") {
        Some(v) => floats(v),
        None => return problems,
    };
    match fitted.explain() {
        Some(e) if e.values.len() == expected.len() => {
            let off = expected
                .iter()
                .zip(&e.values)
                .filter(|(a, b)| !close(**a, **b, 1e-12))
                .count();
            if off > 0 {
                problems.push(format!(
                    "{off} of {} importances differ: {:?} against {:?}",
                    expected.len(),
                    e.values,
                    expected
                ));
            }
        }
        other => problems.push(format!("importances: {other:?}")),
    }
    if let Some(staged) = case.get("staged") {
        let stages: Vec<usize> = staged["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .map(|s| s.as_u64().unwrap_or(0) as usize)
            .collect();
        let rtol = if task.is_classification() { 0.0 } else { 1e-12 };
        match fitted.staged(xt, &stages) {
            Some(ours) if ours.len() == stages.len() => {
                for ((stage, want), got) in stages
                    .iter()
                    .zip(staged["predict"].as_array().expect("predictions"))
                    .zip(&ours)
                {
                    let want = floats(want);
                    let off = want
                        .iter()
                        .zip(&got.values)
                        .filter(|(a, b)| !close(**a, **b, rtol))
                        .count();
                    if off > 0 {
                        problems.push(format!("stage {stage}: {off} staged predictions differ"));
                    }
                }
            }
            other => problems.push(format!("staged: {} stages", other.map_or(0, |o| o.len()))),
        }
    }
    problems
}

/// A single tree node by node: the same features and thresholds in the same node order.
fn compare_tree(
    case: &Json,
    params: &kreplay_recipe::Params,
    task: Task,
    x: &Matrix,
    y: &[f64],
) -> Vec<String> {
    let own = DecisionTreeParams::read(params).expect("tree parameters");
    let growth = Growth::read(params).expect("tree parameters");
    let settings = TreeSettings::new(growth, own.max_features, own.splitter);
    let p = settings
        .resolve(task, x.cols, "decision_tree")
        .expect("tree params");
    let seed = params.i64("seed").unwrap_or_default() as u32;
    let columns = Columns::new(x);
    let weight = vec![1.0; x.rows];
    let classes;
    let target = if task.is_classification() {
        classes = Classes::new(y, "decision_tree").expect("classes");
        Target::Classes(&classes.index, classes.labels.len())
    } else {
        Target::Values(y)
    };
    let grower = Trees::new(&columns, &target, &p);
    let tree = grower.grow(&mut grower.scratch(), &weight, splitter_seed_of(seed));
    let features: Vec<i64> = case["tree"]["feature"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f.as_i64().unwrap_or_default())
        .collect();
    let thresholds = floats(&case["tree"]["threshold"]);
    let ours = tree.structure();
    if ours.len() != features.len() {
        return vec![format!(
            "{} nodes, scikit-learn has {}",
            ours.len(),
            features.len()
        )];
    }
    let first = ours
        .iter()
        .zip(features.iter().zip(&thresholds))
        .position(|(o, (f, t))| match o {
            Some((of, ot)) => *of as i64 != *f || ot != t,
            None => *f != -2,
        });
    match first {
        Some(i) => vec![format!(
            "node {i} differs: {:?} vs ({}, {})",
            ours[i], features[i], thresholds[i]
        )],
        None => Vec::new(),
    }
}

/// Every case of `script` fitted here; panics with a line per case that differs.
fn assert_cases_match(script: &str) {
    let doc = sklearn_cases(script);
    let mut report = Vec::new();
    let cases = doc["cases"].as_array().expect("cases");
    for case in cases {
        let problems = compare(case, &doc["tables"]);
        if !problems.is_empty() {
            report.push(format!(
                "{} {} on {} {}: {}",
                case["kind"].as_str().unwrap_or_default(),
                case["task"].as_str().unwrap_or_default(),
                case["table"].as_str().unwrap_or_default(),
                case["params"],
                problems.join("; ")
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{} of {} cases differ from scikit-learn {}:\n{}",
        report.len(),
        cases.len(),
        doc["sklearn"],
        report.join("\n")
    );
}

#[test]
#[ignore = "needs scikit-learn (KREPLAY_PYTHON) and the Titanic files; .ci/run runs it"]
fn tree_models_match_scikit_learn() {
    assert_cases_match("trees.py");
}

#[test]
#[ignore = "needs scikit-learn (KREPLAY_PYTHON) and the Titanic files; .ci/run runs it"]
fn logistic_regression_matches_scikit_learn() {
    assert_cases_match("linear.py");
}

#[test]
#[cfg(all(feature = "lightgbm", feature = "xgboost"))]
#[ignore = "needs the lightgbm and xgboost packages (KREPLAY_PYTHON) and the Titanic files; .ci/run runs it"]
fn boosting_engines_match_their_python_packages() {
    assert_cases_match("boosting.py");
}

#[test]
#[ignore = "needs the lightgbm and xgboost packages (KREPLAY_PYTHON) and the Titanic files; .ci/run runs it"]
fn the_stand_in_bins_as_the_libraries_do() {
    // Every feature of trees.py's tables and of a table with every kind of column LightGBM's
    // FindBin treats apart. LightGBM, under several max_bin / min_data_in_bin: the stand-in's
    // cuts give LightGBM's number of bins, and every split threshold of a LightGBM model grown
    // to use them (a bin's upper bound u) is one of the cuts (u's next double: forust's
    // splits are `value < cut` where LightGBM's are `value <= u`). XGBoost's exact method: the
    // stand-in's first tree splits where XGBoost's does.
    use forust_ml::binning::{lightgbm_bounds, lightgbm_cuts, next_up};
    let doc = sklearn_cases("boosting_bins.py");
    let column = |x: &Matrix, j: usize| -> Vec<f64> { (0..x.rows).map(|i| x.get(i, j)).collect() };
    let mut report = Vec::new();
    let mut compared = 0;
    for case in doc["cases"].as_array().expect("cases") {
        let cols = case["cols"].as_u64().unwrap_or_default() as usize;
        let x = matrix(&case["x"], cols);
        let max_bin = case["max_bin"].as_u64().unwrap_or_default() as usize;
        let min_data_in_bin = case["min_data_in_bin"].as_u64().unwrap_or_default() as usize;
        let name = format!(
            "LightGBM, {} (max_bin {max_bin}, min_data_in_bin {min_data_in_bin})",
            case["table"]
        );
        for j in 0..cols {
            let column = column(&x, j);
            let bounds = lightgbm_bounds(&column, f64::NAN, max_bin, min_data_in_bin);
            let nan_bin = usize::from(column.iter().any(|v| v.is_nan()));
            let bins = bounds.len() + nan_bin;
            let expected = case["num_bin"][j].as_u64().unwrap_or_default() as usize;
            if bins != expected {
                report.push(format!(
                    "{name}, feature {j}: {bins} bins, LightGBM {expected}"
                ));
            }
            // forust's cuts: ascending, from the smallest value, each the double after a bound.
            let cuts = lightgbm_cuts(&column, f64::NAN, max_bin, min_data_in_bin);
            let smallest = column
                .iter()
                .copied()
                .filter(|v| !v.is_nan())
                .fold(f64::MAX, f64::min);
            if !(cuts.windows(2).all(|w| w[0] < w[1]) && cuts[0] <= smallest) {
                report.push(format!("{name}, feature {j}: cuts out of order: {cuts:?}"));
            }
            // An infinite bound splits the missing values from the rest, which forust does
            // with its missing bin rather than a cut.
            for t in floats(&case["thresholds"][j])
                .into_iter()
                .filter(|t| t.is_finite())
            {
                compared += 1;
                if !bounds.contains(&t) || !cuts.contains(&next_up(t)) {
                    report.push(format!("{name}, feature {j}: bound {t:e} is no cut"));
                }
            }
        }
    }
    // XGBoost's exact method: each tree of the stand-in (one bin per single-precision value,
    // each split moved halfway between the node's neighbouring values, base score 0.5) has
    // XGBoost's splits, features and values.
    let mut trees = 0;
    for case in doc["exact"].as_array().expect("exact cases") {
        let cols = case["cols"].as_u64().unwrap_or_default() as usize;
        let x = matrix(&case["x"], cols);
        let y = floats(&case["y"]);
        let rounds = case["rounds"].as_i64().unwrap_or_default();
        let p = model_params(
            &super::boosting::XGBOOST.spec,
            &[
                ("n_estimators", Value::Int(rounds)),
                ("max_depth", Value::Int(3)),
            ],
        );
        let buf = super::boosting::column_major(&x);
        let data = forust_ml::Matrix::new(&buf, x.rows, x.cols);
        let booster = super::boosting::xgboost_stand_in(&p, 0)
            .and_then(|b| {
                b.fit_one(
                    &data,
                    b.bins_for(&data),
                    &y,
                    &vec![1.0; y.len()],
                    forust_ml::objective::ObjectiveType::SquaredLoss,
                )
            })
            .expect("the stand-in fits");
        let theirs_all = case["splits"].as_array().expect("splits");
        for (t, (tree, theirs)) in booster.trees.iter().zip(theirs_all).enumerate() {
            let mut ours: Vec<(u64, u64)> = tree
                .nodes
                .iter()
                .filter(|n| !n.is_leaf)
                // A split value is the smallest double that rounds to XGBoost's f32 value.
                .map(|n| {
                    (
                        n.split_feature as u64,
                        f64::from(n.split_value as f32).to_bits(),
                    )
                })
                .collect();
            let mut theirs: Vec<(u64, u64)> = theirs
                .as_array()
                .expect("a tree's splits")
                .iter()
                .map(|s| {
                    (
                        s[0].as_u64().unwrap_or_default(),
                        s[1].as_u64().unwrap_or_default(),
                    )
                })
                .collect();
            ours.sort_unstable();
            theirs.sort_unstable();
            trees += 1;
            if ours != theirs {
                let show = |s: &[(u64, u64)]| -> Vec<(u64, f64)> {
                    s.iter().map(|&(f, v)| (f, f64::from_bits(v))).collect()
                };
                report.push(format!(
                    "XGBoost exact, {} tree {t}: splits {:?}, XGBoost's {:?}",
                    case["table"],
                    show(&ours),
                    show(&theirs)
                ));
            }
        }
        if booster.trees.len() != theirs_all.len() {
            report.push(format!(
                "XGBoost exact, {}: {} trees, XGBoost {}",
                case["table"],
                booster.trees.len(),
                theirs_all.len()
            ));
        }
    }
    assert!(
        compared > 1000,
        "only {compared} LightGBM thresholds compared"
    );
    assert!(trees >= 35, "only {trees} XGBoost trees compared");
    assert!(
        report.is_empty(),
        "{} differences from LightGBM {} and XGBoost {}:\n{}",
        report.len(),
        doc["lightgbm"],
        doc["xgboost"],
        report.join("\n")
    );
}
