//! Why an expectation could not be read: a reference file that is missing or malformed.

use std::path::PathBuf;

pub type Result<T, E = SubmissionError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum SubmissionError {
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },

    /// A competition file (sample submission, test or train file) that is not a table.
    #[error("{0}")]
    Invalid(String),
}

impl SubmissionError {
    pub fn io(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        SubmissionError::Io {
            path: path.into(),
            message: e.to_string(),
        }
    }
}
