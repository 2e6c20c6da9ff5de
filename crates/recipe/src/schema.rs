//! Parameter definitions and the checking of recipe values against them.
//!
//! Every configurable thing (a section of the recipe, a step kind, a model kind) declares its
//! parameters once as a slice of [`ParamSpec`]; parsing, defaults, `kreplay steps`, overrides and
//! sweeps all read that slice.

use std::fmt;
use std::sync::Arc;

use crate::error::{suggestion, RecipeError, Result};
use crate::names;
use crate::params::{Param, Params, Value};
use crate::source::{Loc, Source};
use crate::tree::{Node, NodeValue, Origin};

/// The type a parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    Str,
    Int,
    /// An integer, or the string "none" (unlimited).
    OptInt,
    /// A number (integers are accepted).
    Float,
    Bool,
    /// One of a fixed set of strings.
    Choice(&'static [&'static str]),
    /// A number or one of a fixed set of strings (e.g. `max_features = "sqrt"` or `0.5`).
    FloatOr(&'static [&'static str]),
    /// One column name or a list of them.
    Columns,
    StrList,
    FloatList,
    /// A table of scalar values, keys in order (`{ Mr = 1, Miss = 2 }`).
    ScalarMap,
    /// A date (TOML date or string).
    Date,
    /// A string, number or boolean.
    Scalar,
    /// A Kaggle competition slug: `[a-z0-9-]+`. It becomes a folder name, so nothing else is
    /// accepted.
    Slug,
    /// A file name inside the competition folder (`/` for sub-folders; no `..`, no absolute
    /// path); `""` where the parameter's doc says it means none.
    FileName,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Str => write!(f, "string"),
            Ty::Int => write!(f, "integer"),
            Ty::OptInt => write!(f, "integer or \"none\""),
            Ty::Float => write!(f, "number"),
            Ty::Bool => write!(f, "boolean"),
            Ty::Choice(c) => write!(f, "one of {}", c.join("|")),
            Ty::FloatOr(c) => write!(f, "number or one of {}", c.join("|")),
            Ty::Columns => write!(f, "column or [columns]"),
            Ty::StrList => write!(f, "[strings]"),
            Ty::FloatList => write!(f, "[numbers]"),
            Ty::ScalarMap => write!(f, "{{ key = value, ... }}"),
            Ty::Date => write!(f, "date"),
            Ty::Scalar => write!(f, "string, number or boolean"),
            Ty::Slug => write!(f, "competition slug (a-z, 0-9, -)"),
            Ty::FileName => write!(f, "file name in the competition folder"),
        }
    }
}

/// A default value, written as a constant next to the parameter it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lit {
    Str(&'static str),
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
    EmptyList,
}

impl Lit {
    pub fn to_value(self) -> Value {
        match self {
            Lit::Str(s) => Value::Str(s.to_string()),
            Lit::Int(i) => Value::Int(i),
            Lit::Float(x) => Value::Float(x),
            Lit::Bool(b) => Value::Bool(b),
            Lit::None => Value::None,
            Lit::EmptyList => Value::List(Vec::new()),
        }
    }
}

/// One parameter: its name, type, default (absent and no default = required) and documentation.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub ty: Ty,
    pub default: Option<Lit>,
    pub doc: &'static str,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl ParamSpec {
    /// A required parameter.
    pub const fn required(name: &'static str, ty: Ty, doc: &'static str) -> Self {
        ParamSpec {
            name,
            ty,
            default: None,
            doc,
            min: None,
            max: None,
        }
    }

    /// An optional parameter with a default (`Lit::None` = absent unless given).
    pub const fn optional(name: &'static str, ty: Ty, default: Lit, doc: &'static str) -> Self {
        ParamSpec {
            name,
            ty,
            default: Some(default),
            doc,
            min: None,
            max: None,
        }
    }

    pub const fn min(mut self, min: f64) -> Self {
        self.min = Some(min);
        self
    }

    pub const fn max(mut self, max: f64) -> Self {
        self.max = Some(max);
        self
    }

    pub fn is_required(&self) -> bool {
        self.default.is_none()
    }

    /// The default as shown in `kreplay steps`.
    pub fn default_text(&self) -> String {
        match self.default {
            None => "required".into(),
            Some(Lit::None) => "none".into(),
            Some(lit) => lit.to_value().to_string(),
        }
    }
}

/// Locates a node for error messages.
pub fn loc_of(source: &Arc<Source>, origin: &Origin) -> Loc {
    match origin {
        Origin::File(span) => Loc::in_source(source, span),
        Origin::Override(text) => Loc::Override { text: text.clone() },
    }
}

