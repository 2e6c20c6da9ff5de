//! Gaussian naive Bayes on linfa-bayes. Its fit matches sklearn's GaussianNB (class priors from
//! frequencies, variances smoothed by `var_smoothing` x the largest feature variance); the class
//! is taken from `predict_proba` (sorted classes) because linfa's `predict` picks the maximum
//! over a HashMap, so exact ties would not be deterministic.

use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_bayes::{GaussianNb, NaiveBayes};

use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty};

use super::{Classes, Model, ModelDef, Prediction, Trained, Training};
use crate::error::{Error, Result};
use crate::matrix::Matrix;

params! {
    /// Gaussian naive Bayes' parameters.
    pub struct GaussianNbParams {
        var_smoothing: f64 = optional(
            Ty::Float,
            Lit::Float(1e-9),
            "share of the largest feature variance added to every variance",
        )
        .min(0.0),
    }
}

pub static GAUSSIAN_NB: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "gaussian_nb",
        summary: "Gaussian naive Bayes (sklearn GaussianNB)",
        params: GaussianNbParams::SPECS,
        tasks: &[Task::Binary, Task::Multiclass],
        engine: "linfa-bayes",
        stand_in: None,
    },
    build: |p, _| {
        Ok(Box::new(GaussianNaiveBayes {
            var_smoothing: GaussianNbParams::read(p)?.var_smoothing,
        }))
    },
};

struct GaussianNaiveBayes {
    var_smoothing: f64,
}

struct TrainedNb {
    model: GaussianNb<f64, usize>,
    classes: Classes,
}

impl Model for GaussianNaiveBayes {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        // One contiguous matrix for the solver: a fold's rows are copied here, once.
        let x = t.x.matrix();
        let classes = Classes::new(t.y, "gaussian_nb")?;
        let ds = DatasetBase::new(
            x.clone().into_owned().into_ndarray(),
            ndarray::Array1::from(classes.index.clone()),
        );
        let model = GaussianNb::params()
            .var_smoothing(self.var_smoothing)
            .fit(&ds)
            .map_err(|e| Error::model("gaussian_nb", e.to_string()))?;
        Ok(Box::new(TrainedNb { model, classes }))
    }
}

impl Trained for TrainedNb {
    fn predict(&self, x: &Matrix) -> Result<Prediction> {
        let arr = x.clone().into_ndarray();
        let (proba, order) = self.model.predict_proba(arr.view());
        let k = self.classes.labels.len();
        let mut rows = Vec::with_capacity(x.rows);
        for r in proba.rows() {
            let mut p = vec![0.0; k];
            for (col, class) in order.iter().enumerate() {
                p[**class] = r[col];
            }
            rows.push(p);
        }
        let values = rows.iter().map(|p| self.classes.argmax(p)).collect();
        Ok(Prediction {
            values,
            proba: self.classes.positive_proba(&rows),
        })
    }
}
