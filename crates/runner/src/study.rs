//! Sweeps shared through a PostgreSQL study (`sweep --storage`, `kreplay worker`).
//!
//! A worker process runs `jobs` threads, each claiming the study's next trial, replaying it
//! exactly as a local sweep replays a configuration ([`crate::sweep::configure`]), and
//! recording its outcome; a heartbeat thread keeps the trials it holds alive. The recipe comes
//! from the study (its text as the sweep started it), not from the worker's own library, and
//! the competition data must be the same files (by sha256) as the study's.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use rand::SeedableRng;

use kreplay_recipe::sweep::SweepParam;
use kreplay_recipe::tpe::{self, Observation};
use kreplay_recipe::{Override, Source};
use kreplay_study::{Address, Claim, History, Outcome, State, Storage, Study};

use crate::cache::FoldCache;
use crate::data::CompetitionData;
use crate::error::{Result, RunError};
use crate::replay::{replay, ReplayOptions};
use crate::sweep::{configure, prunes, rank_order, Summary, Trial};

/// How a worker process runs.
pub struct WorkOptions<'a> {
    /// Trials run at once by this process.
    pub jobs: usize,
    /// This process's name in the study (each job adds `/<job>`).
    pub worker: &'a str,
    pub cache: Option<&'a FoldCache>,
    /// Called with the number of trials this process has finished.
    pub progress: Option<&'a (dyn Fn(usize) + Sync)>,
}

/// The competition data a study runs on, as stored and compared: each file and its sha256.
pub fn data_identity(data: &CompetitionData) -> String {
    data.files
        .iter()
        .map(|(file, sha)| match sha.is_empty() {
            true => file.clone(),
            false => format!("{file} sha256:{sha}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A name for this process among a study's workers: the host, the process id and a random
/// tag (containers on one host name may share a process id).
pub fn worker_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    let tag: u32 = rand::random();
    format!("{host}:{}:{tag:08x}", std::process::id())
}

/// The study's recipe, as the sweep that started it read it.
pub fn source_of(study: &Study) -> Arc<Source> {
    Source::new(
        format!("{} (study {})", study.recipe, study.name),
        study.recipe_text.clone(),
    )
}

/// Runs the study's trials until none is left to run; returns how many this process ran.
pub fn work(
    address: &Address,
    patience: Duration,
    study: &Study,
    data: &CompetitionData,
    opts: &WorkOptions,
) -> Result<usize> {
    kreplay_study::check_data(study, &data_identity(data))?;
    let storage = Storage::open(address, patience)?;
    // Heartbeats have a connection of their own, so a slow claim never delays them.
    let beats = Mutex::new(Storage::open(address, patience)?);
    let source = source_of(study);
    let make = configure(
        &source,
        &study.recipe_name,
        study.variant.as_deref(),
        &study.seeds,
    );
    let params = match study.method.as_str() {
        "tpe" => study
            .params
            .iter()
            .map(|p| SweepParam::parse(p))
            .collect::<std::result::Result<Vec<_>, _>>()?,
        _ => Vec::new(),
    };
    let storage = Mutex::new(storage);
    let lock = || storage.lock().unwrap_or_else(|p| p.into_inner());
    // The trials this process holds, by (job name, number), for the heartbeat thread.
    let held: Mutex<BTreeSet<(String, usize)>> = Mutex::new(BTreeSet::new());
    let stop = (Mutex::new(false), Condvar::new());
    let failed: Mutex<Option<RunError>> = Mutex::new(None);
    let failing = AtomicBool::new(false);
    let ran = AtomicUsize::new(0);
    let pools = crate::sweep::pools(opts.jobs)?;
    let suggest = |history: &History, number: usize| -> Vec<String> {
        let history: Vec<Observation> = history
            .iter()
            // Only trials over exactly these parameters teach TPE anything.
            .filter(|(overrides, _)| overrides.len() == params.len())
            .map(|(overrides, score)| Observation {
                values: overrides
                    .iter()
                    .map(|o| o.split_once('=').map_or("", |x| x.1).to_string())
                    .collect(),
                score: *score,
            })
            .collect();
        // Each trial number has its own stream, so a suggestion does not depend on how many
        // other workers drew before it, only on what had finished.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(
            study
                .seed
                .wrapping_add((number as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        );
        let values = tpe::suggest(&params, &history, study.higher, &mut rng);
        params
            .iter()
            .zip(values)
            .map(|(p, v)| format!("{}={v}", p.path))
            .collect()
    };
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let (flag, signal) = &stop;
            let mut stopped = flag.lock().unwrap_or_else(|p| p.into_inner());
            while !*stopped {
                stopped = signal
                    .wait_timeout(stopped, study.faults.heartbeat)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
                if *stopped {
                    break;
                }
                let now: Vec<(String, usize)> = held
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .cloned()
                    .collect();
                for (job, number) in now {
                    // A lost heartbeat is not fatal: the trial may be given to another worker,
                    // and then this one's result is not recorded.
                    let _ = beats
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .heartbeat(study.id, number, &job);
                }
            }
        });
        let jobs: Vec<_> = pools
            .iter()
            .enumerate()
            .map(|(j, pool)| {
                let job = format!("{}/{j}", opts.worker);
                let (make, held, failed, failing, ran) = (&make, &held, &failed, &failing, &ran);
                let (suggest, lock) = (&suggest, &lock);
                scope.spawn(move || {
                    let fail = |e: RunError| {
                        failing.store(true, Ordering::SeqCst);
                        failed
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get_or_insert(e);
                    };
                    let mut idle = Duration::from_millis(20);
                    while !failing.load(Ordering::SeqCst) {
                        let claim = lock().claim(study, &job, &mut |h, n| suggest(h, n));
                        let (number, overrides, curves) = match claim {
                            Ok(Claim::Run {
                                number,
                                overrides,
                                curves,
                            }) => (number, overrides, curves),
                            Ok(Claim::Wait) => {
                                // Others' last trials usually end soon: ask again quickly,
                                // then less often (at most once a second).
                                std::thread::sleep(idle);
                                idle = (idle * 2).min(Duration::from_secs(1));
                                continue;
                            }
                            Ok(Claim::Finished) => break,
                            Err(e) => {
                                fail(e.into());
                                break;
                            }
                        };
                        idle = Duration::from_millis(20);
                        let holding = Held::new(held, &job, number);
                        // A panic in a replay is that trial's failure, not a stuck worker.
                        let outcome =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                pool.install(|| {
                                    run_trial(make, data, study, number, &overrides, &curves, opts)
                                })
                            }))
                            .unwrap_or_else(|panic| {
                                let error = format!("the replay panicked: {}", panic_text(&panic));
                                let outcome = Outcome {
                                    error: Some(error),
                                    ..Outcome::default()
                                };
                                (outcome, Vec::new())
                            });
                        let (outcome, runs) = outcome;
                        let recorded = lock().record(study.id, number, &job, &outcome, &runs);
                        drop(holding);
                        match recorded {
                            Ok(_) => {
                                let n = ran.fetch_add(1, Ordering::SeqCst) + 1;
                                if let Some(p) = opts.progress {
                                    p(n);
                                }
                            }
                            Err(e) => {
                                fail(e.into());
                                break;
                            }
                        }
                    }
                })
            })
            .collect();
        for j in jobs {
            if let Err(panic) = j.join() {
                failing.store(true, Ordering::SeqCst);
                failed
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(RunError::data(
                        "worker",
                        format!("a job stopped: {}", panic_text(&panic)),
                    ));
            }
        }
        *stop.0.lock().unwrap_or_else(|p| p.into_inner()) = true;
        stop.1.notify_all();
    });
    match failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(ran.into_inner()),
    }
}