/// Checks one table against its parameter definitions: unknown keys, types, ranges, defaults.
/// `handled` names keys the caller reads itself (e.g. `id`, `kind`).
pub fn check_table(
    source: &Arc<Source>,
    table: &Node,
    specs: &[ParamSpec],
    handled: &[&str],
    owner: &str,
) -> Result<Params> {
    let entries = table.table().ok_or_else(|| {
        RecipeError::new(
            loc_of(source, &table.origin),
            format!(
                "`{owner}` must be a table, found {}",
                table.value.type_name()
            ),
        )
    })?;
    let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
    // Every problem of the table is reported, not only the first.
    let mut errors = Vec::new();
    for (key, _) in entries {
        if handled.contains(&key.name.as_str()) || names.contains(&key.name.as_str()) {
            continue;
        }
        let mut allowed: Vec<&str> = handled.to_vec();
        allowed.extend(names.iter().copied());
        errors.push(
            RecipeError::new(
                loc_of(source, &key.origin),
                format!("unknown key `{}` in {owner}", key.name),
            )
            .with_help(suggestion(&key.name, &allowed)),
        );
    }
    let mut params = Vec::with_capacity(specs.len());
    for spec in specs {
        match entries.iter().find(|(k, _)| k.name == spec.name) {
            Some((_, node)) => {
                let loc = loc_of(source, &node.origin);
                match check_value(node, spec, owner) {
                    Ok(value) => params.push(Param {
                        name: spec.name.to_string(),
                        value,
                        loc,
                        explicit: true,
                    }),
                    Err(m) => errors.push(
                        RecipeError::new(loc, m)
                            .with_help(format!("`{}`: {} ({})", spec.name, spec.ty, spec.doc)),
                    ),
                }
            }
            None => match spec.default {
                Some(lit) => params.push(Param {
                    name: spec.name.to_string(),
                    value: lit.to_value(),
                    loc: loc_of(source, &table.origin),
                    explicit: false,
                }),
                None => errors.push(
                    RecipeError::new(
                        loc_of(source, &table.origin),
                        format!("{owner} is missing the required key `{}`", spec.name),
                    )
                    .with_help(format!("`{}`: {} ({})", spec.name, spec.ty, spec.doc)),
                ),
            },
        }
    }
    match RecipeError::all(errors) {
        Some(e) => Err(e),
        None => Ok(Params::new(owner, params)),
    }
}

/// Checks one value; the error is a message, located by the caller.
pub fn check_value(
    node: &Node,
    spec: &ParamSpec,
    owner: &str,
) -> std::result::Result<Value, String> {
    let wrong = || {
        format!(
            "{owner}.{} expects {}, found {}",
            spec.name,
            spec.ty,
            node.value.type_name()
        )
    };
    let value = match (&spec.ty, &node.value) {
        (Ty::Str, NodeValue::Str(s)) => Value::Str(s.clone()),
        (Ty::Slug, NodeValue::Str(s)) => match names::slug_problem(s) {
            None => Value::Str(s.clone()),
            Some(why) => {
                return Err(format!(
                    "{owner}.{} {:?} is not a competition slug: it {why}",
                    spec.name,
                    names::escape_control(s)
                ))
            }
        },
        (Ty::FileName, NodeValue::Str(s)) => match names::relative_file_problem(s) {
            Some(why) if !s.is_empty() => {
                return Err(format!(
                    "{owner}.{} {:?} must name a file inside the competition folder: it {why}",
                    spec.name,
                    names::escape_control(s)
                ))
            }
            _ => Value::Str(s.clone()),
        },
        (Ty::Int, NodeValue::Int(i)) => Value::Int(*i),
        (Ty::OptInt, NodeValue::Int(i)) => Value::Int(*i),
        (Ty::OptInt, NodeValue::Str(s)) if s == "none" => Value::None,
        (Ty::Float, NodeValue::Int(i)) => Value::Float(*i as f64),
        (Ty::Float, NodeValue::Float(x)) => Value::Float(not_nan(*x, spec, owner)?),
        (Ty::Bool, NodeValue::Bool(b)) => Value::Bool(*b),
        (Ty::Choice(choices), NodeValue::Str(s)) => {
            if !choices.contains(&s.as_str()) {
                return Err(format!(
                    "{owner}.{} cannot be {s:?}; {}",
                    spec.name,
                    suggestion(s, choices)
                ));
            }
            Value::Str(s.clone())
        }
        (Ty::FloatOr(_), NodeValue::Int(i)) => Value::Int(*i),
        (Ty::FloatOr(_), NodeValue::Float(x)) => Value::Float(not_nan(*x, spec, owner)?),
        (Ty::FloatOr(choices), NodeValue::Str(s)) => {
            if !choices.contains(&s.as_str()) {
                return Err(format!(
                    "{owner}.{} cannot be {s:?}; expected a number or {}",
                    spec.name,
                    suggestion(s, choices)
                ));
            }
            Value::Str(s.clone())
        }
        (Ty::Columns, NodeValue::Str(s)) => Value::List(vec![Value::Str(s.clone())]),
        (Ty::Columns | Ty::StrList, NodeValue::Array(items)) => Value::List(
            items
                .iter()
                .map(|n| match &n.value {
                    NodeValue::Str(s) => Ok(Value::Str(s.clone())),
                    other => Err(format!(
                        "{owner}.{} expects a list of strings, found {} in it",
                        spec.name,
                        other.type_name()
                    )),
                })
                .collect::<std::result::Result<_, _>>()?,
        ),
        (Ty::FloatList, NodeValue::Array(items)) => Value::List(
            items
                .iter()
                .map(|n| match &n.value {
                    NodeValue::Int(i) => Ok(Value::Float(*i as f64)),
                    NodeValue::Float(x) => Ok(Value::Float(not_nan(*x, spec, owner)?)),
                    other => Err(format!(
                        "{owner}.{} expects a list of numbers, found {} in it",
                        spec.name,
                        other.type_name()
                    )),
                })
                .collect::<std::result::Result<_, _>>()?,
        ),
        (Ty::ScalarMap, NodeValue::Table(entries)) => Value::Map(
            entries
                .iter()
                .map(|(k, n)| {
                    let v = match &n.value {
                        NodeValue::Str(s) => Value::Str(s.clone()),
                        NodeValue::Int(i) => Value::Int(*i),
                        NodeValue::Float(x) => Value::Float(not_nan(*x, spec, owner)?),
                        NodeValue::Bool(b) => Value::Bool(*b),
                        other => {
                            return Err(format!(
                                "{owner}.{}.{} must be a string, number or boolean, found {}",
                                spec.name,
                                k.name,
                                other.type_name()
                            ))
                        }
                    };
                    Ok((k.name.clone(), v))
                })
                .collect::<std::result::Result<_, _>>()?,
        ),
        (Ty::Date, NodeValue::Datetime(d) | NodeValue::Str(d)) => Value::Str(d.clone()),
        (Ty::Scalar, NodeValue::Str(s)) => Value::Str(s.clone()),
        (Ty::Scalar, NodeValue::Int(i)) => Value::Int(*i),
        (Ty::Scalar, NodeValue::Float(x)) => Value::Float(not_nan(*x, spec, owner)?),
        (Ty::Scalar, NodeValue::Bool(b)) => Value::Bool(*b),
        _ => return Err(wrong()),
    };
    if let Some(x) = value.as_f64() {
        if let Some(min) = spec.min {
            if x < min {
                return Err(format!(
                    "{owner}.{} must be at least {min}, found {x}",
                    spec.name
                ));
            }
        }
        if let Some(max) = spec.max {
            if x > max {
                return Err(format!(
                    "{owner}.{} must be at most {max}, found {x}",
                    spec.name
                ));
            }
        }
    }
    Ok(value)
}

