//! Runs kreplay recipes.
//!
//! This crate owns everything between a validated [`kreplay_recipe::Recipe`] and its results:
//!
//! * [`data`]: finding and loading competition files into polars frames (and the built-in data sets);
//! * [`steps`]: feature steps on polars. Each step kind is defined once (name, parameters, docs,
//!   fit, apply); a step fits on the rows its scope allows and then applies to any frame;
//! * [`matrix`], [`models`]: frames to the numeric core's matrix, and every model kind behind
//!   one trait: the core's model zoo (`kreplay_core`), the rule (a SQL expression), ensembles;
//! * [`ensemble`]: voting, averaging/blends and out-of-fold stacking over named members, each a
//!   full sub-pipeline;
//! * [`pipeline`]: cross-validation with fit scopes over the core's seeded splits, scored by
//!   [`kreplay_metrics`];
//! * [`replay`]: one replay end to end: scores, submission (temp file + rename), run record;
//! * [`record`]: a finished replay as the run store (`kreplay_store`) records it;
//! * [`threads`], [`memory`]: the threads the work may use, the memory it used.
//!
//! [`catalog()`] is the registry of step and model definitions the recipe parser checks against.

pub mod atomic;
pub mod cache;
pub mod carry;
pub mod catalog;
pub mod compat;
pub mod data;
pub mod diagnose;
pub mod ensemble;
pub mod error;
pub mod export;
pub mod matrix;
pub mod memory;
pub mod models;
pub mod pipeline;
pub mod record;
pub mod replay;
pub mod sql;
pub mod steps;
pub mod study;
pub mod submission;
pub mod sweep;
pub mod target;
pub mod threads;

pub use catalog::{catalog, Registry};
pub use error::{Result, RunError};
pub use replay::{check, replay, replay_owned, ReplayOptions, ReplayReport};
