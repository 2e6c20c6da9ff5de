//! A connection to the study database and every statement kreplay runs on it.
//!
//! Claiming is one transaction: trials whose worker stopped heartbeating go back to waiting
//! (or fail, past the study's retries), then the lowest waiting trial is taken with
//! `FOR UPDATE SKIP LOCKED`, so two workers never take the same one and neither waits for
//! the other. A TPE study has no waiting trials: its next trial is suggested under a lock on
//! the study's row, from the trials finished so far, as Optuna's samplers read their storage.
//! A result is written only by the worker that holds the trial (`state = 'running' AND
//! worker = me`): a worker that was given up on and finishes late writes nothing, so no trial
//! is recorded twice.

use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, Row};

use crate::address::{describe, Address};
use crate::error::{Result, StudyError};
use crate::schema::{SCHEMA, SCHEMA_LOCK};

/// How a study treats workers that stop: Optuna's `heartbeat_interval`, `grace_period` and
/// `RetryFailedTrialCallback(max_retry)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// How often a running trial's worker says it is alive.
    pub heartbeat: Duration,
    /// How long a running trial may go without a heartbeat before it is taken back.
    pub grace: Duration,
    /// How many times a taken-back trial is run again before it is marked failed.
    pub retries: u32,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            heartbeat: Duration::from_secs(10),
            grace: Duration::from_secs(60),
            retries: 2,
        }
    }
}

/// A trial's state, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Waiting,
    Running,
    Complete,
    Failed,
    Pruned,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Waiting => "waiting",
            State::Running => "running",
            State::Complete => "complete",
            State::Failed => "failed",
            State::Pruned => "pruned",
        }
    }

    fn parse(s: &str) -> State {
        match s {
            "waiting" => State::Waiting,
            "running" => State::Running,
            "complete" => State::Complete,
            "pruned" => State::Pruned,
            _ => State::Failed,
        }
    }
}

/// What a new study is (and what attaching to an existing one must agree with).
pub struct NewStudy<'a> {
    pub name: &'a str,
    /// The recipe as the user named it (`titanic/tutorial-random-forest:svc`).
    pub recipe: &'a str,
    /// The name it was loaded under, its variant, its text and hash: workers parse this text,
    /// not their own copy of the library.
    pub recipe_name: &'a str,
    pub variant: Option<&'a str>,
    pub recipe_text: &'a str,
    pub recipe_hash: &'a str,
    /// The sweep parameters as typed.
    pub params: &'a [String],
    /// `grid`, `random` or `tpe`.
    pub method: &'a str,
    pub planned: usize,
    pub seed: u64,
    pub seeds: &'a [u64],
    pub prune: bool,
    pub metric: &'a str,
    pub higher: bool,
    /// The competition data it runs on: each file and its sha256.
    pub data: &'a str,
    pub faults: Faults,
    /// Every configuration, for grid and random search (each a list of `path=value`);
    /// `None` for TPE, whose trials are suggested as they are claimed.
    pub fixed: Option<&'a [Vec<String>]>,
}

/// A study as stored.
#[derive(Debug, Clone)]
pub struct Study {
    pub id: i64,
    pub name: String,
    pub recipe: String,
    pub recipe_name: String,
    pub variant: Option<String>,
    pub recipe_text: String,
    pub recipe_hash: String,
    pub params: Vec<String>,
    pub method: String,
    pub planned: usize,
    pub seed: u64,
    pub seeds: Vec<u64>,
    pub prune: bool,
    pub metric: String,
    pub higher: bool,
    pub data: String,
    pub faults: Faults,
    pub tool_version: String,
}

/// What a finished trial gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The hash of the recipe the trial ran (its first seed's).
    pub hash: String,
    pub score: Option<f64>,
    pub cv: Option<(f64, f64)>,
    pub train: Option<f64>,
    /// Each fold's score (mean over seeds).
    pub folds: Vec<f64>,
    pub seconds: f64,
    pub pruned: bool,
    pub error: Option<String>,
}

