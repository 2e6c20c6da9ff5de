//! LightGBM 4.7.0 itself behind the `lightgbm` kind (the `lightgbm` cargo feature, through
//! lightgbm3-sys, which builds LightGBM's own sources).
//!
//! A fit does what `LGBMRegressor.fit` / `LGBMClassifier.fit` do with a notebook's keyword
//! arguments: the parameters the recipe set go to LightGBM under the names the recipe wrote
//! (LightGBM resolves its aliases and applies its defaults), for both the Dataset (whose
//! binning reads `max_bin` and friends) and the Booster; labels are float32 class indices of
//! the sorted classes; the objective is the wrapper's (`regression`, `binary`, or
//! `multiclass` with `num_class`) unless the recipe names one; `n_estimators` rounds.
//!
//! lightgbm3-sys builds LightGBM without OpenMP, so every fit runs on one thread and its trees
//! do not depend on the machine (kreplay runs folds in parallel around it); scikit-learn's
//! wrapper with `n_jobs=1` gives the same numbers.

use std::ffi::{c_int, c_void, CStr, CString};
use std::sync::Mutex;

use kreplay_recipe::Task;
use lightgbm3_sys as sys;

use super::library::{self, library_error, Handle};
use super::{Classes, Explanation, Model, Prediction, Trained, Training};
use crate::error::{Error, Result};
use crate::matrix::Matrix;

const LIBRARY: &str = "LightGBM";

/// Gain importances, as `LGBMModel.booster_.feature_importance("gain")`.
const GAIN: &str = "total gain of the splits on the feature (LightGBM's importance_type='gain')";

/// A LightGBM kind ready to fit: rounds, the recipe's parameters, and the objective named.
pub(super) struct LightGbm {
    pub kind: &'static str,
    pub rounds: usize,
    pub params: Vec<(String, String)>,
    /// The recipe's objective, or `None` for the wrapper's choice by task.
    pub objective: Option<String>,
}

fn check(kind: &str, code: c_int) -> Result<()> {
    if code == 0 {
        return Ok(());
    }
    // SAFETY: LightGBM returns a pointer to its thread-local, NUL-terminated last error.
    let message = unsafe { CStr::from_ptr(sys::LGBM_GetLastError()) };
    Err(library_error(kind, LIBRARY, &message.to_string_lossy()))
}

/// The parameter string of LightGBM's C API (`k=v k=v`), as the Python package joins it.
fn joined(kind: &str, params: &[(String, String)]) -> Result<CString> {
    let text = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ");
    CString::new(text).map_err(|_| Error::model(kind, "a parameter value holds a NUL byte"))
}

fn dims(kind: &str, x: &Matrix) -> Result<(i32, i32)> {
    match (i32::try_from(x.rows), i32::try_from(x.cols)) {
        (Ok(r), Ok(c)) => Ok((r, c)),
        _ => Err(Error::model(
            kind,
            format!(
                "{} rows × {} columns exceed LightGBM's 32-bit sizes",
                x.rows, x.cols
            ),
        )),
    }
}

/// LightGBM's objectives for each task, as a recipe may name them.
fn accepts(task: Task, objective: &str) -> bool {
    match task {
        Task::Regression => matches!(objective, "regression" | "regression_l2" | "l2" | "mse"),
        Task::Binary => objective == "binary",
        Task::Multiclass => matches!(
            objective,
            "multiclass" | "softmax" | "multiclassova" | "ova"
        ),
    }
}

impl Model for LightGbm {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let (x, labels, classes) = library::prepared(self.kind, t)?;
        let (rows, cols) = dims(self.kind, &x)?;
        let k = classes.as_ref().map_or(0, |c| c.labels.len());
        let mut params = library::objective(
            self.kind,
            t.task,
            self.objective.as_deref(),
            ["regression", "binary", "multiclass"],
            accepts,
            k,
            "",
        )?;
        params.extend(self.params.iter().cloned());
        // One thread (the library has no OpenMP here anyway) and no chatter on stdout, which
        // `--json` owns.
        params.push(("num_threads".into(), "1".into()));
        params.push(("verbosity".into(), "-1".into()));
        let text = joined(self.kind, &params)?;

        let mut dataset: *mut c_void = std::ptr::null_mut();
        // SAFETY: `x.data` holds rows × cols f64 in row-major order and outlives the call,
        // which copies what it needs into the Dataset.
        check(self.kind, unsafe {
            sys::LGBM_DatasetCreateFromMat(
                x.data.as_ptr().cast(),
                sys::C_API_DTYPE_FLOAT64 as c_int,
                rows,
                cols,
                1,
                text.as_ptr(),
                std::ptr::null_mut(),
                &mut dataset,
            )
        })?;
        let dataset = Handle {
            ptr: dataset,
            free: sys::LGBM_DatasetFree,
        };
        let field = CString::new("label").expect("no NUL");
        // SAFETY: one f32 label per row.
        check(self.kind, unsafe {
            sys::LGBM_DatasetSetField(
                dataset.ptr,
                field.as_ptr(),
                labels.as_ptr().cast(),
                rows,
                sys::C_API_DTYPE_FLOAT32 as c_int,
            )
        })?;
        let mut booster: *mut c_void = std::ptr::null_mut();
        // SAFETY: the dataset is alive; the booster copies the parameters.
        check(self.kind, unsafe {
            sys::LGBM_BoosterCreate(dataset.ptr, text.as_ptr(), &mut booster)
        })?;
        let booster = Handle {
            ptr: booster,
            free: sys::LGBM_BoosterFree,
        };
        for _ in 0..self.rounds {
            // As lightgbm.train, every round runs: a round that can split nothing does not end
            // training (a later one may draw other rows or columns).
            let mut finished: c_int = 0;
            // SAFETY: the booster and its training dataset are alive.
            check(self.kind, unsafe {
                sys::LGBM_BoosterUpdateOneIter(booster.ptr, &mut finished)
            })?;
        }
        // As lightgbm.train (keep_training_booster=False): the model goes through its text
        // form and back, which frees the training data and rounds what the text rounds (the
        // split gains of `explain`). The training booster goes before the dataset it reads.
        let (trained, rounds) = reloaded(self.kind, &booster)?;
        drop(booster);
        drop(dataset);
        Ok(Box::new(TrainedLightGbm {
            kind: self.kind,
            booster: Mutex::new(trained),
            cols: x.cols,
            classes,
            rounds,
        }))
    }
}

