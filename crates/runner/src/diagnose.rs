//! What a replay can show beyond its scores, for a report (`ReplayOptions::diagnose`): every
//! training row's out-of-fold prediction, each feature's permutation importance on the
//! validation rows, the model's own importances (impurity for trees, |coefficient| for linear
//! models), boosting's validation score by stage, and each fold's time. Collected from the
//! folds; nothing here changes a score.

use polars::prelude::DataFrame;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::error::Result;
use crate::matrix::Matrix;
use crate::models::{Explanation, Prediction, Trained};

/// At most this many stages of a learning curve are scored.
const CURVE_POINTS: usize = 60;

/// The evidence of a replay's cross-validation.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// The training target after the steps every fold shares, one value per row.
    pub truth: Vec<f64>,
    /// Each row's prediction by the fold model that did not see it; NaN where no fold
    /// validated the row (a holdout's training part).
    pub predicted: Vec<f64>,
    /// The positive class's out-of-fold probability, for binary models that give one.
    pub proba: Option<Vec<f64>>,
    /// (feature, importance): how much worse the validation score gets, averaged over the
    /// folds, when the feature's values are shuffled among the validation rows. Empty for
    /// models that read the frame rather than the matrix.
    pub importances: Vec<(String, f64)>,
    /// Each fold's fit, prediction and scoring time, in fold order.
    pub fold_seconds: Vec<f64>,
    /// The fold models' own importances, averaged over the folds: what they measure, and
    /// (feature, value). `None` for models without them.
    pub explained: Option<(String, Vec<(String, f64)>)>,
    /// For models built in stages: (stage, validation score after it, mean over the folds).
    pub curve: Vec<(usize, f64)>,
    /// Each step: (id, seconds spent fitting and applying it, times it ran), over the shared
    /// steps, every fold and the final fit.
    pub step_seconds: Vec<(String, f64, u64)>,
}

/// One fold's share of the evidence.
pub(crate) struct FoldEvidence {
    pub valid: Vec<usize>,
    /// The fold matrix's feature names, which `importances` follow.
    pub names: Vec<String>,
    pub prediction: Prediction,
    pub importances: Vec<f64>,
    pub explained: Option<Explanation>,
    /// (stage, validation score after it).
    pub curve: Vec<(usize, f64)>,
    pub seconds: f64,
}

/// Stages 1..=n, or [`CURVE_POINTS`] of them evenly spread, the last always included.
fn checkpoints(n: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (1..=CURVE_POINTS.min(n))
        .map(|k| (k * n).div_ceil(CURVE_POINTS.min(n)))
        .collect();
    out.dedup();
    out
}

/// The validation score after each checkpoint stage of a model built in stages (empty for
/// other models). A stage the metric cannot score (RMSLE of an early stage's negative
/// predictions) is left out: the curve shows what can be shown, and never fails a replay.
pub(crate) fn learning_curve(
    trained: &dyn Trained,
    x: &Matrix,
    score: &dyn Fn(&Prediction) -> Result<f64>,
) -> Vec<(usize, f64)> {
    let Some(n) = trained.stages() else {
        return Vec::new();
    };
    let points = checkpoints(n);
    let Some(predictions) = trained.staged(x, &points) else {
        return Vec::new();
    };
    points
        .into_iter()
        .zip(&predictions)
        .filter_map(|(stage, p)| score(p).ok().map(|s| (stage, s)))
        .collect()
}

/// The drop of `score` when each column of `x` is shuffled (one seeded permutation per
/// column, the same for every model), `higher` saying which way is worse.
pub(crate) fn permutation_importance(
    trained: &dyn Trained,
    frame: &DataFrame,
    x: &Matrix,
    base: f64,
    higher: bool,
    seed: u64,
    score: &dyn Fn(&Prediction) -> Result<f64>,
) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(x.cols);
    for j in 0..x.cols {
        let mut order: Vec<usize> = (0..x.rows).collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed.wrapping_add(j as u64));
        order.shuffle(&mut rng);
        let mut shuffled = x.clone();
        for (i, &from) in order.iter().enumerate() {
            shuffled.data[i * x.cols + j] = x.data[from * x.cols + j];
        }
        let permuted = score(&trained.predict(frame, &shuffled)?)?;
        out.push(if higher {
            base - permuted
        } else {
            permuted - base
        });
    }
    Ok(out)
}

