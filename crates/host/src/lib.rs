//! `kreplay host`: a Kaggle-compatible server on 127.0.0.1, serving competitions from a folder
//! (one subdirectory per slug), with switchable faults so tests exercise the real HTTP path:
//! redirects, ranges, truncated bodies, rate limits and the error envelopes. It speaks the
//! client's wire types ([`kreplay_kaggle::wire`]) and scores with the runner's metrics
//! ([`kreplay_metrics`]), without compiling the runner.
//!
//! * `auth`: Bearer tokens and HTTP Basic keys, checked on every RPC call;
//! * `rpc`: the competition service methods, under `/v1/` and `/api/v1/`;
//! * `storage`: signed, expiring storage URLs (`signing`), `GET /storage/<slug>/<file>?...`,
//!   with `range` and a `body` streamed in chunks;
//! * `catalog` and `bundle`: what the folder holds, and its zip;
//! * `gate`: per-request counting and fault injection; `faults`: the switches;
//! * `reply`: errors in Kaggle's nested envelope;
//! * `submissions`: a hosted contest's submissions (upload, create, get, list, leaderboard),
//!   with `contest` (competition.toml and the hidden solution.csv), `scoring`, `board` (the
//!   leaderboard) and `state` (the SQLite file that survives restarts);
//! * [`teams`]: the participants' keys, kept beside the state.

mod auth;
mod board;
mod body;
mod bundle;
mod catalog;
mod contest;
mod faults;
mod gate;
mod range;
mod reply;
mod rpc;
mod scoring;
mod signing;
mod state;
mod storage;
mod submissions;
#[cfg(test)]
mod submit_tests;
pub mod teams;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use tokio::sync::watch;

pub use faults::Faults;

/// How long in-flight responses may take to finish once the server is dropped; a client
/// stalled mid-body must not hang the test that owns the server.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Bounds on what participants may send, and how long what they are handed stays valid.
#[derive(Debug, Clone, PartialEq)]
pub struct HostLimits {
    /// The largest submission file: StartSubmissionUpload refuses a larger `contentLength`,
    /// and a PUT is cut off with 413 once its body passes it.
    pub max_upload_bytes: u64,
    /// Uploads a team may have in progress (started, not yet a submission); starting one more
    /// forgets the team's oldest.
    pub max_pending_uploads: u32,
    /// Uploads not made into a submission within this are forgotten, with their bytes (swept
    /// while running, and at start).
    pub upload_lifetime: Duration,
    /// How long a PUT's body may go without sending a byte before it is cut off with 408.
    pub upload_idle: Duration,
    /// How long a storage URL handed out by DownloadDataFile(s) stays valid.
    pub download_url_lifetime: Duration,
    /// The largest RPC request body (the JSON of a call).
    pub max_rpc_body_bytes: usize,
}

impl Default for HostLimits {
    fn default() -> Self {
        HostLimits {
            max_upload_bytes: 100 << 20,
            max_pending_uploads: 5,
            upload_lifetime: Duration::from_secs(3600),
            upload_idle: Duration::from_secs(60),
            download_url_lifetime: Duration::from_secs(3600),
            max_rpc_body_bytes: 64 << 10,
        }
    }
}

#[derive(Clone, Default)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    /// Bearer tokens accepted; the k-th (1-based) submits as team `team<k>`.
    pub tokens: Vec<String>,
    /// (username, key) pairs accepted with HTTP Basic; the username is the team.
    pub keys: Vec<(String, String)>,
    pub faults: Faults,
    /// The SQLite file (WAL) holding submissions and uploads in progress, created if missing,
    /// so a restarted server loses nothing; `None` keeps them in memory. It may not be inside
    /// a competition's folder (it would be served).
    pub state: Option<PathBuf>,
    pub limits: HostLimits,
    /// Private scores and the private leaderboard are shown to participants for every
    /// competition, its deadline passed or not (the host's owner revealed them). Without it,
    /// only competitions whose `deadline` has passed show them.
    pub reveal: bool,
}

/// Requests served so far. `errors` counts every answer with a 4xx or 5xx status,
/// injected faults included.
#[derive(Debug, Clone, Default)]
pub struct ServerStats {
    pub rpc: u64,
    pub storage_gets: u64,
    pub range_gets: u64,
    pub errors: u64,
}

/// State shared by every handler.
struct Shared {
    data_dir: PathBuf,
    tokens: Vec<String>,
    keys: Vec<(String, String)>,
    faults: Mutex<Faults>,
    counters: gate::Counters,
    /// `http://127.0.0.1:<port>`, for the absolute redirect URLs.
    origin: String,
    /// Zips built so far, by slug; held across the build so two first requests build once.
    bundles: tokio::sync::Mutex<HashMap<String, bundle::Bundle>>,
    /// Submissions and uploads.
    store: state::Store,
    /// Scoring tasks allowed to run at once.
    scorers: tokio::sync::Semaphore,
    /// Submissions scored (COMPLETE or ERROR recorded) by this server.
    scored: AtomicU64,
    limits: HostLimits,
    reveal: bool,
    /// Signs and checks storage URLs, with a secret drawn at start.
    signer: signing::Signer,
    /// Upload tokens with a PUT streaming in now: one at a time each.
    receiving: Mutex<HashSet<String>>,
}

impl Shared {
    /// A panicking test thread must not turn every later request into a panic too.
    fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

type AppState = Arc<Shared>;

pub struct Server {
    addr: SocketAddr,
    shared: AppState,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds 127.0.0.1:0, serves on a background std::thread that owns its own multi-thread
    /// tokio runtime (2 workers), returns once listening.
    pub fn start(config: ServerConfig) -> std::io::Result<Server> {
        Self::start_on(config, 0)
    }

