//! Writing the submission file in the competition's format, once the competition's own
//! validator (the one `kreplay validate`, `submit` and the contest host use) accepts it.

use std::path::Path;

use kreplay_recipe::{Recipe, SubmissionSection, Task};
use kreplay_submission::validate::{self, Expectation, Known, Report};

use crate::error::{Result, RunError};
use crate::steps::label_of;

/// The CSV text: header, then one row per test id, in test order.
pub fn render(
    ids: &[String],
    values: &[f64],
    proba: Option<&[f64]>,
    s: &SubmissionSection,
    task: Task,
) -> Result<String> {
    if s.probability && proba.is_none() {
        return Err(RunError::model(
            "submission",
            "submission.probability = true, but this model gives no probabilities",
        ));
    }
    let mut out = format!("{},{}\n", csv_cell(&s.columns[0]), csv_cell(&s.columns[1]));
    for (i, id) in ids.iter().enumerate() {
        let text = match (proba, s.probability) {
            (Some(p), true) => format!("{}", p[i]),
            _ if task.is_classification() => label_of(values[i]),
            _ => {
                let mut v = s.inverse.apply(values[i]);
                if let Some(lo) = s.clip_min {
                    v = v.max(lo);
                }
                format!("{v}")
            }
        };
        let mapped = s
            .values
            .iter()
            .find(|(k, _)| *k == text)
            .map_or(text, |(_, v)| v.clone());
        out.push_str(&format!("{},{}\n", csv_cell(id), csv_cell(&mapped)));
    }
    Ok(out)
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// What the competition in `dir` expects of this recipe's submission, as `kreplay validate`
/// reads it (the sample submission's header, ids and kind of values), except that a recipe
/// writing probabilities is held to probabilities.
pub fn expectation(recipe: &Recipe, dir: &Path) -> Result<Expectation> {
    let known = if recipe.submission.probability {
        Known::Probabilities
    } else {
        Known::Nothing
    };
    let test = recipe.data.test.as_deref().unwrap_or("test.csv");
    validate::expectation(dir, test, known).map_err(|e| RunError::Read {
        path: dir.into(),
        message: e.to_string(),
    })
}

/// Writes the submission atomically (temp file, then rename) if `exp` accepts it; else writes
/// nothing and names every kind of problem.
pub fn write(path: &Path, text: &str, exp: Option<&Expectation>) -> Result<()> {
    if let Some(exp) = exp {
        let checked = validate::check(text.as_bytes(), exp, Report::EveryKind).map_err(|e| {
            RunError::Write {
                path: path.into(),
                message: e.to_string(),
            }
        })?;
        if let Err(problems) = checked {
            return Err(RunError::InvalidSubmission {
                path: path.into(),
                reference: exp.reference.clone(),
                problems: problems.iter().map(ToString::to_string).collect(),
            });
        }
    }
    crate::atomic::write(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kreplay_recipe::{Inverse, Params, SubmissionSection};

    fn section(values: Vec<(String, String)>, inverse: Inverse) -> SubmissionSection {
        SubmissionSection {
            columns: vec!["Id".into(), "Target".into()],
            values,
            inverse,
            clip_min: Some(0.0),
            probability: false,
            params: Params::new("[submission]", vec![]),
        }
    }

    #[test]
    fn labels_map_and_regression_inverts() {
        let s = section(
            vec![("1".into(), "True".into()), ("0".into(), "False".into())],
            Inverse::None,
        );
        let text = render(
            &["a".into(), "b,c".into()],
            &[1.0, 0.0],
            None,
            &s,
            Task::Binary,
        )
        .unwrap();
        assert_eq!(text, "Id,Target\na,True\n\"b,c\",False\n");
        let s = section(vec![], Inverse::Expm1);
        let text = render(
            &["1".into(), "2".into()],
            &[0.0, -50.0],
            None,
            &s,
            Task::Regression,
        )
        .unwrap();
        assert_eq!(text, "Id,Target\n1,0\n2,0\n");
    }
}
