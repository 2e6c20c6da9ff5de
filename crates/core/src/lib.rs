//! kreplay's numeric core: what a replay computes once its features are numbers.
//!
//! This crate owns, with no polars and no I/O:
//!
//! * [`matrix`]: the row-major f64 feature matrix every model reads;
//! * [`models`]: the model zoo behind one trait, on linfa where linfa is faithful to the
//!   published (scikit-learn) semantics, and on the project's own seeded implementations where
//!   it is not (each model file says which and why): CART trees, forests, extra trees,
//!   AdaBoost, scikit-learn's gradient boosting, XGBoost/LightGBM-style boosting on forust-ml,
//!   SVMs, kernel ridge, linear models, kNN and naive Bayes;
//! * [`folds`]: cross-validation splits, shuffled exactly as scikit-learn shuffles them;
//! * [`rng`]: numpy's MT19937 `RandomState` and scikit-learn's tree generator, so seeded models
//!   draw what scikit-learn draws.
//!
//! The runner turns frames into a [`matrix::Matrix`] and hands it here; scores live in
//! `kreplay_metrics`.

pub mod error;
pub mod folds;
pub mod matrix;
pub mod models;
pub mod rng;
#[doc(hidden)]
pub mod testing;

pub use error::{Error, Result};
