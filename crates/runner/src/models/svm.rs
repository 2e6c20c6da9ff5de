//! Support vector classification on linfa-svm (SMO), binary. sklearn's `gamma` is mapped onto
//! linfa's kernels: RBF exp(-gamma |x-y|^2) is linfa's Gaussian with eps = 1/gamma, and the
//! polynomial (gamma <x,y> + coef0)^degree is linfa's (<x',y'> + coef0)^degree on x' = sqrt(gamma) x.

use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_svm::Svm;
use polars::prelude::DataFrame;

use kreplay_recipe::{Lit, ModelSpec, ParamSpec, Task, Ty, Value};

use super::{Classes, Model, ModelDef, Prediction, Trained, Training};
use crate::error::{Result, RunError};
use crate::matrix::Matrix;

pub static SVM: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "svm",
        summary: "support vector classifier (sklearn SVC), binary",
        params: &[
            ParamSpec::optional("kernel", Ty::Choice(&["rbf", "linear", "poly"]), Lit::Str("rbf"), "kernel"),
            ParamSpec::optional("C", Ty::Float, Lit::Float(1.0), "penalty of misclassification").min(1e-12),
            ParamSpec::optional("gamma", Ty::FloatOr(&["scale", "auto"]), Lit::Str("scale"), "kernel width: scale = 1/(n_features * var(X)), auto = 1/n_features (sklearn < 0.22 default), or a number"),
            ParamSpec::optional("degree", Ty::Int, Lit::Int(3), "poly kernel degree").min(1.0),
            ParamSpec::optional("coef0", Ty::Float, Lit::Float(0.0), "poly kernel constant"),
        ],
        tasks: &[Task::Binary],
        engine: "linfa-svm",
    },
    build: |p, _| {
        Ok(Box::new(SupportVector {
            kernel: p.str("kernel")?.to_string(),
            c: p.f64("C")?,
            gamma: p.get("gamma").map(|g| g.value.clone()).unwrap_or(Value::Str("scale".into())),
            degree: p.f64("degree")?,
            coef0: p.f64("coef0")?,
        }))
    },
};

struct SupportVector {
    kernel: String,
    c: f64,
    gamma: Value,
    degree: f64,
    coef0: f64,
}

struct TrainedSvm {
    model: Svm<f64, bool>,
    classes: Classes,
    scale: f64,
}

impl SupportVector {
    fn gamma(&self, x: &Matrix) -> f64 {
        match &self.gamma {
            Value::Str(s) if s == "auto" => 1.0 / x.cols as f64,
            Value::Str(_) => {
                let n = x.data.len() as f64;
                let mean = x.data.iter().sum::<f64>() / n;
                let var = x.data.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
                if var > 0.0 {
                    1.0 / (x.cols as f64 * var)
                } else {
                    1.0
                }
            }
            v => v.as_f64().unwrap_or(1.0),
        }
    }
}

fn scaled(x: &Matrix, scale: f64) -> ndarray::Array2<f64> {
    let mut arr = x.clone().into_ndarray();
    if scale != 1.0 {
        arr.mapv_inplace(|v| v * scale);
    }
    arr
}

impl Model for SupportVector {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let classes = Classes::new(t.y, "svm")?;
        let gamma = self.gamma(t.x);
        let scale = if self.kernel == "poly" {
            gamma.sqrt()
        } else {
            1.0
        };
        let targets: Vec<bool> = classes.index.iter().map(|i| *i == 1).collect();
        let ds = DatasetBase::new(scaled(t.x, scale), ndarray::Array1::from(targets));
        let params = Svm::<f64, bool>::params().pos_neg_weights(self.c, self.c);
        let params = match self.kernel.as_str() {
            "linear" => params.linear_kernel(),
            "poly" => params.polynomial_kernel(self.coef0, self.degree),
            _ => params.gaussian_kernel(1.0 / gamma),
        };
        let model = params
            .fit(&ds)
            .map_err(|e| RunError::model("svm", e.to_string()))?;
        Ok(Box::new(TrainedSvm {
            model,
            classes,
            scale,
        }))
    }
}

impl Trained for TrainedSvm {
    fn predict(&self, _: &DataFrame, x: &Matrix) -> Result<Prediction> {
        let pred = self.model.predict(&scaled(x, self.scale));
        let values = pred
            .iter()
            .map(|b| self.classes.labels[usize::from(*b)])
            .collect();
        Ok(Prediction {
            values,
            proba: None,
        })
    }
}
