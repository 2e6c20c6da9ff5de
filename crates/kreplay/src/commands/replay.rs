use crate::out;
use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use kreplay_recipe::{PublishedKind, Recipe, Scheme};
use kreplay_runner::{data, replay_owned, ReplayOptions, ReplayReport, RunError};
use kreplay_store as store;

use crate::report::Result;

use super::{load, model_label};

pub struct Args {
    pub recipe: String,
    pub data: Option<PathBuf>,
    pub set: Vec<String>,
    pub output: Option<PathBuf>,
    pub no_submission: bool,
    pub no_record: bool,
    pub json: bool,
    /// `--export-features DIR`.
    pub export: Option<PathBuf>,
    /// `--submit -m MESSAGE [--wait]`: (message, wait).
    pub submit: Option<(String, bool)>,
    /// `--report [FILE]`: write the run's HTML report (to FILE, else the default place).
    pub report: Option<Option<PathBuf>>,
    /// `--open`: open the report in the browser.
    pub open: bool,
}

/// `<recipe file stem>[-<variant>]`.
fn stem(r: &Recipe) -> String {
    let stem = r.name.rsplit('/').next().unwrap_or(&r.name);
    match &r.variant {
        Some(v) => format!("{stem}-{v}"),
        None => stem.to_string(),
    }
}

/// submissions/<competition>/<stem>.csv: the latest submission of the recipe.
fn default_output(r: &Recipe) -> PathBuf {
    PathBuf::from("submissions")
        .join(r.competition())
        .join(format!("{}.csv", stem(r)))
}

/// submissions/<competition>/<stem>/: each recorded run's own submission, `<run id>.csv`,
/// absolute so that `runs show` finds it from anywhere.
fn kept_dir(r: &Recipe) -> PathBuf {
    let dir = PathBuf::from("submissions")
        .join(r.competition())
        .join(stem(r));
    std::env::current_dir().map_or(dir.clone(), |cwd| cwd.join(dir))
}

/// The recipe's data: `--data`, the mirror, the cache, else fetched on first use (none for a
/// built-in data set).
pub fn data_of(
    recipe: &Recipe,
    explicit: Option<&std::path::Path>,
) -> Result<data::CompetitionData> {
    let dir = if recipe.data.builtin.is_some() {
        None
    } else {
        let mirror = std::env::var_os("KREPLAY_MIRROR").map(PathBuf::from);
        let cache = kreplay_kaggle::cache::competitions_dir();
        match data::locate(recipe.competition(), explicit, mirror.as_deref(), &cache) {
            Ok(dir) => Some(dir),
            Err(missing @ RunError::DataMissing { .. }) if explicit.is_none() => {
                match super::kaggle::fetch_on_first_use(recipe.competition(), &cache)? {
                    Some(dir) => Some(dir),
                    None => return Err(missing.into()),
                }
            }
            Err(e) => return Err(e.into()),
        }
    };
    Ok(data::load(recipe, dir.as_deref())?)
}

pub fn run(a: Args) -> Result<()> {
    let recipe = load(&a.recipe, &a.set)?;
    let frames = data_of(&recipe, a.data.as_deref())?;
    let bar = (!a.json && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("  {spinner} {msg} [{bar:30}] {pos}/{len} fits")
                .expect("valid template"),
        );
        bar.set_message(recipe.display_name());
        bar
    });
    let progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let opts = ReplayOptions {
        output: (!a.no_submission)
            .then(|| a.output.clone().unwrap_or_else(|| default_output(&recipe))),
        store: (!a.no_record).then(store::default_path),
        progress: Some(&progress),
        export: a.export.clone(),
        keep: (!a.no_record && !a.no_submission).then(|| kept_dir(&recipe)),
        diagnose: a.report.is_some(),
        ..Default::default()
    };
    let report = replay_owned(&recipe, frames, &opts)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for w in report.submission.iter().flat_map(|s| &s.warnings) {
        eprintln!("warning: {}", kreplay_recipe::names::escape_control(w));
    }
    if a.json {
        out!(
            "{}",
            serde_json::to_string_pretty(&json(&recipe, &report)).expect("JSON")
        );
    } else {
        print(&recipe, &report);
    }
    if let Some(target) = &a.report {
        let path = target
            .clone()
            .unwrap_or_else(|| super::report::default_run_path(&recipe, report.record));
        super::report::write_run(&recipe, &report, &path, a.open)?;
    }
    if let (Some((message, wait)), Some(sub)) = (&a.submit, &report.submission) {
        let published = recipe.published(PublishedKind::PublicLb).map(|p| p.value);
        super::submit::after_replay(
            recipe.competition(),
            &sub.path,
            message,
            *wait,
            a.data.clone(),
            published,
        )?;
    }
    Ok(())
}

