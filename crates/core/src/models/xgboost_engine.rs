//! XGBoost itself behind the `xgboost` kind (the `xgboost` cargo feature), through XGBoost's C
//! API in a libxgboost loaded at run time: `KREPLAY_XGBOOST_LIB` names the file, else the
//! system's (`libxgboost.so`, Debian's libxgboost-dev). Loading rather than linking lets kreplay
//! run the very library a notebook's Python ran: pointed at the `xgboost` package's own
//! `xgboost/lib/libxgboost.so`, it repeats that package's numbers bit for bit, where another
//! build of the same version need not (Debian's 1.7.4 and PyPI's 1.7.4 wheel part after some 40
//! rounds of Serigne's XGBRegressor: their compilers sum differently).
//!
//! A fit does what `XGBRegressor.fit` / `XGBClassifier.fit` do with a notebook's keyword
//! arguments: the features become a float32 DMatrix (NaN missing), the labels float32 class
//! indices of the sorted classes; the parameters the recipe set go to the booster under the
//! names the recipe wrote (XGBoost resolves `learning_rate`, `reg_alpha`, `reg_lambda`,
//! `random_state` to its own), the objective is the wrapper's (`reg:squarederror`,
//! `binary:logistic`, or `multi:softprob` with `num_class`) unless the recipe names one, and
//! one `UpdateOneIter` runs per round. XGBoost 1.x's `tree_method = "auto"` is the exact
//! greedy algorithm on data of this size, as in the 2017 notebooks.
//!
//! Every fit runs on one thread (`nthread = 1`), so its trees do not depend on the machine;
//! kreplay runs folds in parallel around it. Predictions are XGBoost's float32 values.

use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::sync::{Mutex, OnceLock};

use kreplay_recipe::Task;

use super::library::{self, library_error, Handle};
use super::{Classes, Model, Prediction, Trained, Training};
use crate::error::{Error, Result};
use crate::matrix::Matrix;

const LIBRARY: &str = "XGBoost";

/// The variable naming the libxgboost to load.
pub const LIBRARY_VAR: &str = "KREPLAY_XGBOOST_LIB";

type Ulong = u64;
type Handle0 = *mut c_void;

/// The C API calls kreplay makes, from the loaded library.
struct Api {
    get_last_error: unsafe extern "C" fn() -> *const c_char,
    version: unsafe extern "C" fn(*mut c_int, *mut c_int, *mut c_int),
    dmatrix_from_mat: unsafe extern "C" fn(*const f32, Ulong, Ulong, f32, *mut Handle0) -> c_int,
    dmatrix_set_float_info:
        unsafe extern "C" fn(Handle0, *const c_char, *const f32, Ulong) -> c_int,
    dmatrix_free: unsafe extern "C" fn(Handle0) -> c_int,
    booster_create: unsafe extern "C" fn(*const Handle0, Ulong, *mut Handle0) -> c_int,
    booster_free: unsafe extern "C" fn(Handle0) -> c_int,
    booster_set_param: unsafe extern "C" fn(Handle0, *const c_char, *const c_char) -> c_int,
    booster_update_one_iter: unsafe extern "C" fn(Handle0, c_int, Handle0) -> c_int,
    booster_predict: unsafe extern "C" fn(
        Handle0,
        Handle0,
        c_int,
        c_uint,
        c_int,
        *mut Ulong,
        *mut *const f32,
    ) -> c_int,
    /// Where it was loaded from, for messages.
    path: String,
    /// Kept loaded for the life of the process: the function pointers point into it.
    _library: libloading::Library,
}

fn load() -> std::result::Result<Api, String> {
    let named = std::env::var_os(LIBRARY_VAR);
    let candidates: Vec<std::ffi::OsString> = match &named {
        Some(path) => vec![path.clone()],
        None => vec!["libxgboost.so".into(), "libxgboost.so.0".into()],
    };
    let mut errors = Vec::new();
    for candidate in &candidates {
        // SAFETY: loading runs the library's initialisers; the file is the user's choice (the
        // variable) or the system's libxgboost.
        match unsafe { libloading::Library::new(candidate) } {
            Ok(library) => return bind(library, candidate.to_string_lossy().into_owned()),
            Err(e) => errors.push(e.to_string()),
        }
    }
    Err(format!(
        "no XGBoost library could be loaded ({}): set {LIBRARY_VAR} to a libxgboost.so (the Python \
         package's is xgboost/lib/libxgboost.so in its site-packages) or install the system's \
         (Debian: apt-get install libxgboost-dev)",
        errors.join("; ")
    ))
}

