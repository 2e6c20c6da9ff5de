//! The HTML reports in a real browser: headless Chromium renders a run's and a sweep's page
//! to PNG with no console message, and the rendered SVGs have one mark per fold and per trial.
//! `.ci/run` installs Chromium from the distribution; set `KREPLAY_CHROMIUM` to another one.

use std::path::Path;
use std::process::Command;

use crate::common::{kreplay, scratch, stdout};

fn chromium() -> String {
    std::env::var("KREPLAY_CHROMIUM").unwrap_or_else(|_| "chromium".into())
}

/// Chromium's rendered DOM of `page` and its console messages.
fn render(page: &Path, png: &Path) -> (String, Vec<String>) {
    let url = format!("file://{}", page.display());
    let base = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let shot = Command::new(chromium())
        .args(base)
        .arg("--window-size=1200,3000")
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}): install chromium", chromium()));
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let dom = Command::new(chromium())
        .args(base)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(dom.status.success());
    let console = String::from_utf8_lossy(&dom.stderr)
        .lines()
        .chain(String::from_utf8_lossy(&shot.stderr).lines())
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8(dom.stdout).unwrap(), console)
}

/// The part of the rendered DOM inside `<figure id="{id}">`.
fn figure<'a>(dom: &'a str, id: &str) -> &'a str {
    dom.split(&format!("<figure id=\"{id}\">"))
        .nth(1)
        .and_then(|f| f.split("</figure>").next())
        .unwrap_or_else(|| panic!("no figure {id}"))
}

fn is_png(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000
}

#[test]
#[ignore = "needs headless Chromium (.ci/run installs it)"]
fn reports_render_in_a_browser_with_one_mark_per_fold_and_trial() {
    let dir = scratch("report-browser");
    // The console check itself: a page with a script error is caught.
    std::fs::write(
        dir.join("bad.html"),
        "<html><body><script>undefinedFn();</script></body></html>",
    )
    .unwrap();
    let (_, console) = render(&dir.join("bad.html"), &dir.join("bad.png"));
    assert!(!console.is_empty(), "the console check sees nothing");

    let out = kreplay(
        &dir,
        &[
            "replay",
            "titanic/milla-decision-tree",
            "--no-submission",
            "--report",
            "run.html",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("run.html")).unwrap();
    // Self-contained: nothing to fetch, nothing to run.
    for forbidden in ["<script", " src=", "<link", "@import"] {
        assert!(!html.contains(forbidden), "{forbidden} in the report");
    }
    let (dom, console) = render(&dir.join("run.html"), &dir.join("run.png"));
    assert!(console.is_empty(), "{console:?}");
    assert!(is_png(&dir.join("run.png")));
    // Milla's recipe validates on 10 folds: ten bars.
    let folds = figure(&dom, "fold-scores");
    assert_eq!(folds.matches("fill=\"#1F77B4\"").count(), 10, "{folds}");
    for id in ["confusion", "roc", "importances"] {
        figure(&dom, id);
    }

    let out = kreplay(
        &dir,
        &[
            "sweep",
            "titanic/milla-decision-tree",
            "-S",
            "model.max_depth=2,3,4",
            "model.criterion=gini,entropy",
            "--report",
            "sweep.html",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (dom, console) = render(&dir.join("sweep.html"), &dir.join("sweep.png"));
    assert!(console.is_empty(), "{console:?}");
    assert!(is_png(&dir.join("sweep.png")));
    // Six trials: six points in the progress chart and in each parameter's chart.
    assert_eq!(figure(&dom, "trials").matches("<circle").count(), 6);
    assert_eq!(
        figure(&dom, "against-model.max_depth")
            .matches("<circle")
            .count(),
        6
    );
    figure(&dom, "parallel");
    figure(&dom, "parameter-importance");
}

#[test]
fn a_recorded_run_and_a_sweep_have_reports_by_id() {
    let dir = scratch("report-ids");
    let replayed = crate::common::replay_json(
        &dir,
        &[
            "house-prices-advanced-regression-techniques/papiu-regularized-linear",
            "--no-submission",
        ],
    );
    let id = replayed["run"].as_i64().unwrap().to_string();
    let text = String::from_utf8_lossy(&kreplay(&dir, &["report", &id, "-o", "run.html"]).stderr)
        .into_owned();
    assert!(text.contains("report: run.html"), "{text}");
    let html = std::fs::read_to_string(dir.join("run.html")).unwrap();
    // A regression: predicted against actual, residuals, importances; the run's id.
    for id_ in [
        "predicted-vs-actual",
        "residuals",
        "importances",
        "fold-scores",
    ] {
        assert!(html.contains(&format!("<figure id=\"{id_}\">")), "{id_}");
    }
    assert!(html.contains(&format!("run #{id}")));
    assert!(html.contains("lower is better"));

    let sweep: serde_json::Value = serde_json::from_str(&stdout(&kreplay(
        &dir,
        &[
            "sweep",
            "titanic/milla-decision-tree",
            "-S",
            "model.max_depth=2,3",
            "--json",
        ],
    )))
    .unwrap();
    let sweep_id = sweep["sweep"].as_str().unwrap();
    let out = kreplay(&dir, &["report", sweep_id, "-o", "sweep.html"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("sweep.html")).unwrap();
    assert!(
        html.contains("<th>model.max_depth</th>"),
        "one column per swept parameter"
    );
    let out = kreplay(&dir, &["report", "no-such-sweep"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither a run id nor a sweep"));
}

#[test]
fn a_report_shows_the_models_own_importances_and_boostings_learning_curve() {
    let dir = scratch("report-own");
    let page = |args: &[&str], file: &str| -> String {
        let mut all = vec!["replay", "--no-submission", "--report", file];
        all.extend_from_slice(args);
        let out = kreplay(&dir, &all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read_to_string(dir.join(file)).unwrap()
    };
    // A decision tree: scikit-learn's impurity importances, one bar per feature (up to 20).
    let features =
        crate::common::replay_json(&dir, &["titanic/milla-decision-tree", "--no-submission"])
            ["features"]
            .as_array()
            .unwrap()
            .len();
    let tree = page(&["titanic/milla-decision-tree"], "tree.html");
    let own = figure(&tree, "own-importances");
    assert!(tree.contains("impurity decrease"));
    assert_eq!(own.matches("fill=\"#1F77B4\"").count(), features.min(20));
    assert!(!tree.contains("id=\"learning-curve\""));
    // Each step's time, over the shared steps, the folds and the final fit.
    assert!(
        tree.contains("shared, per fold, final fit"),
        "no step timings"
    );
    // Gradient boosting: the validation score by stage, and its own importances.
    let gb = page(&["titanic/ghouzam-ensemble:gbm"], "gb.html");
    let curve = figure(&gb, "learning-curve");
    assert!(
        curve.contains("<polyline") || curve.contains("<path"),
        "{curve}"
    );
    assert!(gb.contains("after stage"));
    figure(&gb, "own-importances");
    // A linear model: its |coefficients|.
    let linear = page(
        &["house-prices-advanced-regression-techniques/papiu-regularized-linear"],
        "linear.html",
    );
    figure(&linear, "own-importances");
    assert!(linear.contains("|coefficient|"));
}
