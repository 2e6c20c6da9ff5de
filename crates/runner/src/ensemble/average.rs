//! Averaging and weighted blends: `0.7 * expm1(stacked) + 0.15 * expm1(xgb) + 0.15 * expm1(lgb)`
//! as Serigne wrote it is `members = ["stacked", "xgb", "lgb"]`, `weights = [0.7, 0.15, 0.15]`,
//! `space = "expm1"`. A blend in another space is mapped back to the target's scale (log1p of
//! the expm1 blend), so CV scores stay comparable and the submission's own inverse turns it
//! into exactly the published blend.

use polars::prelude::DataFrame;

use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty};

use super::{fit_all, predict_all, weights, EnsembleDef, Member, Weights};
use crate::error::{Result, RunError};
use crate::matrix::Matrix;
use crate::models::{Model, Prediction, Trained, Training};

params! {
    struct AverageParams {
        members: Vec<String> = required(Ty::StrList, "member names ([members.<name>])"),
        weights: Weights = optional(Ty::FloatList, Lit::None, "one weight per member, normalised by their sum (default: equal)"),
        space: Space = optional(Ty::Choice(Space::NAMES), Lit::Str("target"), "where to average: the target as modelled, or expm1/exp of it (mapped back with log1p/log)"),
    }
}

pub static AVERAGE: EnsembleDef = EnsembleDef {
    spec: ModelSpec {
        kind: "average",
        summary:
            "(weighted) average of members' predictions, for regression or binary probabilities",
        params: AverageParams::SPECS,
        tasks: &[Task::Binary, Task::Regression],
        engine: "kreplay ensemble",
        stand_in: None,
    },
    build: |p, b| {
        let k = AverageParams::read(p)?;
        let members = b.members(&k.members)?;
        let w = weights(k.weights, members.len(), "average")?;
        Ok(Box::new(Average {
            members,
            weights: w,
            space: k.space,
        }))
    },
};

kreplay_recipe::named_enum! {
    /// Where the members' predictions are averaged.
    enum Space {
        Target = "target",
        Expm1 = "expm1",
        Exp = "exp",
    }
}

impl Space {
    fn to(self, v: f64) -> f64 {
        match self {
            Space::Target => v,
            Space::Expm1 => v.exp_m1(),
            Space::Exp => v.exp(),
        }
    }

    fn back(self, v: f64) -> f64 {
        match self {
            Space::Target => v,
            Space::Expm1 => v.ln_1p(),
            Space::Exp => v.ln(),
        }
    }
}

struct Average {
    members: Vec<Member>,
    weights: Vec<f64>,
    space: Space,
}

impl Model for Average {
    fn reads_frame(&self) -> bool {
        self.members.iter().any(|m| m.reads_frame())
    }

    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let trained = fit_all(&self.members, t)?;
        Ok(Box::new(TrainedAverage {
            names: self.members.iter().map(|m| m.name.clone()).collect(),
            trained,
            weights: self.weights.clone(),
            space: self.space,
            classification: t.task.is_classification(),
        }))
    }
}

struct TrainedAverage {
    names: Vec<String>,
    trained: Vec<Box<dyn Trained>>,
    weights: Vec<f64>,
    space: Space,
    classification: bool,
}

impl Trained for TrainedAverage {
    fn predict(&self, frame: &DataFrame, x: &Matrix) -> Result<Prediction> {
        let preds = predict_all(&self.trained, frame, x)?;
        let total: f64 = self.weights.iter().sum();
        let mut acc = vec![0.0; x.rows];
        for ((p, w), name) in preds.iter().zip(&self.weights).zip(&self.names) {
            let values = if self.classification {
                p.proba.as_deref().ok_or_else(|| {
                    RunError::model(
                        "average",
                        format!("member `{name}` gives no probabilities to average"),
                    )
                })?
            } else {
                &p.values
            };
            for (a, v) in acc.iter_mut().zip(values) {
                *a += w * self.space.to(*v);
            }
        }
        let blended: Vec<f64> = acc.iter().map(|a| self.space.back(a / total)).collect();
        if self.classification {
            let values = blended.iter().map(|p| f64::from(*p > 0.5)).collect();
            return Ok(Prediction {
                values,
                proba: Some(blended),
            });
        }
        Ok(Prediction {
            values: blended,
            proba: None,
        })
    }
}
