//! A validated recipe: every section checked, every parameter resolved, overrides applied.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::catalog::Catalog;
use crate::error::{suggestion, RecipeError, Result};
use crate::members::{check_members, check_references, MemberDecl};
use crate::params::Params;
use crate::path::Override;
use crate::schema::{check_table, loc_of};
use crate::sections::*;
use crate::source::{Loc, Source};
use crate::tree::{Key, Node, NodeValue, Origin};

const TOP_KEYS: &[&str] = &[
    "recipe",
    "data",
    "steps",
    "model",
    "members",
    "validation",
    "submission",
    "published",
    "variants",
    "parent",
];
const VARIANT_KEYS: &[&str] = &["model", "published", "notes"];

crate::named_enum! {
    /// What a step learns from.
    pub enum FitScope {
        /// The training rows of the current fold (all train rows in the final fit): no leakage.
        Fold = "fold",
        /// All train rows, also inside CV (e.g. `fillna(train.median())` before CV).
        Train = "train",
        /// Train and test rows together (`pd.concat([train, test])`).
        TrainTest = "train+test",
        /// Each frame learns from itself (`for df in [train, test]: ...`).
        Each = "each",
    }
}

impl FitScope {
    /// The leakage this scope lets through, if any.
    pub fn leakage(self) -> Option<&'static str> {
        match self {
            Self::Fold => None,
            Self::Train => Some("learns from validation rows too: CV scores are optimistic"),
            Self::TrainTest => Some("learns from test rows: CV and test predictions see test data"),
            Self::Each => Some("test rows are transformed with statistics of the test set itself"),
        }
    }
}

/// One feature step as declared: its kind's parameters are checked, not yet built.
#[derive(Debug, Clone)]
pub struct StepDecl {
    pub id: String,
    pub kind: String,
    pub fit_on: FitScope,
    pub learns: bool,
    pub params: Params,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Recipe {
    pub source: Arc<Source>,
    /// `competition/name`, as `kreplay list` shows it.
    pub name: String,
    pub variant: Option<String>,
    pub variants: Vec<String>,
    pub meta: Params,
    pub seed: u64,
    pub data: DataSection,
    pub steps: Vec<StepDecl>,
    pub model: ModelDecl,
    /// The named sub-pipelines ensemble models refer to.
    pub members: Vec<MemberDecl>,
    pub validation: ValidationSection,
    pub submission: SubmissionSection,
    pub published: Vec<Published>,
    pub overrides: Vec<String>,
    /// sha256 of the resolved configuration: equal hashes mean the same replay.
    pub hash: String,
}

impl Recipe {
    /// Parses and validates a recipe, with an optional variant and overrides applied first.
    pub fn parse(
        source: Arc<Source>,
        name: &str,
        variant: Option<&str>,
        overrides: &[Override],
        catalog: &dyn Catalog,
    ) -> Result<Recipe> {
        let mut doc = Node::parse(&source.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            RecipeError::new(
                Loc::in_source(&source, &span),
                format!("invalid TOML: {}", e.message().trim()),
            )
        })?;
        let root_loc = Loc::in_source(&source, &(0..0));
        let top = doc
            .table()
            .ok_or_else(|| RecipeError::new(root_loc.clone(), "a recipe is a TOML table"))?;
        for (key, _) in top {
            if !TOP_KEYS.contains(&key.name.as_str()) {
                return Err(RecipeError::new(
                    loc_of(&source, &key.origin),
                    format!("unknown section `{}`", key.name),
                )
                .with_help(suggestion(&key.name, TOP_KEYS)));
            }
        }
        let variants = check_variants(&source, &doc, catalog)?;
        if let Some(v) = variant {
            select_variant(&source, &mut doc, v, &variants)?;
        }
        for o in overrides {
            o.apply(&mut doc, &source)?;
        }

