use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use kreplay_recipe::sweep::{expand, Domain, Method, SweepParam};
use kreplay_recipe::{
    derived_text, Library, Override, Recipe, RecipeError, RecipeRef, Scheme, Source,
};
use kreplay_runner::cache::FoldCache;
use kreplay_runner::sweep::{Config, Search, SweepOptions};
use kreplay_runner::{catalog, data, sweep, RunError};
use kreplay_store as store;

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
    /// `--report [FILE]`: the sweep's HTML report.
    pub report: Option<Option<PathBuf>>,
    pub open: bool,
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
    let make = |overrides: &[Override]| -> std::result::Result<Config, RunError> {
        let seeds: Vec<Option<u64>> = if a.seeds.is_empty() {
            vec![None]
        } else {
            a.seeds.iter().map(|s| Some(*s)).collect()
        };
        let mut recipes = Vec::new();
        for seed in seeds {
            let mut all = overrides.to_vec();
            if let Some(s) = seed {
                all.push(Override::parse(&format!("recipe.seed={s}"))?);
            }
            let recipe =
                Recipe::parse(source.clone(), &name, r.variant.as_deref(), &all, catalog())?;
            kreplay_runner::check(&recipe)?;
            recipes.push(recipe);
        }
        Ok(Config {
            overrides: overrides.iter().map(|o| o.text.clone()).collect(),
            recipes,
        })
    };
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
    let untouched = unswept
        .steps
        .iter()
        .position(|s| {
            params
                .iter()
                .any(|p| p.path.starts_with(&format!("steps.{}.", s.id)))
        })
        .unwrap_or(unswept.steps.len());
    let cache = FoldCache::new(untouched);
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
    let store_path = store::default_path();
    let sweep_id = sweep_id(&unswept.hash);
    let make_config = |o: &[Override]| make(o);
    let trials = sweep::run(
        &search,
        &make_config,
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
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let method = match a.method {
        SearchMethod::Grid => "grid",
        SearchMethod::Random => "random",
        SearchMethod::Tpe => "TPE",
    };
    let best = trials.first().filter(|t| t.outcome.is_ok() && !t.pruned());
    let saved = match (&a.save_best, best) {
        (Some(path), Some(t)) => {
            let overrides = t
                .overrides
                .iter()
                .map(|o| Override::parse(o))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let note = format!(
                "Best of a {method} sweep of {} configurations ({}); score {:.4}.",
                trials.len(),
                a.params.join(" "),
                t.score().unwrap_or(f64::NAN)
            );
            let text = derived_text(
                &source,
                r.variant.as_deref(),
                &overrides,
                &[],
                &unswept.display_name(),
                &note,
            )?;
            // The saved recipe must be a valid recipe before it replaces anything.
            let check = Recipe::parse(
                Source::new(path.display().to_string(), text.clone()),
                &name,
                None,
                &[],
                catalog(),
            )?;
            kreplay_runner::atomic::write(path, text.as_bytes())?;
            Some((path.clone(), check.hash))
        }
        _ => None,
    };
    if let Some(target) = &a.report {
        let path = target
            .clone()
            .unwrap_or_else(|| super::report::default_sweep_path(&sweep_id));
        super::report::write_sweep(&unswept, &sweep_id, method, &trials, &path, a.open)?;
    }
    let (hits, misses) = cache.counts();
    if a.json {
        let rows: Vec<_> = trials
            .iter()
            .map(|t| {
                let mut row = serde_json::json!({
                    "index": t.index,
                    "overrides": t.overrides,
                    "hash": t.hash,
                    "score": t.score(),
                    "cv_mean": t.cv().map(|c| c.0),
                    "cv_std": t.cv().map(|c| c.1),
                    "train": t.train(),
                    "pruned": t.pruned(),
                    "repeat_of": t.repeat_of,
                    "runs": t.runs(),
                    "seconds": t.elapsed().as_secs_f64(),
                    "folds": t.folds(),
                    "error": t.outcome.as_ref().err(),
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
        out!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "sweep": sweep_id,
                "method": method,
                "metric": unswept.validation.metric.name(),
                "direction": unswept.validation.metric.direction(),
                "trials": rows,
                "cache": { "hits": hits, "misses": misses, "untouched_steps": untouched },
                "saved": saved.as_ref().map(|s| s.0.clone()),
            }))
            .expect("JSON")
        );
        return Ok(());
    }
    let seeds = if a.seeds.is_empty() {
        String::new()
    } else {
        format!("  ·  seeds {:?}", a.seeds)
    };
    out!(
        "{}  ·  {method}, {} configurations{seeds}  ·  {}  ·  {jobs} jobs",
        unswept.display_name(),
        trials.len(),
        unswept.validation.describe()
    );
    let paths: Vec<String> = params.iter().map(|p| p.path.clone()).collect();
    let widths: Vec<usize> = paths.iter().map(|p| p.len().max(8)).collect();
    let header: Vec<String> = paths
        .iter()
        .zip(&widths)
        .map(|(p, w)| format!("{p:<w$}"))
        .collect();
    out!(
        "  {:<5} {}  {:<20} {:<8} time",
        "rank",
        header.join("  "),
        "score (CV ± std)",
        "train"
    );
    for (rank, t) in trials.iter().enumerate() {
        let values: Vec<String> = t
            .overrides
            .iter()
            .zip(&widths)
            .map(|(o, w)| format!("{:<w$}", o.split_once('=').map_or("", |x| x.1)))
            .collect();
        if let Err(e) = &t.outcome {
            out!("  {:<5} {}  failed: {e}", "-", values.join("  "));
            continue;
        }
        let score = match (t.cv(), t.score()) {
            (Some((m, s)), _) => format!("{m:.4} ± {s:.4}"),
            (None, Some(x)) => format!("{x:.4} (train)"),
            _ => "-".into(),
        };
        let train = t
            .train()
            .map_or("pruned".to_string(), |x| format!("{x:.4}"));
        let time = match t.repeat_of {
            Some(of) => format!("repeats trial {of}"),
            None => format!("{:.2} s", t.elapsed().as_secs_f64()),
        };
        out!(
            "  {:<5} {}  {score:<20} {train:<8} {time}",
            rank + 1,
            values.join("  "),
        );
    }
    out!("feature-step cache: {hits} hits, {misses} computed (first {untouched} steps shared)");
    out!("runs recorded as sweep {sweep_id}: kreplay runs --sweep {sweep_id}");
    if let Some((path, hash)) = saved {
        out!(
            "best configuration saved to {} (recipe hash {})",
            path.display(),
            &hash[..12]
        );
    }
    Ok(())
}

/// `<unix millis>-<first 8 hex of the recipe hash>`: unique per start, and says which recipe
/// was swept.
fn sweep_id(recipe_hash: &str) -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("{millis}-{}", &recipe_hash[..8.min(recipe_hash.len())])
}
