use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use kreplay_recipe::sweep::{expand, Method, SweepParam};
use kreplay_recipe::{derived_text, Library, Override, Recipe, RecipeError, RecipeRef, Source};
use kreplay_runner::{catalog, data, store, sweep, RunError};

use crate::out;
use crate::report::Result;

pub struct Args {
    pub recipe: String,
    pub params: Vec<String>,
    pub data: Option<PathBuf>,
    pub method: Method,
    pub trials: Option<usize>,
    pub seed: u64,
    pub jobs: Option<usize>,
    pub dry_run: bool,
    pub save_best: Option<PathBuf>,
    pub json: bool,
}

pub fn run(a: Args) -> Result {
    let r = RecipeRef::parse(&a.recipe);
    let (source, name) = Library::from_env().load(&r.name)?;
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
    let configs = expand(&params, a.method, a.trials, a.seed)?;
    let recipes: Vec<Recipe> = configs
        .iter()
        .map(|overrides| {
            let recipe = Recipe::parse(
                source.clone(),
                &name,
                r.variant.as_deref(),
                overrides,
                catalog(),
            )?;
            kreplay_runner::check(&recipe)?;
            Ok(recipe)
        })
        .collect::<std::result::Result<_, RunError>>()?;
    let Some(base) = recipes.first() else {
        return Err(RunError::data("sweep", "no configurations to run").into());
    };
    if a.dry_run {
        for (i, c) in configs.iter().enumerate() {
            let text: Vec<&str> = c.iter().map(|o| o.text.as_str()).collect();
            out!("{:>4}  {}", i + 1, text.join(" "));
        }
        return Ok(());
    }
    let dir = if base.data.builtin.is_some() {
        None
    } else {
        let mirror = std::env::var_os("KREPLAY_MIRROR").map(PathBuf::from);
        Some(data::locate(
            base.competition(),
            a.data.as_deref(),
            mirror.as_deref(),
            &kreplay_kaggle::cache::competitions_dir(),
        )?)
    };
    let frames = data::load(base, dir.as_deref())?;
    let jobs = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let bar = (!a.json && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(recipes.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "  {spinner} sweep [{bar:30}] {pos}/{len} trials, eta {eta}",
            )
            .expect("valid template"),
        );
        bar
    });
    let progress = |done: usize, _: usize| {
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    };
    let store_path = store::default_path();
    // Named after the recipe as written, before any sweep override.
    let unswept = Recipe::parse(source.clone(), &name, r.variant.as_deref(), &[], catalog())?;
    let sweep_id = sweep_id(&unswept.hash);
    let trials = sweep::run(
        &recipes,
        &frames,
        jobs,
        Some(sweep::Recording {
            store: &store_path,
            sweep: &sweep_id,
        }),
        Some(&progress),
    )?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let best = trials.first().filter(|t| t.outcome.is_ok());
    let saved = match (&a.save_best, best) {
        (Some(path), Some(t)) => {
            let overrides: Vec<Override> = configs[t.index].clone();
            let note = format!(
                "Best of a {} sweep of {} configurations ({}); score {:.4}.",
                if a.method == Method::Grid {
                    "grid"
                } else {
                    "random"
                },
                configs.len(),
                a.params.join(" "),
                t.score().unwrap_or(f64::NAN)
            );
            let text = derived_text(
                &source,
                r.variant.as_deref(),
                &overrides,
                &base.display_name(),
                &note,
            )?;
            // The saved recipe must replay as the trial did: check it parses to the same config.
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
    if a.json {
        let rows: Vec<_> = trials
            .iter()
            .map(|t| {
                serde_json::json!({
                    "index": t.index,
                    "overrides": t.overrides,
                    "hash": t.hash,
                    "score": t.score(),
                    "cv_mean": t.outcome.as_ref().ok().and_then(|r| r.cv.map(|c| c.0)),
                    "cv_std": t.outcome.as_ref().ok().and_then(|r| r.cv.map(|c| c.1)),
                    "train": t.outcome.as_ref().ok().map(|r| r.train_score),
                    "run": t.outcome.as_ref().ok().and_then(|r| r.record),
                    "error": t.outcome.as_ref().err(),
                })
            })
            .collect();
        out!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "sweep": sweep_id,
                "trials": rows,
                "saved": saved.as_ref().map(|s| s.0.clone()),
            }))
            .expect("JSON")
        );
        return Ok(());
    }
    out!(
        "{}  ·  {} configurations  ·  {}  ·  {jobs} jobs",
        base.display_name(),
        trials.len(),
        base.validation.describe()
    );
    let paths: Vec<String> = params.iter().map(|p| p.path.clone()).collect();
    let widths: Vec<usize> = paths.iter().map(|p| p.len().max(8)).collect();
    let header: Vec<String> = paths
        .iter()
        .zip(&widths)
        .map(|(p, w)| format!("{p:<w$}"))
        .collect();
    out!(
        "  {:<5} {}  {:<20} {:<8} {}",
        "rank",
        header.join("  "),
        "score (CV ± std)",
        "train",
        "time"
    );
    for (rank, t) in trials.iter().enumerate() {
        let values: Vec<String> = t
            .overrides
            .iter()
            .zip(&widths)
            .map(|(o, w)| format!("{:<w$}", o.split_once('=').map_or("", |x| x.1)))
            .collect();
        match &t.outcome {
            Ok(r) => {
                let score = match r.cv {
                    Some((m, s)) => format!("{m:.4} ± {s:.4}"),
                    None => format!("{:.4} (train)", r.train_score),
                };
                out!(
                    "  {:<5} {}  {score:<20} {:<8.4} {:.2} s",
                    rank + 1,
                    values.join("  "),
                    r.train_score,
                    t.elapsed().as_secs_f64()
                );
            }
            Err(e) => out!("  {:<5} {}  failed: {e}", "-", values.join("  ")),
        }
    }
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
