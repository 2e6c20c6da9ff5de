//! What a replay can show beyond its scores, for a report (`ReplayOptions::diagnose`): every
//! training row's out-of-fold prediction, each feature's permutation importance on the
//! validation rows, and each fold's time. Collected from the folds as they run; nothing here
//! changes a score.

use polars::prelude::DataFrame;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::error::Result;
use crate::matrix::Matrix;
use crate::models::{Prediction, Trained};

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
}

/// One fold's share of the evidence.
pub(crate) struct FoldEvidence {
    pub valid: Vec<usize>,
    /// The fold matrix's feature names, which `importances` follow.
    pub names: Vec<String>,
    pub prediction: Prediction,
    pub importances: Vec<f64>,
    pub seconds: f64,
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
    Diagnostics {
        truth,
        predicted,
        proba,
        importances,
        fold_seconds: folds.iter().map(|(_, f)| f.seconds).collect(),
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
            seconds: 0.5,
        }
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
