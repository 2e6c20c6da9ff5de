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

/// What a submission is checked against before it is written.
pub struct Expectations {
    /// What it must satisfy: the competition's expectation as `kreplay validate` reads it,
    /// held to probabilities for a recipe that writes them, and to numbers (not class labels)
    /// for a regression, which only the recipe can declare.
    pub required: Expectation,
    /// For a regression, the competition's own reading: if its values look like class labels,
    /// a submission of quantities is written but warned about.
    pub advisory: Option<Expectation>,
}

/// The expectations of this recipe's submission in the competition folder `dir`.
pub fn expectation(recipe: &Recipe, dir: &Path) -> Result<Expectations> {
    let test = recipe.data.test.as_deref().unwrap_or("test.csv");
    let read = |known| {
        validate::expectation(dir, test, known).map_err(|e| RunError::Read {
            path: dir.into(),
            message: e.to_string(),
        })
    };
    Ok(if recipe.submission.probability {
        Expectations {
            required: read(Known::Probabilities)?,
            advisory: None,
        }
    } else if recipe.data.task.is_classification() {
        Expectations {
            required: read(Known::Nothing)?,
            advisory: None,
        }
    } else {
        Expectations {
            required: read(Known::Numbers)?,
            advisory: Some(read(Known::Nothing)?),
        }
    })
}

fn problems(text: &str, exp: &Expectation, path: &Path) -> Result<Option<Vec<String>>> {
    let checked =
        validate::check(text.as_bytes(), exp, Report::EveryKind).map_err(|e| RunError::Write {
            path: path.into(),
            message: e.to_string(),
        })?;
    Ok(checked
        .err()
        .map(|p| p.iter().map(ToString::to_string).collect()))
}

/// Writes the submission atomically (temp file, then rename) if the required expectation
/// accepts it; else writes nothing and names every kind of problem. Returns the warnings of
/// the advisory expectation.
pub fn write(path: &Path, text: &str, exp: Option<&Expectations>) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    if let Some(exp) = exp {
        if let Some(problems) = problems(text, &exp.required, path)? {
            return Err(RunError::InvalidSubmission {
                path: path.into(),
                reference: exp.required.reference.clone(),
                problems,
            });
        }
        if let Some(advisory) = &exp.advisory {
            if let Some(problems) = problems(text, advisory, path)? {
                warnings.push(format!(
                    "{} holds quantities, but {} reads its values as {}; if the competition \
                     scores classes, set [data] task to a classification: {}",
                    path.display(),
                    advisory.reference.display(),
                    advisory.values,
                    problems.join("; ")
                ));
            }
        }
    }
    crate::atomic::write(path, text.as_bytes())?;
    Ok(warnings)
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
