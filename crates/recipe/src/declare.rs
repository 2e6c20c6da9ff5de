//! A kind's parameters declared once, with types: [`params!`] turns one field list into the
//! [`ParamSpec`]s the parser, `kreplay steps/models`, overrides and sweeps read, and a struct
//! the kind reads once with [`FromParam`]. The kind's code then uses fields, so a misspelt
//! parameter name is a compile error, not a failure the day a recipe uses the kind:
//!
//! ```compile_fail
//! use kreplay_recipe::{params, Lit, Ty};
//! params! {
//!     pub struct Knobs {
//!         max_depth: Option<usize> = optional(Ty::OptInt, Lit::None, "depth limit"),
//!     }
//! }
//! fn depth(k: &Knobs) -> Option<usize> {
//!     k.max_dpeth // misspelt: error[E0609]: no field `max_dpeth` on type `&Knobs`
//! }
//! ```

use crate::error::Result;
use crate::named::Named;
use crate::params::{Params, Value};
use crate::schema::{Lit, ParamSpec, Ty};

/// A Rust type a checked parameter value is read as.
pub trait FromParam: Sized {
    fn from_param(p: &Params, name: &str) -> Result<Self>;
}

macro_rules! from_param {
    ($($t:ty => $read:ident),* $(,)?) => {
        $(impl FromParam for $t {
            fn from_param(p: &Params, name: &str) -> Result<Self> {
                p.$read(name).map(Into::into)
            }
        })*
    };
}

from_param! {
    usize => usize,
    i64 => i64,
    f64 => f64,
    bool => bool,
    String => str,
    Option<usize> => opt_usize,
    Option<f64> => opt_f64,
    Vec<String> => strs,
    Vec<f64> => f64s,
    Vec<(String, Value)> => map,
}

impl FromParam for Option<String> {
    fn from_param(p: &Params, name: &str) -> Result<Self> {
        Ok(p.opt_str(name)?.map(str::to_string))
    }
}

/// The value as written (a scalar, a number-or-name), for kinds that interpret it themselves.
impl FromParam for Value {
    fn from_param(p: &Params, name: &str) -> Result<Self> {
        p.get(name)
            .map(|v| v.value.clone())
            .ok_or_else(|| p.error(name, "is not defined for this kind"))
    }
}

impl<E: Named> FromParam for E {
    fn from_param(p: &Params, name: &str) -> Result<Self> {
        p.named(name)
    }
}

impl<E: Named> FromParam for Option<E> {
    fn from_param(p: &Params, name: &str) -> Result<Self> {
        match p.opt_str(name)? {
            None => Ok(None),
            Some(_) => p.named(name).map(Some),
        }
    }
}

/// Declares a kind's parameters: a struct with one public field per parameter, `SPECS` (the
/// definitions, in field order, each named after its field) and `read` (every field from the
/// checked parameters). Each field is `name: Type = optional(ty, default, doc)` or
/// `= required(ty, doc)`, optionally followed by `.min(x)` / `.max(x)`.
///
/// ```
/// use kreplay_recipe::{named_enum, params, Lit, Ty};
/// named_enum! {
///     pub enum Weights { Uniform = "uniform", Distance = "distance" }
/// }
/// params! {
///     /// A neighbours model's parameters.
///     pub struct Knn {
///         n_neighbors: usize = optional(Ty::Int, Lit::Int(5), "neighbours voting").min(1.0),
///         weights: Weights = optional(Ty::Choice(Weights::NAMES), Lit::Str("uniform"), "vote weights"),
///     }
/// }
/// assert_eq!(Knn::SPECS.len(), 2);
/// assert_eq!(Knn::SPECS[0].name, "n_neighbors");
/// assert_eq!(Knn::SPECS[0].min, Some(1.0));
///
/// params! {
///     /// A keyword is a raw field; the parameter has the keyword's name.
///     pub struct Filter {
///         r#where: String = required(Ty::Str, "SQL condition"),
///     }
/// }
/// assert_eq!(Filter::SPECS[0].name, "where");
/// ```
#[macro_export]
macro_rules! params {
    (
        $(#[$meta:meta])*
        $vis:vis struct $Name:ident {
            $(
                $field:ident : $fty:ty = $ctor:ident ( $($arg:expr),+ $(,)? )
                    $( . $method:ident ( $marg:expr ) )*
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        // Fields are named as recipes write them (sklearn's `C`).
        #[allow(non_snake_case)]
        $vis struct $Name {
            $( pub $field: $fty, )*
        }

        impl $Name {
            /// The parameter definitions, in field order.
            pub const SPECS: &'static [$crate::ParamSpec] = &[
                $( $crate::ParamSpec::$ctor($crate::declare::name_of(stringify!($field)), $($arg),+) $( .$method($marg) )* ),*
            ];

            /// Every parameter from checked parameters (the parser's, with defaults filled in).
            pub fn read(p: &$crate::Params) -> $crate::Result<Self> {
                Ok($Name {
                    $( $field: <$fty as $crate::declare::FromParam>::from_param(p, $crate::declare::name_of(stringify!($field)))?, )*
                })
            }
        }
    };
}

/// A parameter's name from its field's: a keyword parameter (`drop_rows.where`) is the raw
/// field `r#where`.
pub const fn name_of(field: &'static str) -> &'static str {
    match field.as_bytes() {
        [b'r', b'#', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(name) => name,
            Err(_) => panic!("a field name is UTF-8"),
        },
        _ => field,
    }
}

/// The definitions of several parameter groups as one list, for a kind built from groups (a
/// forest: the tree's parameters, then its own). `N` is checked: a wrong count does not compile.
pub const fn concat<const N: usize>(groups: &[&[ParamSpec]]) -> [ParamSpec; N] {
    const FILLER: ParamSpec = ParamSpec::optional("", Ty::Bool, Lit::None, "");
    let mut out = [FILLER; N];
    let mut at = 0;
    let mut g = 0;
    while g < groups.len() {
        let mut i = 0;
        while i < groups[g].len() {
            assert!(at < N, "more parameters than N");
            out[at] = groups[g][i];
            at += 1;
            i += 1;
        }
        g += 1;
    }
    assert!(at == N, "fewer parameters than N");
    out
}

/// Every string value a choice parameter may take, for tests that build a kind with each.
pub fn choices(spec: &ParamSpec) -> &'static [&'static str] {
    match spec.ty {
        Ty::Choice(c) | Ty::FloatOr(c) => c,
        _ => &[],
    }
}
