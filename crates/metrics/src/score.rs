//! Each metric in f64 (linfa's are f32, too coarse for leaderboard-precision comparisons).

use kreplay_recipe::Metric;

/// `truth` and `pred` are labels or values; `proba` is P(class 1) for binary metrics that need it.
pub fn score(
    metric: Metric,
    truth: &[f64],
    pred: &[f64],
    proba: Option<&[f64]>,
) -> Result<f64, String> {
    if truth.len() != pred.len() || truth.is_empty() {
        return Err(format!(
            "{} truths against {} predictions",
            truth.len(),
            pred.len()
        ));
    }
    let probability = || {
        proba
            .ok_or_else(|| format!("{metric} needs class probabilities, and this model gives none"))
    };
    Ok(match metric {
        Metric::Accuracy => accuracy(truth, pred),
        Metric::RocAuc => roc_auc(truth, probability()?),
        Metric::LogLoss => log_loss(truth, probability()?),
        Metric::Rmse => rmse(truth, pred),
        Metric::RmseLog => {
            if truth.iter().chain(pred).any(|v| *v <= 0.0) {
                return Err("rmse_log needs positive truths and predictions".into());
            }
            rmse_by(truth, pred, f64::ln)
        }
        Metric::Rmsle => {
            if truth.iter().chain(pred).any(|v| *v <= -1.0) {
                return Err("rmsle needs values above -1".into());
            }
            rmse_by(truth, pred, f64::ln_1p)
        }
    })
}

pub fn accuracy(truth: &[f64], pred: &[f64]) -> f64 {
    let hits = truth.iter().zip(pred).filter(|(t, p)| t == p).count();
    hits as f64 / truth.len() as f64
}

pub fn rmse(truth: &[f64], pred: &[f64]) -> f64 {
    rmse_by(truth, pred, |v| v)
}

/// `np.sqrt(mean_squared_error(f(truth), f(pred)))`: numpy's pairwise mean of the squares, so
/// a replayed fold score keeps scikit-learn's last bits.
fn rmse_by(truth: &[f64], pred: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let squares: Vec<f64> = truth
        .iter()
        .zip(pred)
        .map(|(t, p)| (f(*t) - f(*p)).powi(2))
        .collect();
    (crate::numpy_sum::sum(&squares) / truth.len() as f64).sqrt()
}

/// Area under the ROC curve by average ranks (ties get their mean rank), as scikit-learn.
pub fn roc_auc(truth: &[f64], score: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let mut ranks = vec![0.0; score.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && score[order[j + 1]] == score[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    let pos = truth.iter().filter(|t| **t == 1.0).count() as f64;
    let neg = truth.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return f64::NAN;
    }
    let rank_sum: f64 = truth
        .iter()
        .zip(&ranks)
        .filter(|(t, _)| **t == 1.0)
        .map(|(_, r)| r)
        .sum();
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

/// Binary log loss with probabilities clipped to [1e-15, 1 - 1e-15].
pub fn log_loss(truth: &[f64], p: &[f64]) -> f64 {
    let eps = 1e-15;
    let sum: f64 = truth
        .iter()
        .zip(p)
        .map(|(t, p)| {
            let p = p.clamp(eps, 1.0 - eps);
            if *t == 1.0 {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum();
    sum / truth.len() as f64
}

/// Mean and population standard deviation (numpy's default, as notebooks print `scores.std()`).
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_handles_ties_like_sklearn() {
        // sklearn.metrics.roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) == 0.75
        assert!((roc_auc(&[0., 0., 1., 1.], &[0.1, 0.4, 0.35, 0.8]) - 0.75).abs() < 1e-12);
        // all tied: 0.5
        assert!((roc_auc(&[0., 1., 0., 1.], &[0.5; 4]) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn regression_metrics() {
        assert!((rmse(&[1., 2.], &[1., 4.]) - 2f64.sqrt()).abs() < 1e-12);
        let r = score(Metric::Rmsle, &[0., 3.], &[0., 0.], None).unwrap();
        assert!((r - ((4f64.ln()).powi(2) / 2.0).sqrt()).abs() < 1e-12);
        assert!(score(Metric::RmseLog, &[0.], &[1.], None).is_err());
        assert!((log_loss(&[1., 0.], &[0.8, 0.2]) - (-(0.8f64).ln())).abs() < 1e-12);
        assert_eq!(mean_std(&[1., 3.]), (2., 1.));
    }

    #[test]
    fn probability_metrics_need_probabilities() {
        assert!(score(Metric::RocAuc, &[0., 1.], &[0., 1.], None).is_err());
    }
}
