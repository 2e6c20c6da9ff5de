use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use kreplay_recipe::sweep::SweepParam;
use kreplay_recipe::Recipe;
use kreplay_runner::cache::FoldCache;
use kreplay_runner::study::{self, WorkOptions};
use kreplay_runner::{catalog, data, RunError};
use kreplay_study::{Address, Storage};

use crate::out;
use crate::report::Result;

pub struct Args {
    pub storage: Option<String>,
    pub study: Option<String>,
    pub data: Option<PathBuf>,
    pub jobs: Option<usize>,
    pub patience: Duration,
}

/// `kreplay worker`: runs the named study's trials (or every unfinished study's, oldest
/// first) until none is left to run.
pub fn run(a: Args) -> Result {
    let url = a
        .storage
        .as_deref()
        .ok_or_else(|| RunError::data("worker", "needs --storage URL (or KREPLAY_STORAGE)"))?;
    let address = Address::parse(url, None)?;
    let mut storage = Storage::open(&address, a.patience)?;
    let studies = match &a.study {
        Some(name) => vec![storage.study(name)?.ok_or_else(|| {
            RunError::data("worker", format!("no study named `{name}` at {address}"))
        })?],
        None => storage.unfinished()?,
    };
    if studies.is_empty() {
        out!("no unfinished study at {address}");
        return Ok(());
    }
    let jobs = a.jobs.unwrap_or_else(kreplay_runner::threads::available);
    let worker = study::worker_name();
    for s in studies {
        let recipe = Recipe::parse(
            study::source_of(&s),
            &s.recipe_name,
            s.variant.as_deref(),
            &[],
            catalog(),
        )?;
        let dir = match recipe.data.builtin {
            Some(_) => None,
            None => {
                let mirror = std::env::var_os("KREPLAY_MIRROR").map(PathBuf::from);
                Some(data::locate(
                    recipe.competition(),
                    a.data.as_deref(),
                    mirror.as_deref(),
                    &kreplay_kaggle::cache::competitions_dir(),
                )?)
            }
        };
        let frames = data::load(&recipe, dir.as_deref())?;
        let params = s
            .params
            .iter()
            .map(|p| SweepParam::parse(p))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let paths: Vec<&str> = params.iter().map(|p| p.path.as_str()).collect();
        let cache = FoldCache::for_sweep(&recipe, &paths);
        let tty = std::io::stderr().is_terminal();
        let name = s.name.clone();
        let tick = move |n: usize| {
            if tty {
                eprint!("\r  study {name}: {n} trials run by this worker");
            }
        };
        eprintln!(
            "worker {worker}: study {} ({} {}, {} trials) at {address}",
            s.name, s.recipe, s.method, s.planned
        );
        let ran = study::work(
            &address,
            a.patience,
            &s,
            &frames,
            &WorkOptions {
                jobs,
                worker: &worker,
                cache: Some(&cache),
                progress: Some(&tick),
            },
        )?;
        if tty {
            eprintln!();
        }
        let p = storage.progress(&s)?;
        out!(
            "study {}: this worker ran {ran} trials; {} of {} finished; see `kreplay sweep show --storage URL --study {}`",
            s.name,
            p.finished,
            p.planned,
            s.name
        );
    }
    Ok(())
}
