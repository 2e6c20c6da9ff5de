//! kreplay's shared sweep studies in PostgreSQL (`sweep --storage`, `kreplay worker`).
//!
//! This crate owns the study tables, the `--storage` address (with libpq's password sources,
//! and redacted wherever it is shown) and every statement run on them: creating or attaching
//! to a study, claiming the next trial atomically, heartbeats, taking back trials whose worker
//! stopped, and recording results exactly once. It knows nothing of recipes or models: the
//! runner turns a claimed trial's overrides into a replay, and TPE's suggestion is a closure
//! the runner passes in. The local SQLite run store ([`kreplay-store`]) stays the default.

mod address;
mod error;
mod schema;
mod storage;

pub use address::Address;
pub use error::{Result, StudyError};
pub use storage::{
    check_data, Claim, Faults, History, NewStudy, Outcome, Progress, State, Storage, Study,
    TrialRecord,
};
