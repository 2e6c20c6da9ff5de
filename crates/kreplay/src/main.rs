//! The `kreplay` command line: argument parsing and printing only; the work happens in the
//! `kreplay-recipe`, `kreplay-runner` and `kreplay-kaggle` crates.

mod commands;
mod report;
mod table;

// The shipped recipes, `(competition/name, text)`, embedded by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

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
    /// Threads for fitting and transforming (default: every core, or RAYON_NUM_THREADS);
    /// results do not depend on it.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Colour: auto (a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    fn apply(self) {
        let on = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // console already asks whether each stream is a terminal; NO_COLOR turns it off.
            ColorChoice::Auto => {
                if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                    false
                } else {
                    return;
                }
            }
        };
        console::set_colors_enabled(on);
        console::set_colors_enabled_stderr(on);
    }
}

#[derive(Subcommand)]
enum Command {
    /// List the recipes: competition, author, published scores.
    List {
        /// Only recipes whose name contains this (e.g. `titanic`, `forest`).
        filter: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Every character of every cell, however wide the terminal.
        #[arg(long)]
        wide: bool,
    },
    /// Show a recipe in plain words: steps with their fit scope and leakage marks, the model,
    /// validation and every resolved parameter.
    Show {
        #[command(flatten)]
        recipe: RecipeArgs,
        /// Print the resolved recipe as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Replay a recipe: cross-validate, fit, print the scores beside the published ones,
    /// write the submission and a run record.
    Replay {
        #[command(flatten)]
        recipe: RecipeArgs,
        /// Folder with the competition's files (default: $KREPLAY_MIRROR/<competition>, then the fetch cache).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
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
        /// Write the table the model is fitted on (train.csv with the target, test.csv,
        /// validation.json) to this folder, for replaying the model in another tool.
        #[arg(long, value_name = "DIR")]
        export_features: Option<PathBuf>,
        /// Then validate and submit the submission file to the competition.
        #[arg(long, requires = "message", conflicts_with = "no_submission")]
        submit: bool,
        /// The submission's description (with --submit).
        #[arg(short, long)]
        message: Option<String>,
        /// With --submit: wait for the score and print it beside the published one.
        #[arg(long, requires = "submit")]
        wait: bool,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// List Kaggle competitions.
    Competitions {
        /// Only competitions whose name contains this.
        #[arg(long)]
        search: Option<String>,
        /// all, featured, research, recruitment, getting-started, masters, playground,
        /// community, analytics.
        #[arg(long, default_value = "all")]
        category: String,
        /// best, grouped, prize, earliest-deadline, latest-deadline, teams, relevance, recent.
        #[arg(long, default_value = "best")]
        sort: String,
        #[arg(long)]
        json: bool,
    },
    /// List a competition's data files on Kaggle.
    Files {
        #[command(flatten)]
        competition: commands::CompetitionArg,
        #[arg(long)]
        json: bool,
    },
    /// Download a competition's files into the local cache (resumable, verified), or import
    /// files you already have with `--from`.
    #[command(alias = "download")]
    Fetch(commands::kaggle::FetchArgs),
    /// Serve the competitions in a folder over Kaggle's API on 127.0.0.1 (one sub-folder per
    /// competition), e.g. for offline study groups or to test clients.
    Host {
        /// Folder with one sub-folder of files per competition.
        dir: PathBuf,
        /// Port on 127.0.0.1.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Accepted participant token (repeatable); clients send it as KAGGLE_API_TOKEN. The
        /// k-th token's team is `team<k>`.
        #[arg(long = "token", required_unless_present_any = ["keys", "teams"])]
        tokens: Vec<String>,
        /// Accepted legacy key `USERNAME:KEY` (repeatable), sent with HTTP Basic as the
        /// official CLI's kaggle.json does; the team is the username.
        #[arg(long = "key", value_name = "USERNAME:KEY")]
        keys: Vec<String>,
        /// A participant team (repeatable): the host issues it a key, printed at start and kept
        /// beside the state file so restarts reuse it.
        #[arg(long = "team", value_name = "NAME")]
        teams: Vec<String>,
        /// SQLite file keeping submissions across restarts (default: DIR/.kreplay-host.sqlite).
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
        /// Show participants private scores and the private leaderboard now, for every
        /// competition (without it: only once a competition's `deadline` has passed).
        #[arg(long)]
        reveal: bool,
        /// The largest submission file accepted, in MiB.
        #[arg(
            long,
            value_name = "MIB",
            default_value_t = 100,
            value_parser = clap::value_parser!(u64).range(1..=1 << 20)
        )]
        max_upload_mb: u64,
    },
    /// Run many configurations of a recipe in parallel and rank them.
    Sweep {
        /// `competition/name[:variant]` or a path to a recipe file.
        recipe: String,
        /// Sweep parameters, Hydra's grammar: `model.max_depth=3,5,7`,
        /// `model.C=range(0.5,2,0.5)`, `model.criterion=choice(gini,entropy)`,
        /// `model.C=tag(log, interval(0.01, 10))`, `int(interval(2, 9))`.
        #[arg(short = 'S', long = "set", value_name = "PATH=VALUES")]
        set: Vec<String>,
        /// The same, written Hydra-style without -S.
        #[arg(value_name = "PATH=VALUES")]
        params: Vec<String>,
        /// Folder with the competition's files.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// grid: every combination; random: --trials samples; tpe: --trials adaptive
        /// suggestions (Optuna's TPE).
        #[arg(long, default_value = "grid", value_parser = ["grid", "random", "tpe"])]
        method: String,
        /// Number of sampled configurations (random).
        #[arg(long)]
        trials: Option<usize>,
        /// Seed of the random and TPE searches.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Repeat each configuration with these recipe seeds (e.g. 0,1,2); its score is the mean.
        #[arg(long, value_delimiter = ',')]
        seeds: Vec<u64>,
        /// Stop configurations whose running CV mean falls below the median of finished ones
        /// (median pruning; folds then run in order).
        #[arg(long)]
        prune: bool,
        /// Trials run at once (default: --threads, else the number of cores); results do not
        /// depend on it.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// Print the expanded configurations and stop.
        #[arg(long)]
        dry_run: bool,
        /// Write the best configuration as a new recipe.
        #[arg(long, value_name = "FILE")]
        save_best: Option<PathBuf>,
        /// Do not record the trials in the run store.
        #[arg(long)]
        no_record: bool,
        #[arg(long)]
        json: bool,
        /// Every character of every cell, however wide the terminal.
        #[arg(long)]
        wide: bool,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        storage: StorageArgs,
        /// With --storage: trials this process runs itself (default: --jobs); 0 only creates
        /// the study for `kreplay worker`s.
        #[arg(long, value_name = "N", requires = "storage")]
        workers: Option<usize>,
        /// With --storage: seconds between a running trial's heartbeats.
        #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = seconds)]
        heartbeat: f64,
        /// With --storage: seconds without a heartbeat after which a trial is given to
        /// another worker.
        #[arg(long, value_name = "SECS", default_value_t = 60.0, value_parser = seconds)]
        grace: f64,
        /// With --storage: times a trial whose worker stopped is run again before it fails.
        #[arg(long, value_name = "N", default_value_t = 2)]
        retries: u32,
    },
    /// Run the trials of shared sweeps (`sweep --storage`) until none is left: start any
    /// number, on any machines that reach the database and have the competition's files.
    Worker {
        #[command(flatten)]
        storage: StorageArgs,
        /// Folder with the competition's files.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Trials run at once (default: --threads, else the number of cores).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
    },
    /// Write the HTML report of a recorded run (replayed again for its out-of-fold evidence)
    /// or of a sweep: one self-contained file with its charts, no script, no network.
    Report {
        /// A run id (`kreplay runs`) or a sweep id.
        target: String,
        /// The file to write (default: reports/<recipe>-run<id>.html, reports/sweep-<id>.html).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Open it in the browser.
        #[arg(long)]
        open: bool,
        /// Folder with the competition's files (a run's report replays it).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// The recorded runs: a table (filter, sort), `show ID` in full, `compare ID ID`.
    #[command(args_conflicts_with_subcommands = true)]
    Runs {
        #[command(subcommand)]
        action: Option<commands::runs::Action>,
        #[command(flatten)]
        list: commands::runs::ListArgs,
    },
    /// Start a new recipe from an existing one (provenance names the parent); with
    /// --competition, list every column it reads that the new competition's data lacks.
    New {
        /// The file to write.
        file: PathBuf,
        /// The recipe to copy: `competition/name[:variant]` or a path.
        #[arg(long)]
        from: String,
        /// Retarget the copy at another competition.
        #[arg(long)]
        competition: Option<String>,
        /// Folder with that competition's files.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Show what differs between two recipes, parameter by parameter; exits 1 when they
    /// differ, as `diff` does.
    Diff {
        a: String,
        b: String,
        #[arg(long)]
        json: bool,
    },
    /// Validate a submission file, upload it through Kaggle's flow, and (with --wait) print
    /// its score.
    Submit {
        #[command(flatten)]
        competition: commands::CompetitionArg,
        #[command(flatten)]
        file: commands::FileArg,
        /// The submission's description.
        #[arg(short, long)]
        message: String,
        /// Wait for the score.
        #[arg(long)]
        wait: bool,
        /// Folder with the competition's files (for the local check).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Your submissions to a competition and their scores.
    Submissions {
        #[command(flatten)]
        competition: commands::CompetitionArg,
        #[arg(long)]
        json: bool,
        /// Every character of every cell, however wide the terminal.
        #[arg(long)]
        wide: bool,
    },
    /// A competition's leaderboard; with --score, where that score would rank.
    Leaderboard {
        #[command(flatten)]
        competition: commands::CompetitionArg,
        /// Rows to show.
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// The private leaderboard (where the host allows it).
        #[arg(long)]
        private: bool,
        /// Where would this score rank?
        #[arg(long)]
        score: Option<f64>,
        /// The competition's metric, for the direction of --score (default: higher is better).
        #[arg(long)]
        metric: Option<String>,
        #[arg(long)]
        json: bool,
        /// Every character of every cell, however wide the terminal.
        #[arg(long)]
        wide: bool,
    },
    /// Check a submission file (header, ids, row count, values) before uploading it.
    Validate {
        #[command(flatten)]
        competition: commands::CompetitionArg,
        #[command(flatten)]
        file: commands::FileArg,
        /// Folder with the competition's files.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Print the verdict as JSON (exit code 1 when the file is invalid).
        #[arg(long)]
        json: bool,
    },
    /// List the feature step kinds and their parameters.
    Steps {
        /// Only this kind.
        kind: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script: `kreplay completions bash > ~/.local/share/bash-completion/completions/kreplay`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `kreplay man > kreplay.1 && man ./kreplay.1`.
    Man,
    /// List the model kinds and their parameters.
    Models {
        /// Only this kind.
        kind: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// A shared study in PostgreSQL (`sweep --storage`, `worker`, `sweep show`). No `Debug`: the
/// URL may hold a password.
#[derive(clap::Args)]
struct StorageArgs {
    /// The study database: postgres://user@host:port/database (the password from the URL,
    /// PGPASSWORD or ~/.pgpass; never printed).
    #[arg(
        long,
        value_name = "URL",
        env = "KREPLAY_STORAGE",
        hide_env_values = true
    )]
    storage: Option<String>,
    /// The study's name in that database.
    #[arg(long, value_name = "NAME")]
    study: Option<String>,
    /// Seconds to keep retrying when the database goes away, before giving up.
    #[arg(long, value_name = "SECS", default_value_t = 60.0, value_parser = seconds)]
    patience: f64,
}

fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "`{s}` is not a number of seconds between 0 and 86400"
        )),
    }
}

