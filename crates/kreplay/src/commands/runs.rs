//! `kreplay runs`: the recorded runs as a table, one run in full (`show`), two runs side by
//! side (`compare`, in `runs/compare.rs`). Reads the local run store, or with `--storage` the
//! runs the workers of shared studies recorded in PostgreSQL; never writes either.

mod compare;

use kreplay_runner::RunError;
use kreplay_store::{self as store, flat, RunFilter, RunRecord, RunRow, RunStore, Sort};
use kreplay_study::{Address, Storage};

use crate::out;
use crate::report::Result;

#[derive(clap::Args)]
pub struct ListArgs {
    /// Only runs of this recipe (`competition/name` includes its variants).
    #[arg(long)]
    recipe: Option<String>,
    /// Only the trials of this sweep (`kreplay sweep` prints its id).
    #[arg(long, value_name = "ID")]
    sweep: Option<String>,
    /// started: newest first; cv, train: best score first in its metric's direction (highest
    /// accuracy, lowest RMSE); time: slowest first.
    #[arg(long, default_value = "started", value_parser = clap::builder::PossibleValuesParser::new(Sort::NAMES.iter().copied()))]
    sort: String,
    /// At most this many runs.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    limit: u32,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Every character of every cell, however wide the terminal.
    #[arg(long)]
    wide: bool,
    #[command(flatten)]
    shared: Shared,
}

/// `--storage URL`: the runs of shared studies instead of the local store (`--sweep` then
/// names a study). Not read from KREPLAY_STORAGE: `kreplay runs` means this machine's runs
/// unless asked otherwise.
#[derive(clap::Args, Clone, Default)]
pub struct Shared {
    /// The PostgreSQL database of shared studies (`sweep --storage`).
    #[arg(long, value_name = "URL", global = true)]
    storage: Option<String>,
}

#[derive(clap::Subcommand)]
pub enum Action {
    /// Everything recorded about one run: recipe, hash, overrides, resolved parameters, data
    /// checksums, fold scores, timings, tool version, submission.
    Show {
        /// The run's id (`kreplay runs` lists them).
        #[arg(value_parser = run_id)]
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// What differs between two runs: parameters (as `-S` paths), scores, data.
    Compare {
        #[arg(value_parser = run_id)]
        a: i64,
        #[arg(value_parser = run_id)]
        b: i64,
        #[arg(long)]
        json: bool,
    },
}

/// A run id as printed (`12` or `#12`).
fn run_id(text: &str) -> std::result::Result<i64, String> {
    text.trim_start_matches('#')
        .parse()
        .map_err(|_| format!("`{text}` is not a run id (a number, as `kreplay runs` lists)"))
}

pub fn run(action: Option<Action>, list_args: ListArgs) -> Result {
    let mut runs = Runs::open(list_args.shared.storage.as_deref())?;
    match action {
        None => list(&mut runs, list_args),
        Some(Action::Show { id, json }) => show(&mut runs, id, json),
        Some(Action::Compare { a, b, json }) => compare::run(&mut runs, a, b, json),
    }
}

/// Where the runs are read from.
enum Runs {
    /// The local store, if it exists: listing runs never creates one.
    Local(Option<RunStore>),
    /// The runs recorded by shared studies' workers.
    Shared(Box<Storage>),
}

impl Runs {
    fn open(storage: Option<&str>) -> Result<Runs> {
        if let Some(url) = storage {
            let address = Address::parse(url, None)?;
            return Ok(Runs::Shared(Box::new(Storage::open_read(
                &address,
                std::time::Duration::from_secs(10),
            )?)));
        }
        let path = store::default_path();
        if !path.exists() {
            return Ok(Runs::Local(None));
        }
        Ok(Runs::Local(Some(RunStore::open(&path)?)))
    }

    /// Where they are, as shown.
    fn place(&self) -> String {
        match self {
            Runs::Local(_) => store::default_path().display().to_string(),
            Runs::Shared(s) => s.address().to_string(),
        }
    }

    /// The rows `filter` selects, and how many runs there are in all.
    fn list(&mut self, filter: &RunFilter) -> Result<(Vec<RunRow>, u64)> {
        match self {
            Runs::Local(None) => Ok((Vec::new(), 0)),
            Runs::Local(Some(s)) => Ok((s.list(filter)?, s.count()?)),
            Runs::Shared(s) => {
                let records = shared_records(s, filter.sweep.as_deref())?;
                Ok((store::select(&records, filter), records.len() as u64))
            }
        }
    }

