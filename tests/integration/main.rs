//! The default test tier, `cargo test`: the binary end to end on the small tables in
//! `tests/data` (cut from the public competition files by `tests/data/cut.sh`), so a fresh
//! clone needs no competition files and no Python. Published numbers are checked on the real
//! files by the replay tier (`tests/replays`).

#[path = "../common/mod.rs"]
mod common;

/// Where these tests' competition files are: the committed cuts.
const MIRROR: fn() -> std::path::PathBuf = common::fixtures;

mod cli;
mod derive;
mod example;
mod fetch;
mod fuzz;
mod hostile_fetch;
mod recipe_errors;
mod report;
mod runs;
mod study;
mod submissions;
mod submit;
mod sweep;
mod validate;
