//! Scores and numpy's summation: the part of the numeric core that both the runner (fold
//! scores) and the contest host (leaderboard scores) need, kept apart so the host can score a
//! submission without compiling polars and the model zoo.
//!
//! * [`score`] and the metrics it dispatches to, in f64, with the recipe's [`Metric`] names;
//! * [`numpy_sum`]: `np.sum` and `np.average` in numpy's order, so replayed numbers keep their
//!   last bits (the models use it too).
//!
//! [`Metric`]: kreplay_recipe::Metric

pub mod numpy_sum;
mod score;

pub use score::{accuracy, log_loss, mean_std, rmse, roc_auc, score};
