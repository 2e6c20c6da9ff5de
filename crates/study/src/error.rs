use thiserror::Error;

/// What can go wrong with a study. Messages name the server by its redacted address
/// ([`crate::Address`]), never with a password.
#[derive(Debug, Error)]
pub enum StudyError {
    /// The `--storage` URL itself is not usable.
    #[error("--storage {url}: {message}")]
    Url { url: String, message: String },
    /// The server could not be reached, refused us, or went away and stayed away.
    #[error("PostgreSQL at {url}: {message}")]
    Connect { url: String, message: String },
    /// A statement failed on a live connection.
    #[error("PostgreSQL at {url}: {message}")]
    Query { url: String, message: String },
    /// A study does not match what the caller asked for or runs with.
    #[error("study `{study}`: {message}")]
    Study { study: String, message: String },
}

pub type Result<T, E = StudyError> = std::result::Result<T, E>;
