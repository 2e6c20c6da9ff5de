//! Dotted parameter paths and `path=value` overrides.
//!
//! One grammar everywhere: `recipe.seed`, `data.<key>`, `model.<param>`, `validation.<param>`,
//! `submission.<key>`, `steps.<id>.<param>`, `members.<name>.<param>` and
//! `members.<name>.steps.<id>.<param>`. An override is applied to the document tree before
//! validation, so a misspelt path or a wrong type gets the same located, did-you-mean error as a
//! mistake in the file itself.

use std::sync::Arc;

use crate::error::{suggestion, RecipeError, Result};
use crate::schema::loc_of;
use crate::source::{Loc, Source};
use crate::tree::{Key, Node, NodeValue, Origin};

pub const ROOTS: &[&str] = &[
    "recipe",
    "data",
    "model",
    "validation",
    "submission",
    "steps",
    "members",
];

/// A parsed `path=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub path: Vec<String>,
    pub value: Node,
    pub text: String,
}

impl Override {
    /// Parses `path=value`. The value is read as a TOML value (`3`, `0.5`, `true`, `"x"`,
    /// `[1, 2]`); anything that is not valid TOML is taken as a plain string (`gini`).
    pub fn parse(text: &str) -> Result<Override> {
        let loc = || Loc::Override {
            text: text.to_string(),
        };
        let (path, raw) = text.split_once('=').ok_or_else(|| {
            RecipeError::new(loc(), "an override is written `path=value`")
                .with_help("for example `-S model.max_depth=5` or `-S steps.fare.fit_on=fold`")
        })?;
        let path: Vec<String> = path
            .trim()
            .split('.')
            .map(|s| s.trim().to_string())
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(RecipeError::new(
                loc(),
                "empty segment in the parameter path",
            ));
        }
        Ok(Override {
            path,
            value: parse_value(raw.trim(), text),
            text: text.to_string(),
        })
    }

    pub fn path_text(&self) -> String {
        self.path.join(".")
    }

    /// Applies the override to a recipe document.
    pub fn apply(&self, doc: &mut Node, source: &Arc<Source>) -> Result<()> {
        let loc = || Loc::Override {
            text: self.text.clone(),
        };
        let root = self.path[0].as_str();
        if !ROOTS.contains(&root) {
            return Err(RecipeError::new(
                loc(),
                format!("unknown parameter path `{}`", self.path_text()),
            )
            .with_help(suggestion(root, ROOTS)));
        }
        let key = |name: &str| Key {
            name: name.to_string(),
            origin: Origin::Override(self.text.clone()),
        };
        let empty_table = || Node {
            origin: Origin::Override(self.text.clone()),
            value: NodeValue::Table(Vec::new()),
        };
        if root == "steps" {
            let [_, id, param] = self.path.as_slice() else {
                return Err(RecipeError::new(
                    loc(),
                    "a step parameter path is `steps.<id>.<param>`",
                ));
            };
            let step = find_step(doc, id, "steps", &loc)?;
            step.set(key(param), self.value.clone());
            return Ok(());
        }
        if root == "members" {
            let (name, rest) = match self.path.as_slice() {
                [_, name, rest @ ..] if rest.len() == 1 || (rest.len() == 3 && rest[0] == "steps") => {
                    (name, rest)
                }
                _ => {
                    return Err(RecipeError::new(
                        loc(),
                        "a member parameter path is `members.<name>.<param>` or `members.<name>.steps.<id>.<param>`",
                    ))
                }
            };
            let names: Vec<String> = doc
                .get("members")
                .and_then(Node::table)
                .map(|t| t.iter().map(|(k, _)| k.name.clone()).collect())
                .unwrap_or_default();
            let member = doc
                .get_mut("members")
                .and_then(|m| m.get_mut(name))
                .ok_or_else(|| {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    RecipeError::new(loc(), format!("the recipe has no member `{name}`"))
                        .with_help(suggestion(name, &names))
                })?;
            let target = if rest.len() == 3 {
                find_step(member, &rest[1], &format!("members.{name}.steps"), &loc)?
            } else {
                member
            };
            target.set(key(&rest[rest.len() - 1]), self.value.clone());
            return Ok(());
        }
        let [_, param] = self.path.as_slice() else {
            return Err(RecipeError::new(
                loc(),
                format!("a parameter path is `{root}.<param>`"),
            ));
        };
        if doc.get(root).is_none() {
            doc.set(key(root), empty_table());
        }
        let table = doc.get_mut(root).expect("just inserted");
        if !table.set(key(param), self.value.clone()) {
            return Err(RecipeError::new(
                loc_of(source, &table.origin),
                format!(
                    "`{root}` is not a table, so `{}` cannot be set",
                    self.path_text()
                ),
            ));
        }
        Ok(())
    }
}

