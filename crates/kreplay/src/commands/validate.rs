use std::path::{Path, PathBuf};

use kreplay_kaggle::fetch::slug_of;
use kreplay_kaggle::KaggleError;
use kreplay_runner::data;
use kreplay_submission::validate::{expectation, validate, Expectation, Known, Problem};

use crate::out;
use crate::report::{Failure, Result};

/// The competition's expectation and the file's verdict: its rows, or every kind of problem.
fn verdict(
    slug: &str,
    file: &Path,
    data_dir: Option<&Path>,
) -> Result<(Expectation, std::result::Result<usize, Vec<Problem>>)> {
    let mirror = std::env::var_os("KREPLAY_MIRROR").map(PathBuf::from);
    let dir = data::locate(
        slug,
        data_dir,
        mirror.as_deref(),
        &kreplay_kaggle::cache::competitions_dir(),
    )?;
    let exp = expectation(&dir, "test.csv", Known::Nothing)?;
    let verdict = validate(file, &exp)?;
    Ok((exp, verdict))
}

/// Checks a submission file against the competition's test ids and sample submission.
/// Returns whether it is valid (problems are printed).
pub fn check(competition: &str, file: &Path, data_dir: Option<&Path>) -> Result<bool> {
    let slug = slug_of(competition);
    let (exp, verdict) = verdict(&slug, file, data_dir)?;
    match verdict {
        Ok(rows) => {
            out!(
                "{}: valid submission for {slug} ({rows} rows, values {})",
                file.display(),
                exp.values
            );
            Ok(true)
        }
        Err(problems) => {
            eprintln!(
                "error: {} is not a valid submission for {slug} (checked against {}):",
                file.display(),
                exp.reference.display()
            );
            for p in &problems {
                eprintln!("  - {p}");
            }
            Ok(false)
        }
    }
}

pub fn run(competition: &str, file: &Path, data_dir: Option<&Path>, json: bool) -> Result {
    if json {
        let slug = slug_of(competition);
        let (exp, verdict) = verdict(&slug, file, data_dir)?;
        let problems: Vec<String> = verdict
            .as_ref()
            .err()
            .map(|p| p.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        out!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "competition": slug,
                "file": file,
                "valid": verdict.is_ok(),
                "rows": verdict.as_ref().ok(),
                "values": exp.values.to_string(),
                "reference": exp.reference,
                "problems": problems,
            }))
            .expect("JSON")
        );
        return match verdict {
            Ok(_) => Ok(()),
            Err(_) => Err(Failure::Answer(1)),
        };
    }
    if check(competition, file, data_dir)? {
        Ok(())
    } else {
        Err(KaggleError::Invalid(
            "the submission was not uploaded anywhere; fix the problems above".into(),
        )
        .into())
    }
}