        let section = |name: &str| -> Node {
            doc.get(name).cloned().unwrap_or(Node {
                origin: Origin::File(0..0),
                value: NodeValue::Table(Vec::new()),
            })
        };
        let required = |name: &str| -> Result<Node> {
            doc.get(name).cloned().ok_or_else(|| {
                RecipeError::new(
                    root_loc.clone(),
                    format!("the recipe has no [{name}] section"),
                )
            })
        };
        // Each section is checked on its own and every problem is reported together; a
        // section that needs another (the model needs the task) waits for it.
        let mut errors = Vec::new();
        let meta = keep(
            &mut errors,
            required("recipe")
                .and_then(|n| check_table(&source, &n, RECIPE_PARAMS, &[], "[recipe]")),
        );
        let seed = meta
            .as_ref()
            .map_or(0, |m| m.usize("seed").unwrap_or(0) as u64);
        let data = keep(
            &mut errors,
            required("data").and_then(|n| {
                DataSection::from_params(check_table(&source, &n, DATA_PARAMS, &[], "[data]")?)
            }),
        );
        let steps = keep(
            &mut errors,
            check_steps(&source, doc.get("steps"), catalog, "steps"),
        );
        let task = data.as_ref().map(|d| d.task);
        let model = task.and_then(|task| {
            keep(
                &mut errors,
                required("model").and_then(|n| check_model(&source, &n, task, catalog)),
            )
        });
        let members = task.and_then(|task| {
            keep(
                &mut errors,
                check_members(&source, doc.get("members"), task, catalog),
            )
        });
        if let (Some(model), Some(members)) = (&model, &members) {
            keep(&mut errors, check_references(model, members));
        }
        let validation = keep(
            &mut errors,
            required("validation").and_then(|n| {
                ValidationSection::from_params(
                    check_table(&source, &n, VALIDATION_PARAMS, &[], "[validation]")?,
                    seed,
                )
            }),
        );
        if let (Some(validation), Some(task)) = (&validation, task) {
            keep(&mut errors, check_metric(validation, task));
        }
        let submission = data.as_ref().and_then(|data| {
            keep(
                &mut errors,
                check_table(
                    &source,
                    &section("submission"),
                    SUBMISSION_PARAMS,
                    &[],
                    "[submission]",
                )
                .and_then(|p| SubmissionSection::from_params(p, data)),
            )
        });
        let published = match doc.get("published") {
            None => Some(Vec::new()),
            Some(node) => keep(&mut errors, check_published(&source, node)),
        };
        if let Some(node) = doc.get("parent") {
            keep(&mut errors, check_parent(&source, node));
        }
        if let Some(e) = RecipeError::all(errors) {
            return Err(e);
        }
        let expect = "every section checked";
        let (meta, data, steps, model) = (
            meta.expect(expect),
            data.expect(expect),
            steps.expect(expect),
            model.expect(expect),
        );
        let (members, validation, submission, published) = (
            members.expect(expect),
            validation.expect(expect),
            submission.expect(expect),
            published.expect(expect),
        );
        let mut recipe = Recipe {
            source,
            name: name.to_string(),
            variant: variant.map(str::to_string),
            variants,
            meta,
            seed,
            data,
            steps,
            model,
            members,
            validation,
            submission,
            published,
            overrides: overrides.iter().map(|o| o.text.clone()).collect(),
            hash: String::new(),
        };
        recipe.hash = hex(&Sha256::digest(
            recipe.resolved_json().to_string().as_bytes(),
        ));
        Ok(recipe)
    }

    pub fn title(&self) -> &str {
        self.meta.str("title").unwrap_or("")
    }

    pub fn author(&self) -> &str {
        self.meta.str("author").unwrap_or("")
    }

    pub fn competition(&self) -> &str {
        self.meta.str("competition").unwrap_or("")
    }

    pub fn notes(&self) -> &str {
        self.meta.str("notes").unwrap_or("")
    }