fn parse_value(raw: &str, text: &str) -> Node {
    let mut node = Node::parse(&format!("v = {raw}"))
        .ok()
        .and_then(|doc| doc.get("v").cloned())
        .unwrap_or(Node {
            origin: Origin::Override(String::new()),
            value: NodeValue::Str(raw.to_string()),
        });
    set_origin(&mut node, text);
    node
}

fn set_origin(node: &mut Node, text: &str) {
    node.origin = Origin::Override(text.to_string());
    match &mut node.value {
        NodeValue::Array(items) => items.iter_mut().for_each(|n| set_origin(n, text)),
        NodeValue::Table(entries) => entries.iter_mut().for_each(|(k, n)| {
            k.origin = Origin::Override(text.to_string());
            set_origin(n, text)
        }),
        _ => {}
    }
}

/// The step with `id` in `owner`'s `steps` array (`owner` = the document or a member).
fn find_step<'a>(
    owner: &'a mut Node,
    id: &str,
    path: &str,
    loc: &dyn Fn() -> Loc,
) -> Result<&'a mut Node> {
    let ids: Vec<String> = match owner.get("steps").map(|s| &s.value) {
        Some(NodeValue::Array(items)) => items
            .iter()
            .filter_map(|s| s.get("id").and_then(Node::as_str).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let step = match owner.get_mut("steps").map(|s| &mut s.value) {
        Some(NodeValue::Array(items)) => items
            .iter_mut()
            .find(|s| s.get("id").and_then(Node::as_str) == Some(id)),
        _ => None,
    };
    step.ok_or_else(|| {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let owner = if path == "steps" {
            "the recipe".to_string()
        } else {
            path.trim_end_matches(".steps").to_string()
        };
        RecipeError::new(loc(), format!("{owner} has no step with id `{id}`"))
            .with_help(suggestion(id, &ids))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_toml_or_plain_strings() {
        let o = Override::parse("model.max_depth=5").unwrap();
        assert_eq!(o.path, vec!["model", "max_depth"]);
        assert_eq!(o.value.value, NodeValue::Int(5));
        let o = Override::parse("model.criterion=entropy").unwrap();
        assert_eq!(o.value.value, NodeValue::Str("entropy".into()));
        let o = Override::parse("validation.shuffle = true").unwrap();
        assert_eq!(o.value.value, NodeValue::Bool(true));
        assert!(Override::parse("model.max_depth").is_err());
    }

    #[test]
    fn steps_are_addressed_by_id() {
        let text = "[[steps]]\nid = \"fare\"\nkind = \"fill\"\n";
        let src = Source::new("r.toml", text);
        let mut doc = Node::parse(text).unwrap();
        Override::parse("steps.fare.fit_on=fold")
            .unwrap()
            .apply(&mut doc, &src)
            .unwrap();
        let NodeValue::Array(steps) = &doc.get("steps").unwrap().value else {
            panic!()
        };
        assert_eq!(steps[0].get("fit_on").unwrap().as_str(), Some("fold"));
        let e = Override::parse("steps.fair.fit_on=fold")
            .unwrap()
            .apply(&mut doc, &src)
            .unwrap_err();
        assert!(e.help.unwrap().contains("did you mean `fare`"));
        let e = Override::parse("modle.max_depth=3")
            .unwrap()
            .apply(&mut doc, &src)
            .unwrap_err();
        assert!(e.help.unwrap().contains("did you mean `model`"));
    }
}
