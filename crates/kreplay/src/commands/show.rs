use kreplay_runner::Result;

use super::{load, model_label};

pub fn run(reference: &str, set: &[String]) -> Result<()> {
    let r = load(reference, set)?;
    println!("{}  ·  {}", r.display_name(), r.title());
    println!("  author      {}", r.author());
    println!("  source      {}", r.meta.str("source")?);
    if let Some(date) = r.meta.opt_str("date")? {
        println!("  date        {date}");
    }
    if !r.notes().is_empty() {
        println!("  notes       {}", r.notes());
    }
    let d = &r.data;
    println!(
        "  data        {} ({}), id {}, target {} ({})",
        d.builtin
            .as_deref()
            .map_or_else(|| d.train.clone(), |b| format!("built-in {b}")),
        d.test.as_deref().unwrap_or("no test file"),
        d.id,
        d.target,
        d.task.name()
    );
    println!("  steps");
    for s in &r.steps {
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
        println!("    {:<14} {:<14} [{scope}]{leak}", s.id, s.kind);
        println!("    {:<14} {}", "", s.params.describe());
    }
    println!("  model       {}", model_label(&r));
    println!("              {}", r.model.params.describe());
    if !r.variants.is_empty() {
        println!("  variants    {}", r.variants.join(", "));
    }
    println!("  validation  {}", r.validation.describe());
    for p in &r.published {
        println!(
            "  published   {:<10} {}  ({})",
            p.what.label(),
            p.value,
            p.source
        );
    }
    if !r.overrides.is_empty() {
        println!("  overrides   {}", r.overrides.join(" "));
    }
    println!("  hash        {}", r.hash);
    Ok(())
}
