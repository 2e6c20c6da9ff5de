use std::path::{Path, PathBuf};

use kreplay_recipe::{derived_text, Library, Override, Recipe, RecipeRef, Source};
use kreplay_runner::{catalog, compat, data, RunError};

use crate::out;
use crate::report::Result;

pub struct Args {
    pub file: PathBuf,
    pub from: String,
    pub competition: Option<String>,
    pub data: Option<PathBuf>,
    pub force: bool,
}

/// The train file's header, read without loading the file.
fn header(path: &Path) -> std::result::Result<Vec<String>, RunError> {
    let text = std::fs::read_to_string(path).map_err(|e| RunError::Read {
        path: path.into(),
        message: e.to_string(),
    })?;
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    Ok(first
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect())
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
    let text = derived_text(&source, r.variant.as_deref(), &overrides, &parent, &note)?;
    let recipe = Recipe::parse(
        Source::new(a.file.display().to_string(), text.clone()),
        &name,
        None,
        &[],
        catalog(),
    )?;
    kreplay_runner::atomic::write(&a.file, text.as_bytes())?;
    out!("wrote {} (parent {parent})", a.file.display());
    let Some(competition) = &a.competition else {
        return Ok(());
    };
    let mirror = std::env::var_os("KREPLAY_MIRROR").map(PathBuf::from);
    let dir = match data::locate(
        competition,
        a.data.as_deref(),
        mirror.as_deref(),
        &kreplay_kaggle::cache::competitions_dir(),
    ) {
        Ok(dir) => dir,
        Err(e) => {
            out!("cannot check the columns yet: {e}");
            return Ok(());
        }
    };
    let train = dir.join(&recipe.data.train);
    let columns = header(&train)?;
    let missing = compat::missing_columns(&recipe, &columns);
    if missing.is_empty() {
        out!("every column the recipe reads is in {}", train.display());
        return Ok(());
    }
    out!(
        "{} column reference(s) not in {} — edit these before replaying:",
        missing.len(),
        train.display()
    );
    for m in &missing {
        out!("  {:<36} `{}`  ({})", m.at, m.column, m.loc);
    }
    out!("  columns there: {}", columns.join(", "));
    Ok(())
}