/// A trial as stored.
#[derive(Debug, Clone)]
pub struct TrialRecord {
    pub number: usize,
    pub overrides: Vec<String>,
    pub state: State,
    pub worker: Option<String>,
    pub attempts: u32,
    pub outcome: Outcome,
    pub repeat_of: Option<usize>,
    /// The worker (job) whose result was recorded.
    pub recorded_by: Option<String>,
}

/// How many of a study's trials are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub waiting: usize,
    pub running: usize,
    pub finished: usize,
    pub planned: usize,
}

/// What [`Storage::claim`] hands a worker.
#[derive(Debug)]
pub enum Claim {
    /// Run trial `number` with these overrides. `curves` are the running CV means of the
    /// finished, unpruned trials (the median pruner's references), when the study prunes.
    Run {
        number: usize,
        overrides: Vec<String>,
        curves: Vec<Vec<f64>>,
    },
    /// Nothing to take now, but trials are still running elsewhere (and may come back).
    Wait,
    /// Every trial is finished.
    Finished,
}

/// TPE's history: each finished trial's overrides and score.
pub type History = [(Vec<String>, f64)];

/// One connection to the study database, reconnecting when the server goes away.
pub struct Storage {
    address: Address,
    client: Client,
    /// How long to keep trying to reconnect before giving up.
    patience: Duration,
}

const STUDY_COLUMNS: &str = "id, name, recipe, recipe_name, variant, recipe_text, recipe_hash, \
    params, method, planned, seed, seeds, prune, metric, higher, data, heartbeat_seconds, \
    grace_seconds, retries, tool_version";

const TRIAL_COLUMNS: &str = "number, overrides, state, worker, attempts, score, cv_mean, cv_std, \
    train, folds, seconds, error, repeat_of, hash, recorded_by";

impl Storage {
    /// Connects without creating anything: for readers (`sweep show`, `runs`), which a
    /// read-only role may run and which find nothing where there are no tables yet.
    pub fn open_read(address: &Address, patience: Duration) -> Result<Storage> {
        Ok(Storage {
            address: address.clone(),
            client: address.connect()?,
            patience,
        })
    }

    /// Connects and creates the tables if they are not there.
    pub fn open(address: &Address, patience: Duration) -> Result<Storage> {
        let mut storage = Self::open_read(address, patience)?;
        storage.retrying(|c| {
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
            tx.batch_execute(SCHEMA)?;
            tx.commit()
        })?;
        Ok(storage)
    }

    pub fn address(&self) -> &Address {
        &self.address
    }

