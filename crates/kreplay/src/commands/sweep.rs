use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use kreplay_recipe::sweep::{expand, Domain, Method, SweepParam};
use kreplay_recipe::{
    derived_text, Library, Override, Recipe, RecipeError, RecipeRef, Scheme, Source,
};
use kreplay_runner::cache::FoldCache;
use kreplay_runner::study::{self, WorkOptions};
use kreplay_runner::sweep::{Search, Summary, SweepOptions, Trial};
use kreplay_runner::{catalog, data, sweep, RunError};
use kreplay_store as store;
use kreplay_study::{Address, Faults, NewStudy, Progress, Storage};

use crate::out;
use crate::report::Result;

/// The search method as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchMethod {
    Grid,
    Random,
    Tpe,
}

pub struct Args {
    pub recipe: String,
    pub params: Vec<String>,
    pub data: Option<PathBuf>,
    pub method: SearchMethod,
    pub trials: Option<usize>,
    pub seed: u64,
    pub seeds: Vec<u64>,
    pub jobs: Option<usize>,
    pub prune: bool,
    pub dry_run: bool,
    pub save_best: Option<PathBuf>,
    /// Record the trials in the run store (`--no-record` turns it off).
    pub record: bool,
    pub json: bool,
    /// Every character of every cell, however wide the terminal.
    pub wide: bool,
    /// `--report [FILE]`: the sweep's HTML report.
    pub report: Option<Option<PathBuf>>,
    pub open: bool,
    pub shared: Shared,
}

/// `--storage` and its settings: a study in PostgreSQL that `kreplay worker`s share.
pub struct Shared {
    pub storage: Option<String>,
    pub study: Option<String>,
    /// Trials this process runs itself (default: --jobs); 0 only creates the study.
    pub workers: Option<usize>,
    pub faults: Faults,
    /// How long to wait for a database that went away.
    pub patience: Duration,
}

fn describe(d: &Domain) -> String {
    match d {
        Domain::Values(v) => v.join(","),
        Domain::Interval { lo, hi, int, log } => {
            format!(
                "{}{}interval({lo}, {hi})",
                if *log { "log " } else { "" },
                if *int { "int " } else { "" }
            )
        }
    }
}