    /// `name` or `name:variant`.
    pub fn display_name(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}:{v}", self.name),
            None => self.name.clone(),
        }
    }

    /// The model kinds a replay runs, once each in the order first reached: the model's, then
    /// those of the members it refers to, and of theirs.
    pub fn model_kinds(&self) -> Vec<&str> {
        let mut kinds = Vec::new();
        let mut seen_members: Vec<&str> = Vec::new();
        let mut pending = vec![&self.model];
        while let Some(model) = pending.pop() {
            if !kinds.contains(&model.kind.as_str()) {
                kinds.push(model.kind.as_str());
            }
            for name in crate::members::references(model) {
                if let Some(m) = self.members.iter().find(|m| m.name == name) {
                    if !seen_members.contains(&m.name.as_str()) {
                        seen_members.push(m.name.as_str());
                        pending.insert(0, &m.model);
                    }
                }
            }
        }
        kinds
    }

    /// The published score of a kind, if the author gave one.
    pub fn published(&self, what: PublishedKind) -> Option<&Published> {
        self.published.iter().find(|p| p.what == what)
    }

    /// Every resolved parameter as (dotted path, value): `model.max_depth`, `steps.<id>.fit_on`,
    /// `steps.<id>.<param>`, `validation.k`... The one flat view that diffs and comparisons use.
    pub fn flat_params(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut section = |prefix: &str, p: &Params| {
            for param in p.iter() {
                out.push((format!("{prefix}.{}", param.name), param.value.to_string()));
            }
        };
        section("recipe", &self.meta);
        section("data", &self.data.params);
        for s in &self.steps {
            section(&format!("steps.{}", s.id), &s.params);
        }
        section("model", &self.model.params);
        section("validation", &self.validation.params);
        section("submission", &self.submission.params);
        for m in &self.members {
            section(&format!("members.{}", m.name), &m.model.params);
            for s in &m.steps {
                section(&format!("members.{}.steps.{}", m.name, s.id), &s.params);
            }
        }
        let mut kinds = |prefix: &str, steps: &[StepDecl]| {
            for s in steps {
                out.push((format!("{prefix}.{}.kind", s.id), s.kind.clone()));
                if s.learns {
                    out.push((
                        format!("{prefix}.{}.fit_on", s.id),
                        s.fit_on.name().to_string(),
                    ));
                }
            }
        };
        kinds("steps", &self.steps);
        for m in &self.members {
            kinds(&format!("members.{}.steps", m.name), &m.steps);
        }
        out.push(("model.kind".into(), self.model.kind.clone()));
        for m in &self.members {
            out.push((format!("members.{}.kind", m.name), m.model.kind.clone()));
        }
        out.sort();
        out
    }

    /// Every resolved parameter, as run records and the recipe hash see them.
    pub fn resolved_json(&self) -> serde_json::Value {
        let steps = |steps: &[StepDecl]| {
            steps.iter().map(|s| serde_json::json!({
                "id": s.id, "kind": s.kind, "fit_on": s.fit_on.name(), "params": s.params.to_json(),
            })).collect::<Vec<_>>()
        };
        let mut out = serde_json::json!({
            "recipe": self.meta.to_json(),
            "data": self.data.params.to_json(),
            "steps": steps(&self.steps),
            "model": { "kind": self.model.kind, "params": self.model.params.to_json() },
            "validation": self.validation.params.to_json(),
            "submission": self.submission.params.to_json(),
        });
        // Only recipes with members carry the key, so older run records hash the same.
        if !self.members.is_empty() {
            let members: serde_json::Map<String, serde_json::Value> = self
                .members
                .iter()
                .map(|m| {
                    let body = serde_json::json!({
                        "kind": m.model.kind,
                        "params": m.model.params.to_json(),
                        "steps": steps(&m.steps),
                    });
                    (m.name.clone(), body)
                })
                .collect();
            out["members"] = serde_json::Value::Object(members);
        }
        out
    }
}

