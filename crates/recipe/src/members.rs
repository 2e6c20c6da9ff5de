//! `[members.<name>]`: the named sub-pipelines an ensemble combines.
//!
//! A member is a model with its own feature steps, fitted on whatever rows the ensemble gives it
//! (a CV fold, a stacking fold, all of train), as scikit-learn's `make_pipeline(RobustScaler(),
//! Lasso())` is inside a `StackingRegressor`. Ensemble models name their members through their
//! reference parameters (`members`, `meta`, `member`); those names are checked here, with
//! cycles refused, so the runner can build the tree without further checks.

use std::sync::Arc;

use crate::catalog::Catalog;
use crate::error::{suggestion, RecipeError, Result};
use crate::params::Value;
use crate::recipe::{check_model, check_steps, FitScope, StepDecl};
use crate::schema::loc_of;
use crate::sections::{ModelDecl, Task};
use crate::source::{Loc, Source};
use crate::tree::{Node, NodeValue};

/// The model parameters that name members.
pub const REFERENCE_PARAMS: &[&str] = &["members", "meta", "member"];

#[derive(Debug, Clone)]
pub struct MemberDecl {
    pub name: String,
    pub model: ModelDecl,
    /// Fitted on the member's own training rows each time the member is fitted.
    pub steps: Vec<StepDecl>,
    pub loc: Loc,
}

/// The member names a model refers to, in order.
pub fn references(model: &ModelDecl) -> Vec<String> {
    located_references(model)
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

/// Each referenced name with where the reference is written.
fn located_references(model: &ModelDecl) -> Vec<(String, Loc)> {
    let mut out = Vec::new();
    for name in REFERENCE_PARAMS {
        let Some(p) = model.params.get(name) else {
            continue;
        };
        match &p.value {
            Value::Str(s) => out.push((s.clone(), p.loc.clone())),
            Value::List(items) => out.extend(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(|s| (s.to_string(), p.loc.clone()))),
            ),
            _ => {}
        }
    }
    out
}

pub(crate) fn check_members(
    source: &Arc<Source>,
    node: Option<&Node>,
    task: Task,
    catalog: &dyn Catalog,
) -> Result<Vec<MemberDecl>> {
    let Some(node) = node else {
        return Ok(Vec::new());
    };
    let table = node.table().ok_or_else(|| {
        RecipeError::new(
            loc_of(source, &node.origin),
            "`members` must be a table of named models: [members.<name>]",
        )
    })?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (key, item) in table {
        // Every member's problems are reported, not only the first member's.
        match check_member(source, &key.name, item, task, catalog) {
            Ok(member) => out.push(member),
            Err(e) => errors.push(e),
        }
    }
    RecipeError::all(errors).map_or(Ok(out), Err)
}

fn check_member(
    source: &Arc<Source>,
    name: &str,
    item: &Node,
    task: Task,
    catalog: &dyn Catalog,
) -> Result<MemberDecl> {
    let at = loc_of(source, &item.origin);
    if item.table().is_none() {
        return Err(RecipeError::new(
            at,
            format!("members.{name} must be a table with a `kind`"),
        ));
    }
    let prefix = format!("members.{name}.steps");
    let steps = check_steps(source, item.get("steps"), catalog, &prefix);
    let mut model_node = item.clone();
    if let NodeValue::Table(entries) = &mut model_node.value {
        entries.retain(|(k, _)| k.name != "steps");
    }
    let model = check_model(source, &model_node, task, catalog).map_err(|e| rename_owner(e, name));
    let (steps, model) = match (steps, model) {
        (Ok(steps), Ok(model)) => (steps, model),
        (steps, model) => {
            let errors = [steps.err(), model.err()].into_iter().flatten().collect();
            return Err(RecipeError::all(errors).expect("one of them failed"));
        }
    };
    let scoped: Vec<RecipeError> = steps
        .iter()
        .filter(|s| s.learns && s.fit_on != FitScope::Fold)
        .map(|s| {
            RecipeError::new(
                s.loc.clone(),
                format!(
                    "{prefix}.{} cannot set fit_on: a member's steps learn from the rows the member is fitted on",
                    s.id
                ),
            )
        })
        .collect();
    if let Some(e) = RecipeError::all(scoped) {
        return Err(e);
    }
    Ok(MemberDecl {
        name: name.to_string(),
        model,
        steps,
        loc: at,
    })
}

/// The errors of a member's model, each naming the member rather than `[model]`.
fn rename_owner(e: RecipeError, name: &str) -> RecipeError {
    let owner = format!("members.{name}");
    let renamed = e
        .into_list()
        .into_iter()
        .map(|mut e| {
            e.message = e.message.replace("[model]", &owner);
            e.message = e.message.replace("model (", &format!("{owner} ("));
            if !e.message.contains(&owner) {
                e.message = format!("{owner}: {}", e.message);
            }
            e
        })
        .collect();
    RecipeError::all(renamed).expect("at least the one error")
}

/// Every reference names a declared member, and no member reaches itself.
pub(crate) fn check_references(model: &ModelDecl, members: &[MemberDecl]) -> Result<()> {
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let check = |owner: &str, decl: &ModelDecl| -> Result<()> {
        for (r, at) in located_references(decl) {
            if !names.contains(&r.as_str()) {
                return Err(RecipeError::new(
                    at,
                    format!("{owner} names the member `{r}`, which is not declared"),
                )
                .with_help(if names.is_empty() {
                    format!("declare it as a table [members.{r}] with a `kind`")
                } else {
                    suggestion(&r, &names)
                }));
            }
        }
        Ok(())
    };
    check("[model]", model)?;
    for m in members {
        check(&format!("members.{}", m.name), &m.model)?;
    }
    // Depth-first from every member: a member on its own path is a cycle.
    fn visit(name: &str, members: &[MemberDecl], path: &mut Vec<String>) -> Result<()> {
        let m = members.iter().find(|m| m.name == name).expect("checked");
        if path.iter().any(|p| p == name) {
            path.push(name.to_string());
            return Err(RecipeError::new(
                m.loc.clone(),
                format!(
                    "members refer to each other in a cycle: {}",
                    path.join(" -> ")
                ),
            ));
        }
        path.push(name.to_string());
        for r in references(&m.model) {
            visit(&r, members, path)?;
        }
        path.pop();
        Ok(())
    }
    for m in members {
        visit(&m.name, members, &mut Vec::new())?;
    }
    Ok(())
}
