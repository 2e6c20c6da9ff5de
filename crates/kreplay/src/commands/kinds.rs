use crate::out;
use kreplay_recipe::{Catalog, ParamSpec};
use kreplay_runner::{catalog, RunError};

use crate::report::Result;

fn params(params: &[ParamSpec]) {
    for p in params {
        out!(
            "    {:<22} {:<34} {:<12} {}",
            p.name,
            p.ty.to_string(),
            p.default_text(),
            p.doc
        );
    }
}

fn params_json(params: &[ParamSpec]) -> serde_json::Value {
    params
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.name,
                "type": p.ty.to_string(),
                "default": p.default_text(),
                "doc": p.doc,
            })
        })
        .collect()
}

fn unknown(what: &str, kind: &str, hint: String) -> RunError {
    RunError::data(what.to_string(), format!("no {what} kind `{kind}`; {hint}"))
}

pub fn steps(only: Option<&str>, json: bool) -> Result<()> {
    let c = catalog();
    if let Some(k) = only {
        c.step(k)
            .ok_or_else(|| unknown("step", k, c.step_hint(k)))?;
    }
    if json {
        let kinds: Vec<_> = c
            .steps()
            .iter()
            .filter(|s| only.is_none_or(|k| k == s.kind))
            .map(|s| {
                serde_json::json!({
                    "kind": s.kind,
                    "summary": s.summary,
                    "learns": s.learns.describe(),
                    "columns": s.columns.describe(),
                    "params": params_json(s.params),
                })
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&kinds).expect("JSON"));
        return Ok(());
    }
    out!("Every step takes `id`, `kind` and, if it learns from data, `fit_on` = fold (default) | train | train+test | each.\n");
    for s in c
        .steps()
        .iter()
        .filter(|s| only.is_none_or(|k| k == s.kind))
    {
        let learns = s.learns.describe();
        out!(
            "{}  {}{}{}",
            s.kind,
            s.summary,
            if learns.is_empty() { "" } else { "  " },
            learns
        );
        out!("    {}", s.columns.describe());
        params(s.params);
        out!();
    }
    Ok(())
}

pub fn models(only: Option<&str>, json: bool) -> Result<()> {
    let c = catalog();
    if let Some(k) = only {
        c.model(k)
            .ok_or_else(|| unknown("model", k, c.model_hint(k)))?;
    }
    if json {
        let kinds: Vec<_> = c
            .models()
            .iter()
            .filter(|m| only.is_none_or(|k| k == m.kind))
            .map(|m| {
                serde_json::json!({
                    "kind": m.kind,
                    "summary": m.summary,
                    "tasks": m.tasks.iter().map(|t| t.name()).collect::<Vec<_>>(),
                    "engine": m.engine,
                    "params": params_json(m.params),
                })
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&kinds).expect("JSON"));
        return Ok(());
    }
    for m in c
        .models()
        .iter()
        .filter(|m| only.is_none_or(|k| k == m.kind))
    {
        let tasks: Vec<&str> = m.tasks.iter().map(|t| t.name()).collect();
        out!(
            "{}  {}  [{}; {}]",
            m.kind,
            m.summary,
            tasks.join(", "),
            m.engine
        );
        params(m.params);
        out!();
    }
    Ok(())
}
