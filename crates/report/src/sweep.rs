//! A sweep's report: the trials ranked, the score by trial order with the best so far, the
//! score against each swept parameter, parallel coordinates, and how much of the score's
//! variance each parameter's values explain.

use kreplay_recipe::Metric;

use crate::charts;
use crate::html::{fmt, Cell, Page};

/// One trial as the report shows it.
#[derive(Debug, Clone)]
pub struct TrialRow {
    /// Its position in the order trials were tried.
    pub index: usize,
    /// (parameter path, value), as the sweep set them.
    pub params: Vec<(String, String)>,
    /// CV mean (or training score without CV), mean over seeds.
    pub score: Option<f64>,
    pub cv_std: Option<f64>,
    pub seconds: f64,
    pub pruned: bool,
    pub error: Option<String>,
    /// The run store ids of its runs.
    pub runs: Vec<i64>,
    /// The earlier trial of the same configuration it repeats (not run again).
    pub repeat_of: Option<usize>,
}

pub struct SweepPage<'a> {
    pub recipe: &'a str,
    pub sweep: &'a str,
    pub method: &'a str,
    pub metric: Metric,
    pub trials: Vec<TrialRow>,
}

/// The swept parameters, in the order the trials name them.
fn parameter_names(trials: &[TrialRow]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for t in trials {
        for (p, _) in &t.params {
            if !names.contains(p) {
                names.push(p.clone());
            }
        }
    }
    names
}

fn value_of<'t>(t: &'t TrialRow, param: &str) -> &'t str {
    t.params
        .iter()
        .find(|(p, _)| p == param)
        .map_or("", |(_, v)| v.as_str())
}

/// The share of the scores' variance that each parameter's values explain on their own (the
/// between-group variance of the trials grouped by the parameter's value, over the total): a
/// main-effect split in the spirit of fANOVA, exact for a full grid.
pub fn importance(trials: &[TrialRow], params: &[String]) -> Vec<(String, f64)> {
    // Repeats are the same observation again, and pruned trials' scores cover fewer folds.
    let scored: Vec<&TrialRow> = trials
        .iter()
        .filter(|t| t.score.is_some_and(|s| !s.is_nan()) && t.repeat_of.is_none() && !t.pruned)
        .collect();
    let scores: Vec<f64> = scored.iter().filter_map(|t| t.score).collect();
    let n = scores.len() as f64;
    if scores.len() < 2 {
        return Vec::new();
    }
    let mean = scores.iter().sum::<f64>() / n;
    let total = scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / n;
    params
        .iter()
        .map(|p| {
            let mut groups: Vec<(&str, f64, usize)> = Vec::new();
            for t in &scored {
                let v = value_of(t, p);
                let s = t.score.unwrap_or_default();
                match groups.iter_mut().find(|g| g.0 == v) {
                    Some(g) => {
                        g.1 += s;
                        g.2 += 1;
                    }
                    None => groups.push((v, s, 1)),
                }
            }
            let between = groups
                .iter()
                .map(|(_, sum, count)| {
                    let m = sum / *count as f64;
                    *count as f64 * (m - mean).powi(2)
                })
                .sum::<f64>()
                / n;
            let share = if total > 0.0 { between / total } else { 0.0 };
            (p.clone(), share)
        })
        .collect()
}

