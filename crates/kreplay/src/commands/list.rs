use crate::out;
use kreplay_recipe::{Library, Recipe};
use kreplay_runner::catalog;

use crate::report::Result;

pub fn run(filter: Option<&str>, json: bool, wide: bool) -> Result<()> {
    let lib = Library::from_env(crate::SHIPPED);
    let mut rows = Vec::new();
    let wanted =
        |name: &str| filter.is_none_or(|f| name.to_lowercase().contains(&f.to_lowercase()));
    for (name, _) in lib.names().into_iter().filter(|(n, _)| wanted(n)) {
        let (source, name) = lib.load(&name)?;
        let recipe = Recipe::parse(source.clone(), &name, None, &[], catalog())?;
        for v in &recipe.variants {
            rows.push(Recipe::parse(
                source.clone(),
                &name,
                Some(v),
                &[],
                catalog(),
            )?);
        }
        rows.insert(rows.len() - recipe.variants.len(), recipe);
    }
    if json {
        let out: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "name": r.display_name(),
                    "competition": r.competition(),
                    "title": r.title(),
                    "author": r.author(),
                    "model": r.model.kind,
                    "metric": r.validation.metric.name(),
                    "direction": r.validation.metric.direction(),
                    "published": r.published.iter().map(|p| serde_json::json!({"what": p.what.label(), "value": p.value})).collect::<Vec<_>>(),
                })
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
        return Ok(());
    }
    if rows.is_empty() {
        out!(
            "no recipe matches `{}`; `kreplay list` shows them all",
            filter.unwrap_or_default()
        );
        return Ok(());
    }
    use crate::table::{print, Column};
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let published: Vec<String> = r
                .published
                .iter()
                .map(|p| format!("{} {}", p.what.label(), p.value))
                .collect();
            vec![
                r.display_name(),
                r.author().to_string(),
                r.model.kind.clone(),
                published.join(", "),
            ]
        })
        .collect();
    print(
        &[
            Column::shrinking("recipe"),
            Column::shrinking("author"),
            Column::left("model"),
            Column::shrinking("published"),
        ],
        &table,
        wide,
    );
    Ok(())
}