fn bind(library: libloading::Library, path: String) -> std::result::Result<Api, String> {
    macro_rules! symbol {
        ($name:literal) => {
            // SAFETY: the symbol is XGBoost's C API function of that name, whose signature
            // the field's type declares (xgboost/c_api.h, stable since 1.0).
            *unsafe { library.get(concat!($name, "\0").as_bytes()) }
                .map_err(|e| format!("{path} is not an XGBoost library: {e}"))?
        };
    }
    let version: unsafe extern "C" fn(*mut c_int, *mut c_int, *mut c_int) =
        symbol!("XGBoostVersion");
    let mut major = 0;
    // SAFETY: three out-parameters.
    unsafe { version(&mut major, &mut 0, &mut 0) };
    if major < 1 {
        // Before 1.0, XGBoosterPredict had no `training` argument: calling it would be wrong.
        return Err(format!(
            "{path} is XGBoost {major}.x: kreplay needs 1.0 or later"
        ));
    }
    Ok(Api {
        get_last_error: symbol!("XGBGetLastError"),
        version: symbol!("XGBoostVersion"),
        dmatrix_from_mat: symbol!("XGDMatrixCreateFromMat"),
        dmatrix_set_float_info: symbol!("XGDMatrixSetFloatInfo"),
        dmatrix_free: symbol!("XGDMatrixFree"),
        booster_create: symbol!("XGBoosterCreate"),
        booster_free: symbol!("XGBoosterFree"),
        booster_set_param: symbol!("XGBoosterSetParam"),
        booster_update_one_iter: symbol!("XGBoosterUpdateOneIter"),
        booster_predict: symbol!("XGBoosterPredict"),
        path,
        _library: library,
    })
}

/// The loaded library, loaded on first use.
fn api(kind: &str) -> Result<&'static Api> {
    static API: OnceLock<std::result::Result<Api, String>> = OnceLock::new();
    API.get_or_init(load)
        .as_ref()
        .map_err(|e| Error::model(kind, e.clone()))
}

/// The loaded library's version and file, as a replay records it; `None` when none loads.
pub fn loaded() -> Option<String> {
    let api = api("xgboost").ok()?;
    let (mut major, mut minor, mut patch) = (0, 0, 0);
    // SAFETY: three out-parameters.
    unsafe { (api.version)(&mut major, &mut minor, &mut patch) };
    Some(format!("XGBoost {major}.{minor}.{patch} ({})", api.path))
}

fn check(kind: &str, api: &Api, code: c_int) -> Result<()> {
    if code == 0 {
        return Ok(());
    }
    // SAFETY: XGBoost returns a pointer to its thread-local, NUL-terminated last error.
    let message = unsafe { CStr::from_ptr((api.get_last_error)()) };
    Err(library_error(kind, LIBRARY, &message.to_string_lossy()))
}

fn c_string(kind: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::model(kind, "a parameter value holds a NUL byte"))
}

/// `x` as XGBoost's float32 DMatrix, NaN missing (as the Python package builds it from a
/// float64 array: each value rounded to the nearest float32).
fn dmatrix(kind: &str, api: &Api, x: &Matrix) -> Result<Handle> {
    let data: Vec<f32> = x.data.iter().map(|&v| v as f32).collect();
    let mut out: *mut c_void = std::ptr::null_mut();
    // SAFETY: `data` holds rows × cols row-major f32 and outlives the call, which copies it.
    check(kind, api, unsafe {
        (api.dmatrix_from_mat)(
            data.as_ptr(),
            x.rows as Ulong,
            x.cols as Ulong,
            f32::NAN,
            &mut out,
        )
    })?;
    Ok(Handle {
        ptr: out,
        free: api.dmatrix_free,
    })
}

/// An XGBoost kind ready to fit: rounds, the recipe's parameters, and the objective named.
pub(super) struct Xgboost {
    pub kind: &'static str,
    pub rounds: usize,
    pub params: Vec<(String, String)>,
    /// The recipe's objective, or `None` for the wrapper's choice by task.
    pub objective: Option<String>,
}