/// `--report [FILE] [--open]` on replay and sweep.
#[derive(clap::Args)]
struct ReportArgs {
    /// Also write an HTML report (charts of the scores and the evidence) to FILE, else to
    /// reports/.
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    report: Option<Option<PathBuf>>,
    /// Open the report in the browser.
    #[arg(long, requires = "report")]
    open: bool,
}

/// Which recipe, and the parameter overrides applied to it.
#[derive(clap::Args)]
struct RecipeArgs {
    /// `competition/name[:variant]` or a path to a recipe file.
    recipe: String,
    /// Override a parameter: `path=value` (e.g. `model.max_depth=5`, `steps.fare.fit_on=fold`).
    #[arg(short = 'S', long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Overrides written Hydra-style, without -S.
    #[arg(value_name = "PATH=VALUE")]
    overrides: Vec<String>,
}

impl RecipeArgs {
    /// Every override, -S ones first.
    fn all_overrides(&self) -> Vec<String> {
        self.set.iter().chain(&self.overrides).cloned().collect()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli.color.apply();
    let threads = cli.threads.map(usize::from);
    kreplay_runner::memory::keep_arenas(
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)),
    );
    if let Some(n) = threads {
        if let Err(e) = kreplay_runner::threads::limit(n) {
            return report::fail(e.into());
        }
    }
    let result = match cli.command {
        Command::List { filter, json, wide } => commands::list::run(filter.as_deref(), json, wide),
        Command::Show { recipe, json } => {
            commands::show::run(&recipe.recipe, &recipe.all_overrides(), json)
        }
        Command::Replay {
            recipe,
            data,
            output,
            no_submission,
            no_record,
            json,
            export_features,
            submit,
            message,
            wait,
            report,
        } => commands::replay::run(commands::replay::Args {
            set: recipe.all_overrides(),
            recipe: recipe.recipe,
            data,
            output,
            no_submission,
            no_record,
            json,
            export: export_features,
            submit: submit.then(|| (message.unwrap_or_default(), wait)),
            report: report.report,
            open: report.open,
        }),
        Command::Competitions {
            search,
            category,
            sort,
            json,
        } => commands::kaggle::competitions(search.as_deref(), &category, &sort, json),
        Command::Files { competition, json } => commands::kaggle::files(&competition.slug(), json),
        Command::Fetch(args) => commands::kaggle::run_fetch(args),
        Command::Host {
            dir,
            port,
            tokens,
            keys,
            teams,
            state,
            reveal,
            max_upload_mb,
        } => commands::kaggle::host(commands::kaggle::HostArgs {
            dir,
            port,
            tokens,
            keys,
            teams,
            state,
            reveal,
            max_upload_mib: max_upload_mb,
        }),
        Command::Sweep {
            recipe,
            mut set,
            params,
            data,
            method,
            trials,
            seed,
            seeds,
            prune,
            jobs,
            dry_run,
            save_best,
            no_record,
            json,
            wide,
            report,
            storage,
            workers,
            heartbeat,
            grace,
            retries,
        } => {
            use commands::sweep::SearchMethod;
            set.extend(params);
            let show = recipe == "show";
            let args = commands::sweep::Args {
                recipe,
                params: set,
                data,
                method: match method.as_str() {
                    "random" => SearchMethod::Random,
                    "tpe" => SearchMethod::Tpe,
                    _ => SearchMethod::Grid,
                },
                trials,
                seed,
                seeds,
                jobs: jobs.map(usize::from),
                prune,
                dry_run,
                save_best,
                record: !no_record,
                json,
                wide,
                report: report.report,
                open: report.open,
                shared: commands::sweep::Shared {
                    storage: storage.storage,
                    study: storage.study,
                    workers,
                    faults: kreplay_study::Faults {
                        heartbeat: Duration::from_secs_f64(heartbeat),
                        grace: Duration::from_secs_f64(grace),
                        retries,
                    },
                    patience: Duration::from_secs_f64(storage.patience),
                },
            };
            match show {
                true => commands::sweep::show(&args),
                false => commands::sweep::run(args),
            }
        }
        Command::Worker {
            storage,
            data,
            jobs,
        } => commands::worker::run(commands::worker::Args {
            storage: storage.storage,
            study: storage.study,
            data,
            jobs: jobs.map(usize::from),
            patience: Duration::from_secs_f64(storage.patience),
        }),
        Command::Runs { action, list } => commands::runs::run(action, list),
        Command::Report {
            target,
            output,
            open,
            data,
        } => commands::report::run(&target, output, open, data),
        Command::New {
            file,
            from,
            competition,
            data,
            force,
        } => commands::new::run(commands::new::Args {
            file,
            from,
            competition,
            data,
            force,
        }),
        Command::Diff { a, b, json } => commands::diff::run(&a, &b, json),
        Command::Submit {
            competition,
            file,
            message,
            wait,
            data,
        } => commands::submit::run(commands::submit::Args {
            competition: competition.slug(),
            file: file.path(),
            message,
            wait,
            data,
            published: None,
        }),
        Command::Submissions {
            competition,
            json,
            wide,
        } => commands::submit::submissions(&competition.slug(), json, wide),
        Command::Leaderboard {
            competition,
            top,
            private,
            score,
            metric,
            json,
            wide,
        } => commands::submit::leaderboard(
            &competition.slug(),
            top,
            private,
            score,
            metric.as_deref(),
            (json, wide),
        ),
        Command::Validate {
            competition,
            file,
            data,
            json,
        } => commands::validate::run(&competition.slug(), &file.path(), data.as_deref(), json),
        Command::Steps { kind, json } => commands::kinds::steps(kind.as_deref(), json),
        Command::Models { kind, json } => commands::kinds::models(kind.as_deref(), json),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "kreplay",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Man => {
            use clap::CommandFactory;
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| kreplay_runner::RunError::data("man", e.to_string()))
                .map(|()| report::out(format_args!("{}", String::from_utf8_lossy(&page))))
                .map_err(report::Failure::from)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report::fail(e),
    }
}
