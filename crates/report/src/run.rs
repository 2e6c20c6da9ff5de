//! A run's report: where the recipe comes from and every resolved parameter (overrides
//! marked), its steps with fit scope and leakage, fold scores against the published line,
//! replayed against published scores, out-of-fold evidence (a confusion matrix and an ROC
//! curve for classification, predicted against actual and residuals for regression),
//! permutation importances, the model's own importances (impurity, |coefficient|), boosting's
//! learning curve and timings.

use kreplay_recipe::{Metric, PublishedKind, Recipe, Task};

use crate::charts;
use crate::html::{Cell, Page};

/// What the folds showed, beyond their scores.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// The training target, one value per row.
    pub truth: Vec<f64>,
    /// Each row's out-of-fold prediction (NaN where no fold validated it).
    pub predicted: Vec<f64>,
    /// P(positive class), out of fold, for binary models that give it.
    pub proba: Option<Vec<f64>>,
    /// (feature, permutation importance).
    pub importances: Vec<(String, f64)>,
    pub fold_seconds: Vec<f64>,
    /// The model's own importances: what they measure, (feature, value).
    pub explained: Option<(String, Vec<(String, f64)>)>,
    /// (stage, mean validation score after it), for models built in stages.
    pub curve: Vec<(usize, f64)>,
    /// (step id, seconds, times it ran).
    pub step_seconds: Vec<(String, f64, u64)>,
}

/// Everything a run's page shows.
pub struct RunPage<'a> {
    pub recipe: &'a Recipe,
    /// The run's id in the run store, when it was recorded.
    pub run: Option<i64>,
    pub fold_scores: &'a [f64],
    pub cv: Option<(f64, f64)>,
    pub train: f64,
    pub seconds: f64,
    pub cv_seconds: f64,
    pub submission: Option<String>,
    pub evidence: Option<&'a Evidence>,
}

