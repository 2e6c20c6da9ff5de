use std::path::{Path, PathBuf};

use kreplay_kaggle::fetch::slug_of;
use kreplay_kaggle::KaggleError;
use kreplay_runner::data;
use kreplay_submission::validate::{expectation, validate, Known};

use crate::out;
use crate::report::Result;

/// Checks a submission file against the competition's test ids and sample submission.
/// Returns whether it is valid (problems are printed).
pub fn check(competition: &str, file: &Path, data_dir: Option<&Path>) -> Result<bool> {
    let slug = slug_of(competition);
    let mirror = std::env::var_os("KREPLAY_MIRROR").map(PathBuf::from);
    let dir = data::locate(
        &slug,
        data_dir,
        mirror.as_deref(),
        &kreplay_kaggle::cache::competitions_dir(),
    )?;
    let exp = expectation(&dir, "test.csv", Known::Nothing)?;
    match validate(file, &exp)? {
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

pub fn run(competition: &str, file: &Path, data_dir: Option<&Path>) -> Result {
    if check(competition, file, data_dir)? {
        Ok(())
    } else {
        Err(KaggleError::Invalid(
            "the submission was not uploaded anywhere; fix the problems above".into(),
        )
        .into())
    }
}