/// `booster` saved to LightGBM's model text and loaded back as a new booster, with its number
/// of rounds.
fn reloaded(kind: &str, booster: &Handle) -> Result<(Handle, usize)> {
    let mut text: Vec<u8> = vec![0; 1 << 20];
    let mut len: i64 = 0;
    for _ in 0..2 {
        // SAFETY: `text` has room for `text.len()` bytes; LightGBM writes at most that many
        // and reports the length it needs (with the NUL).
        check(kind, unsafe {
            sys::LGBM_BoosterSaveModelToString(
                booster.ptr,
                0,
                -1,
                sys::C_API_FEATURE_IMPORTANCE_SPLIT as c_int,
                text.len() as i64,
                &mut len,
                text.as_mut_ptr().cast(),
            )
        })?;
        if (len as usize) <= text.len() {
            break;
        }
        text = vec![0; len as usize];
    }
    let model = CStr::from_bytes_until_nul(&text)
        .map_err(|_| Error::model(kind, "LightGBM's model text has no end"))?;
    let (mut iterations, mut out): (c_int, *mut c_void) = (0, std::ptr::null_mut());
    // SAFETY: a NUL-terminated model text; LightGBM parses it into a new booster.
    check(kind, unsafe {
        sys::LGBM_BoosterLoadModelFromString(model.as_ptr(), &mut iterations, &mut out)
    })?;
    Ok((
        Handle {
            ptr: out,
            free: sys::LGBM_BoosterFree,
        },
        usize::try_from(iterations).unwrap_or(0),
    ))
}

struct TrainedLightGbm {
    kind: &'static str,
    booster: Mutex<Handle>,
    cols: usize,
    classes: Option<Classes>,
    rounds: usize,
}

impl TrainedLightGbm {
    /// LightGBM's normal predictions from the first `iterations` rounds (all for `None`):
    /// values, P(class 1), or a row of class probabilities per row.
    fn raw(&self, x: &Matrix, iterations: Option<usize>) -> Result<Vec<f64>> {
        super::same_width(self.kind, self.cols, x)?;
        let (rows, cols) = dims(self.kind, x)?;
        let k = library::outputs_per_row(self.classes.as_ref());
        if x.rows == 0 {
            return Ok(Vec::new());
        }
        let mut len: i64 = 0;
        let params = CString::new("num_threads=1").expect("no NUL");
        let iterations = iterations.map_or(-1, |i| i.min(i32::MAX as usize) as c_int);
        let booster = self.booster.lock().unwrap_or_else(|e| e.into_inner());
        // How many numbers LightGBM will write, asked before it writes them into `out`.
        // SAFETY: a live booster and an out-parameter.
        check(self.kind, unsafe {
            sys::LGBM_BoosterCalcNumPredict(
                booster.ptr,
                rows,
                sys::C_API_PREDICT_NORMAL as c_int,
                0,
                iterations,
                &mut len,
            )
        })?;
        if len as usize != x.rows * k {
            return Err(Error::model(
                self.kind,
                format!("LightGBM would give {len} predictions for {} rows", x.rows),
            ));
        }
        let mut out = vec![0.0f64; x.rows * k];
        // SAFETY: `x.data` is rows × cols row-major f64; `out` has room for rows × classes.
        check(self.kind, unsafe {
            sys::LGBM_BoosterPredictForMat(
                booster.ptr,
                x.data.as_ptr().cast(),
                sys::C_API_DTYPE_FLOAT64 as c_int,
                rows,
                cols,
                1,
                sys::C_API_PREDICT_NORMAL as c_int,
                0,
                iterations,
                params.as_ptr(),
                &mut len,
                out.as_mut_ptr(),
            )
        })?;
        if len as usize != out.len() {
            return Err(Error::model(
                self.kind,
                format!("LightGBM gave {len} predictions for {} rows", x.rows),
            ));
        }
        Ok(out)
    }
}

impl Trained for TrainedLightGbm {
    fn predict(&self, x: &Matrix) -> Result<Prediction> {
        Ok(library::prediction(
            self.classes.as_ref(),
            self.raw(x, None)?,
        ))
    }

    fn explain(&self) -> Option<Explanation> {
        let mut values = vec![0.0; self.cols];
        let booster = self.booster.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: `values` has one slot per feature.
        let code = unsafe {
            sys::LGBM_BoosterFeatureImportance(
                booster.ptr,
                0,
                sys::C_API_FEATURE_IMPORTANCE_GAIN as c_int,
                values.as_mut_ptr(),
            )
        };
        (code == 0).then_some(Explanation {
            measure: GAIN,
            values,
        })
    }

    fn stages(&self) -> Option<usize> {
        Some(self.rounds)
    }

    fn staged(&self, x: &Matrix, stages: &[usize]) -> Option<Vec<Prediction>> {
        stages
            .iter()
            .map(|&s| {
                self.raw(x, Some(s))
                    .ok()
                    .map(|raw| library::prediction(self.classes.as_ref(), raw))
            })
            .collect()
    }
}
