use std::path::{Path, PathBuf};

use kreplay_recipe::{derived_text, Library, Override, Recipe, RecipeRef, Source};
use kreplay_runner::{carry, catalog, compat, data, RunError};

use crate::out;
use crate::report::Result;

pub struct Args {
    pub file: PathBuf,
    pub from: String,
    pub competition: Option<String>,
    pub data: Option<PathBuf>,
    pub force: bool,
}

pub fn run(a: Args) -> Result {
    if a.file.exists() && !a.force {
        return Err(RunError::Write {
            path: a.file.clone(),
            message: "already exists; pick another name or pass --force".into(),
        }
        .into());
    }
    let r = RecipeRef::parse(&a.from);
    let (source, name) = Library::from_env(crate::SHIPPED).load(&r.name)?;
    let parent = match &r.variant {
        Some(v) => format!("{name}:{v}"),
        None => name.clone(),
    };
    let mut overrides = Vec::new();
    if let Some(c) = &a.competition {
        overrides.push(Override::parse(&format!("recipe.competition={c:?}"))?);
    }
    let note = match &a.competition {
        Some(c) => format!("Copied from {parent} to try on {c}."),
        None => format!("Copied from {parent} for editing."),
    };
    let derive = |overrides: &[Override], remove: &[String]| -> Result<(String, Recipe)> {
        let text = derived_text(
            &source,
            r.variant.as_deref(),
            overrides,
            remove,
            &parent,
            &note,
        )?;
        let recipe = parse(&a.file, &text, &name, &[])?;
        Ok((text, recipe))
    };
    let (text, copy) = derive(&overrides, &[])?;
    let dir = match &a.competition {
        Some(competition) => {
            let mirror = std::env::var_os("KREPLAY_MIRROR").map(PathBuf::from);
            match data::locate(
                competition,
                a.data.as_deref(),
                mirror.as_deref(),
                &kreplay_kaggle::cache::competitions_dir(),
            ) {
                Ok(dir) => Some(dir),
                Err(e) => {
                    kreplay_runner::atomic::write(&a.file, text.as_bytes())?;
                    out!("wrote {} (parent {parent})", a.file.display());
                    out!("cannot check it against {competition}'s data yet: {e}");
                    return Ok(());
                }
            }
        }
        None => None,
    };
    let Some(dir) = dir else {
        kreplay_runner::atomic::write(&a.file, text.as_bytes())?;
        out!("wrote {} (parent {parent})", a.file.display());
        return Ok(());
    };
    // What the new data says the parent's declarations must become.
    let new_data = carry::read(&dir, &copy)?;
    let changes = carry::changes(&copy, &new_data);
    let mut remove = Vec::new();
    for c in &changes {
        match &c.value {
            Some(v) => overrides.push(Override::parse(&format!("{}={v}", c.path))?),
            None => remove.push(c.path.clone()),
        }
    }
    let text = derived_text(
        &source,
        r.variant.as_deref(),
        &overrides,
        &remove,
        &parent,
        &note,
    )?;
    kreplay_runner::atomic::write(&a.file, text.as_bytes())?;
    out!("wrote {} (parent {parent})", a.file.display());
    if !changes.is_empty() {
        out!("changed for {}:", copy.competition());
        for c in &changes {
            match &c.value {
                Some(v) => out!("  {} = {v}  ({})", c.path, c.why),
                None => out!("  {} removed  ({})", c.path, c.why),
            }
        }
    }
    let problems = problems(&a.file, &text, &name, &copy, &new_data);
    if problems.is_empty() {
        out!(
            "every column the recipe reads is in {}; replay it with `kreplay replay {}`",
            dir.join(&copy.data.train).display(),
            a.file.display()
        );
        return Ok(());
    }
    out!(
        "{} problem(s) left — edit these before replaying:",
        problems.len()
    );
    for p in &problems {
        out!("  {p}");
    }
    out!("  columns there: {}", new_data.train.join(", "));
    Ok(())
}

fn parse(
    file: &Path,
    text: &str,
    name: &str,
    overrides: &[Override],
) -> std::result::Result<Recipe, kreplay_recipe::RecipeError> {
    Recipe::parse(
        Source::new(file.display().to_string(), text.to_string()),
        name,
        None,
        overrides,
        catalog(),
    )
}

/// Every problem left in the written recipe, each located in it: what the recipe parser
/// refuses (a model that cannot do the new task), then every column it reads that the new
/// train file does not have at that point.
fn problems(
    file: &Path,
    text: &str,
    name: &str,
    parent: &Recipe,
    new_data: &carry::NewData,
) -> Vec<String> {
    let mut out = Vec::new();
    let recipe = match parse(file, text, name, &[]) {
        Ok(recipe) => Some(recipe),
        Err(e) => {
            out.extend(
                e.into_list()
                    .into_iter()
                    .map(|e| format!("{}: {}{}", e.loc, e.message, help(&e.help))),
            );
            // The columns are still checked, on the recipe read with the parent's task.
            let back = [
                format!("data.task={:?}", parent.data.task.name()),
                format!("validation.metric={:?}", parent.validation.metric.name()),
            ];
            let back: Vec<Override> = back
                .iter()
                .filter_map(|o| Override::parse(o).ok())
                .collect();
            parse(file, text, name, &back).ok()
        }
    };
    if let Some(recipe) = recipe {
        for m in compat::missing_columns(&recipe, &new_data.train) {
            out.push(format!(
                "{}: {} reads `{}`, which the train file does not have there",
                m.loc, m.at, m.column
            ));
        }
    }
    out
}

fn help(help: &Option<String>) -> String {
    help.as_ref()
        .map_or(String::new(), |h| format!(" (help: {h})"))
}