/// A trial this process holds, for the heartbeat thread, until it is dropped (also when the
/// trial's thread unwinds).
struct Held<'a> {
    set: &'a Mutex<BTreeSet<(String, usize)>>,
    key: (String, usize),
}

impl<'a> Held<'a> {
    fn new(set: &'a Mutex<BTreeSet<(String, usize)>>, job: &str, number: usize) -> Held<'a> {
        let key = (job.to_string(), number);
        set.lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.clone());
        Held { set, key }
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.key);
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Replays one claimed configuration, as a local sweep replays it; a configuration that cannot
/// be built or replayed is a failed trial, not a failed worker.
fn run_trial(
    make: &(dyn Fn(&[Override]) -> Result<crate::sweep::Config> + Sync),
    data: &CompetitionData,
    study: &Study,
    number: usize,
    overrides: &[String],
    curves: &[Vec<f64>],
    opts: &WorkOptions,
) -> (Outcome, Vec<String>) {
    let prune = |k: usize, mean: f64| prunes(curves, k, mean, study.higher);
    let mut hash = String::new();
    let mut runs = Vec::new();
    let outcome = overrides
        .iter()
        .map(|o| Override::parse(o).map_err(RunError::from))
        .collect::<Result<Vec<_>>>()
        .and_then(|o| make(&o))
        .and_then(|config| {
            if let Some(r) = config.recipes.first() {
                hash = r.hash.clone();
            }
            let ropts = ReplayOptions {
                prune: study
                    .prune
                    .then_some(&prune as &(dyn Fn(usize, f64) -> bool + Sync)),
                cache: opts.cache,
                ..Default::default()
            };
            config
                .recipes
                .iter()
                .map(|recipe| {
                    let report = replay(recipe, data, &ropts)?;
                    // The replay as the run store records it (`kreplay runs --storage`).
                    let run =
                        crate::record::run_of(recipe, &data.files, &report, Some(&study.name));
                    runs.push(serde_json::to_string(&run).expect("a run record serialises"));
                    Ok(report)
                })
                .collect::<Result<Vec<_>>>()
        })
        .map_err(|e| e.to_string());
    let trial = Trial {
        index: number,
        overrides: overrides.to_vec(),
        hash,
        outcome,
        repeat_of: None,
    }
    .summary();
    let outcome = Outcome {
        hash: trial.hash,
        score: trial.score,
        cv: trial.cv,
        train: trial.train,
        folds: trial.folds,
        seconds: trial.seconds,
        pruned: trial.pruned,
        error: trial.error,
    };
    // A failed trial's partial runs are not its record.
    if outcome.error.is_some() {
        runs.clear();
    }
    (outcome, runs)
}

/// The study's finished trials, ranked as a local sweep ranks its trials.
pub fn ranked(storage: &mut Storage, study: &Study) -> Result<Vec<Summary>> {
    let mut rows: Vec<Summary> = storage
        .trials(study.id)?
        .into_iter()
        .filter(|t| matches!(t.state, State::Complete | State::Failed | State::Pruned))
        .map(|t| Summary {
            index: t.number,
            overrides: t.overrides,
            hash: t.outcome.hash,
            score: t.outcome.score,
            cv: t.outcome.cv,
            train: t.outcome.train,
            pruned: t.outcome.pruned,
            runs: Vec::new(),
            seconds: t.outcome.seconds,
            folds: t.outcome.folds,
            error: t.outcome.error,
            repeat_of: t.repeat_of,
        })
        .collect();
    rows.sort_by(|a, b| {
        rank_order(
            (a.score, a.pruned, a.index),
            (b.score, b.pruned, b.index),
            study.higher,
        )
    });
    Ok(rows)
}
