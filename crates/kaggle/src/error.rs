//! Errors of the Kaggle side. Each says what happened and, through [`KaggleError::help`], what
//! to do about it. No variant ever holds a token or key.

use std::path::PathBuf;

pub type Result<T, E = KaggleError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum KaggleError {
    #[error("no Kaggle credentials found (looked in: {})", looked.join(", "))]
    NoCredentials { looked: Vec<String> },

    #[error("{0}")]
    BadCredentials(String),

    #[error("Kaggle rejected the credentials from {source_name} (401 Unauthorized): {message}")]
    Unauthorized {
        source_name: String,
        message: String,
    },

    #[error("Kaggle refused access to `{competition}` (403 Forbidden): {message}")]
    Forbidden {
        competition: String,
        message: String,
    },

    #[error("not found (404): {message}")]
    NotFound {
        message: String,
        hint: Option<String>,
    },

    #[error("Kaggle is rate-limiting requests (429 Too Many Requests): {message}")]
    RateLimited { message: String },

    #[error("{url} answered HTTP {status}: {message}")]
    Http {
        url: String,
        status: u16,
        message: String,
    },

    #[error("network error talking to {url}: {message}")]
    Network { url: String, message: String },

    #[error("download of {file} failed: {message}")]
    Download { file: String, message: String },

    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },

    /// A name from outside (a server's file list, a zip member, an imported file, the
    /// manifest) that cannot be a path inside the competition's folder. `name` is escaped.
    #[error("refused the file name `{name}` from {from}: {reason}")]
    UnsafeName {
        name: String,
        from: String,
        reason: String,
    },

    /// A server that answers in a way no well-behaved one does (endless paging, a repeated
    /// page token, an oversized reply, an absurd size). `server` is redacted.
    #[error("{server} {message}")]
    Misbehaving { server: String, message: String },

    #[error("{0}")]
    Invalid(String),
}

impl KaggleError {
    pub fn io(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        KaggleError::Io {
            path: path.into(),
            message: e.to_string(),
        }
    }

    pub fn help(&self) -> Option<String> {
        match self {
            KaggleError::NoCredentials { .. } => Some(
                "create an API token at https://www.kaggle.com/settings (API section) and put it in \
                 ~/.kaggle/access_token or the KAGGLE_API_TOKEN variable; a legacy kaggle.json \
                 ({\"username\": ..., \"key\": ...}) in ~/.kaggle/ or KAGGLE_USERNAME + KAGGLE_KEY also work"
                    .into(),
            ),
            KaggleError::Unauthorized { .. } => {
                Some("the token or key is wrong or expired: create a new one at https://www.kaggle.com/settings".into())
            }
            KaggleError::Forbidden { competition, .. } => Some(format!(
                "accept the competition's rules at https://www.kaggle.com/competitions/{competition}/rules \
                 (with the account whose credentials you use), then run the command again"
            )),
            KaggleError::NotFound { hint, .. } => hint.clone(),
            KaggleError::RateLimited { .. } => Some("wait a few minutes and run the command again; finished files are kept".into()),
            KaggleError::UnsafeName { .. } | KaggleError::Misbehaving { .. } => Some(
                "nothing outside the competition's cache folder was written; if this server is not \
                 Kaggle, check KREPLAY_KAGGLE_URL"
                    .into(),
            ),
            KaggleError::Network { .. } | KaggleError::Download { .. } => {
                Some("run the same command again: the download resumes where it stopped".into())
            }
            _ => None,
        }
    }
}
