//! Scoring one submitted file against a contest's solution, with the runner's own metrics.
//!
//! A file is checked first by the validator `kreplay validate` uses ([`kreplay_submission::validate`]),
//! against [`Contest::expectation`]: the solution's header (same names, same order), every
//! solution id exactly once and nothing else, and values the metric reads: one of the
//! solution's labels (compared as trimmed strings) for accuracy, finite numbers otherwise
//! (probabilities in [0, 1] for log_loss, > 0 for rmse_log, > -1 for rmsle). A bad file is
//! refused with its first problem, naming the row (the header is row 1) and id.

use std::collections::HashMap;

use kreplay_metrics as metrics;
use kreplay_recipe::Metric;

use super::contest::{Answer, Contest};
use kreplay_submission::validate::{self, Report};

/// The scores of a valid file; `None` for a side with no rows (a public fraction of 0 or 1)
/// or where the metric is undefined (roc_auc over one class).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scores {
    pub public: Option<f64>,
    pub private: Option<f64>,
}

/// Kaggle shows scores with 5 decimals.
pub(super) fn format_score(score: Option<f64>) -> String {
    score.map(|s| format!("{s:.5}")).unwrap_or_default()
}

/// Scores `content`, or says what makes it an invalid submission.
pub(super) fn score(contest: &Contest, content: &[u8]) -> Result<Scores, String> {
    let predictions = read(contest, content)?;
    let side = |public: bool| {
        let (truth, pred): (Vec<&Answer>, Vec<&String>) = contest
            .answers
            .iter()
            .zip(&predictions)
            .filter(|(a, _)| a.public == public)
            .unzip();
        measure(contest.settings.metric, &truth, &pred)
    };
    Ok(Scores {
        public: side(true)?,
        private: side(false)?,
    })
}

/// The predicted value for each solution row, in the solution's order; the first problem of
/// the file (the shared validator's, as `kreplay validate` words it) when it is not valid.
fn read(contest: &Contest, content: &[u8]) -> Result<Vec<String>, String> {
    let expectation = contest.expectation();
    match validate::check(content, &expectation, Report::First) {
        Ok(Ok(checked)) => Ok(checked.values),
        Ok(Err(problems)) => Err(problems
            .first()
            .map_or_else(|| "not a valid submission".into(), ToString::to_string)),
        Err(e) => Err(format!("the file cannot be read: {e}")),
    }
}

/// One side's score; `Ok(None)` when it has no rows or the metric is undefined there.
fn measure(metric: Metric, truth: &[&Answer], pred: &[&String]) -> Result<Option<f64>, String> {
    if truth.is_empty() {
        return Ok(None);
    }
    let score = if metric == Metric::Accuracy {
        // Labels become numbers through one shared dictionary, so equal means equal strings.
        let mut codes: HashMap<&str, f64> = HashMap::new();
        let t: Vec<f64> = truth.iter().map(|a| code(&mut codes, &a.target)).collect();
        let p: Vec<f64> = pred.iter().map(|v| code(&mut codes, v)).collect();
        metrics::score(metric, &t, &p, None)?
    } else {
        let t: Vec<f64> = truth.iter().map(|a| a.number).collect();
        // The validator has parsed every one already.
        let p: Vec<f64> = pred.iter().map(|v| v.parse().unwrap_or(f64::NAN)).collect();
        metrics::score(metric, &t, &p, Some(&p))?
    };
    Ok(score.is_finite().then_some(score))
}

/// The number standing for `label`: the next free one the first time it is seen.
fn code<'a>(codes: &mut HashMap<&'a str, f64>, label: &'a str) -> f64 {
    let next = codes.len() as f64;
    *codes.entry(label).or_insert(next)
}

#[cfg(test)]
mod tests {
    use super::super::contest::{parse_settings, parse_solution};
    use super::*;

    fn contest(toml: &str, solution: &str) -> Contest {
        let settings = parse_settings(toml).unwrap();
        let (columns, answers) = parse_solution(solution.as_bytes(), &settings).unwrap();
        Contest {
            slug: "c".into(),
            settings,
            columns,
            answers,
            train_labels: Vec::new(),
        }
    }