/// The text of a new recipe derived from `source`: the variant (if any) made the model,
/// overrides applied, the keys at the dotted paths in `remove` taken out (`submission.values`,
/// `members.svc`), `recipe.parent` set and `note` made the notes. The parent's notes and
/// published scores move to `[parent]`: they describe the parent, not this recipe.
pub fn derived_text(
    source: &Arc<Source>,
    variant: Option<&str>,
    overrides: &[Override],
    remove: &[String],
    parent: &str,
    note: &str,
) -> Result<String> {
    let mut doc = Node::parse(&source.text).map_err(|e| {
        RecipeError::new(
            Loc::in_source(source, &e.span().unwrap_or(0..0)),
            format!("invalid TOML: {}", e.message().trim()),
        )
    })?;
    if let Some(v) = variant {
        let names: Vec<String> = doc
            .get("variants")
            .and_then(Node::table)
            .map(|t| t.iter().map(|(k, _)| k.name.clone()).collect())
            .unwrap_or_default();
        select_variant(source, &mut doc, v, &names)?;
    }
    doc.remove("variants");
    let published = doc.get("published").cloned();
    doc.remove("published");
    doc.remove("parent");
    for o in overrides {
        o.apply(&mut doc, source)?;
    }
    for path in remove {
        let mut keys: Vec<&str> = path.split('.').collect();
        let last = keys.pop().unwrap_or_default();
        let mut node = Some(&mut doc);
        for k in keys {
            node = node.and_then(|n| n.get_mut(k));
        }
        if let Some(n) = node {
            n.remove(last);
        }
    }
    let key = |k: &str| Key {
        name: k.to_string(),
        origin: Origin::File(0..0),
    };
    let text = |s: String| Node {
        origin: Origin::File(0..0),
        value: NodeValue::Str(s),
    };
    let meta = doc
        .get_mut("recipe")
        .ok_or_else(|| RecipeError::new(Loc::Unknown, "the recipe has no [recipe] section"))?;
    let old_notes = meta
        .get("notes")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    meta.set(key("parent"), text(parent.to_string()));
    meta.set(key("notes"), text(note.to_string()));
    let mut kept = Vec::new();
    if !old_notes.is_empty() {
        kept.push((key("notes"), text(old_notes)));
    }
    if let Some(p) = published {
        kept.push((key("published"), p));
    }
    if !kept.is_empty() {
        doc.set(
            key("parent"),
            Node {
                origin: Origin::File(0..0),
                value: NodeValue::Table(kept),
            },
        );
    }
    let body = toml::to_string_pretty(&doc.to_toml())
        .map_err(|e| RecipeError::new(Loc::Unknown, e.to_string()))?;
    Ok(format!("# Derived from {parent} by kreplay.\n{body}"))
}