/// A class label as kreplay writes it: `1`, not `1.0`.
fn label(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The page.
pub fn render(p: &RunPage) -> String {
    let r = p.recipe;
    let mut page = Page::new(&format!("{}: {}", r.display_name(), r.title()));
    page.para(&format!(
        "{} · {} · {}",
        r.author(),
        r.meta.str("source").unwrap_or(""),
        r.competition()
    ));
    if !r.notes().is_empty() {
        page.note(r.notes());
    }
    if let Some(id) = p.run {
        page.note(&format!("run #{id} · recipe hash {}", r.hash));
    }
    scores(&mut page, p);
    steps(&mut page, r);
    parameters(&mut page, r);
    if let Some(e) = p.evidence {
        evidence(&mut page, r.data.task, r.validation.metric, e);
        learning_curve(&mut page, r.validation.metric, e);
    }
    timings(&mut page, p);
    page.finish()
}

fn scores(page: &mut Page, p: &RunPage) {
    let r = p.recipe;
    let metric = r.validation.metric;
    page.section(&format!(
        "Scores ({}, {})",
        metric.name(),
        if metric.higher_is_better() {
            "higher is better"
        } else {
            "lower is better"
        }
    ));
    let published = |k: PublishedKind| r.published(k).map(|x| x.value);
    let mut rows = vec![
        vec![
            "CV mean".into(),
            p.cv.map_or("-".into(), |c| Cell::num(c.0)),
            published(PublishedKind::CvMean).map_or("-".into(), Cell::num),
        ],
        vec![
            "CV std".into(),
            p.cv.map_or("-".into(), |c| Cell::num(c.1)),
            "-".into(),
        ],
        vec![
            "training".into(),
            Cell::num(p.train),
            published(PublishedKind::Train).map_or("-".into(), Cell::num),
        ],
    ];
    for x in &r.published {
        if !matches!(x.what, PublishedKind::CvMean | PublishedKind::Train) {
            rows.push(vec![x.what.label().into(), "-".into(), Cell::num(x.value)]);
        }
    }
    page.table(&["score", "replayed", "published"], &rows);
    if !p.fold_scores.is_empty() {
        let labels: Vec<String> = (1..=p.fold_scores.len()).map(|k| k.to_string()).collect();
        let reference = published(PublishedKind::CvMean).map(|v| (v, "published CV"));
        page.figure(
            "fold-scores",
            &charts::bars(p.fold_scores, &labels, reference, metric.name()),
            "Each fold's validation score; the line is the published CV mean.",
        );
    }
    if let Some(s) = &p.submission {
        page.note(&format!("submission: {s}"));
    }
}

fn steps(page: &mut Page, r: &Recipe) {
    page.section("Steps");
    if r.steps.is_empty() {
        page.note("no feature steps: the model reads the columns as they are");
        return;
    }
    let rows: Vec<Vec<String>> = r
        .steps
        .iter()
        .map(|s| {
            let scope = match (s.learns, s.fit_on.leakage()) {
                (false, _) => "learns nothing".to_string(),
                (true, None) => s.fit_on.name().to_string(),
                (true, Some(leak)) => format!("{}{}: {leak}", Cell::LEAK, s.fit_on.name()),
            };
            vec![s.id.clone(), s.kind.clone(), scope, s.params.describe()]
        })
        .collect();
    page.table(&["step", "kind", "fitted on", "parameters"], &rows);
}

fn parameters(page: &mut Page, r: &Recipe) {
    page.section("Every resolved parameter");
    let overridden: Vec<&str> = r
        .overrides
        .iter()
        .filter_map(|o| o.split_once('=').map(|x| x.0.trim()))
        .collect();
    if !overridden.is_empty() {
        page.note(&format!("overrides (marked): {}", r.overrides.join(" ")));
    }
    let rows: Vec<Vec<String>> = r
        .flat_params()
        .into_iter()
        .map(|(path, value)| {
            let path = match overridden.contains(&path.as_str()) {
                true => format!("{}{path}", Cell::OVERRIDE),
                false => path,
            };
            vec![path, value]
        })
        .collect();
    page.table(&["parameter", "value"], &rows);
}

fn evidence(page: &mut Page, task: Task, metric: Metric, e: &Evidence) {
    let seen: Vec<(f64, f64)> = e
        .truth
        .iter()
        .zip(&e.predicted)
        .filter(|(t, p)| !t.is_nan() && !p.is_nan())
        .map(|(t, p)| (*t, *p))
        .collect();
    page.section("Out-of-fold predictions");
    if seen.is_empty() {
        page.note("no row was validated (no cross-validation): nothing out of fold to show");
    } else if task.is_classification() {
        let mut classes: Vec<f64> = seen.iter().flat_map(|(t, p)| [*t, *p]).collect();
        classes.sort_by(f64::total_cmp);
        classes.dedup();
        let index = |x: f64| classes.iter().position(|c| *c == x).unwrap_or(0);
        let mut counts = vec![vec![0usize; classes.len()]; classes.len()];
        for (t, p) in &seen {
            counts[index(*t)][index(*p)] += 1;
        }
        let labels: Vec<String> = classes.iter().map(|c| label(*c)).collect();
        page.figure(
            "confusion",
            &charts::confusion(&labels, &counts),
            &format!(
                "Confusion matrix of the {} validated rows' out-of-fold predictions.",
                seen.len()
            ),
        );
        if let Some(proba) = &e.proba {
            let (points, auc) = roc(&e.truth, proba);
            page.figure(
                "roc",
                &charts::curve(&points, "false positive rate", "true positive rate"),
                &format!("ROC curve of the out-of-fold probabilities (AUC {auc:.4})."),
            );
        }
    } else {
        page.figure(
            "predicted-vs-actual",
            &charts::scatter(&seen, "actual", "predicted", true),
            &format!(
                "Out-of-fold predictions of the {} validated rows against the target.",
                seen.len()
            ),
        );
        let residuals: Vec<(f64, f64)> = seen.iter().map(|(t, p)| (*p, t - p)).collect();
        page.figure(
            "residuals",
            &charts::scatter(&residuals, "predicted", "actual - predicted", false),
            "Residuals against the prediction.",
        );
    }
    if !e.importances.is_empty() || e.explained.is_some() {
        page.section("What the model leaned on");
    }
    if let Some((measure, values)) = &e.explained {
        let mut top = values.clone();
        top.sort_by(|a, b| b.1.total_cmp(&a.1));
        top.truncate(20);
        page.figure(
            "own-importances",
            &charts::horizontal_bars(&top, measure),
            &format!(
                "The model's own importances, {measure}, averaged over the fold models (the 20 \
                 largest)."
            ),
        );
    }
    if !e.importances.is_empty() {
        let mut top = e.importances.clone();
        top.sort_by(|a, b| b.1.total_cmp(&a.1));
        top.truncate(20);
        page.figure(
            "importances",
            &charts::horizontal_bars(&top, &format!("{} lost when shuffled", metric.name())),
            "Permutation importance: how much the validation score drops when the feature's \
             values are shuffled among the validation rows, averaged over the folds (the 20 \
             largest).",
        );
    }
}

/// Boosting's validation score stage by stage.
fn learning_curve(page: &mut Page, metric: Metric, e: &Evidence) {
    if e.curve.is_empty() {
        return;
    }
    page.section("Learning curve");
    let points: Vec<(f64, f64)> = e.curve.iter().map(|&(s, v)| (s as f64, v)).collect();
    let (best_stage, best) = e
        .curve
        .iter()
        .copied()
        .reduce(|a, b| match metric.higher_is_better() {
            true if b.1 > a.1 => b,
            false if b.1 < a.1 => b,
            _ => a,
        })
        .unwrap_or((0, f64::NAN));
    page.figure(
        "learning-curve",
        &charts::line(&points, "stage", metric.name()),
        &format!(
            "Validation {} after each stage (staged predictions of the fold models, mean over \
             the folds); best {best:.4} after stage {best_stage} of {}.",
            metric.name(),
            e.curve.last().map_or(0, |c| c.0)
        ),
    );
}

/// The ROC curve's points and its area, from out-of-fold probabilities (class 1 positive).
fn roc(truth: &[f64], proba: &[f64]) -> (Vec<(f64, f64)>, f64) {
    let mut rows: Vec<(f64, bool)> = truth
        .iter()
        .zip(proba)
        .filter(|(t, p)| !t.is_nan() && !p.is_nan())
        .map(|(t, p)| (*p, *t == 1.0))
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = rows.iter().filter(|r| r.1).count().max(1) as f64;
    let negatives = rows.iter().filter(|r| !r.1).count().max(1) as f64;
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut points = vec![(0.0, 0.0)];
    let mut i = 0;
    while i < rows.len() {
        // Rows of equal probability move the curve together (a diagonal step).
        let at = rows[i].0;
        while i < rows.len() && rows[i].0 == at {
            if rows[i].1 {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            i += 1;
        }
        points.push((fp / negatives, tp / positives));
    }
    let auc = points
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
        .sum();
    (points, auc)
}

fn timings(page: &mut Page, p: &RunPage) {
    page.section("Time");
    let mut rows = vec![
        vec![
            "whole replay".into(),
            Cell::text_num(format!("{:.3} s", p.seconds)),
        ],
        vec![
            "cross-validation".into(),
            Cell::text_num(format!("{:.3} s", p.cv_seconds)),
        ],
    ];
    if let Some(e) = p.evidence {
        for (k, s) in e.fold_seconds.iter().enumerate() {
            rows.push(vec![
                format!("fold {} (fit, predict, score)", k + 1),
                Cell::text_num(format!("{s:.3} s")),
            ]);
        }
        for (id, s, runs) in &e.step_seconds {
            let times = match runs {
                1 => "once".to_string(),
                n => format!("{n} runs"),
            };
            rows.push(vec![
                format!("step {id} ({times}: shared, per fold, final fit)"),
                Cell::text_num(format!("{s:.3} s")),
            ]);
        }
    }
    page.table(&["part", "time"], &rows);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_area_of_a_perfect_a_reversed_and_a_tied_ranking() {
        let truth = [0.0, 0.0, 1.0, 1.0];
        assert_eq!(roc(&truth, &[0.1, 0.2, 0.8, 0.9]).1, 1.0);
        assert_eq!(roc(&truth, &[0.9, 0.8, 0.2, 0.1]).1, 0.0);
        assert_eq!(roc(&truth, &[0.5, 0.5, 0.5, 0.5]).1, 0.5);
    }
}