/// The page.
pub fn render(p: &SweepPage) -> String {
    let higher = p.metric.higher_is_better();
    let mut page = Page::new(&format!("Sweep of {}", p.recipe));
    page.para(&format!(
        "{} search · {} trials · {} ({}) · sweep {}",
        p.method,
        p.trials.len(),
        p.metric.name(),
        p.metric.direction(),
        p.sweep
    ));
    let params = parameter_names(&p.trials);

    page.section("Trials, best first");
    // As the sweep ranks them: scored before unscored (a NaN score is none), finished before
    // pruned, then best first.
    let score = |t: &TrialRow| t.score.filter(|s| !s.is_nan());
    let mut ranked: Vec<&TrialRow> = p.trials.iter().collect();
    ranked.sort_by(|a, b| match (score(a), score(b)) {
        (Some(x), Some(y)) => {
            let order = if higher {
                y.total_cmp(&x)
            } else {
                x.total_cmp(&y)
            };
            a.pruned
                .cmp(&b.pruned)
                .then(order)
                .then(a.index.cmp(&b.index))
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.index.cmp(&b.index),
    });
    let mut header: Vec<&str> = vec!["rank", "trial"];
    header.extend(params.iter().map(String::as_str));
    header.extend(["score", "± std", "time", "runs", "note"]);
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .enumerate()
        .map(|(rank, t)| {
            let mut row = vec![
                Cell::text_num((rank + 1).to_string()),
                Cell::text_num(t.index.to_string()),
            ];
            row.extend(params.iter().map(|q| value_of(t, q).to_string()));
            row.push(t.score.map_or("-".into(), Cell::num));
            row.push(t.cv_std.map_or("-".into(), Cell::num));
            row.push(Cell::text_num(format!("{:.2} s", t.seconds)));
            let runs: Vec<String> = t.runs.iter().map(|r| format!("#{r}")).collect();
            row.push(runs.join(" "));
            row.push(match (&t.error, t.pruned, t.repeat_of) {
                (Some(e), _, _) => format!("{}failed: {e}", Cell::LEAK),
                (None, true, _) => "pruned".into(),
                (None, false, Some(of)) => format!("repeats trial {of}"),
                _ => String::new(),
            });
            row
        })
        .collect();
    page.table(&header, &rows);

    let in_order: Vec<Option<f64>> = p.trials.iter().map(|t| t.score).collect();
    page.section("Progress");
    page.figure(
        "trials",
        &charts::trials(&in_order, higher, p.metric.name()),
        "Each trial's score in the order the trials ran; the line is the best so far.",
    );

    if !params.is_empty() {
        page.section("Score against each parameter");
        for q in &params {
            let values: Vec<String> = p
                .trials
                .iter()
                .map(|t| value_of(t, q).to_string())
                .collect();
            page.figure(
                &format!("against-{q}"),
                &charts::against(&values, &in_order, q, p.metric.name()),
                &format!("Each trial's score against `{q}`."),
            );
        }
        let lines: Vec<(Vec<String>, f64)> = p
            .trials
            .iter()
            .filter_map(|t| {
                let values = params.iter().map(|q| value_of(t, q).to_string()).collect();
                t.score.map(|s| (values, s))
            })
            .collect();
        if params.len() >= 2 {
            page.figure(
                "parallel",
                &charts::parallel(&params, &lines, higher),
                "Parallel coordinates: one line per trial across the parameters' axes, darker \
                 for a better score.",
            );
        }
        let shares = importance(&p.trials, &params);
        if !shares.is_empty() {
            page.section("Which parameters mattered");
            page.figure(
                "parameter-importance",
                &charts::horizontal_bars(&shares, "share of the score's variance"),
                "The share of the trials' score variance each parameter's values explain on \
                 their own (between-group over total variance).",
            );
            let rows: Vec<Vec<String>> = shares
                .iter()
                .map(|(q, s)| vec![q.clone(), Cell::text_num(fmt(*s))])
                .collect();
            page.table(&["parameter", "variance share"], &rows);
        }
    }
    page.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(index: usize, depth: &str, criterion: &str, score: f64) -> TrialRow {
        TrialRow {
            index,
            params: vec![
                ("model.max_depth".into(), depth.into()),
                ("model.criterion".into(), criterion.into()),
            ],
            score: Some(score),
            cv_std: None,
            seconds: 0.1,
            pruned: false,
            error: None,
            runs: vec![],
            repeat_of: None,
        }
    }

    #[test]
    fn a_parameter_that_alone_moves_the_score_explains_its_variance() {
        // The score depends on the depth only: the depth explains everything.
        let trials = vec![
            trial(0, "2", "gini", 0.7),
            trial(1, "2", "entropy", 0.7),
            trial(2, "4", "gini", 0.8),
            trial(3, "4", "entropy", 0.8),
        ];
        let params = parameter_names(&trials);
        let shares = importance(&trials, &params);
        assert_eq!(shares[0].0, "model.max_depth");
        assert!((shares[0].1 - 1.0).abs() < 1e-12, "{shares:?}");
        assert!(shares[1].1.abs() < 1e-12, "{shares:?}");
    }

    #[test]
    fn the_page_has_one_point_per_trial() {
        let trials: Vec<TrialRow> = (0..6)
            .map(|i| {
                trial(
                    i,
                    &(2 + i % 3).to_string(),
                    ["gini", "entropy"][i % 2],
                    0.7 + 0.01 * i as f64,
                )
            })
            .collect();
        let html = render(&SweepPage {
            recipe: "titanic/milla-decision-tree",
            sweep: "s1",
            method: "grid",
            metric: Metric::Accuracy,
            trials,
        });
        let figure = html
            .split("<figure id=\"trials\">")
            .nth(1)
            .and_then(|f| f.split("</figure>").next())
            .unwrap();
        assert_eq!(figure.matches("<circle").count(), 6, "{figure}");
    }
}