/// XGBoost's objectives for each task, as a recipe may name them.
fn accepts(task: Task, objective: &str) -> bool {
    match task {
        Task::Regression => matches!(objective, "reg:squarederror" | "reg:linear"),
        Task::Binary => objective == "binary:logistic",
        Task::Multiclass => objective == "multi:softprob",
    }
}

impl Model for Xgboost {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let (x, labels, classes) = library::prepared(self.kind, t)?;
        let k = classes.as_ref().map_or(0, |c| c.labels.len());
        let api = api(self.kind)?;
        let train = dmatrix(self.kind, api, &x)?;
        let field = c_string(self.kind, "label")?;
        // SAFETY: one f32 label per row.
        check(self.kind, api, unsafe {
            (api.dmatrix_set_float_info)(
                train.ptr,
                field.as_ptr(),
                labels.as_ptr(),
                labels.len() as Ulong,
            )
        })?;
        let mut booster: *mut c_void = std::ptr::null_mut();
        // SAFETY: one live DMatrix as the booster's cache.
        check(self.kind, api, unsafe {
            (api.booster_create)(&train.ptr, 1, &mut booster)
        })?;
        let booster = Handle {
            ptr: booster,
            free: api.booster_free,
        };
        // multi:softmax predicts labels only; softprob's probabilities give the same labels
        // (their argmax) and P for kreplay, so it trains as softprob.
        let named = self.objective.as_deref().map(|o| match o {
            "multi:softmax" => "multi:softprob",
            o => o,
        });
        let mut params = library::objective(
            self.kind,
            t.task,
            named,
            ["reg:squarederror", "binary:logistic", "multi:softprob"],
            accepts,
            k,
            "",
        )?;
        params.extend(self.params.iter().cloned());
        // One thread, so the trees never depend on the machine; no chatter on stdout.
        params.push(("nthread".into(), "1".into()));
        params.push(("verbosity".into(), "0".into()));
        for (name, value) in &params {
            let (name, value) = (c_string(self.kind, name)?, c_string(self.kind, value)?);
            // SAFETY: live booster, NUL-terminated strings the call copies.
            check(self.kind, api, unsafe {
                (api.booster_set_param)(booster.ptr, name.as_ptr(), value.as_ptr())
            })?;
        }
        for round in 0..self.rounds {
            // SAFETY: the booster and its training DMatrix are alive.
            check(self.kind, api, unsafe {
                (api.booster_update_one_iter)(booster.ptr, round as c_int, train.ptr)
            })?;
        }
        Ok(Box::new(TrainedXgboost {
            kind: self.kind,
            booster: Mutex::new(booster),
            cols: x.cols,
            classes,
        }))
    }
}

struct TrainedXgboost {
    kind: &'static str,
    booster: Mutex<Handle>,
    cols: usize,
    classes: Option<Classes>,
}

impl Trained for TrainedXgboost {
    fn predict(&self, x: &Matrix) -> Result<Prediction> {
        super::same_width(self.kind, self.cols, x)?;
        let k = library::outputs_per_row(self.classes.as_ref());
        let raw: Vec<f64> = if x.rows == 0 {
            Vec::new()
        } else {
            let api = api(self.kind)?;
            let data = dmatrix(self.kind, api, x)?;
            let booster = self.booster.lock().unwrap_or_else(|e| e.into_inner());
            let (mut len, mut out): (Ulong, *const f32) = (0, std::ptr::null());
            // SAFETY: live booster and DMatrix; the result buffer belongs to the booster and
            // is read before the lock is released.
            check(self.kind, api, unsafe {
                (api.booster_predict)(booster.ptr, data.ptr, 0, 0, 0, &mut len, &mut out)
            })?;
            if len as usize != x.rows * k || out.is_null() {
                return Err(Error::model(
                    self.kind,
                    format!("XGBoost gave {len} predictions for {} rows", x.rows),
                ));
            }
            // SAFETY: XGBoost reported `len` floats at `out`.
            let slice = unsafe { std::slice::from_raw_parts(out, len as usize) };
            slice.iter().map(|&v| f64::from(v)).collect()
        };
        Ok(library::prediction(self.classes.as_ref(), raw))
    }
}
