//! Helpers shared by the unit tests of models here and of steps in the runner: parameters as
//! the parser gives them, the mirror of competition files, seeded tables.

use std::path::PathBuf;

use kreplay_recipe::{Lit, Loc, ModelSpec, Param, ParamSpec, Params, Ty, Value};

/// The mirror of competition files: `$KREPLAY_MIRROR`, default `../shared/data`, a relative
/// path taken from the workspace (where the README's test command is typed; cargo runs this
/// crate's tests in the crate's own folder).
pub fn mirror() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    match std::env::var_os("KREPLAY_MIRROR").map(PathBuf::from) {
        Some(d) if d.is_relative() => workspace.join(d),
        Some(d) => d,
        None => workspace.join("../shared/data"),
    }
}

/// Parameters as the recipe parser would give them: each spec's default, with `set` applied
/// (and marked explicit), owned by `owner` for error messages.
pub fn params_over_defaults(
    owner: impl Into<String>,
    specs: &[ParamSpec],
    set: &[(&str, Value)],
) -> Params {
    let items = specs
        .iter()
        .map(|s| {
            let given = set.iter().find(|(n, _)| *n == s.name);
            Param {
                name: s.name.to_string(),
                value: given.map_or_else(
                    || s.default.map_or(Value::None, Lit::to_value),
                    |(_, v)| v.clone(),
                ),
                loc: Loc::Unknown,
                explicit: given.is_some(),
            }
        })
        .collect();
    Params::new(owner, items)
}

/// A model kind's parameters: its defaults with `set` applied.
pub fn model_params(spec: &ModelSpec, set: &[(&str, Value)]) -> Params {
    params_over_defaults(spec.kind, spec.params, set)
}

/// Uniform numbers in [0, 1) from a fixed 64-bit LCG (Knuth's MMIX constants): test tables
/// that are the same on every machine, with nothing to seed.
pub fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed;
    move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A value of type `ty` for each required parameter of `specs`, so a kind can be built with
/// nothing else set.
pub fn required_samples(specs: &[ParamSpec]) -> Vec<(&'static str, Value)> {
    specs
        .iter()
        .filter(|s| s.is_required())
        .map(|s| (s.name, sample(s.ty)))
        .collect()
}

fn sample(ty: Ty) -> Value {
    let text = |s: &str| Value::Str(s.to_string());
    match ty {
        Ty::Int | Ty::OptInt | Ty::Scalar => Value::Int(1),
        Ty::Float => Value::Float(1.0),
        Ty::Bool => Value::Bool(true),
        Ty::Choice(c) | Ty::FloatOr(c) => text(c[0]),
        Ty::Columns | Ty::StrList => Value::List(vec![text("x")]),
        Ty::FloatList => Value::List(vec![Value::Float(1.0)]),
        Ty::ScalarMap => Value::Map(vec![("x".to_string(), Value::Int(1))]),
        Ty::Date => text("2020-01-01"),
        Ty::Str | Ty::Slug => text("x"),
        Ty::FileName => text("x.csv"),
    }
}