/// NaN is no parameter value: it compares false with everything, so a NaN bound or edge would
/// silently change what a step does instead of failing.
fn not_nan(x: f64, spec: &ParamSpec, owner: &str) -> std::result::Result<f64, String> {
    if x.is_nan() {
        return Err(format!(
            "{owner}.{} cannot be nan; give a number",
            spec.name
        ));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ParamSpec] = &[
        ParamSpec::optional("max_depth", Ty::OptInt, Lit::None, "depth limit").min(1.0),
        ParamSpec::optional(
            "criterion",
            Ty::Choice(&["gini", "entropy"]),
            Lit::Str("gini"),
            "split quality",
        ),
        ParamSpec::required("column", Ty::Str, "input column"),
    ];

    fn check(text: &str) -> Result<Params> {
        let src = Source::new("t.toml", text);
        let doc = Node::parse(text).unwrap();
        check_table(&src, doc.get("m").unwrap(), SPECS, &["kind"], "[m]")
    }

    #[test]
    fn defaults_fill_in_and_types_check() {
        let p = check("[m]\ncolumn = \"Age\"\nmax_depth = 3\n").unwrap();
        assert_eq!(p.get("criterion").unwrap().value, Value::Str("gini".into()));
        assert_eq!(p.get("max_depth").unwrap().value, Value::Int(3));
    }

    #[test]
    fn errors_are_located_and_helpful() {
        let e = check("[m]\ncolumn = \"Age\"\nmax_dept = 3\n").unwrap_err();
        assert_eq!(e.loc.to_string(), "t.toml:3:1");
        assert!(e.help.unwrap().contains("did you mean `max_depth`"));
        let e = check("[m]\ncolumn = \"Age\"\ncriterion = \"ginni\"\n").unwrap_err();
        assert!(e.message.contains("did you mean `gini`"), "{}", e.message);
        let e = check("[m]\ncolumn = 3\n").unwrap_err();
        assert!(
            e.message.contains("expects string, found an integer"),
            "{}",
            e.message
        );
        let e = check("[m]\ncolumn = \"a\"\nmax_depth = 0\n").unwrap_err();
        assert!(e.message.contains("at least 1"), "{}", e.message);
        let e = check("[m]\nmax_depth = 2\n").unwrap_err();
        assert!(e.message.contains("missing the required key `column`"));
    }
}