/// The value of `r`, or `None` with its error kept for the report.
fn keep<T>(errors: &mut Vec<RecipeError>, r: Result<T>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// The `[[steps]]` of the recipe (`prefix` = "steps") or of a member
/// (`prefix` = "members.<name>.steps"), as error messages and parameter paths name them.
pub(crate) fn check_steps(
    source: &Arc<Source>,
    node: Option<&Node>,
    catalog: &dyn Catalog,
    prefix: &str,
) -> Result<Vec<StepDecl>> {
    let Some(node) = node else {
        return Ok(Vec::new());
    };
    let NodeValue::Array(items) = &node.value else {
        return Err(RecipeError::new(
            loc_of(source, &node.origin),
            format!("`{prefix}` must be an array of tables, written [[{prefix}]]"),
        ));
    };
    let mut steps: Vec<StepDecl> = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    let mut ids = Vec::new();
    for (i, item) in items.iter().enumerate() {
        // Each step's problems are reported; a bad step does not hide the next one's.
        match check_step(source, item, i, catalog, prefix, &ids) {
            Ok(step) => {
                ids.push(step.id.clone());
                steps.push(step);
            }
            Err(e) => {
                if let Some(id) = item.get("id").and_then(Node::as_str) {
                    ids.push(id.to_string());
                }
                errors.push(e);
            }
        }
    }
    match RecipeError::all(errors) {
        Some(e) => Err(e),
        None => Ok(steps),
    }
}

fn check_step(
    source: &Arc<Source>,
    item: &Node,
    i: usize,
    catalog: &dyn Catalog,
    prefix: &str,
    earlier_ids: &[String],
) -> Result<StepDecl> {
    let loc = loc_of(source, &item.origin);
    if item.table().is_none() {
        return Err(RecipeError::new(
            loc,
            format!("step {} must be a table", i + 1),
        ));
    }
    let id = required_str(source, item, "id", &format!("step {}", i + 1))?;
    if !is_identifier(&id) {
        return Err(RecipeError::new(
            loc_of(source, &item.get("id").expect("checked").origin),
            format!("step id `{id}` may only use letters, digits, `_` and `-`"),
        )
        .with_help(format!(
            "ids appear in parameter paths such as {prefix}.<id>.<param>"
        )));
    }
    if earlier_ids.contains(&id) {
        return Err(RecipeError::new(
            loc_of(source, &item.get("id").expect("checked").origin),
            format!("duplicate step id `{id}`"),
        ));
    }
    let kind = required_str(source, item, "kind", &format!("{prefix}.{id}"))?;
    let spec = catalog.step(&kind).ok_or_else(|| {
        RecipeError::new(
            loc_of(source, &item.get("kind").expect("checked").origin),
            format!("unknown step kind `{kind}` in {prefix}.{id}"),
        )
        .with_help(format!(
            "{} (see `kreplay steps`)",
            catalog.step_hint(&kind)
        ))
    })?;
    let fit_on = match item.get("fit_on") {
        None => FitScope::Fold,
        Some(n) => {
            let at = loc_of(source, &n.origin);
            let s = n.as_str().ok_or_else(|| {
                RecipeError::new(at.clone(), format!("{prefix}.{id}.fit_on must be a string"))
            })?;
            let scope = FitScope::parse(s).ok_or_else(|| {
                RecipeError::new(at.clone(), format!("{prefix}.{id}.fit_on cannot be {s:?}"))
                    .with_help(suggestion(s, FitScope::NAMES))
            })?;
            if !spec.learns.ever() {
                return Err(RecipeError::new(
                    at,
                    format!("{prefix}.{id} ({kind}) learns nothing from data, so `fit_on` has no effect"),
                )
                .with_help("remove `fit_on` from this step"));
            }
            scope
        }
    };
    let owner = format!("{prefix}.{id} ({kind})");
    let params = check_table(source, item, spec.params, &["id", "kind", "fit_on"], &owner)?;
    Ok(StepDecl {
        id,
        kind,
        fit_on,
        learns: spec.learns.with(&params),
        params,
        loc,
    })
}

pub(crate) fn check_model(
    source: &Arc<Source>,
    node: &Node,
    task: Task,
    catalog: &dyn Catalog,
) -> Result<ModelDecl> {
    let kind = required_str(source, node, "kind", "[model]")?;
    let kind_loc = || loc_of(source, &node.get("kind").expect("checked").origin);
    let spec = catalog.model(&kind).ok_or_else(|| {
        RecipeError::new(kind_loc(), format!("unknown model kind `{kind}`")).with_help(format!(
            "{} (see `kreplay models`)",
            catalog.model_hint(&kind)
        ))
    })?;
    if !spec.tasks.contains(&task) {
        let tasks: Vec<&str> = spec.tasks.iter().map(|t| t.name()).collect();
        return Err(RecipeError::new(
            kind_loc(),
            format!(
                "model `{kind}` cannot do a {} task (data.task)",
                task.name()
            ),
        )
        .with_help(format!("`{kind}` supports: {}", tasks.join(", "))));
    }
    let params = check_table(
        source,
        node,
        spec.params,
        &["kind"],
        &format!("model ({kind})"),
    )?;
    Ok(ModelDecl { kind, params })
}

fn check_metric(v: &ValidationSection, task: Task) -> Result<()> {
    if !v.metric.suits(task) {
        return Err(v
            .params
            .error(
                "metric",
                format!("`{}` does not suit a {} task", v.metric, task.name()),
            )
            .with_help(if task.is_classification() {
                "classification metrics: accuracy, roc_auc, log_loss (binary only)"
            } else {
                "regression metrics: rmse, rmse_log, rmsle"
            }));
    }
    if let Scheme::KFold {
        stratified: true, ..
    }
    | Scheme::Holdout {
        stratified: true, ..
    } = v.scheme
    {
        if !task.is_classification() {
            return Err(v.params.error(
                "stratified",
                "stratified splits need a classification target",
            ));
        }
    }
    Ok(())
}

/// `[parent]`: what a derived recipe keeps of the recipe it came from (its notes and published
/// scores), as provenance; nothing in it is this recipe's own or changes a replay.
fn check_parent(source: &Arc<Source>, node: &Node) -> Result<()> {
    let entries = node.table().ok_or_else(|| {
        RecipeError::new(loc_of(source, &node.origin), "`parent` must be a table")
    })?;
    let mut errors = Vec::new();
    for (key, value) in entries {
        let problem = match key.name.as_str() {
            "notes" if value.as_str().is_none() => Some("`parent.notes` must be a string"),
            "published" => {
                keep(&mut errors, check_published(source, value));
                None
            }
            "notes" => None,
            _ => Some("unknown key in [parent]"),
        };
        if let Some(problem) = problem {
            errors.push(
                RecipeError::new(loc_of(source, &key.origin), problem)
                    .with_help("[parent] holds the parent's `notes` and `published` scores"),
            );
        }
    }
    RecipeError::all(errors).map_or(Ok(()), Err)
}

fn check_published(source: &Arc<Source>, node: &Node) -> Result<Vec<Published>> {
    let NodeValue::Array(items) = &node.value else {
        return Err(RecipeError::new(
            loc_of(source, &node.origin),
            "`published` must be an array of tables, written [[published]]",
        ));
    };
    items
        .iter()
        .map(|item| {
            Published::from_params(&check_table(
                source,
                item,
                PUBLISHED_PARAMS,
                &[],
                "[[published]]",
            )?)
        })
        .collect()
}

/// Checks every `[variants.<name>]` and returns their names.
/// Names that appear in parameter paths and file names: letters, digits, `_` and `-`.
pub(crate) fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn check_variants(source: &Arc<Source>, doc: &Node, catalog: &dyn Catalog) -> Result<Vec<String>> {
    let Some(node) = doc.get("variants") else {
        return Ok(Vec::new());
    };
    let table = node.table().ok_or_else(|| {
        RecipeError::new(loc_of(source, &node.origin), "`variants` must be a table")
    })?;
    let task = doc
        .get("data")
        .and_then(|d| d.get("task"))
        .and_then(Node::as_str)
        .and_then(Task::parse);
    let mut names = Vec::new();
    for (key, v) in table {
        if !is_identifier(&key.name) {
            return Err(RecipeError::new(
                loc_of(source, &key.origin),
                format!(
                    "variant name `{}` may only use letters, digits, `_` and `-`",
                    key.name
                ),
            )
            .with_help("a variant's name becomes part of its submission's file name"));
        }
        let entries = v.table().ok_or_else(|| {
            RecipeError::new(
                loc_of(source, &v.origin),
                format!("variants.{} must be a table", key.name),
            )
        })?;
        for (k, _) in entries {
            if !VARIANT_KEYS.contains(&k.name.as_str()) {
                return Err(RecipeError::new(
                    loc_of(source, &k.origin),
                    format!("unknown key `{}` in variants.{}", k.name, key.name),
                )
                .with_help(suggestion(&k.name, VARIANT_KEYS)));
            }
        }
        let model = v.get("model").ok_or_else(|| {
            RecipeError::new(
                loc_of(source, &v.origin),
                format!("variants.{} has no [model]", key.name),
            )
        })?;
        if let Some(task) = task {
            check_model(source, model, task, catalog)?;
        }
        if let Some(p) = v.get("published") {
            check_published(source, p)?;
        }
        names.push(key.name.clone());
    }
    Ok(names)
}

fn select_variant(
    source: &Arc<Source>,
    doc: &mut Node,
    name: &str,
    variants: &[String],
) -> Result<()> {
    let variant = doc
        .get("variants")
        .and_then(|v| v.get(name))
        .cloned()
        .ok_or_else(|| {
            let names: Vec<&str> = variants.iter().map(String::as_str).collect();
            RecipeError::new(
                Loc::in_source(source, &(0..0)),
                format!("the recipe has no variant `{name}`"),
            )
            .with_help(if names.is_empty() {
                "this recipe has no [variants]".to_string()
            } else {
                suggestion(name, &names)
            })
        })?;
    let key = |k: &str| Key {
        name: k.to_string(),
        origin: Origin::File(0..0),
    };
    doc.set(key("model"), variant.get("model").expect("checked").clone());
    let published = variant.get("published").cloned().unwrap_or(Node {
        origin: Origin::File(0..0),
        value: NodeValue::Array(Vec::new()),
    });
    doc.set(key("published"), published);
    Ok(())
}

fn required_str(source: &Arc<Source>, node: &Node, key: &str, owner: &str) -> Result<String> {
    match node.get(key) {
        Some(n) => n.as_str().map(str::to_string).ok_or_else(|| {
            RecipeError::new(
                loc_of(source, &n.origin),
                format!(
                    "{owner}.{key} must be a string, found {}",
                    n.value.type_name()
                ),
            )
        }),
        None => Err(RecipeError::new(
            loc_of(source, &node.origin),
            format!("{owner} is missing the required key `{key}`"),
        )),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