fn json(r: &Recipe, rep: &ReplayReport) -> serde_json::Value {
    serde_json::json!({
        "recipe": r.display_name(),
        "stand_ins": kreplay_runner::catalog::stand_ins(r),
        "libraries": kreplay_runner::catalog::libraries(r),
        "hash": r.hash,
        "metric": rep.metric.name(),
        "folds": rep.fold_scores,
        "cv_mean": rep.cv.map(|c| c.0),
        "cv_std": rep.cv.map(|c| c.1),
        "train": rep.train_score,
        "features": rep.features,
        "published": r.published.iter().map(|p| serde_json::json!({"what": p.what.label(), "value": p.value})).collect::<Vec<_>>(),
        "submission": rep.submission.as_ref().map(|s| serde_json::json!({"path": s.path, "rows": s.rows, "sha256": s.sha256, "kept": s.kept})),
        "run": rep.record,
        "seconds": rep.elapsed.as_secs_f64(),
        "peak_memory_bytes": kreplay_runner::memory::peak_resident(),
    })
}

fn print(r: &Recipe, rep: &ReplayReport) {
    out!(
        "{}  ·  {}  ·  {}",
        r.display_name(),
        model_label(r),
        r.validation.describe()
    );
    if !r.overrides.is_empty() {
        out!("  overrides     {}", r.overrides.join(" "));
    }
    for note in kreplay_runner::catalog::stand_ins(r) {
        out!("  stand-in      {note}");
    }
    for library in kreplay_runner::catalog::libraries(r) {
        out!("  library       {library}");
    }
    if !rep.fold_scores.is_empty() {
        let folds: Vec<String> = rep.fold_scores.iter().map(|s| format!("{s:.4}")).collect();
        out!("  fold scores   {}", folds.join(" "));
    }
    let cv = match (rep.cv, &r.validation.scheme) {
        // One held-out split has no spread to show.
        (Some((m, _)), Scheme::Holdout { .. }) => format!("CV {m:.4} (holdout)"),
        (Some((m, s)), _) => format!("CV {m:.4} ± {s:.4}"),
        (None, _) => "CV -".into(),
    };
    out!("  replayed      {cv:<24} train {:.4}", rep.train_score);
    let published_cv = r.published(PublishedKind::CvMean).map(|p| p.value);
    let published_train = r.published(PublishedKind::Train).map(|p| p.value);
    if published_cv.is_some() || published_train.is_some() {
        let fmt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.4}"));
        out!(
            "  published     CV {:<21} train {}",
            fmt(published_cv),
            fmt(published_train)
        );
        let delta = |mine: Option<f64>, theirs: Option<f64>| match (mine, theirs) {
            // Rounded first, so a difference below display precision never prints as -0.0000.
            (Some(m), Some(t)) => format!("{:+.4}", ((m - t) * 1e4).round() / 1e4 + 0.0),
            _ => "-".into(),
        };
        out!(
            "  difference    CV {:<21} train {}",
            delta(rep.cv.map(|c| c.0), published_cv),
            delta(Some(rep.train_score), published_train)
        );
    }
    for p in r
        .published
        .iter()
        .filter(|p| !matches!(p.what, PublishedKind::CvMean | PublishedKind::Train))
    {
        out!(
            "  published     {} {}  ({})",
            p.what.label(),
            p.value,
            p.source
        );
    }
    match &rep.submission {
        Some(s) => {
            out!("  submission    {} ({} rows)", s.path.display(), s.rows);
            if let Some(kept) = &s.kept {
                out!("  this run's    {}", kept.display());
            }
        }
        None if r.data.test.is_none() => {
            out!("  submission    none (this data has no test file)")
        }
        None => out!("  submission    not written"),
    }
    if let Some(id) = rep.record {
        out!("  run           #{id}");
    }
    match kreplay_runner::memory::peak_resident() {
        Some(bytes) => out!(
            "  time          {:.2} s, peak memory {:.0} MiB",
            rep.elapsed.as_secs_f64(),
            bytes as f64 / (1024.0 * 1024.0)
        ),
        None => out!("  time          {:.2} s", rep.elapsed.as_secs_f64()),
    }
    if let Some(s) = &rep.submission {
        let message = match r.overrides.is_empty() {
            true => r.display_name(),
            false => format!("{} {}", r.display_name(), r.overrides.join(" ")),
        };
        out!(
            "  next          kreplay submit {} {} -m {:?}",
            r.competition(),
            s.path.display(),
            message
        );
    }
}