    /// Runs `op`, reconnecting with backoff while the server is away (up to the patience);
    /// a statement the server refuses is an error at once, except a serialization failure
    /// or deadlock, which is retried.
    fn retrying<T>(
        &mut self,
        mut op: impl FnMut(&mut Client) -> std::result::Result<T, postgres::Error>,
    ) -> Result<T> {
        let start = Instant::now();
        let mut wait = Duration::from_millis(100);
        loop {
            let e = match op(&mut self.client) {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let lost = self.client.is_closed() || connection_lost(&e);
            let retry_statement = e.code().is_some_and(|c| {
                *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::LOCK_NOT_AVAILABLE
            });
            if !retry_statement && !lost {
                return Err(StudyError::Query {
                    url: self.address.to_string(),
                    message: describe(&e),
                });
            }
            if start.elapsed() >= self.patience {
                return Err(StudyError::Connect {
                    url: self.address.to_string(),
                    message: format!(
                        "the server went away and did not come back within {} s (last error: {})",
                        self.patience.as_secs(),
                        describe(&e)
                    ),
                });
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(5));
            if lost {
                if let Ok(c) = self.address.connect() {
                    self.client = c;
                }
            }
        }
    }

    /// Creates the study, with its fixed configurations as waiting trials, or attaches to the
    /// study of that name if it exists and is the same sweep.
    pub fn create_or_attach(&mut self, new: &NewStudy) -> Result<Study> {
        let params = json(new.params);
        let seeds = json(new.seeds);
        let planned = new.planned as i32;
        let seed = new.seed as i64;
        let version = env!("CARGO_PKG_VERSION");
        self.retrying(|c| {
            let mut tx = c.transaction()?;
            let created = tx.query_opt(
                "INSERT INTO kreplay_studies (name, recipe, recipe_name, variant, recipe_text, \
                 recipe_hash, params, method, planned, seed, seeds, prune, metric, higher, data, \
                 heartbeat_seconds, grace_seconds, retries, tool_version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18, $19) ON CONFLICT (name) DO NOTHING RETURNING id",
                &[
                    &new.name,
                    &new.recipe,
                    &new.recipe_name,
                    &new.variant,
                    &new.recipe_text,
                    &new.recipe_hash,
                    &params,
                    &new.method,
                    &planned,
                    &seed,
                    &seeds,
                    &new.prune,
                    &new.metric,
                    &new.higher,
                    &new.data,
                    &new.faults.heartbeat.as_secs_f64(),
                    &new.faults.grace.as_secs_f64(),
                    &(new.faults.retries as i32),
                    &version,
                ],
            )?;
            if let (Some(row), Some(fixed)) = (&created, new.fixed) {
                let id: i64 = row.get(0);
                let insert = tx.prepare(
                    "INSERT INTO kreplay_trials (study, number, overrides, state) \
                     VALUES ($1, $2, $3, 'waiting')",
                )?;
                for (number, overrides) in fixed.iter().enumerate() {
                    tx.execute(&insert, &[&id, &(number as i32), &json(overrides)])?;
                }
            }
            tx.commit()
        })?;
        let study = self
            .study(new.name)?
            .expect("the study was just created or found");
        let differs: Vec<String> = [
            ("recipe", study.recipe_hash != new.recipe_hash),
            ("parameters", study.params != new.params),
            ("method", study.method != new.method),
            ("number of trials", study.planned != new.planned),
            ("seed", study.seed != new.seed),
            ("seeds", study.seeds != new.seeds),
            ("variant", study.variant.as_deref() != new.variant),
            ("pruning", study.prune != new.prune),
            ("fault settings", study.faults != new.faults),
        ]
        .iter()
        .filter(|(_, d)| *d)
        .map(|(what, _)| what.to_string())
        .collect();
        if !differs.is_empty() {
            return Err(StudyError::Study {
                study: new.name.to_string(),
                message: format!(
                    "already exists as a different sweep ({} differ: it sweeps {} {} with {} \
                     over {}); attach with the same command, or pick another --study name",
                    differs.join(", "),
                    study.recipe,
                    study.method,
                    study.planned,
                    study.params.join(" ")
                ),
            });
        }
        check_data(&study, new.data)?;
        Ok(study)
    }

    /// The study called `name`, if there is one.
    pub fn study(&mut self, name: &str) -> Result<Option<Study>> {
        let sql = format!("SELECT {STUDY_COLUMNS} FROM kreplay_studies WHERE name = $1");
        self.retrying(|c| {
            no_tables_as(None, c.query_opt(&sql, &[&name]))?
                .map(|r| study_of(&r))
                .transpose()
        })
    }

    /// Every study with trials still to run, oldest first.
    pub fn unfinished(&mut self) -> Result<Vec<Study>> {
        let sql = format!(
            "SELECT {STUDY_COLUMNS} FROM kreplay_studies s WHERE \
             (SELECT count(*) FROM kreplay_trials t WHERE t.study = s.id \
              AND t.state IN ('complete', 'failed', 'pruned')) < s.planned ORDER BY id"
        );
        self.retrying(|c| c.query(&sql, &[])?.iter().map(study_of).collect())
    }

    /// The next trial for `worker` (see the module's description). `suggest` makes a TPE
    /// study's next configuration from the finished trials and the trial's number.
    pub fn claim(
        &mut self,
        study: &Study,
        worker: &str,
        suggest: &mut dyn FnMut(&History, usize) -> Vec<String>,
    ) -> Result<Claim> {
        let id = study.id;
        let grace = study.faults.grace.as_secs_f64();
        let retries = study.faults.retries as i32;
        let tpe = study.method == "tpe";
        let prune = study.prune;
        let planned = study.planned as i64;
        self.retrying(|c| loop {
            let mut tx = c.transaction()?;
            tx.execute(
                "UPDATE kreplay_trials SET \
                   state = CASE WHEN attempts > $3 THEN 'failed' ELSE 'waiting' END, \
                   error = CASE WHEN attempts > $3 THEN \
                     'given up after ' || attempts || ' attempts: worker ' || worker || \
                     ' stopped responding' ELSE error END, \
                   worker = NULL \
                 WHERE study = $1 AND state = 'running' \
                   AND heartbeat < now() - make_interval(secs => $2)",
                &[&id, &grace, &retries],
            )?;
            // A worker claims only when it holds nothing, so a trial still running under its
            // name is one it claimed whose answer it never got (a lost reply): take it again.
            let own = tx.query_opt(
                "SELECT number, overrides FROM kreplay_trials \
                 WHERE study = $1 AND state = 'running' AND worker = $2 \
                 ORDER BY number LIMIT 1 FOR UPDATE",
                &[&id, &worker],
            )?;
            let waiting = match own {
                Some(row) => Some((row, false)),
                None => tx
                    .query_opt(
                        "SELECT number, overrides FROM kreplay_trials \
                         WHERE study = $1 AND state = 'waiting' ORDER BY number LIMIT 1 \
                         FOR UPDATE SKIP LOCKED",
                        &[&id],
                    )?
                    .map(|row| (row, true)),
            };
            if let Some((row, new_attempt)) = waiting {
                let number: i32 = row.try_get(0)?;
                let text: String = row.try_get(1)?;
                let Ok(overrides) = serde_json::from_str::<Vec<String>>(&text) else {
                    // Not something this version wrote: the trial fails, nothing runs.
                    tx.execute(
                        "UPDATE kreplay_trials SET state = 'failed', worker = $3, \
                         error = 'unreadable overrides in the study: ' || overrides, \
                         finished = now() WHERE study = $1 AND number = $2",
                        &[&id, &number, &worker],
                    )?;
                    tx.commit()?;
                    continue;
                };
                tx.execute(
                    "UPDATE kreplay_trials SET state = 'running', worker = $3, \
                     heartbeat = now(), attempts = attempts + $4 \
                     WHERE study = $1 AND number = $2",
                    &[&id, &number, &worker, &i32::from(new_attempt)],
                )?;
                return handed(tx, id, prune, number, overrides);
            }
            if tpe {
                tx.execute(
                    "SELECT id FROM kreplay_studies WHERE id = $1 FOR UPDATE",
                    &[&id],
                )?;
                let count: i64 = tx
                    .query_one(
                        "SELECT count(*) FROM kreplay_trials WHERE study = $1",
                        &[&id],
                    )?
                    .get(0);
                if count < planned {
                    let history: Vec<(Vec<String>, f64)> = tx
                        .query(
                            "SELECT overrides, score FROM kreplay_trials WHERE study = $1 \
                             AND state IN ('complete', 'pruned') AND score IS NOT NULL \
                             ORDER BY number",
                            &[&id],
                        )?
                        .iter()
                        .filter_map(|r| {
                            let text: String = r.try_get(0).ok()?;
                            let overrides = serde_json::from_str(&text).ok()?;
                            Some((overrides, r.try_get(1).ok()?))
                        })
                        .collect();
                    let overrides = suggest(&history, count as usize);
                    let text = json(&overrides);
                    let number = count as i32;
                    // A configuration tried before repeats that trial's outcome.
                    let sql = format!(
                        "SELECT {TRIAL_COLUMNS} FROM kreplay_trials WHERE study = $1 \
                         AND overrides = $2 AND state IN ('complete', 'failed', 'pruned') \
                         ORDER BY number LIMIT 1"
                    );
                    if let Some(prev) = tx.query_opt(&sql, &[&id, &text])? {
                        let prev = trial_of(&prev)?;
                        tx.execute(
                            "INSERT INTO kreplay_trials (study, number, overrides, state, \
                             worker, score, cv_mean, cv_std, train, folds, seconds, error, \
                             repeat_of, tool_version, finished, hash) VALUES ($1, $2, $3, $4, \
                             $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, now(), $14)",
                            &[
                                &id,
                                &number,
                                &text,
                                &prev.state.name(),
                                &worker,
                                &prev.outcome.score,
                                &prev.outcome.cv.map(|c| c.0),
                                &prev.outcome.cv.map(|c| c.1),
                                &prev.outcome.train,
                                &json(&prev.outcome.folds),
                                &prev.outcome.error,
                                &(prev.number as i32),
                                &env!("CARGO_PKG_VERSION"),
                                &prev.outcome.hash,
                            ],
                        )?;
                        tx.commit()?;
                        continue;
                    }
                    tx.execute(
                        "INSERT INTO kreplay_trials (study, number, overrides, state, worker, \
                         heartbeat, attempts) VALUES ($1, $2, $3, 'running', $4, now(), 1)",
                        &[&id, &number, &text, &worker],
                    )?;
                    return handed(tx, id, prune, number, overrides);
                }
            }
            let open: i64 = tx
                .query_one(
                    "SELECT count(*) FROM kreplay_trials WHERE study = $1 \
                     AND state IN ('waiting', 'running')",
                    &[&id],
                )?
                .get(0);
            tx.commit()?;
            return Ok(if open > 0 {
                Claim::Wait
            } else {
                Claim::Finished
            });
        })
    }

    /// Says `worker` is still running trial `number`; false if the trial is no longer its own.
    pub fn heartbeat(&mut self, study: i64, number: usize, worker: &str) -> Result<bool> {
        let n = self.retrying(|c| {
            c.execute(
                "UPDATE kreplay_trials SET heartbeat = now() WHERE study = $1 AND number = $2 \
                 AND worker = $3 AND state = 'running'",
                &[&study, &(number as i32), &worker],
            )
        })?;
        Ok(n == 1)
    }

    /// Records trial `number`'s outcome; false (and nothing written) if the trial is no
    /// longer `worker`'s: it was taken back and given to another. A trial taken back but not
    /// yet given to anyone (the worker was only slow, or the database away) takes the result.
    /// `runs` are the trial's replays as the run store records them (JSON, one per seed);
    /// they are written with the outcome, in the same transaction, or not at all.
    pub fn record(
        &mut self,
        study: i64,
        number: usize,
        worker: &str,
        outcome: &Outcome,
        runs: &[String],
    ) -> Result<bool> {
        let state = match (&outcome.error, outcome.pruned) {
            (Some(_), _) => State::Failed,
            (None, true) => State::Pruned,
            (None, false) => State::Complete,
        };
        let folds = json(&outcome.folds);
        let n = self.retrying(|c| {
            let mut tx = c.transaction()?;
            let n = tx.execute(
                "UPDATE kreplay_trials SET state = $4, score = $5, cv_mean = $6, cv_std = $7, \
                 train = $8, folds = $9, seconds = $10, error = $11, tool_version = $12, \
                 hash = $13, finished = now(), heartbeat = now(), worker = $3, \
                 recorded_by = $3 WHERE study = $1 AND number = $2 \
                 AND ((state = 'running' AND worker = $3) OR state = 'waiting')",
                &[
                    &study,
                    &(number as i32),
                    &worker,
                    &state.name(),
                    &outcome.score,
                    &outcome.cv.map(|c| c.0),
                    &outcome.cv.map(|c| c.1),
                    &outcome.train,
                    &folds,
                    &outcome.seconds,
                    &outcome.error,
                    &env!("CARGO_PKG_VERSION"),
                    &outcome.hash,
                ],
            )?;
            if n == 1 {
                for run in runs {
                    tx.execute(
                        "INSERT INTO kreplay_runs (study, trial, record) VALUES ($1, $2, $3)",
                        &[&study, &(number as i32), run],
                    )?;
                }
            }
            tx.commit()?;
            Ok(n)
        })?;
        Ok(n == 1)
    }

    /// Every trial of the study, in number order.
    pub fn trials(&mut self, study: i64) -> Result<Vec<TrialRecord>> {
        let sql =
            format!("SELECT {TRIAL_COLUMNS} FROM kreplay_trials WHERE study = $1 ORDER BY number");
        self.retrying(|c| c.query(&sql, &[&study])?.iter().map(trial_of).collect())
    }

    /// The recorded runs (run-store JSON) of the study called `study`, or of every study:
    /// (id, record), newest first.
    pub fn runs(&mut self, study: Option<&str>) -> Result<Vec<(i64, String)>> {
        self.retrying(|c| {
            no_tables_as(
                Vec::new(),
                c.query(
                    "SELECT r.id, r.record FROM kreplay_runs r JOIN kreplay_studies s \
                     ON s.id = r.study WHERE $1::TEXT IS NULL OR s.name = $1 ORDER BY r.id DESC",
                    &[&study],
                ),
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
        })
    }

    /// Recorded run `id` (run-store JSON), if there is one.
    pub fn run(&mut self, id: i64) -> Result<Option<String>> {
        self.retrying(|c| {
            no_tables_as(
                None,
                c.query_opt("SELECT record FROM kreplay_runs WHERE id = $1", &[&id]),
            )?
            .map(|r| r.try_get(0))
            .transpose()
        })
    }

    /// How far the study is.
    pub fn progress(&mut self, study: &Study) -> Result<Progress> {
        let row = self.retrying(|c| {
            c.query_one(
                "SELECT count(*) FILTER (WHERE state = 'waiting'), \
                 count(*) FILTER (WHERE state = 'running'), \
                 count(*) FILTER (WHERE state IN ('complete', 'failed', 'pruned')) \
                 FROM kreplay_trials WHERE study = $1",
                &[&study.id],
            )
        })?;
        let n = |i: usize| row.get::<_, i64>(i) as usize;
        Ok(Progress {
            waiting: n(0),
            running: n(1),
            finished: n(2),
            planned: study.planned,
        })
    }
}

/// Commits the claim of trial `number` and hands it over, with the pruner's references when
/// the study prunes.
fn handed(
    mut tx: postgres::Transaction,
    id: i64,
    prune: bool,
    number: i32,
    overrides: Vec<String>,
) -> std::result::Result<Claim, postgres::Error> {
    let curves = match prune {
        true => curves(&mut tx, id)?,
        false => Vec::new(),
    };
    tx.commit()?;
    Ok(Claim::Run {
        number: number as usize,
        overrides,
        curves,
    })
}

/// A query's rows, or `empty` where the tables were never created (a reader of a database no
/// sweep has used yet).
fn no_tables_as<T>(
    empty: T,
    result: std::result::Result<T, postgres::Error>,
) -> std::result::Result<T, postgres::Error> {
    match result {
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => Ok(empty),
        other => other,
    }
}

/// Whether `e` means the connection is gone (closed, an I/O failure, the server shutting
/// down or refusing connections), as opposed to a statement the server refused.
fn connection_lost(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        return code.starts_with("08") || code.starts_with("57P");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// Refuses a worker whose competition data differs from the study's.
pub fn check_data(study: &Study, data: &str) -> Result<()> {
    if study.data == data {
        return Ok(());
    }
    Err(StudyError::Study {
        study: study.name.clone(),
        message: format!(
            "this machine's competition data differs from the study's: the study ran on {} \
             and this machine has {}; give every worker the same files",
            study.data, data
        ),
    })
}

fn curves(
    tx: &mut postgres::Transaction,
    id: i64,
) -> std::result::Result<Vec<Vec<f64>>, postgres::Error> {
    Ok(tx
        .query(
            "SELECT folds FROM kreplay_trials WHERE study = $1 AND state = 'complete' \
             ORDER BY number",
            &[&id],
        )?
        .iter()
        .map(|r| {
            let folds: Vec<f64> = list::<Option<f64>>(r, 0)
                .unwrap_or_default()
                .into_iter()
                .map(|f| f.unwrap_or(f64::NAN))
                .collect();
            (1..=folds.len())
                .map(|k| folds[..k].iter().sum::<f64>() / k as f64)
                .collect()
        })
        .collect())
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).expect("lists of strings and numbers serialise")
}

fn seconds(v: f64) -> Duration {
    Duration::try_from_secs_f64(v).unwrap_or(Duration::from_secs(60))
}

fn list<T: serde::de::DeserializeOwned>(r: &Row, i: usize) -> Result<Vec<T>, postgres::Error> {
    let text: String = r.try_get(i)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

fn study_of(r: &Row) -> Result<Study, postgres::Error> {
    Ok(Study {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        recipe: r.try_get(2)?,
        recipe_name: r.try_get(3)?,
        variant: r.try_get(4)?,
        recipe_text: r.try_get(5)?,
        recipe_hash: r.try_get(6)?,
        params: list(r, 7)?,
        method: r.try_get(8)?,
        planned: r.try_get::<_, i32>(9)?.max(0) as usize,
        seed: r.try_get::<_, i64>(10)? as u64,
        seeds: list(r, 11)?,
        prune: r.try_get(12)?,
        metric: r.try_get(13)?,
        higher: r.try_get(14)?,
        data: r.try_get(15)?,
        faults: Faults {
            heartbeat: seconds(r.try_get(16)?),
            grace: seconds(r.try_get(17)?),
            retries: r.try_get::<_, i32>(18)?.max(0) as u32,
        },
        tool_version: r.try_get(19)?,
    })
}

fn trial_of(r: &Row) -> Result<TrialRecord, postgres::Error> {
    let cv_mean: Option<f64> = r.try_get(6)?;
    let cv_std: Option<f64> = r.try_get(7)?;
    let state = State::parse(r.try_get(2)?);
    // A NaN fold score is stored as JSON null.
    let folds: Vec<Option<f64>> = list(r, 9)?;
    Ok(TrialRecord {
        number: r.try_get::<_, i32>(0)?.max(0) as usize,
        overrides: list(r, 1)?,
        state,
        worker: r.try_get(3)?,
        attempts: r.try_get::<_, i32>(4)?.max(0) as u32,
        outcome: Outcome {
            hash: r.try_get::<_, Option<String>>(13)?.unwrap_or_default(),
            score: r.try_get(5)?,
            cv: cv_mean.zip(cv_std),
            train: r.try_get(8)?,
            folds: folds.into_iter().map(|f| f.unwrap_or(f64::NAN)).collect(),
            seconds: r.try_get::<_, Option<f64>>(10)?.unwrap_or(0.0),
            pruned: state == State::Pruned,
            error: r.try_get(11)?,
        },
        repeat_of: r.try_get::<_, Option<i32>>(12)?.map(|n| n.max(0) as usize),
        recorded_by: r.try_get(14)?,
    })
}
