//! Errors of a replay. Each names the step, column or file at fault and what to do.

use std::path::PathBuf;

use kreplay_recipe::RecipeError;

pub type Result<T, E = RunError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Recipe(#[from] RecipeError),

    #[error("no data for competition `{competition}`: looked in {looked}")]
    DataMissing {
        competition: String,
        looked: String,
        help: String,
    },

    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },

    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },

    #[error("{context}: {message}")]
    Data { context: String, message: String },

    #[error("model {model}: {message}")]
    Model { model: String, message: String },

    #[error("run store {path}: {message}")]
    Store { path: PathBuf, message: String },

    /// A replay's own submission that the competition's validator refuses: it is not written.
    #[error("{} was not written: the submission is not valid against {} ({})", path.display(), reference.display(), problems.join("; "))]
    InvalidSubmission {
        path: PathBuf,
        reference: PathBuf,
        problems: Vec<String>,
    },

    #[error("no run #{id} in {path}")]
    NoRun { id: i64, path: PathBuf },

    /// A shared study in PostgreSQL (`--storage`).
    #[error(transparent)]
    Study(#[from] kreplay_study::StudyError),
}

impl RunError {
    pub fn data(context: impl Into<String>, message: impl Into<String>) -> Self {
        RunError::Data {
            context: context.into(),
            message: message.into(),
        }
    }

    pub fn model(model: impl Into<String>, message: impl Into<String>) -> Self {
        RunError::Model {
            model: model.into(),
            message: message.into(),
        }
    }

    /// What the user can do about it, when there is something to say.
    pub fn help(&self) -> Option<String> {
        match self {
            RunError::Recipe(e) => e.help.clone(),
            RunError::DataMissing { help, .. } => Some(help.clone()),
            RunError::InvalidSubmission { .. } => Some(
                "check [data] task and the [submission] block (columns, values, inverse) against the competition's sample submission".into(),
            ),
            RunError::NoRun { .. } => {
                Some("`kreplay runs` lists the recorded runs and their ids".into())
            }
            _ => None,
        }
    }
}

/// The core's errors keep their wording: they are the same variants here.
impl From<kreplay_core::Error> for RunError {
    fn from(e: kreplay_core::Error) -> Self {
        match e {
            kreplay_core::Error::Recipe(e) => RunError::Recipe(e),
            kreplay_core::Error::Data { context, message } => RunError::Data { context, message },
            kreplay_core::Error::Model { model, message } => RunError::Model { model, message },
        }
    }
}

/// The store's errors keep their wording: they are the same variants here.
impl From<kreplay_store::StoreError> for RunError {
    fn from(e: kreplay_store::StoreError) -> Self {
        match e {
            kreplay_store::StoreError::Write { path, message } => RunError::Write { path, message },
            kreplay_store::StoreError::Store { path, message } => RunError::Store { path, message },
        }
    }
}

/// Adds context (a step id, a file) to a polars error.
pub trait Context<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for polars::prelude::PolarsResult<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| RunError::data(context(), e.to_string()))
    }
}
