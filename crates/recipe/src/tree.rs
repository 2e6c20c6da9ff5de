//! The recipe document as a tree of spanned TOML values.
//!
//! serde's derive would lose positions, so the document is read into [`Node`]s that keep the
//! byte span of every key and value (toml's `Spanned` does the bookkeeping); validation then
//! walks this tree against the parameter definitions and can point at any key or value.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

/// Where a node came from: the file (a byte span) or the n-th command-line override.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    File(Range<usize>),
    Override(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub origin: Origin,
    pub value: NodeValue,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime(String),
    Array(Vec<Node>),
    /// Keys in document order.
    Table(Vec<(Key, Node)>),
}

impl NodeValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            NodeValue::Str(_) => "a string",
            NodeValue::Int(_) => "an integer",
            NodeValue::Float(_) => "a float",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Datetime(_) => "a date",
            NodeValue::Array(_) => "an array",
            NodeValue::Table(_) => "a table",
        }
    }
}

impl Node {
    pub fn table(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            NodeValue::Table(t) => Some(t),
            _ => None,
        }
    }

    pub fn table_mut(&mut self) -> Option<&mut Vec<(Key, Node)>> {
        match &mut self.value {
            NodeValue::Table(t) => Some(t),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.table()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.table_mut()?
            .iter_mut()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Sets `key` in this table (replacing or appending); false when this is not a table.
    pub fn set(&mut self, key: Key, value: Node) -> bool {
        let Some(t) = self.table_mut() else {
            return false;
        };
        match t.iter_mut().find(|(k, _)| k.name == key.name) {
            Some(slot) => slot.1 = value,
            None => t.push((key, value)),
        }
        true
    }

    /// Parses a TOML document.
    pub fn parse(text: &str) -> Result<Node, toml::de::Error> {
        let spanned: Spanned<Raw> = toml::from_str(text)?;
        Ok(spanned.into())
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            NodeValue::Str(s) => write!(f, "{s:?}"),
            NodeValue::Int(i) => write!(f, "{i}"),
            NodeValue::Float(x) => write!(f, "{x:?}"),
            NodeValue::Bool(b) => write!(f, "{b}"),
            NodeValue::Datetime(d) => write!(f, "{d}"),
            NodeValue::Array(a) => {
                write!(f, "[")?;
                for (i, n) in a.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{n}")?;
                }
                write!(f, "]")
            }
            NodeValue::Table(t) => {
                write!(f, "{{ ")?;
                for (i, (k, n)) in t.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{} = {n}", quote_key(&k.name))?;
                }
                write!(f, " }}")
            }
        }
    }
}

impl Node {
    /// The node as a toml value (tables keep their key order).
    pub fn to_toml(&self) -> toml::Value {
        match &self.value {
            NodeValue::Str(s) => toml::Value::String(s.clone()),
            NodeValue::Int(i) => toml::Value::Integer(*i),
            NodeValue::Float(x) => toml::Value::Float(*x),
            NodeValue::Bool(b) => toml::Value::Boolean(*b),
            NodeValue::Datetime(d) => d
                .parse::<toml::value::Datetime>()
                .map(toml::Value::Datetime)
                .unwrap_or_else(|_| toml::Value::String(d.clone())),
            NodeValue::Array(items) => {
                toml::Value::Array(items.iter().map(Node::to_toml).collect())
            }
            NodeValue::Table(entries) => toml::Value::Table(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_toml()))
                    .collect(),
            ),
        }
    }

    /// Removes `key` from this table, if present.
    pub fn remove(&mut self, key: &str) {
        if let Some(t) = self.table_mut() {
            t.retain(|(k, _)| k.name != key);
        }
    }
}

/// A TOML key, quoted when it is not a bare key.
pub fn quote_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}

/// The value as toml hands it over, before spans are attached to the node.
struct Raw(NodeValue);

const DATETIME_FIELD: &str = "$__toml_private_datetime";

impl From<Spanned<Raw>> for Node {
    fn from(s: Spanned<Raw>) -> Node {
        let span = s.span();
        Node {
            origin: Origin::File(span),
            value: s.into_inner().0,
        }
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw(NodeValue::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw(NodeValue::Int(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        i64::try_from(v)
            .map(|v| Raw(NodeValue::Int(v)))
            .map_err(|_| E::custom("integer out of range"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw(NodeValue::Float(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw(NodeValue::Str(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw(NodeValue::Str(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Raw>>()? {
            items.push(item.into());
        }
        Ok(Raw(NodeValue::Array(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<RawKey>()? {
            if key.name == DATETIME_FIELD {
                let text: String = map.next_value()?;
                return Ok(Raw(NodeValue::Datetime(text)));
            }
            let value: Spanned<Raw> = map.next_value()?;
            entries.push((
                Key {
                    name: key.name,
                    origin: Origin::File(key.span),
                },
                value.into(),
            ));
        }
        Ok(Raw(NodeValue::Table(entries)))
    }
}

/// A table key with its span. toml hands keys over as `Spanned` structs, except the private
/// key it uses to mark a datetime, which comes as a plain string; this accepts both.
struct RawKey {
    name: String,
    span: Range<usize>,
}

const SPANNED: &str = "$__serde_spanned_private_Spanned";
const SPANNED_FIELDS: &[&str] = &[
    "$__serde_spanned_private_start",
    "$__serde_spanned_private_end",
    "$__serde_spanned_private_value",
];

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(SPANNED, SPANNED_FIELDS, RawKeyVisitor)
    }
}

struct RawKeyVisitor;

impl<'de> Visitor<'de> for RawKeyVisitor {
    type Value = RawKey;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a table key")
    }
    fn visit_str<E>(self, v: &str) -> Result<RawKey, E> {
        Ok(RawKey {
            name: v.to_string(),
            span: 0..0,
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawKey, A::Error> {
        let (mut start, mut end, mut name) = (0, 0, None);
        while let Some(field) = map.next_key::<String>()? {
            match field.as_str() {
                "$__serde_spanned_private_start" => start = map.next_value()?,
                "$__serde_spanned_private_end" => end = map.next_value()?,
                _ => name = Some(map.next_value::<String>()?),
            }
        }
        let name = name.ok_or_else(|| de::Error::custom("key without a name"))?;
        Ok(RawKey {
            name,
            span: start..end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(n: &Node) -> Range<usize> {
        match &n.origin {
            Origin::File(r) => r.clone(),
            Origin::Override(_) => panic!("not from file"),
        }
    }

    #[test]
    fn nested_values_keep_spans_and_order() {
        let text = "[s]\ncols = { Zed = \"a + 1\", Alpha = \"b\" }\nd = 2017-01-29\n[[steps]]\nid = \"x\"\n";
        let doc = Node::parse(text).unwrap();
        let s = doc.get("s").unwrap();
        let cols = s.get("cols").unwrap().table().unwrap();
        assert_eq!(cols[0].0.name, "Zed");
        assert_eq!(cols[1].0.name, "Alpha");
        let zed = &cols[0].1;
        assert_eq!(&text[span(zed)], "\"a + 1\"");
        assert!(
            matches!(s.get("d").unwrap().value, NodeValue::Datetime(ref d) if d == "2017-01-29")
        );
        let steps = doc.get("steps").unwrap();
        let NodeValue::Array(items) = &steps.value else {
            panic!("steps is not an array")
        };
        assert_eq!(&text[span(items[0].get("id").unwrap())], "\"x\"");
    }

    #[test]
    fn syntax_errors_carry_a_span() {
        let err = Node::parse("a = \n").unwrap_err();
        assert!(err.span().is_some());
    }
}
