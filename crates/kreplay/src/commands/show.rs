use kreplay_recipe::members::references;
use kreplay_recipe::{Recipe, StepDecl};

use crate::out;
use crate::report::Result;

use super::{load, model_label};

pub fn run(reference: &str, set: &[String], json: bool) -> Result<()> {
    let r = load(reference, set)?;
    if json {
        let mut resolved = r.resolved_json();
        resolved["name"] = r.display_name().into();
        resolved["hash"] = r.hash.clone().into();
        resolved["overrides"] = r.overrides.clone().into();
        resolved["variants"] = r.variants.clone().into();
        resolved["direction"] = r.validation.metric.direction().into();
        resolved["published"] = r
            .published
            .iter()
            .map(|p| serde_json::json!({"what": p.what.label(), "value": p.value}))
            .collect();
        out!("{}", serde_json::to_string_pretty(&resolved).expect("JSON"));
        return Ok(());
    }
    out!("{}  ·  {}", r.display_name(), r.title());
    out!("  author      {}", r.author());
    out!("  source      {}", r.meta.str("source")?);
    if let Some(date) = r.meta.opt_str("date")? {
        out!("  date        {date}");
    }
    if !r.notes().is_empty() {
        out!("  notes       {}", r.notes());
    }
    let d = &r.data;
    out!(
        "  data        {} ({}), id {}, target {} ({})",
        d.builtin
            .as_deref()
            .map_or_else(|| d.train.clone(), |b| format!("built-in {b}")),
        d.test.as_deref().unwrap_or("no test file"),
        d.id,
        d.target,
        d.task.name()
    );
    out!("  steps");
    print_steps(&r.steps, "    ");
    out!("  model       {}", model_label(&r));
    out!("              {}", r.model.params.describe());
    if !r.members.is_empty() {
        let used = reachable(&r);
        out!("  members");
        for m in &r.members {
            let note = if used.contains(&m.name) {
                ""
            } else {
                "  (not used by this model)"
            };
            out!("    {:<14} {}{note}", m.name, m.model.kind);
            out!("    {:<14} {}", "", m.model.params.describe());
            print_steps(&m.steps, "      ");
        }
    }
    if !r.variants.is_empty() {
        out!("  variants    {}", r.variants.join(", "));
    }
    out!("  validation  {}", r.validation.describe());
    for p in &r.published {
        out!(
            "  published   {:<10} {}  ({})",
            p.what.label(),
            p.value,
            p.source
        );
    }
    if !r.overrides.is_empty() {
        out!("  overrides   {}", r.overrides.join(" "));
    }
    out!("  hash        {}", r.hash);
    Ok(())
}

/// The members the recipe's model reaches, directly or through other members.
fn reachable(r: &Recipe) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut todo = references(&r.model);
    while let Some(name) = todo.pop() {
        if out.contains(&name) {
            continue;
        }
        if let Some(m) = r.members.iter().find(|m| m.name == name) {
            todo.extend(references(&m.model));
        }
        out.push(name);
    }
    out
}

fn print_steps(steps: &[StepDecl], indent: &str) {
    for s in steps {
        let scope = if s.learns {
            format!("fit on {}", s.fit_on)
        } else {
            "stateless".into()
        };
        let leak = if s.learns {
            s.fit_on
                .leakage()
                .map(|l| format!("  ⚠ leakage: {l}"))
                .unwrap_or_default()
        } else {
            String::new()
        };
        out!("{indent}{:<14} {:<14} [{scope}]{leak}", s.id, s.kind);
        out!("{indent}{:<14} {}", "", s.params.describe());
    }
}
