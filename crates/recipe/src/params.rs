//! Checked parameter values, with the location each came from.

use std::fmt;

use crate::error::{RecipeError, Result};
use crate::source::Loc;

/// A checked value. Lists and maps keep their order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(x) => Some(*x),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Str(s) => J::String(s.clone()),
            Value::Int(i) => J::from(*i),
            Value::Float(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
            Value::Bool(b) => J::Bool(*b),
            Value::None => J::Null,
            Value::List(v) => J::Array(v.iter().map(Value::to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::None => write!(f, "none"),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Map(m) => {
                write!(f, "{{ ")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{} = {v}", crate::tree::quote_key(k))?;
                }
                write!(f, " }}")
            }
        }
    }
}

/// One resolved parameter; `explicit` is false when the value is the definition's default.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub value: Value,
    pub loc: Loc,
    pub explicit: bool,
}

/// The resolved parameters of one section, step or model, every definition present.
#[derive(Debug, Clone)]
pub struct Params {
    owner: String,
    items: Vec<Param>,
}

impl Params {
    pub fn new(owner: impl Into<String>, items: Vec<Param>) -> Self {
        Params {
            owner: owner.into(),
            items,
        }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn iter(&self) -> impl Iterator<Item = &Param> {
        self.items.iter()
    }

    pub fn get(&self, name: &str) -> Option<&Param> {
        self.items.iter().find(|p| p.name == name)
    }

    /// An error located at parameter `name` (or at the owner when absent).
    pub fn error(&self, name: &str, message: impl Into<String>) -> RecipeError {
        let loc = self
            .get(name)
            .map(|p| p.loc.clone())
            .unwrap_or(Loc::Unknown);
        RecipeError::new(loc, format!("{}.{name}: {}", self.owner, message.into()))
    }

    fn value(&self, name: &str) -> Result<&Value> {
        self.get(name)
            .map(|p| &p.value)
            .ok_or_else(|| self.error(name, "is not defined for this kind"))
    }

    fn mismatch(&self, name: &str, what: &str) -> RecipeError {
        self.error(name, format!("expected {what}"))
    }

    pub fn str(&self, name: &str) -> Result<&str> {
        self.value(name)?
            .as_str()
            .ok_or_else(|| self.mismatch(name, "a string"))
    }

    /// A string parameter read as one of an enumeration's names.
    pub fn named<E: crate::named::Named>(&self, name: &str) -> Result<E> {
        E::parse(self.str(name)?)
            .ok_or_else(|| self.mismatch(name, &format!("one of {}", E::NAMES.join(", "))))
    }

    pub fn opt_str(&self, name: &str) -> Result<Option<&str>> {
        match self.value(name)? {
            Value::None => Ok(None),
            Value::Str(s) => Ok(Some(s)),
            _ => Err(self.mismatch(name, "a string")),
        }
    }

    pub fn f64(&self, name: &str) -> Result<f64> {
        self.value(name)?
            .as_f64()
            .ok_or_else(|| self.mismatch(name, "a number"))
    }

    pub fn opt_f64(&self, name: &str) -> Result<Option<f64>> {
        match self.value(name)? {
            Value::None => Ok(None),
            v => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.mismatch(name, "a number")),
        }
    }

    pub fn i64(&self, name: &str) -> Result<i64> {
        match self.value(name)? {
            Value::Int(i) => Ok(*i),
            _ => Err(self.mismatch(name, "an integer")),
        }
    }

    pub fn usize(&self, name: &str) -> Result<usize> {
        let i = self.i64(name)?;
        usize::try_from(i).map_err(|_| self.error(name, "must not be negative"))
    }

    /// An integer or none (`max_depth = "none"` or absent).
    pub fn opt_usize(&self, name: &str) -> Result<Option<usize>> {
        match self.value(name)? {
            Value::None => Ok(None),
            _ => self.usize(name).map(Some),
        }
    }

    pub fn bool(&self, name: &str) -> Result<bool> {
        match self.value(name)? {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.mismatch(name, "a boolean")),
        }
    }

    pub fn strs(&self, name: &str) -> Result<Vec<String>> {
        match self.value(name)? {
            Value::None => Ok(Vec::new()),
            Value::List(items) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| self.mismatch(name, "strings"))
                })
                .collect(),
            Value::Str(s) => Ok(vec![s.clone()]),
            _ => Err(self.mismatch(name, "a list of strings")),
        }
    }

    pub fn f64s(&self, name: &str) -> Result<Vec<f64>> {
        match self.value(name)? {
            Value::None => Ok(Vec::new()),
            Value::List(items) => items
                .iter()
                .map(|v| v.as_f64().ok_or_else(|| self.mismatch(name, "numbers")))
                .collect(),
            _ => Err(self.mismatch(name, "a list of numbers")),
        }
    }

    pub fn map(&self, name: &str) -> Result<Vec<(String, Value)>> {
        match self.value(name)? {
            Value::None => Ok(Vec::new()),
            Value::Map(m) => Ok(m.clone()),
            _ => Err(self.mismatch(name, "a table")),
        }
    }

    /// `name = value` pairs of the explicitly set and defaulted parameters, for display.
    pub fn describe(&self) -> String {
        self.items
            .iter()
            .filter(|p| p.value != Value::None)
            .map(|p| format!("{}={}", p.name, p.value))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.items
                .iter()
                .map(|p| (p.name.clone(), p.value.to_json()))
                .collect(),
        )
    }
}
