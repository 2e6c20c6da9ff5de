use std::path::{Path, PathBuf};

use kreplay_host::{HostLimits, Server, ServerConfig};
use kreplay_kaggle::cache;
use kreplay_kaggle::client::{default_base, Client};
use kreplay_kaggle::credentials::{discover, Env};
use kreplay_kaggle::fetch::{fetch, import, slug_of, FetchOptions, FetchReport};
use kreplay_kaggle::wire::{enum_value, ListCompetitionsRequest, CATEGORIES, SORTS};
use kreplay_kaggle::KaggleError;

use crate::out;
use crate::report::Result;

/// A client with the user's credentials; credential warnings go to stderr.
pub fn client() -> Result<Client> {
    let creds = discover(&Env::from_process())?;
    for w in &creds.warnings {
        eprintln!("warning: {w}");
    }
    Ok(Client::new(default_base(), creds)?)
}

/// The command-line name's enum value, or an error listing the names.
fn choice(what: &str, table: &[(&str, &'static str)], name: &str) -> Result<&'static str> {
    enum_value(table, name).ok_or_else(|| {
        let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
        KaggleError::Invalid(format!(
            "unknown {what} `{name}`; {}",
            kreplay_recipe::error::suggestion(name, &names)
        ))
        .into()
    })
}

pub fn competitions(search: Option<&str>, category: &str, sort: &str, json: bool) -> Result {
    let query = ListCompetitionsRequest {
        search: search.map(str::to_string),
        category: Some(choice("category", CATEGORIES, category)?.to_string()),
        sort_by: Some(choice("sort", SORTS, sort)?.to_string()),
        ..Default::default()
    };
    let list = client()?.list_competitions(&query)?;
    if json {
        out!("{}", serde_json::to_string_pretty(&list).expect("JSON"));
        return Ok(());
    }
    if list.is_empty() {
        out!("No competitions found");
        return Ok(());
    }
    out!(
        "{:<48} {:<22} {:<16} {:>8}",
        "competition",
        "deadline",
        "category",
        "teams"
    );
    for c in &list {
        out!(
            "{:<48} {:<22} {:<16} {:>8}",
            c.slug(),
            c.deadline,
            c.category,
            c.team_count
        );
    }
    Ok(())
}

/// A 404 for a competition gets the closest existing slug as a hint, when one is close.
fn with_suggestion(e: KaggleError, client: &Client, slug: &str) -> KaggleError {
    let KaggleError::NotFound { message, hint } = e else {
        return e;
    };
    let near = client
        .list_competitions(&ListCompetitionsRequest {
            search: Some(slug.chars().take(3).collect()),
            ..Default::default()
        })
        .unwrap_or_default();
    let slugs: Vec<&str> = near.iter().map(|c| c.slug()).collect();
    let hint = match kreplay_recipe::error::did_you_mean(slug, slugs.iter().copied()) {
        Some(best) => Some(format!(
            "did you mean `{best}`? ({})",
            hint.unwrap_or_default()
        )),
        None => hint,
    };
    KaggleError::NotFound { message, hint }
}

pub fn files(competition: &str, json: bool) -> Result {
    let slug = slug_of(competition);
    let client = client()?;
    let list = client
        .list_files(&slug)
        .map_err(|e| with_suggestion(e, &client, &slug))?;
    if json {
        out!("{}", serde_json::to_string_pretty(&list).expect("JSON"));
        return Ok(());
    }
    out!("{:<40} {:>14}  created", "name", "bytes");
    for f in &list {
        out!("{:<40} {:>14}  {}", f.name, f.total_bytes, f.creation_date);
    }
    Ok(())
}

fn summary(slug: &str, r: &FetchReport) -> String {
    let secs = r.elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        r.bytes as f64 / secs / 1e6
    } else {
        0.0
    };
    format!(
        "{slug}: {} stored, {} up to date, {} bytes in {secs:.2} s ({rate:.1} MB/s) -> {}",
        r.stored.len(),
        r.skipped.len(),
        r.bytes,
        r.dir.display()
    )
}

/// The arguments of `kreplay fetch`.
#[derive(clap::Args)]
pub struct FetchArgs {
    #[command(flatten)]
    pub competition: super::CompetitionArg,
    /// Only this file.
    #[arg(short = 'f', long)]
    pub file: Option<String>,
    /// Download even files that are complete and unchanged in the cache.
    #[arg(long)]
    pub force: bool,
    /// No progress bar or per-file lines.
    #[arg(short, long)]
    pub quiet: bool,
    /// Import from a folder or a zip instead of downloading.
    #[arg(long, value_name = "DIR|ZIP", conflicts_with_all = ["file", "force", "bundle"])]
    pub from: Option<PathBuf>,
    /// Download all files as one zip (Kaggle's DownloadDataFiles) and unpack it.
    #[arg(long, conflicts_with = "file")]
    pub bundle: bool,
    /// Cache folder (default: $KREPLAY_CACHE, else ~/.cache/kreplay).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
}

pub fn run_fetch(a: FetchArgs) -> Result {
    let slug = slug_of(&a.competition.slug());
    let root = a
        .cache
        .map_or_else(cache::competitions_dir, |c| c.join("competitions"));
    let report = match &a.from {
        Some(from) => import(&slug, from, &root)?,
        None => {
            let client = client()?;
            let opts = FetchOptions {
                file: a.file,
                force: a.force,
                quiet: a.quiet,
                bundle: a.bundle,
            };
            fetch(&client, &slug, &root, &opts).map_err(|e| with_suggestion(e, &client, &slug))?
        }
    };
    if !a.quiet {
        out!("{}", summary(&slug, &report));
    }
    Ok(())
}

/// For `replay`: downloads a competition into the cache on first use. Returns the folder, or
/// `None` when there are no credentials to download with.
pub fn fetch_on_first_use(slug: &str, root: &Path) -> Result<Option<PathBuf>> {
    let Ok(creds) = discover(&Env::from_process()) else {
        return Ok(None);
    };
    eprintln!("{slug} is not in the cache yet: fetching it from Kaggle");
    let client = Client::new(default_base(), creds)?;
    let report = fetch(&client, slug, root, &FetchOptions::default())?;
    eprintln!("{}", summary(slug, &report));
    Ok(Some(report.dir))
}

pub struct HostArgs {
    pub dir: PathBuf,
    pub port: u16,
    pub tokens: Vec<String>,
    pub keys: Vec<String>,
    pub teams: Vec<String>,
    pub state: Option<PathBuf>,
    /// Private scores and boards visible for every competition, deadline or not.
    pub reveal: bool,
    /// The largest submission file, in MiB.
    pub max_upload_mib: u64,
}

pub fn host(a: HostArgs) -> Result {
    let HostArgs {
        dir,
        port,
        tokens,
        keys,
        teams,
        state,
        reveal,
        max_upload_mib,
    } = a;
    if !dir.is_dir() {
        return Err(KaggleError::io(&dir, "is not a folder of competitions").into());
    }
    let mut keys = keys
        .iter()
        .map(|k| {
            k.split_once(':')
                .map(|(u, k)| (u.to_string(), k.to_string()))
                .ok_or_else(|| KaggleError::Invalid("--key is written USERNAME:KEY".into()))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let state = state.unwrap_or_else(|| dir.join(".kreplay-host.sqlite"));
    let issued = kreplay_host::teams::issue(&state.with_extension("teams.json"), &teams)
        .map_err(|e| KaggleError::Invalid(format!("team keys: {e}")))?;
    keys.extend(issued.iter().cloned());
    let limits = HostLimits {
        max_upload_bytes: max_upload_mib.saturating_mul(1 << 20),
        ..HostLimits::default()
    };
    let config = ServerConfig {
        data_dir: dir.clone(),
        tokens,
        keys,
        state: Some(state),
        limits,
        reveal,
        ..Default::default()
    };
    let server = Server::start_on(config, port)
        .map_err(|e| KaggleError::io(&dir, format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    out!("serving {} at {}", dir.display(), server.base_url());
    if reveal {
        out!("private scores and leaderboards: revealed to every participant");
    } else {
        out!("private scores and leaderboards: hidden until each competition's deadline");
    }
    for (team, key) in &issued {
        // The host hands each participant their own key: printing it is its purpose.
        out!("team {team}: KAGGLE_USERNAME={team} KAGGLE_KEY={key}");
    }
    out!(
        "clients: KREPLAY_KAGGLE_URL={} KAGGLE_API_TOKEN=<one of the --token values>",
        server.base_url()
    );
    server.join();
    Ok(())
}
