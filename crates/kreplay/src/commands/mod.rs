pub mod diff;
pub mod kaggle;
pub mod kinds;
pub mod list;
pub mod new;
pub mod replay;
pub mod report;
pub mod runs;
pub mod show;
pub mod submit;
pub mod sweep;
pub mod validate;

use kreplay_recipe::sweep::{Domain, SweepParam};
use kreplay_recipe::{Library, Loc, Override, Recipe, RecipeError, RecipeRef};
use kreplay_runner::catalog;

use crate::report::Result;

/// A competition, named as kreplay does (`kreplay files titanic`) or as the official Kaggle CLI
/// does (`-c titanic`).
#[derive(clap::Args, Debug, Clone)]
pub struct CompetitionArg {
    /// Competition slug (e.g. `titanic`).
    #[arg(
        value_name = "COMPETITION",
        required_unless_present = "competition_flag"
    )]
    competition: Option<String>,
    /// The competition, as the official Kaggle CLI takes it.
    #[arg(
        short = 'c',
        long = "competition",
        value_name = "COMPETITION",
        conflicts_with = "competition"
    )]
    competition_flag: Option<String>,
}

impl CompetitionArg {
    pub fn slug(&self) -> String {
        self.competition
            .clone()
            .or_else(|| self.competition_flag.clone())
            .expect("clap requires one of them")
    }
}

/// A submission file, as a second argument or as the Kaggle CLI's `-f FILE`.
#[derive(clap::Args, Debug, Clone)]
pub struct FileArg {
    /// The submission CSV.
    #[arg(value_name = "FILE", required_unless_present = "file_flag")]
    file: Option<std::path::PathBuf>,
    /// The submission CSV, as the official Kaggle CLI takes it.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "file"
    )]
    file_flag: Option<std::path::PathBuf>,
}

impl FileArg {
    pub fn path(&self) -> std::path::PathBuf {
        self.file
            .clone()
            .or_else(|| self.file_flag.clone())
            .expect("clap requires one of them")
    }
}

/// Finds, parses and validates a recipe with its variant and overrides.
pub fn load(reference: &str, set: &[String]) -> Result<Recipe> {
    let r = RecipeRef::parse(reference);
    let (source, name) = Library::from_env(crate::SHIPPED).load(&r.name)?;
    // `max_depth=3,5` is a sweep's grammar: one configuration runs here, so say where the
    // others would, instead of failing on "3,5" as a value.
    for text in set {
        if let Ok(p) = SweepParam::parse(text) {
            if !matches!(&p.domain, Domain::Values(v) if v.len() == 1) {
                return Err(RecipeError::new(
                    Loc::Override { text: text.clone() },
                    "several values: a replay runs one configuration",
                )
                .with_help(format!("to try each, `kreplay sweep {reference} {text}`"))
                .into());
            }
        }
    }
    let overrides = set
        .iter()
        .map(|s| Override::parse(s))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let recipe = Recipe::parse(source, &name, r.variant.as_deref(), &overrides, catalog())?;
    kreplay_runner::check(&recipe)?;
    Ok(recipe)
}

/// `kind(param=value, ...)` with the explicitly set parameters.
pub fn model_label(recipe: &Recipe) -> String {
    let explicit: Vec<String> = recipe
        .model
        .params
        .iter()
        .filter(|p| p.explicit)
        .map(|p| format!("{}={}", p.name, p.value))
        .collect();
    format!("{}({})", recipe.model.kind, explicit.join(", "))
}
pub mod worker;
