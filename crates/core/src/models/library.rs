//! What the two real boosting libraries (the `lightgbm` and `xgboost` features) share: they
//! are told the parameters a recipe set, under the names it wrote them, as the libraries'
//! scikit-learn wrappers pass a notebook's keyword arguments (both resolve their own aliases and
//! apply their own defaults to everything else, so nothing is restated here); they train on
//! float32 labels, the class indices of the sorted classes; they are told the objective the
//! wrapper would choose; they answer probabilities, which become labels as the wrappers' `predict` makes
//! them; and their handles are freed on drop.

use std::borrow::Cow;
use std::ffi::{c_int, c_void};

use kreplay_recipe::{Params, Task, Value};

use super::{Classes, Prediction, Training};
use crate::error::{Error, Result};
use crate::matrix::Matrix;

/// `name=value` pairs of the parameters the recipe set, except `skip` (the ones kreplay
/// itself consumes, such as the number of rounds). Values print as Python's `str` prints
/// them where the libraries' parsers could tell a difference (`None` is left out, as the
/// wrappers drop `None`).
pub(super) fn explicit(p: &Params, skip: &[&str]) -> Vec<(String, String)> {
    p.iter()
        .filter(|param| param.explicit && !skip.contains(&param.name.as_str()))
        .filter_map(|param| {
            let text = match &param.value {
                Value::None => return None,
                Value::Str(s) => s.clone(),
                Value::Int(i) => i.to_string(),
                // Rust prints the shortest text that reads back to the same double, as Python.
                Value::Float(x) => x.to_string(),
                Value::Bool(b) => b.to_string(),
                other => other.to_string(),
            };
            Some((param.name.clone(), text))
        })
        .collect()
}

/// The error of a library call, in kreplay's terms.
pub(super) fn library_error(kind: &str, library: &str, message: &str) -> Error {
    Error::model(kind, format!("{library}: {}", message.trim()))
}

/// A library's handle (dataset, booster), freed on drop by the library's own call.
pub(super) struct Handle {
    pub ptr: *mut c_void,
    pub free: unsafe extern "C" fn(*mut c_void) -> c_int,
}

// SAFETY: neither library ties a handle to the thread that made it, and every use of a fitted
// booster goes through a Mutex.
unsafe impl Send for Handle {}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from the matching create call and is freed once.
        unsafe {
            (self.free)(self.ptr);
        }
    }
}

/// What a fit hands the library: the training rows as one matrix, float32 labels (class
/// indices of the sorted classes, or the target), and the classes.
pub(super) fn prepared<'a>(
    kind: &str,
    t: &'a Training,
) -> Result<(Cow<'a, Matrix>, Vec<f32>, Option<Classes>)> {
    let x = t.x.matrix();
    if x.rows == 0 || x.cols == 0 {
        return Err(Error::model(kind, "no training rows or no features"));
    }
    if t.task.is_classification() {
        let classes = Classes::new(t.y, kind)?;
        let labels = classes.index.iter().map(|&i| i as f32).collect();
        return Ok((x, labels, Some(classes)));
    }
    if t.y.iter().any(|v| !v.is_finite()) {
        return Err(Error::model(
            kind,
            "the target has missing or infinite values",
        ));
    }
    Ok((x, t.y.iter().map(|&v| v as f32).collect(), None))
}

/// How many numbers the library predicts per row: one (a value, or P(class 1)) or one per class.
pub(super) fn outputs_per_row(classes: Option<&Classes>) -> usize {
    classes.map_or(1, |c| {
        if c.labels.len() > 2 {
            c.labels.len()
        } else {
            1
        }
    })
}

/// The `objective` (and `num_class` for multiclass) a fit tells the library: the recipe's
/// `named` one where `accepts` allows it for the task, else the wrapper's `defaults` for
/// regression, binary and multiclass; `hint` follows the error of one that does not fit.
pub(super) fn objective(
    kind: &str,
    task: Task,
    named: Option<&str>,
    defaults: [&'static str; 3],
    accepts: fn(Task, &str) -> bool,
    classes: usize,
    hint: &str,
) -> Result<Vec<(String, String)>> {
    // As the wrappers: two classes are binary and more are multiclass, whatever the recipe's
    // task says (a fold can lose a class); the output per row follows (`outputs_per_row`).
    let task = match task {
        Task::Regression => Task::Regression,
        _ if classes > 2 => Task::Multiclass,
        _ => Task::Binary,
    };
    let objective = match named {
        None => match task {
            Task::Regression => defaults[0],
            Task::Binary => defaults[1],
            Task::Multiclass => defaults[2],
        },
        Some(o) if accepts(task, o) => o,
        Some(o) => {
            return Err(Error::model(
                kind,
                format!("{kind}.objective = {o:?} does not fit a {task:?} task{hint}"),
            ))
        }
    };
    let mut out = vec![("objective".to_string(), objective.to_string())];
    if task == Task::Multiclass {
        out.push(("num_class".into(), classes.to_string()));
    }
    Ok(out)
}

/// The library's predictions as kreplay's: values; labels where P(class 1) > 0.5 (as the
/// wrappers' `predict`: class 0 at exactly 0.5) with P(class 1); or the most probable class
/// (the first of equals, numpy's argmax).
pub(super) fn prediction(classes: Option<&Classes>, raw: Vec<f64>) -> Prediction {
    match classes {
        None => Prediction {
            values: raw,
            proba: None,
        },
        Some(classes) if classes.labels.len() == 2 => {
            let values = raw
                .iter()
                .map(|&p| classes.labels[usize::from(p > 0.5)])
                .collect();
            let rows: Vec<Vec<f64>> = raw.iter().map(|&p| vec![1.0 - p, p]).collect();
            Prediction {
                values,
                proba: classes.positive_proba(&rows),
            }
        }
        Some(classes) => Prediction {
            values: raw
                .chunks(classes.labels.len())
                .map(|p| classes.argmax(p))
                .collect(),
            proba: None,
        },
    }
}