    /// As [`Server::start`], on a given port of 127.0.0.1 (0 = any free port).
    pub fn start_on(config: ServerConfig, port: u16) -> std::io::Result<Server> {
        let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kaggle-server")
            .enable_all()
            .build()?;
        // Converted here rather than in the thread so a failure reaches the caller.
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };
        if let Some(state) = &config.state {
            refuse_served_state(&config.data_dir, state)?;
        }
        let state_error =
            |e: &dyn std::fmt::Display| std::io::Error::other(format!("submission state: {e}"));
        let store = state::Store::open(config.state.as_deref()).map_err(|e| state_error(&e))?;
        store
            .forget_stale_uploads(&submissions::now(), config.limits.upload_lifetime)
            .map_err(|e| state_error(&e))?;
        let unfinished = store.pending().map_err(|e| state_error(&e))?;
        let secret = teams::random_bytes::<32>()
            .map_err(|e| std::io::Error::other(format!("the storage URL secret: {e}")))?;
        let scorers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let shared = Arc::new(Shared {
            data_dir: config.data_dir,
            tokens: config.tokens,
            keys: config.keys,
            faults: Mutex::new(config.faults),
            counters: gate::Counters::default(),
            origin: format!("http://{addr}"),
            bundles: tokio::sync::Mutex::new(HashMap::new()),
            store,
            scorers: tokio::sync::Semaphore::new(scorers),
            scored: AtomicU64::new(0),
            signer: signing::Signer::new(secret, config.limits.download_url_lifetime),
            limits: config.limits,
            reveal: config.reveal,
            receiving: Mutex::new(HashSet::new()),
        });
        runtime.spawn(submissions::sweep_uploads(shared.clone()));
        // Submissions a stopped server left PENDING are scored now, once.
        for (id, slug) in unfinished {
            runtime.spawn(submissions::score_later(
                shared.clone(),
                id,
                submissions::Against::Slug(slug),
            ));
        }
        let app = router(shared.clone());
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("kaggle-server".into())
            .spawn(move || {
                runtime.block_on(serve(listener, app, stopped));
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            })?;
        Ok(Server {
            addr,
            shared,
            stop,
            thread: Some(thread),
        })
    }

    /// Blocks until the server thread ends (for a server run as a command).
    pub fn join(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// "http://127.0.0.1:<port>/v1" — the base the client appends "/<service>/<Method>" to.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.shared.origin)
    }

    /// Replaces the fault switches (takes effect for the next request).
    pub fn set_faults(&self, faults: Faults) {
        *self.shared.faults() = faults;
    }

    pub fn stats(&self) -> ServerStats {
        self.shared.counters.snapshot()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        if let Some(thread) = self.thread.take() {
            // A panic in the server thread has already been reported on stderr.
            let _ = thread.join();
        }
    }
}

/// Refuses a state file inside a competition's folder, where it (and the team keys and the
/// uploads beside it) would be listed and served as data files.
fn refuse_served_state(data_dir: &Path, state: &Path) -> std::io::Result<()> {
    let absolute = |p: &Path| std::path::absolute(p).map(|p| p.components().collect::<PathBuf>());
    let (data_dir, state) = (absolute(data_dir)?, absolute(state)?);
    let data_dir = data_dir.canonicalize().unwrap_or(data_dir);
    // The folder the state file goes in (a folder is never served), resolved.
    let parent = state.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(&parent)?;
    let parent = parent.canonicalize()?;
    let inside = parent
        .strip_prefix(&data_dir)
        .ok()
        .and_then(|rest| rest.components().next())
        .is_some_and(|first| !first.as_os_str().to_string_lossy().starts_with('.'));
    if inside {
        return Err(std::io::Error::other(format!(
            "the state file {} is inside a competition folder of {}, which would serve it; \
             put it elsewhere (the default is DIR/.kreplay-host.sqlite)",
            state.display(),
            data_dir.display()
        )));
    }
    Ok(())
}

fn router(shared: AppState) -> Router {
    let rpc_limit = DefaultBodyLimit::max(shared.limits.max_rpc_body_bytes);
    Router::new()
        .route("/v1/{service}/{method}", post(rpc::call).layer(rpc_limit))
        .route(
            "/api/v1/{service}/{method}",
            post(rpc::call).layer(rpc_limit),
        )
        .route("/storage/{slug}/bundle/archive.zip", get(storage::bundle))
        .route("/storage/{slug}/{file}", get(storage::file))
        // The body is streamed to a file and counted there, against `max_upload_bytes`.
        .route("/upload/{token}", put(submissions::upload))
        .fallback(reply::unknown_route)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            gate::gate,
        ))
        .with_state(shared)
}

/// Serves until `stopped` turns true, then lets in-flight responses finish for at most
/// [`SHUTDOWN_GRACE`].
async fn serve(listener: tokio::net::TcpListener, app: Router, stopped: watch::Receiver<bool>) {
    let mut on_stop = stopped.clone();
    let mut on_grace = stopped;
    let graceful = axum::serve(listener, app).with_graceful_shutdown(async move {
        // An error means the sender is gone, which is a stop too.
        let _ = on_stop.wait_for(|stop| *stop).await;
    });
    let grace_over = async move {
        let _ = on_grace.wait_for(|stop| *stop).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        // axum's serve returns only once shut down; its io::Result has nothing to act on.
        _ = graceful => {}
        () = grace_over => {}
    }
}
