//! What the real boosting engines (the `lightgbm` and `xgboost` features) are told: the
//! parameters a recipe set, under the names it wrote them, as the libraries' scikit-learn
//! wrappers pass a notebook's keyword arguments. Both libraries resolve their own aliases and
//! apply their own defaults to everything else, so nothing is restated here.

use kreplay_recipe::{Params, Value};

use crate::error::Error;

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