pub fn run(a: Args) -> Result {
    let r = RecipeRef::parse(&a.recipe);
    let (source, name) = Library::from_env(crate::SHIPPED).load(&r.name)?;
    let params = a
        .params
        .iter()
        .map(|p| SweepParam::parse(p))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if let Some(p) = params.iter().find(|p| p.path.starts_with("data.")) {
        return Err(RecipeError::new(
            kreplay_recipe::Loc::Override {
                text: p.text.clone(),
            },
            "a sweep cannot change the data",
        )
        .with_help("sweep model, step, validation or recipe.seed parameters")
        .into());
    }
    // The recipe as written, before any sweep override: names the sweep, orders the steps.
    let unswept = Recipe::parse(source.clone(), &name, r.variant.as_deref(), &[], catalog())?;
    let validated = !matches!(unswept.validation.scheme, Scheme::None)
        || params.iter().any(|p| p.path == "validation.scheme");
    if !validated && !a.dry_run {
        eprintln!(
            "warning: {} has no validation ([validation] scheme = \"none\"): trials are ranked by \
             their training score, which rewards overfitting; add -S validation.scheme=kfold",
            unswept.display_name()
        );
    }
    let make = sweep::configure(&source, &name, r.variant.as_deref(), &a.seeds);
    let search = match a.method {
        SearchMethod::Grid => Search::Fixed(expand(&params, Method::Grid, None, a.seed)?),
        SearchMethod::Random => Search::Fixed(expand(&params, Method::Random, a.trials, a.seed)?),
        SearchMethod::Tpe => Search::Tpe {
            params: params.clone(),
            trials: a.trials.unwrap_or(20),
            seed: a.seed,
        },
    };
    match &search {
        // Every configuration is checked before anything runs.
        Search::Fixed(list) => {
            if list.is_empty() {
                return Err(RunError::data("sweep", "no configurations to run").into());
            }
            for c in list {
                make(c)?;
            }
        }
        Search::Tpe { params, .. } if params.is_empty() => {
            return Err(
                RunError::data("sweep", "TPE needs at least one parameter to search").into(),
            );
        }
        Search::Tpe { .. } => {}
    }
    if a.dry_run {
        match &search {
            Search::Fixed(list) => {
                for (i, c) in list.iter().enumerate() {
                    let text: Vec<&str> = c.iter().map(|o| o.text.as_str()).collect();
                    out!("{:>4}  {}", i + 1, text.join(" "));
                }
            }
            Search::Tpe { params, trials, .. } => {
                out!(
                    "TPE, {trials} trials ({} random first), over:",
                    kreplay_recipe::tpe::STARTUP
                );
                for p in params {
                    out!("  {} = {}", p.path, describe(&p.domain));
                }
            }
        }
        return Ok(());
    }
    let dir = if unswept.data.builtin.is_some() {
        None
    } else {
        let mirror = std::env::var_os("KREPLAY_MIRROR").map(PathBuf::from);
        Some(data::locate(
            unswept.competition(),
            a.data.as_deref(),
            mirror.as_deref(),
            &kreplay_kaggle::cache::competitions_dir(),
        )?)
    };
    let frames = data::load(&unswept, dir.as_deref())?;
    let jobs = a.jobs.unwrap_or_else(kreplay_runner::threads::available);
    // Steps before the first one the sweep changes are computed once per fold for all trials.
    let paths: Vec<&str> = params.iter().map(|p| p.path.as_str()).collect();
    let cache = FoldCache::for_sweep(&unswept, &paths);
    let untouched = cache.untouched;
    let bar = (!a.json && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "  {spinner} sweep [{bar:30}] {pos}/{len} trials, eta {eta}",
            )
            .expect("valid template"),
        );
        bar
    });
    let progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let method = match a.method {
        SearchMethod::Grid => "grid",
        SearchMethod::Random => "random",
        SearchMethod::Tpe => "tpe",
    };
    let (sweep_id, summaries, shared) = match &a.shared.storage {
        None => {
            let store_path = store::default_path();
            let sweep_id = sweep_id(&unswept.hash);
            let trials = sweep::run(
                &search,
                &make,
                &frames,
                &SweepOptions {
                    jobs,
                    higher: unswept.validation.metric.higher_is_better(),
                    prune: a.prune,
                    cache: Some(&cache),
                    recording: a.record.then_some(sweep::Recording {
                        store: &store_path,
                        sweep: &sweep_id,
                    }),
                    progress: Some(&progress),
                },
            )?;
            let summaries: Vec<Summary> = trials.iter().map(Trial::summary).collect();
            (sweep_id, summaries, None)
        }
        Some(url) => {
            let f = a.shared.faults;
            if f.grace <= f.heartbeat * 2 {
                return Err(RunError::data(
                    "--grace",
                    format!(
                        "{} s is too short for heartbeats every {} s: a running trial would be \
                         taken back; give at least twice --heartbeat",
                        f.grace.as_secs_f64(),
                        f.heartbeat.as_secs_f64()
                    ),
                )
                .into());
            }
            let address = Address::parse(url, None)?;
            let study_name = a.shared.study.clone().ok_or_else(|| {
                RunError::data("--storage", "a shared sweep needs a name: --study NAME")
            })?;
            let fixed: Option<Vec<Vec<String>>> = match &search {
                Search::Fixed(list) => Some(
                    list.iter()
                        .map(|c| c.iter().map(|o| o.text.clone()).collect())
                        .collect(),
                ),
                Search::Tpe { .. } => None,
            };
            let planned = match &search {
                Search::Fixed(list) => list.len(),
                Search::Tpe { trials, .. } => *trials,
            };
            let mut storage = Storage::open(&address, a.shared.patience)?;
            let study = storage.create_or_attach(&NewStudy {
                name: &study_name,
                recipe: &a.recipe,
                recipe_name: &name,
                variant: r.variant.as_deref(),
                recipe_text: &source.text,
                recipe_hash: &unswept.hash,
                params: &a.params,
                method,
                planned,
                seed: a.seed,
                seeds: &a.seeds,
                prune: a.prune,
                metric: unswept.validation.metric.name(),
                higher: unswept.validation.metric.higher_is_better(),
                data: &study::data_identity(&frames),
                faults: a.shared.faults,
                fixed: fixed.as_deref(),
            })?;
            let workers = a.shared.workers.unwrap_or(jobs);
            if workers == 0 {
                let p = storage.progress(&study)?;
                if a.json {
                    out!(
                        "{}",
                        serde_json::to_string_pretty(&serde_json::json!({
                            "study": study.name, "progress": progress_json(&p),
                        }))
                        .expect("JSON")
                    );
                } else {
                    out!(
                        "study {} at {address}: {} trials, {} finished; run them with \
                         `kreplay worker --storage URL --study {}` on any machine with the data",
                        study.name,
                        study.planned,
                        p.finished,
                        study.name
                    );
                }
                return Ok(());
            }
            {
                if let Some(b) = &bar {
                    b.set_length(planned as u64);
                }
                // This process's trials; other workers' show in the table at the end.
                let tick = |n: usize| {
                    if let Some(b) = &bar {
                        b.set_position(n as u64);
                    }
                };
                study::work(
                    &address,
                    a.shared.patience,
                    &study,
                    &frames,
                    &WorkOptions {
                        jobs: workers,
                        worker: &study::worker_name(),
                        cache: Some(&cache),
                        progress: Some(&tick),
                    },
                )?;
            }
            let summaries = study::ranked(&mut storage, &study)?;
            let progress = storage.progress(&study)?;
            (study_name, summaries, Some((address, progress, workers)))
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let shown = if method == "tpe" { "TPE" } else { method };
    let saved = match &a.save_best {
        Some(path) => save_best(
            &source,
            &name,
            r.variant.as_deref(),
            &unswept,
            shown,
            &a.params,
            &summaries,
            path,
        )?,
        None => None,
    };
    if let Some(target) = &a.report {
        let path = target
            .clone()
            .unwrap_or_else(|| super::report::default_sweep_path(&sweep_id));
        super::report::write_sweep(&unswept, &sweep_id, shown, &summaries, &path, a.open)?;
    }
    let (hits, misses) = cache.counts();
    let table = Ranked {
        recipe: &unswept,
        sweep: &sweep_id,
        method: shown,
        paths: params.iter().map(|p| p.path.clone()).collect(),
        summaries: &summaries,
    };
    if a.json {
        let mut json = table.json();
        json["cache"] =
            serde_json::json!({ "hits": hits, "misses": misses, "untouched_steps": untouched });
        json["saved"] = serde_json::json!(saved.as_ref().map(|s| s.0.clone()));
        if let Some((_, progress, _)) = &shared {
            json["progress"] = progress_json(progress);
        }
        out!("{}", serde_json::to_string_pretty(&json).expect("JSON"));
        return Ok(());
    }
    let seeds = if a.seeds.is_empty() {
        String::new()
    } else {
        format!("  ·  seeds {:?}", a.seeds)
    };
    let runs_here = match &shared {
        Some((_, _, workers)) => format!("{workers} jobs here"),
        None => format!("{jobs} jobs"),
    };
    out!(
        "{}  ·  {shown}, {} configurations{seeds}  ·  {}  ·  {runs_here}",
        unswept.display_name(),
        summaries.len(),
        unswept.validation.describe()
    );
    table.print(a.wide);
    out!("feature-step cache: {hits} hits, {misses} computed (first {untouched} steps shared)");
    match &shared {
        None => out!("runs recorded as sweep {sweep_id}: kreplay runs --sweep {sweep_id}"),
        Some((address, progress, _)) => print_progress(address, &sweep_id, progress),
    }
    print_saved(saved);
    Ok(())
}

fn print_saved(saved: Option<(PathBuf, String)>) {
    if let Some((path, hash)) = saved {
        out!(
            "best configuration saved to {} (recipe hash {})",
            path.display(),
            &hash[..12]
        );
    }
}

/// `kreplay sweep show --storage URL --study NAME`: a shared study's ranked table, from any
/// machine, while it runs or after.
pub fn show(a: &Args) -> Result {
    let url = a.shared.storage.as_deref().ok_or_else(|| {
        RunError::data(
            "sweep show",
            "needs --storage URL (or KREPLAY_STORAGE) and --study NAME",
        )
    })?;
    let name = a
        .shared
        .study
        .as_deref()
        .ok_or_else(|| RunError::data("sweep show", "needs --study NAME"))?;
    let address = Address::parse(url, None)?;
    let mut storage = Storage::open_read(&address, a.shared.patience)?;
    let study = storage.study(name)?.ok_or_else(|| {
        RunError::data(
            "sweep show",
            format!("no study named `{name}` at {address}"),
        )
    })?;
    let source = study::source_of(&study);
    let recipe = Recipe::parse(
        source.clone(),
        &study.recipe_name,
        study.variant.as_deref(),
        &[],
        catalog(),
    )?;
    let summaries = study::ranked(&mut storage, &study)?;
    let progress = storage.progress(&study)?;
    let shown = if study.method == "tpe" {
        "TPE"
    } else {
        study.method.as_str()
    };
    let paths = study
        .params
        .iter()
        .map(|p| SweepParam::parse(p).map(|p| p.path))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let saved = match &a.save_best {
        Some(path) => save_best(
            &source,
            &study.recipe_name,
            study.variant.as_deref(),
            &recipe,
            shown,
            &study.params,
            &summaries,
            path,
        )?,
        None => None,
    };
    if let Some(target) = &a.report {
        let path = target
            .clone()
            .unwrap_or_else(|| super::report::default_sweep_path(&study.name));
        super::report::write_sweep(&recipe, &study.name, shown, &summaries, &path, a.open)?;
    }
    let table = Ranked {
        recipe: &recipe,
        sweep: &study.name,
        method: shown,
        paths,
        summaries: &summaries,
    };
    if a.json {
        let mut json = table.json();
        json["progress"] = progress_json(&progress);
        json["saved"] = serde_json::json!(saved.as_ref().map(|s| s.0.clone()));
        out!("{}", serde_json::to_string_pretty(&json).expect("JSON"));
        return Ok(());
    }
    out!(
        "{}  ·  {shown}, {} configurations  ·  {}  ·  study {}",
        recipe.display_name(),
        study.planned,
        recipe.validation.describe(),
        study.name
    );
    table.print(a.wide);
    print_progress(&address, &study.name, &progress);
    print_saved(saved);
    Ok(())
}

fn progress_json(p: &Progress) -> serde_json::Value {
    serde_json::json!({
        "planned": p.planned, "finished": p.finished, "running": p.running, "waiting": p.waiting,
    })
}

fn print_progress(address: &Address, study: &str, p: &Progress) {
    if p.finished >= p.planned {
        out!(
            "study {study} at {address}: all {} trials finished",
            p.planned
        );
    } else {
        out!(
            "study {study} at {address}: {} of {} trials finished, {} running, {} waiting; \
             more workers: kreplay worker --storage URL --study {study}",
            p.finished,
            p.planned,
            p.running,
            p.waiting
        );
    }
}

/// `--save-best FILE`: the best configuration as a new recipe, checked before it is written.
#[allow(clippy::too_many_arguments)]
fn save_best(
    source: &std::sync::Arc<Source>,
    name: &str,
    variant: Option<&str>,
    unswept: &Recipe,
    method: &str,
    params: &[String],
    summaries: &[Summary],
    path: &std::path::Path,
) -> Result<Option<(PathBuf, String)>> {
    let Some(t) = summaries.first().filter(|t| t.error.is_none() && !t.pruned) else {
        return Ok(None);
    };
    let overrides = t
        .overrides
        .iter()
        .map(|o| Override::parse(o))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let note = format!(
        "Best of a {method} sweep of {} configurations ({}); score {:.4}.",
        summaries.len(),
        params.join(" "),
        t.score.unwrap_or(f64::NAN)
    );
    let text = derived_text(
        source,
        variant,
        &overrides,
        &[],
        &unswept.display_name(),
        &note,
    )?;
    // The saved recipe must be a valid recipe before it replaces anything.
    let check = Recipe::parse(
        Source::new(path.display().to_string(), text.clone()),
        name,
        None,
        &[],
        catalog(),
    )?;
    kreplay_runner::atomic::write(path, text.as_bytes())?;
    Ok(Some((path.to_path_buf(), check.hash)))
}

/// A sweep's trials, best first, as a table or JSON.
struct Ranked<'a> {
    recipe: &'a Recipe,
    sweep: &'a str,
    method: &'a str,
    paths: Vec<String>,
    summaries: &'a [Summary],
}

