//! Scoring one submitted file against a contest's solution, with the runner's own metrics.
//!
//! A valid file has the solution's header (same names, same order), every solution id exactly
//! once and nothing else, and values the metric reads: labels (compared as trimmed strings)
//! for accuracy, finite numbers otherwise (probabilities in [0, 1] for log_loss, > 0 for
//! rmse_log, > -1 for rmsle). Problems name the first bad row (the header is row 1) and id.

use std::collections::HashMap;

use kreplay_recipe::Metric;
use kreplay_runner::metrics;

use super::contest::{Answer, Contest};
use crate::validate::split_csv_line;

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

/// The predicted value for each solution row, in the solution's order.
fn read(contest: &Contest, content: &[u8]) -> Result<Vec<String>, String> {
    let text = std::str::from_utf8(content).map_err(|_| "the file is not UTF-8 text")?;
    let mut lines = crate::validate::numbered_lines(text);
    let [id_col, target_col] = &contest.columns;
    let (_, header) = lines.next().ok_or("the file is empty")?;
    let header: Vec<String> = split_csv_line(header)
        .iter()
        .map(|c| c.trim().to_string())
        .collect();
    if header != contest.columns {
        return Err(format!(
            "row 1: the header must be `{id_col},{target_col}`, got `{}`",
            header.join(",")
        ));
    }
    let index: HashMap<&str, usize> = contest
        .answers
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut predictions: Vec<Option<(usize, String)>> = vec![None; contest.answers.len()];
    for (row, line) in lines {
        let fields = split_csv_line(line);
        if fields.len() != 2 {
            return Err(format!(
                "row {row}: expected 2 fields, got {}",
                fields.len()
            ));
        }
        let id = fields[0].trim();
        let value = fields[1].trim();
        let Some(&i) = index.get(id) else {
            return Err(format!(
                "row {row} (id {id}): {id_col} {id} is not in the solution"
            ));
        };
        if let Some((first, _)) = &predictions[i] {
            return Err(format!(
                "row {row} (id {id}): {id_col} {id} appears twice (first at row {first})"
            ));
        }
        check_value(contest.settings.metric, value)
            .map_err(|why| format!("row {row} (id {id}): {target_col} `{value}` {why}"))?;
        predictions[i] = Some((row, value.to_string()));
    }
    let missing = predictions.iter().filter(|p| p.is_none()).count();
    if let Some(i) = predictions.iter().position(Option::is_none) {
        let id = &contest.answers[i].id;
        return Err(format!(
            "{id_col} {id} is missing ({missing} of {} ids missing)",
            contest.answers.len()
        ));
    }
    Ok(predictions
        .into_iter()
        .map(|p| p.map(|(_, v)| v).unwrap_or_default())
        .collect())
}

/// Why `value` is no prediction for `metric`, if it is not.
fn check_value(metric: Metric, value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("is empty");
    }
    if metric == Metric::Accuracy {
        return Ok(());
    }
    let v = match value.parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => return Err("is not a finite number"),
    };
    match metric {
        Metric::LogLoss if !(0.0..=1.0).contains(&v) => Err("is not a probability in [0, 1]"),
        Metric::RmseLog if v <= 0.0 => Err("must be > 0 for rmse_log"),
        Metric::Rmsle if v <= -1.0 => Err("must be > -1 for rmsle"),
        _ => Ok(()),
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
        // check_value has parsed every one already.
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
        // Wrong on exactly one public row.
        let wrong = public[0];
        let rows: String = c
            .answers
            .iter()
            .map(|a| {
                let label = if a.id == wrong { "z" } else { &a.target };
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
                "row 1: the header must be `Id,y`, got `Id,z`",
            ),
            (
                "Id,y\n1,1\n9,2\n",
                "row 3 (id 9): Id 9 is not in the solution",
            ),
            (
                "Id,y\n1,1\n1,2\n",
                "row 3 (id 1): Id 1 appears twice (first at row 2)",
            ),
            (
                "Id,y\n1,1\n2,x\n",
                "row 3 (id 2): y `x` is not a finite number",
            ),
            ("Id,y\n1,1\n2,2,2\n", "row 3: expected 2 fields, got 3"),
            ("Id,y\n1,1\n3,3\n", "Id 2 is missing (1 of 3 ids missing)"),
        ] {
            assert_eq!(score(&c, file.as_bytes()).unwrap_err(), message);
        }
        let exact = score(&c, b"Id,y\n3,3\n1,1\n2,2\n").unwrap();
        assert_eq!(exact.public.or(exact.private), Some(0.0));
    }
}
