//! Logistic regression on linfa-logistic (L-BFGS with an L2 penalty, the intercept unpenalised,
//! as sklearn's default lbfgs solver). linfa's `alpha` is sklearn's 1/C. linfa's binary
//! `predict_probabilities` returns P(its "positive" class), which is the majority class, not
//! class 1: the probability is flipped here when needed.

use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_logistic::{
    FittedLogisticRegression, LogisticRegression, MultiFittedLogisticRegression,
    MultiLogisticRegression,
};
use polars::prelude::DataFrame;

use kreplay_recipe::{Lit, ModelSpec, ParamSpec, Task, Ty};

use super::{Classes, Model, ModelDef, Prediction, Trained, Training};
use crate::error::{Result, RunError};
use crate::matrix::Matrix;

pub static LOGISTIC_REGRESSION: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "logistic_regression",
        summary: "L2-penalised logistic regression (sklearn LogisticRegression, lbfgs)",
        params: &[
            ParamSpec::optional(
                "C",
                Ty::Float,
                Lit::Float(1.0),
                "inverse regularisation strength",
            )
            .min(1e-12),
            ParamSpec::optional("max_iter", Ty::Int, Lit::Int(100), "solver iterations").min(1.0),
            ParamSpec::optional(
                "fit_intercept",
                Ty::Bool,
                Lit::Bool(true),
                "learn an intercept",
            ),
        ],
        tasks: &[Task::Binary, Task::Multiclass],
        engine: "linfa-logistic",
    },
    build: |p, _| {
        Ok(Box::new(Logistic {
            c: p.f64("C")?,
            max_iter: p.usize("max_iter")? as u64,
            intercept: p.bool("fit_intercept")?,
        }))
    },
};

struct Logistic {
    c: f64,
    max_iter: u64,
    intercept: bool,
}

enum Fitted {
    Binary(FittedLogisticRegression<f64, usize>),
    Multi(MultiFittedLogisticRegression<f64, usize>),
}

struct TrainedLogistic {
    fitted: Fitted,
    classes: Classes,
}

impl Model for Logistic {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let classes = Classes::new(t.y, "logistic_regression")?;
        let ds = DatasetBase::new(
            t.x.clone().into_ndarray(),
            ndarray::Array1::from(classes.index.clone()),
        );
        let err =
            |e: linfa_logistic::error::Error| RunError::model("logistic_regression", e.to_string());
        let fitted = if classes.labels.len() == 2 {
            Fitted::Binary(
                LogisticRegression::default()
                    .alpha(1.0 / self.c)
                    .max_iterations(self.max_iter)
                    .with_intercept(self.intercept)
                    .fit(&ds)
                    .map_err(err)?,
            )
        } else {
            Fitted::Multi(
                MultiLogisticRegression::default()
                    .alpha(1.0 / self.c)
                    .max_iterations(self.max_iter)
                    .with_intercept(self.intercept)
                    .fit(&ds)
                    .map_err(err)?,
            )
        };
        Ok(Box::new(TrainedLogistic { fitted, classes }))
    }
}

impl Trained for TrainedLogistic {
    fn predict(&self, _: &DataFrame, x: &Matrix) -> Result<Prediction> {
        let arr = x.clone().into_ndarray();
        let rows: Vec<Vec<f64>> = match &self.fitted {
            Fitted::Binary(m) => {
                let p_pos = m.predict_probabilities(&arr);
                let pos_is_one = m.labels().pos.class == 1;
                p_pos
                    .iter()
                    .map(|p| {
                        if pos_is_one {
                            vec![1.0 - p, *p]
                        } else {
                            vec![*p, 1.0 - p]
                        }
                    })
                    .collect()
            }
            Fitted::Multi(m) => {
                let p = m.predict_probabilities(&arr);
                let order: Vec<usize> = m.classes().to_vec();
                p.rows()
                    .into_iter()
                    .map(|r| {
                        let mut out = vec![0.0; self.classes.labels.len()];
                        for (col, class) in order.iter().enumerate() {
                            out[*class] = r[col];
                        }
                        out
                    })
                    .collect()
            }
        };
        let values = rows.iter().map(|p| self.classes.argmax(p)).collect();
        Ok(Prediction {
            values,
            proba: self.classes.positive_proba(&rows),
        })
    }
}
