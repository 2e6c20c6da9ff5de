//! Voting classifiers, as sklearn's `VotingClassifier`: hard voting takes the (weighted)
//! majority label, ties going to the smallest label (numpy's argmax over sorted classes); soft
//! voting averages the members' P(class 1) and predicts class 1 above 0.5, a tie going to
//! class 0 as argmax does. Ghouzam's Titanic ensemble is a soft vote of five tuned models.

use polars::prelude::DataFrame;

use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty};

use super::{fit_all, predict_all, weights, EnsembleDef, Member, Weights};
use crate::error::{Result, RunError};
use crate::matrix::Matrix;
use crate::models::{Model, Prediction, Trained, Training};

kreplay_recipe::named_enum! {
    /// How the members' votes are counted.
    enum Voting {
        Hard = "hard",
        Soft = "soft",
    }
}

params! {
    struct VoteParams {
        members: Vec<String> = required(Ty::StrList, "member names ([members.<name>])"),
        voting: Voting = optional(
            Ty::Choice(Voting::NAMES),
            Lit::Str("hard"),
            "hard: majority of labels; soft: mean of P(class 1) (binary)",
        ),
        weights: Weights = optional(
            Ty::FloatList,
            Lit::None,
            "one weight per member (default: equal)",
        ),
    }
}

pub static VOTE: EnsembleDef = EnsembleDef {
    spec: ModelSpec {
        kind: "vote",
        summary: "voting classifier over members (sklearn VotingClassifier): hard or soft",
        params: VoteParams::SPECS,
        tasks: &[Task::Binary, Task::Multiclass],
        engine: "kreplay ensemble",
        stand_in: None,
    },
    build: |p, b| {
        let k = VoteParams::read(p)?;
        let members = b.members(&k.members)?;
        let weights = weights(k.weights, members.len(), "vote")?;
        Ok(Box::new(Vote {
            members,
            weights,
            soft: k.voting == Voting::Soft,
        }))
    },
};

struct Vote {
    members: Vec<Member>,
    weights: Vec<f64>,
    soft: bool,
}

impl Model for Vote {
    fn reads_frame(&self) -> bool {
        self.members.iter().any(|m| m.reads_frame())
    }

    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let trained = fit_all(&self.members, t)?;
        Ok(Box::new(TrainedVote {
            names: self.members.iter().map(|m| m.name.clone()).collect(),
            trained,
            weights: self.weights.clone(),
            soft: self.soft,
        }))
    }
}

struct TrainedVote {
    names: Vec<String>,
    trained: Vec<Box<dyn Trained>>,
    weights: Vec<f64>,
    soft: bool,
}

impl Trained for TrainedVote {
    fn predict(&self, frame: &DataFrame, x: &Matrix) -> Result<Prediction> {
        let preds = predict_all(&self.trained, frame, x)?;
        let total: f64 = self.weights.iter().sum();
        if self.soft {
            let mut acc = vec![0.0; x.rows];
            for ((p, w), name) in preds.iter().zip(&self.weights).zip(&self.names) {
                let proba = p.proba.as_deref().ok_or_else(|| {
                    RunError::model(
                        "vote",
                        format!("member `{name}` gives no probabilities, which soft voting needs (for svm set probability = true)"),
                    )
                })?;
                for (a, v) in acc.iter_mut().zip(proba) {
                    *a += w * v;
                }
            }
            let proba: Vec<f64> = acc.iter().map(|a| a / total).collect();
            return Ok(Prediction {
                values: proba.iter().map(|p| f64::from(*p > 0.5)).collect(),
                proba: Some(proba),
            });
        }
        let mut labels: Vec<f64> = preds.iter().flat_map(|p| p.values.clone()).collect();
        labels.sort_by(f64::total_cmp);
        labels.dedup();
        let values = (0..x.rows)
            .map(|i| {
                let mut score = vec![0.0; labels.len()];
                for (p, w) in preds.iter().zip(&self.weights) {
                    let at = labels
                        .iter()
                        .position(|l| *l == p.values[i])
                        .expect("collected above");
                    score[at] += w;
                }
                let mut best = 0;
                for (k, s) in score.iter().enumerate() {
                    if *s > score[best] {
                        best = k;
                    }
                }
                labels[best]
            })
            .collect();
        Ok(Prediction {
            values,
            proba: None,
        })
    }
}
