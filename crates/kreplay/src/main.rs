//! The `kreplay` command line: argument parsing and printing only; the work happens in the
//! `kreplay-recipe`, `kreplay-runner` and `kreplay-kaggle` crates.

mod commands;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kreplay",
    version,
    about = "Replay published Kaggle solutions",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the recipes: competition, author, published scores.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show a recipe in plain words: steps with their fit scope and leakage marks, the model,
    /// validation and every resolved parameter.
    Show {
        /// `competition/name[:variant]` or a path to a recipe file.
        recipe: String,
        /// Override a parameter: `path=value` (e.g. `model.max_depth=5`).
        #[arg(short = 'S', long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Replay a recipe: cross-validate, fit, print the scores beside the published ones,
    /// write the submission and a run record.
    Replay {
        /// `competition/name[:variant]` or a path to a recipe file.
        recipe: String,
        /// Folder with the competition's files (default: $KREPLAY_MIRROR/<competition>, then the fetch cache).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Override a parameter: `path=value` (e.g. `model.max_depth=5`, `steps.fare.fit_on=fold`).
        #[arg(short = 'S', long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Submission file (default: submissions/<competition>/<recipe>.csv).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Do not write a submission file.
        #[arg(long)]
        no_submission: bool,
        /// Do not write a run record.
        #[arg(long)]
        no_record: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the feature step kinds and their parameters.
    Steps {
        /// Only this kind.
        kind: Option<String>,
    },
    /// List the model kinds and their parameters.
    Models {
        /// Only this kind.
        kind: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List { json } => commands::list::run(json),
        Command::Show { recipe, set } => commands::show::run(&recipe, &set),
        Command::Replay {
            recipe,
            data,
            set,
            output,
            no_submission,
            no_record,
            json,
        } => commands::replay::run(commands::replay::Args {
            recipe,
            data,
            set,
            output,
            no_submission,
            no_record,
            json,
        }),
        Command::Steps { kind } => commands::kinds::steps(kind.as_deref()),
        Command::Models { kind } => commands::kinds::models(kind.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report::fail(e),
    }
}
