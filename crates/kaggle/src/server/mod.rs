//! A Kaggle-compatible server on 127.0.0.1, serving competitions from a folder (one
//! subdirectory per slug), with switchable faults so tests exercise the real HTTP path:
//! redirects, ranges, truncated bodies, rate limits and the error envelopes.
//!
//! * `auth`: Bearer tokens and HTTP Basic keys, checked on every RPC call;
//! * `rpc`: the competition service methods, under `/v1/` and `/api/v1/`;
//! * `storage`: the signed-URL stand-in, `GET /storage/<slug>/<file>`, with `range` and a
//!   `body` streamed in chunks;
//! * `catalog` and `bundle`: what the folder holds, and its zip;
//! * `gate`: per-request counting and fault injection; `faults`: the switches;
//! * `reply`: errors in Kaggle's nested envelope;
//! * `submissions`: a hosted contest's submissions (upload, create, get, list, leaderboard),
//!   with `contest` (competition.toml and the hidden solution.csv), `scoring`, `board` (the
//!   leaderboard) and `state` (the SQLite file that survives restarts).

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
mod state;
mod storage;
mod submissions;
#[cfg(test)]
mod submit_tests;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
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

#[derive(Clone, Default)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    /// Bearer tokens accepted; the k-th (1-based) submits as team `team<k>`.
    pub tokens: Vec<String>,
    /// (username, key) pairs accepted with HTTP Basic; the username is the team.
    pub keys: Vec<(String, String)>,
    pub faults: Faults,
    /// The SQLite file (WAL) holding submissions and uploads in progress, created if missing,
    /// so a restarted server loses nothing; `None` keeps them in memory.
    pub state: Option<PathBuf>,
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
        let store = state::Store::open(config.state.as_deref(), &submissions::now())
            .map_err(|e| std::io::Error::other(format!("submission state: {e}")))?;
        let unfinished = store
            .pending()
            .map_err(|e| std::io::Error::other(format!("submission state: {e}")))?;
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
        });
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

fn router(shared: AppState) -> Router {
    Router::new()
        .route("/v1/{service}/{method}", post(rpc::call))
        .route("/api/v1/{service}/{method}", post(rpc::call))
        .route("/storage/{slug}/bundle/archive.zip", get(storage::bundle))
        .route("/storage/{slug}/{file}", get(storage::file))
        .route(
            "/upload/{token}",
            put(submissions::upload).layer(DefaultBodyLimit::max(submissions::MAX_UPLOAD_BYTES)),
        )
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
