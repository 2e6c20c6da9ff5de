//! Errors of the run store, each naming the file.

use std::path::PathBuf;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store's folder cannot be created.
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },

    /// SQLite refused, or a stored value is damaged.
    #[error("run store {path}: {message}")]
    Store { path: PathBuf, message: String },
}