/// The evidence of all folds (fold index, evidence), over the training rows' `truth`.
pub(crate) fn assemble(truth: Vec<f64>, mut folds: Vec<(usize, FoldEvidence)>) -> Diagnostics {
    folds.sort_by_key(|(i, _)| *i);
    let names = folds
        .first()
        .map(|(_, f)| f.names.clone())
        .unwrap_or_default();
    let rows = truth.len();
    let mut predicted = vec![f64::NAN; rows];
    let binary_proba = folds
        .iter()
        .all(|(_, f)| f.prediction.proba.as_ref().map(Vec::len) == Some(f.valid.len()));
    let mut proba = (binary_proba && !folds.is_empty()).then(|| vec![f64::NAN; rows]);
    for (_, f) in &folds {
        for (k, &row) in f.valid.iter().enumerate() {
            predicted[row] = f.prediction.values[k];
            if let (Some(p), Some(fp)) = (&mut proba, &f.prediction.proba) {
                p[row] = fp[k];
            }
        }
    }
    let with_importance: Vec<&FoldEvidence> = folds
        .iter()
        .map(|(_, f)| f)
        .filter(|f| f.importances.len() == names.len() && f.names == names)
        .collect();
    let importances = if with_importance.is_empty() {
        Vec::new()
    } else {
        names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let mean = with_importance
                    .iter()
                    .map(|f| f.importances[j])
                    .sum::<f64>()
                    / with_importance.len() as f64;
                (name.clone(), mean)
            })
            .collect()
    };
    // The model's own importances, where every fold's model gave them for the same columns.
    let explained: Vec<&Explanation> = folds
        .iter()
        .filter_map(|(_, f)| f.explained.as_ref().filter(|_| f.names == names))
        .filter(|e| e.values.len() == names.len())
        .collect();
    let explained = (!folds.is_empty() && explained.len() == folds.len()).then(|| {
        let values = names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let mean =
                    explained.iter().map(|e| e.values[j]).sum::<f64>() / explained.len() as f64;
                (name.clone(), mean)
            })
            .collect();
        (explained[0].measure.to_string(), values)
    });
    // The stages every fold's curve has, with the folds' mean score there.
    let curve = match folds.first() {
        Some((_, first)) => first
            .curve
            .iter()
            .filter_map(|&(stage, _)| {
                let at: Vec<f64> = folds
                    .iter()
                    .filter_map(|(_, f)| f.curve.iter().find(|c| c.0 == stage).map(|c| c.1))
                    .collect();
                (at.len() == folds.len()).then(|| (stage, at.iter().sum::<f64>() / at.len() as f64))
            })
            .collect(),
        None => Vec::new(),
    };
    Diagnostics {
        truth,
        predicted,
        proba,
        importances,
        fold_seconds: folds.iter().map(|(_, f)| f.seconds).collect(),
        explained,
        curve,
        step_seconds: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(valid: Vec<usize>, values: Vec<f64>, importances: Vec<f64>) -> FoldEvidence {
        let proba = Some(values.iter().map(|v| v * 0.9).collect());
        FoldEvidence {
            valid,
            names: vec!["a".into(), "b".into()],
            prediction: Prediction { values, proba },
            importances,
            explained: None,
            curve: Vec::new(),
            seconds: 0.5,
        }
    }

    #[test]
    fn checkpoints_spread_over_the_stages_and_end_at_the_last() {
        assert_eq!(checkpoints(3), vec![1, 2, 3]);
        let c = checkpoints(4000);
        assert_eq!(c.len(), CURVE_POINTS);
        assert_eq!((c[0], *c.last().unwrap()), (67, 4000));
        assert!(c.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn own_importances_and_curves_are_averaged_over_the_folds() {
        let mut a = fold(vec![0], vec![1.0], vec![]);
        let mut b = fold(vec![1], vec![0.0], vec![]);
        a.explained = Some(Explanation {
            measure: "m",
            values: vec![0.2, 0.8],
        });
        b.explained = Some(Explanation {
            measure: "m",
            values: vec![0.4, 0.6],
        });
        a.curve = vec![(1, 0.5), (2, 0.7)];
        b.curve = vec![(1, 0.7), (2, 0.9), (3, 1.0)];
        let d = assemble(vec![1.0, 0.0], vec![(1, b), (0, a)]);
        let (measure, values) = d.explained.unwrap();
        assert_eq!(measure, "m");
        assert!((values[0].1 - 0.3).abs() < 1e-12 && (values[1].1 - 0.7).abs() < 1e-12);
        // Only the stages every fold reached.
        assert_eq!(d.curve.len(), 2);
        assert!((d.curve[1].1 - 0.8).abs() < 1e-12);
    }

    #[test]
    fn each_row_gets_the_prediction_of_the_fold_that_validated_it() {
        let folds = vec![
            (1, fold(vec![1, 3], vec![1.0, 0.0], vec![0.2, 0.0])),
            (0, fold(vec![0, 2], vec![0.0, 1.0], vec![0.4, 0.1])),
        ];
        let d = assemble(vec![0.0, 1.0, 1.0, 0.0, 1.0], folds);
        assert_eq!(d.predicted[..4], [0.0, 1.0, 1.0, 0.0]);
        assert!(d.predicted[4].is_nan(), "row 4 was never validated");
        assert_eq!(d.proba.as_ref().unwrap()[1], 0.9);
        assert_eq!(d.importances[0].0, "a");
        assert!((d.importances[0].1 - 0.3).abs() < 1e-12);
        assert!((d.importances[1].1 - 0.05).abs() < 1e-12);
        assert_eq!(d.fold_seconds, [0.5, 0.5]);
    }
}
