//! The replay tier: every recipe with published numbers, replayed on the real competition
//! files (`KREPLAY_MIRROR`, never skipped when missing) and compared with its published
//! scores and with scikit-learn's own replay. Slow in a debug build, so it is built only with
//! `--features replays` and run in release:
//! `KREPLAY_MIRROR=../shared/data cargo test --release --features replays --test replays`.

#[path = "../common/mod.rs"]
mod common;

/// Where these tests' competition files are: the real mirror.
const MIRROR: fn() -> std::path::PathBuf = common::real_mirror;

mod anisotropic;
mod bike;
mod dantas;
mod determinism;
#[cfg(all(feature = "lightgbm", feature = "xgboost"))]
mod engines;
mod ghouzam;
mod house_prices;
mod serigne;
#[path = "../integration/submissions.rs"]
mod shipped_submissions;
mod sklearn_replays;
mod sweep_times;
mod titanic;
mod zlatankr;