    #[test]
    fn accuracy_compares_trimmed_labels_on_each_side() {
        let c = contest(
            "metric = \"accuracy\"\npublic_fraction = 0.5",
            "Id,Label\n1,a\n2,b\n3,a\n4,b\n",
        );
        let public: Vec<&str> = c
            .answers
            .iter()
            .filter(|a| a.public)
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(public.len(), 2);
        // Wrong on exactly one public row (the other label).
        let wrong = public[0];
        let rows: String = c
            .answers
            .iter()
            .map(|a| {
                let other = if a.target == "a" { "b" } else { "a" };
                let label = if a.id == wrong { other } else { &a.target };
                format!("{} , {label} \n", a.id)
            })
            .collect();
        let s = score(&c, format!("Id,Label\n{rows}").as_bytes()).unwrap();
        assert_eq!(
            s,
            Scores {
                public: Some(0.5),
                private: Some(1.0)
            }
        );
        assert_eq!(format_score(s.public), "0.50000");
    }

    #[test]
    fn bad_files_name_the_first_bad_row_and_id() {
        let c = contest("metric = \"rmse\"", "Id,y\n1,1\n2,2\n3,3\n");
        for (file, message) in [
            ("", "the file is empty"),
            (
                "Id,z\n1,1\n",
                "row 1: wrong header: expected Id,y, found Id,z",
            ),
            ("Id,y\n1,1\n9,2\n", "row 3 (id 9): id not in the test set"),
            (
                "Id,y\n1,1\n1,2\n",
                "row 3 (id 1): duplicate id (first at row 2)",
            ),
            ("Id,y\n1,1\n2,x\n", "row 3 (id 2): not a number: \"x\""),
            (
                "Id,y\n1,1\n2,2,2\n",
                "row 3 (id 2): wrong number of fields: expected 2, found 3",
            ),
            (
                "Id,y\n1,1\n3,3\n",
                "missing ids: 1 test id(s) have no row, first 2",
            ),
            (
                "Id\ty\n1\t1\n",
                "row 1: the file is tab-separated; a submission is comma-separated",
            ),
        ] {
            assert_eq!(score(&c, file.as_bytes()).unwrap_err(), message);
        }
        let exact = score(&c, b"Id,y\n3,3\n1,1\n2,2\n").unwrap();
        assert_eq!(exact.public.or(exact.private), Some(0.0));
    }

    /// Item 15: the host refused only what it could not parse; a 0/1 accuracy contest scored
    /// 2, -1, NaN, inf and 0.7 as wrong labels. Now each is refused with the first bad row.
    #[test]
    fn accuracy_refuses_labels_outside_the_solution_with_the_first_bad_row() {
        let c = contest("metric = \"accuracy\"", "Id,y\n1,0\n2,1\n3,0\n4,1\n");
        for bad in ["2", "-1", "NaN", "inf", "0.7"] {
            let file = format!("Id,y\n1,0\n2,1\n3,{bad}\n4,{bad}\n");
            assert_eq!(
                score(&c, file.as_bytes()).unwrap_err(),
                format!("row 4 (id 3): invalid label: \"{bad}\" is not one of 0, 1"),
                "{bad}"
            );
        }
        // A label of the training file is a valid (wrong) prediction.
        let mut with_train = contest("metric = \"accuracy\"", "Id,y\n1,0\n2,1\n");
        with_train.train_labels = vec!["1".into(), "2".into()];
        let s = score(&with_train, b"Id,y\n1,2\n2,1\n").unwrap();
        let mut sides = [s.public.unwrap(), s.private.unwrap()];
        sides.sort_by(f64::total_cmp);
        assert_eq!(sides, [0.0, 1.0]);
        assert!(score(&with_train, b"Id,y\n1,3\n2,1\n")
            .unwrap_err()
            .starts_with("row 2 (id 1): invalid label: \"3\" is not one of 0, 1, 2"));
    }

    #[test]
    fn number_metrics_refuse_values_the_metric_cannot_take() {
        for (metric, bad, message) in [
            ("log_loss", "1.5", "probability out of [0, 1]: 1.5"),
            ("rmse_log", "0", "not above 0: 0"),
            ("rmsle", "-1", "not above -1: -1"),
            ("rmse", "inf", "not a finite number: \"inf\""),
            ("roc_auc", "NaN", "not a finite number: \"NaN\""),
        ] {
            let c = contest(&format!("metric = \"{metric}\""), "Id,y\n1,0\n2,1\n");
            let file = format!("Id,y\n1,0.5\n2,{bad}\n");
            assert_eq!(
                score(&c, file.as_bytes()).unwrap_err(),
                format!("row 3 (id 2): {message}"),
                "{metric}"
            );
        }
    }

    #[test]
    fn a_stray_quote_is_refused_by_the_host_too() {
        let c = contest("metric = \"rmse\"", "Id,y\n1,1\n2,2\n");
        let err = score(&c, b"Id,y\n1,1\"\n2,2\n").unwrap_err();
        assert!(
            err.starts_with("row 2: bad CSV: field 2 has a quote inside it"),
            "{err}"
        );
    }
}