impl Ranked<'_> {
    fn json(&self) -> serde_json::Value {
        let rows: Vec<_> = self
            .summaries
            .iter()
            .map(|t| {
                let mut row = serde_json::json!({
                    "index": t.index,
                    "overrides": t.overrides,
                    "hash": t.hash,
                    "score": t.score,
                    "cv_mean": t.cv.map(|c| c.0),
                    "cv_std": t.cv.map(|c| c.1),
                    "train": t.train,
                    "pruned": t.pruned,
                    "repeat_of": t.repeat_of,
                    "runs": t.runs,
                    "seconds": t.seconds,
                    "folds": t.folds,
                    "error": t.error,
                });
                // One field per swept parameter, as `cv_results_`' `param_<name>`.
                for o in &t.overrides {
                    if let Some((path, value)) = o.split_once('=') {
                        let value = serde_json::from_str(value)
                            .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
                        row[format!("param_{path}")] = value;
                    }
                }
                row
            })
            .collect();
        serde_json::json!({
            "sweep": self.sweep,
            "method": self.method,
            "metric": self.recipe.validation.metric.name(),
            "direction": self.recipe.validation.metric.direction(),
            "trials": rows,
        })
    }

    /// The ranked table, fit to the terminal unless `wide`.
    fn print(&self, wide: bool) {
        use crate::table::{print, Column};
        let mut columns = vec![Column::right("rank")];
        columns.extend(self.paths.iter().map(|p| Column::named(p.clone())));
        columns.extend([
            Column::left("score (CV ± std)"),
            Column::left("train"),
            Column::right("time"),
        ]);
        let rows: Vec<Vec<String>> = self
            .summaries
            .iter()
            .enumerate()
            .map(|(rank, t)| {
                let values = t
                    .overrides
                    .iter()
                    .map(|o| o.split_once('=').map_or("", |x| x.1).to_string());
                let (rank, score, train, time) = match &t.error {
                    Some(_) => (
                        "-".into(),
                        "failed (below)".to_string(),
                        String::new(),
                        String::new(),
                    ),
                    None => (
                        (rank + 1).to_string(),
                        match (t.cv, t.score) {
                            (Some((m, s)), _) => format!("{m:.4} ± {s:.4}"),
                            (None, Some(x)) => format!("{x:.4} (train)"),
                            _ => "-".into(),
                        },
                        t.train.map_or("pruned".to_string(), |x| format!("{x:.4}")),
                        match t.repeat_of {
                            Some(of) => format!("repeats trial {of}"),
                            None => format!("{:.2} s", t.seconds),
                        },
                    ),
                };
                std::iter::once(rank)
                    .chain(values)
                    .chain([score, train, time])
                    .collect()
            })
            .collect();
        print(&columns, &rows, wide);
        // Errors are long: below the table, so that one does not widen every row.
        for t in self.summaries.iter().filter(|t| t.error.is_some()) {
            let values: Vec<&str> = t.overrides.iter().map(String::as_str).collect();
            out!(
                "  failed: trial {} ({}): {}",
                t.index,
                values.join(" "),
                t.error.as_deref().unwrap_or_default()
            );
        }
    }
}

/// `<unix millis>-<first 8 hex of the recipe hash>`: unique per start, and says which recipe
/// was swept.
fn sweep_id(recipe_hash: &str) -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("{millis}-{}", &recipe_hash[..8.min(recipe_hash.len())])
}