    /// Run `id`, or an error naming it and how to list runs.
    fn fetch(&mut self, id: i64) -> Result<RunRecord> {
        let found = match self {
            Runs::Local(Some(s)) => s.get(id)?,
            Runs::Local(None) => None,
            Runs::Shared(s) => match s.run(id)? {
                Some(text) => Some(record(id, &text)?),
                None => None,
            },
        };
        found.ok_or_else(|| match self {
            Runs::Shared(s) => RunError::data(
                "runs",
                format!(
                    "no run #{id} at {}; `kreplay runs --storage URL` lists them",
                    s.address()
                ),
            )
            .into(),
            Runs::Local(_) => RunError::NoRun {
                id,
                path: store::default_path(),
            }
            .into(),
        })
    }
}

fn record(id: i64, text: &str) -> std::result::Result<RunRecord, RunError> {
    let run = serde_json::from_str(text).map_err(|e| {
        RunError::data(
            "runs",
            format!("run #{id} in the study database is unreadable: {e}"),
        )
    })?;
    Ok(RunRecord { id, run })
}

/// The shared runs; one this kreplay cannot read (another version's) is left out, and said.
fn shared_records(s: &mut Storage, study: Option<&str>) -> Result<Vec<RunRecord>> {
    Ok(s.runs(study)?
        .iter()
        .filter_map(|(id, text)| match record(*id, text) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("warning: {e}");
                None
            }
        })
        .collect())
}

fn list(runs: &mut Runs, a: ListArgs) -> Result {
    let filter = RunFilter {
        recipe: a.recipe,
        sweep: a.sweep,
        sort: Sort::parse(&a.sort).unwrap_or(Sort::Started),
        limit: a.limit as usize,
    };
    let (rows, total) = runs.list(&filter)?;
    if a.json {
        out!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "store": runs.place(),
                "total": total,
                "runs": rows,
            }))
            .expect("JSON")
        );
        return Ok(());
    }
    if rows.is_empty() {
        let place = runs.place();
        match total {
            0 => out!("no runs recorded yet in {place}"),
            _ => out!("no runs match ({total} recorded in {place})"),
        }
        return Ok(());
    }
    use crate::table::{print, Column};
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                format!("#{}", r.id),
                started(&r.started),
                r.recipe.clone(),
                r.metric.clone(),
                cv(r.cv_mean, r.cv_std),
                score(r.train),
                format!("{:.2} s", r.seconds),
                r.hash.get(..12).unwrap_or(&r.hash).to_string(),
                r.overrides.join(" "),
            ]
        })
        .collect();
    print(
        &[
            Column::right("id"),
            Column::left("started (UTC)"),
            Column::shrinking("recipe"),
            Column::left("metric"),
            Column::left("CV mean ± std"),
            Column::left("train"),
            Column::right("time"),
            Column::left("hash"),
            Column::shrinking("overrides"),
        ],
        &table,
        a.wide,
    );
    out!(
        "{} of {total} recorded runs  ·  kreplay runs show ID  ·  kreplay runs compare ID ID",
        rows.len()
    );
    Ok(())
}

fn show(runs: &mut Runs, id: i64, json: bool) -> Result {
    let rec = runs.fetch(id)?;
    if json {
        out!("{}", serde_json::to_string_pretty(&rec).expect("JSON"));
        return Ok(());
    }
    let r = &rec.run;
    out!(
        "run #{}  ·  {}  ·  started {} UTC",
        rec.id,
        r.recipe,
        started(&r.started)
    );
    out!("  recipe file   {}", r.file);
    out!("  recipe hash   {}", r.hash);
    let overrides = if r.overrides.is_empty() {
        "none".to_string()
    } else {
        r.overrides.join(" ")
    };
    out!("  overrides     {overrides}");
    if let Some(s) = &r.sweep {
        out!("  sweep         {s}");
    }
    let file_w = r.data.iter().map(|d| d.file.len()).max().unwrap_or(0);
    for (i, d) in r.data.iter().enumerate() {
        let label = if i == 0 { "data" } else { "" };
        let sha = if d.sha256.is_empty() { "-" } else { &d.sha256 };
        out!("  {label:<12}  {:<file_w$}  sha256 {sha}", d.file);
    }
    out!("  metric        {}", r.metric);
    if !r.folds.is_empty() {
        let folds: Vec<String> = r.folds.iter().map(|s| format!("{s:.4}")).collect();
        out!("  fold scores   {}", folds.join(" "));
    }
    out!("  CV            {}", cv(r.cv_mean, r.cv_std));
    out!("  train         {}", score(r.train));
    out!(
        "  time          {:.2} s (CV {:.2} s)",
        r.seconds,
        r.cv_seconds
    );
    match &r.submission {
        Some(s) => out!(
            "  submission    {} ({} rows, sha256 {})",
            s.path,
            s.rows,
            s.sha256
        ),
        None => out!("  submission    none"),
    }
    if !r.features.is_empty() {
        out!("  features      {}", r.features.join(", "));
    }
    out!("  tool          kreplay {}", r.tool_version);
    out!("  parameters");
    let params = flat::flat_params(&r.resolved);
    let width = params.keys().map(String::len).max().unwrap_or(0);
    for (path, value) in &params {
        out!("    {path:<width$}  {value}");
    }
    Ok(())
}

/// `2025-06-01T16:50:02.123Z` → `2025-06-01 16:50:02`.
fn started(rfc3339: &str) -> String {
    rfc3339.get(..19).unwrap_or(rfc3339).replacen('T', " ", 1)
}

fn score(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{x:.4}"))
}

fn cv(mean: Option<f64>, std: Option<f64>) -> String {
    match (mean, std) {
        (Some(m), Some(s)) => format!("{m:.4} ± {s:.4}"),
        (Some(m), None) => format!("{m:.4}"),
        _ => "-".into(),
    }
}
