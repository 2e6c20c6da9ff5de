//! What a valid submission is, in one place: the runner checks its own submission with it
//! before writing, `kreplay validate` and `submit` before an upload, and the contest host
//! before it scores. It uses only the recipe crate (for escaping what it shows).
//!
//! * [`csv_records`]: a strict, streaming CSV record reader for files from outside;
//! * [`validate`]: what a competition expects ([`validate::Expectation`], read from its
//!   folder or built by the host) and the check of a file against it.

mod column;
pub mod csv_records;
pub mod error;
pub mod validate;

pub use error::{Result, SubmissionError};
