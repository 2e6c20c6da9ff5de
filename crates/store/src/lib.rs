//! kreplay's run store: every recorded run in one SQLite file (`runs.sqlite`).
//!
//! This crate owns where the store lives, its schema, and writing and reading runs; the record
//! itself is [`record::Run`] (the runner makes one from a finished replay), and [`flat`] reads
//! a stored run's parameters back as the dotted paths overrides use. It knows nothing of
//! polars or models, so the CLI's `runs` commands and a future server can read runs without
//! the numeric stack. Concurrency: the WAL journal lets readers (`kreplay runs`) work
//! while a sweep writes, and a busy timeout makes parallel trials and other kreplay processes
//! wait for the write lock instead of failing. Each run is one INSERT in autocommit mode, i.e.
//! its own transaction: a process killed mid-sweep keeps every trial that finished.

mod error;
pub mod flat;
pub mod record;
mod select;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params_from_iter, Connection, OptionalExtension, Row, TransactionBehavior};
use serde::de::DeserializeOwned;

use kreplay_recipe::Metric;

pub use error::{Result, StoreError};
pub use record::{DataFile, Run, RunRecord, RunRow, SubmissionRecord};
pub use select::select;

/// Bumped when the schema changes; stored in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 1;

/// Long enough for any other writer's single-row transaction, even on a slow disk.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    recipe TEXT NOT NULL,
    file TEXT NOT NULL,
    hash TEXT NOT NULL,
    overrides TEXT NOT NULL,
    resolved TEXT NOT NULL,
    data TEXT NOT NULL,
    metric TEXT NOT NULL,
    folds TEXT NOT NULL,
    cv_mean REAL,
    cv_std REAL,
    train REAL,
    seconds REAL NOT NULL,
    cv_seconds REAL NOT NULL,
    tool_version TEXT NOT NULL,
    submission TEXT,
    sweep TEXT,
    features TEXT NOT NULL
);
CREATE INDEX runs_recipe ON runs (recipe, started);
CREATE INDEX runs_recipe_cv_mean ON runs (recipe, cv_mean);
CREATE INDEX runs_recipe_train ON runs (recipe, train);
CREATE INDEX runs_recipe_seconds ON runs (recipe, seconds);
CREATE INDEX runs_started ON runs (started);
CREATE INDEX runs_cv_mean ON runs (cv_mean);
CREATE INDEX runs_train ON runs (train);
CREATE INDEX runs_seconds ON runs (seconds);
CREATE INDEX runs_hash ON runs (hash);
CREATE INDEX runs_sweep ON runs (sweep);
";

const INSERT: &str = "INSERT INTO runs (started, recipe, file, hash, overrides, resolved, data,
    metric, folds, cv_mean, cv_std, train, seconds, cv_seconds, tool_version, submission, sweep,
    features) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

const SUMMARY: &str =
    "id, started, recipe, hash, overrides, metric, cv_mean, cv_std, train, seconds, sweep";

/// Where runs are stored: `$KREPLAY_HOME/runs.sqlite`, else `$XDG_DATA_HOME/kreplay/runs.sqlite`,
/// else `~/.local/share/kreplay/runs.sqlite`.
pub fn default_path() -> PathBuf {
    if let Some(home) = std::env::var_os("KREPLAY_HOME") {
        return PathBuf::from(home).join("runs.sqlite");
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("kreplay").join("runs.sqlite")
}

kreplay_recipe::named_enum! {
    /// How `list` orders runs. Scores sort best first in their metric's direction (highest
    /// accuracy, lowest RMSE); runs without the score come last.
    pub enum Sort {
        /// Newest first.
        Started = "started",
        /// Best CV mean first.
        Cv = "cv",
        /// Best training score first.
        Train = "train",
        /// Slowest first.
        Time = "time",
    }
}

impl Sort {
    fn order_by(self) -> String {
        // SQLite orders NULL below every number, so DESC puts runs without a score last and
        // each single-column index serves the newest and slowest sorts; the id breaks ties,
        // newest first. A score is negated where lower is better, so one descending order is
        // best first for every metric.
        let best_first = |column: &str| {
            let lower: Vec<String> = Metric::ALL
                .iter()
                .filter(|m| !m.higher_is_better())
                .map(|m| format!("'{}'", m.name()))
                .collect();
            format!(
                "CASE WHEN metric IN ({}) THEN -{column} ELSE {column} END DESC, id DESC",
                lower.join(", ")
            )
        };
        match self {
            Sort::Started => "started DESC, id DESC".into(),
            Sort::Cv => best_first("cv_mean"),
            Sort::Train => best_first("train"),
            Sort::Time => "seconds DESC, id DESC".into(),
        }
    }
}

/// Which runs `list` returns.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFilter {
    /// A display name: `comp/name` matches the recipe and all its variants, `comp/name:variant`
    /// only that variant.
    pub recipe: Option<String>,
    pub sweep: Option<String>,
    pub sort: Sort,
    pub limit: usize,
}

impl Default for RunFilter {
    fn default() -> Self {
        RunFilter {
            recipe: None,
            sweep: None,
            sort: Sort::Started,
            limit: 50,
        }
    }
}

pub struct RunStore {
    conn: Connection,
    path: PathBuf,
}

impl RunStore {
    /// Opens the store at `path`, creating the file, its folder and the schema if missing.
    pub fn open(path: &Path) -> Result<RunStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Write {
                path: dir.to_path_buf(),
                message: e.to_string(),
            })?;
        }
        let fail = |e: rusqlite::Error| store_error(path, e);
        let conn = Connection::open(path).map_err(fail)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        // Returns the mode in force; a file system without shared memory keeps `delete`,
        // which is still correct, only readers then wait for writers.
        conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get::<_, String>(0))
            .map_err(fail)?;
        let mut store = RunStore {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |e| store_error(&self.path, e)
    }

    fn version(conn: &Connection) -> rusqlite::Result<i64> {
        conn.pragma_query_value(None, "user_version", |r| r.get(0))
    }

    /// Creates the schema in a new file; refuses a file written by a newer kreplay.
    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let fail = |e| store_error(&path, e);
        let mut version = Self::version(&self.conn).map_err(fail)?;
        if version == 0 {
            // Another process may be creating it at the same moment: decide under the write lock.
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(fail)?;
            version = Self::version(&tx).map_err(fail)?;
            if version == 0 {
                tx.execute_batch(SCHEMA).map_err(fail)?;
                tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                    .map_err(fail)?;
                version = SCHEMA_VERSION;
            }
            tx.commit().map_err(fail)?;
        }
        if version != SCHEMA_VERSION {
            return Err(StoreError::Store {
                path,
                message: format!(
                    "schema version {version}, this kreplay reads version {SCHEMA_VERSION}: \
                     it was written by another kreplay version"
                ),
            });
        }
        Ok(())
    }

    /// Records a run; one statement, so its own transaction.
    pub fn insert_run(&self, run: &Run) -> Result<i64> {
        insert_into(&self.conn, run).map_err(self.fail())?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records many runs in one transaction (imports, benchmarks): all or none.
    pub fn insert_runs(&mut self, runs: &[Run]) -> Result<()> {
        let path = self.path.clone();
        let fail = |e| store_error(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        for run in runs {
            insert_into(&tx, run).map_err(fail)?;
        }
        tx.commit().map_err(fail)
    }

    /// The summary of the runs `filter` selects, in its order.
    pub fn list(&self, filter: &RunFilter) -> Result<Vec<RunRow>> {
        // The newest and slowest listings are index walks that stop after `limit` rows (each
        // key has an index of its own and one behind the recipe); the best-first sorts read
        // the selected runs' scores.
        let mut args: Vec<String> = Vec::new();
        let mut select = |recipe_clause: Option<&str>, recipe_args: &[String]| {
            let mut clauses: Vec<&str> = recipe_clause.into_iter().collect();
            args.extend_from_slice(recipe_args);
            if let Some(sweep) = &filter.sweep {
                clauses.push("sweep = ?");
                args.push(sweep.clone());
            }
            let mut sql = format!("SELECT {SUMMARY} FROM runs");
            if !clauses.is_empty() {
                sql += &format!(" WHERE {}", clauses.join(" AND "));
            }
            sql
        };
        let body = match &filter.recipe {
            None => select(None, &[]),
            Some(recipe) if recipe.contains(':') => {
                select(Some("recipe = ?"), std::slice::from_ref(recipe))
            }
            Some(recipe) => {
                // The recipe and its variants (`name:…`; ';' is the byte after ':'). Two
                // queries merged, so the exact name still walks its index in order; one OR
                // would sort every matching run.
                let exact = select(Some("recipe = ?"), std::slice::from_ref(recipe));
                let variants = select(
                    Some("recipe > ? AND recipe < ?"),
                    &[format!("{recipe}:"), format!("{recipe};")],
                );
                format!("{exact} UNION ALL {variants}")
            }
        };
        // A compound query orders by its result columns only: an expression over them (the
        // best-first sorts) needs the union as a subquery.
        let body = match filter.sort {
            Sort::Cv | Sort::Train if body.contains(" UNION ALL ") => {
                format!("SELECT * FROM ({body})")
            }
            _ => body,
        };
        let sql = format!(
            "{body} ORDER BY {} LIMIT {}",
            filter.sort.order_by(),
            filter.limit.min(i64::MAX as usize)
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(self.fail())?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |row| {
                Ok((
                    RunRow {
                        id: row.get(0)?,
                        started: row.get(1)?,
                        recipe: row.get(2)?,
                        hash: row.get(3)?,
                        overrides: Vec::new(),
                        metric: row.get(5)?,
                        direction: String::new(),
                        cv_mean: row.get(6)?,
                        cv_std: row.get(7)?,
                        train: row.get(8)?,
                        seconds: row.get(9)?,
                        sweep: row.get(10)?,
                    },
                    row.get::<_, String>(4)?,
                ))
            })
            .map_err(self.fail())?;
        let mut out = Vec::new();
        for row in rows {
            let (mut run, overrides) = row.map_err(self.fail())?;
            run.overrides = self.json(run.id, "overrides", &overrides)?;
            run.direction = Metric::parse(&run.metric)
                .map_or("", Metric::direction)
                .to_string();
            out.push(run);
        }
        Ok(out)
    }

    /// Everything recorded about run `id`, if there is one.
    pub fn get(&self, id: i64) -> Result<Option<RunRecord>> {
        let raw = self
            .conn
            .query_row("SELECT * FROM runs WHERE id = ?1", [id], RawRun::read)
            .optional()
            .map_err(self.fail())?;
        raw.map(|r| r.decode(self)).transpose()
    }

    /// Points run `id` at its own copy of its submission (written once its id was known).
    pub fn set_submission(&self, id: i64, submission: &SubmissionRecord) -> Result<()> {
        self.conn
            .execute(
                "UPDATE runs SET submission = ?1 WHERE id = ?2",
                rusqlite::params![to_json(submission), id],
            )
            .map_err(self.fail())?;
        Ok(())
    }

    /// How many runs are stored.
    pub fn count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
            .map_err(self.fail())
    }

    /// SQLite's own check of the file: `ok`, or what is damaged.
    pub fn integrity_check(&self) -> Result<String> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(self.fail())?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(self.fail())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.fail())?;
        Ok(lines.join("\n"))
    }

    /// Decodes a JSON column; a damaged value names the run and the column.
    fn json<T: DeserializeOwned>(&self, id: i64, column: &str, text: &str) -> Result<T> {
        serde_json::from_str(text).map_err(|e| StoreError::Store {
            path: self.path.clone(),
            message: format!("run #{id}: column `{column}` is not valid JSON: {e}"),
        })
    }
}

fn store_error(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Store {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Plain data (strings, numbers, vectors, JSON values): serialising cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// NaN has no SQL value; SQLite would store NULL anyway, this says so.
fn real(x: Option<f64>) -> Option<f64> {
    x.filter(|x| !x.is_nan())
}

fn insert_into(conn: &Connection, run: &Run) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare_cached(INSERT)?;
    stmt.execute(rusqlite::params![
        run.started,
        run.recipe,
        run.file,
        run.hash,
        to_json(&run.overrides),
        to_json(&run.resolved),
        to_json(&run.data),
        run.metric,
        to_json(&run.folds),
        real(run.cv_mean),
        real(run.cv_std),
        real(run.train),
        run.seconds,
        run.cv_seconds,
        run.tool_version,
        run.submission.as_ref().map(to_json),
        run.sweep,
        to_json(&run.features),
    ])
}

/// A row as stored, JSON columns still text.
struct RawRun {
    id: i64,
    started: String,
    recipe: String,
    file: String,
    hash: String,
    overrides: String,
    resolved: String,
    data: String,
    metric: String,
    folds: String,
    cv_mean: Option<f64>,
    cv_std: Option<f64>,
    train: Option<f64>,
    seconds: f64,
    cv_seconds: f64,
    tool_version: String,
    submission: Option<String>,
    sweep: Option<String>,
    features: String,
}

impl RawRun {
    fn read(row: &Row) -> rusqlite::Result<RawRun> {
        Ok(RawRun {
            id: row.get("id")?,
            started: row.get("started")?,
            recipe: row.get("recipe")?,
            file: row.get("file")?,
            hash: row.get("hash")?,
            overrides: row.get("overrides")?,
            resolved: row.get("resolved")?,
            data: row.get("data")?,
            metric: row.get("metric")?,
            folds: row.get("folds")?,
            cv_mean: row.get("cv_mean")?,
            cv_std: row.get("cv_std")?,
            train: row.get("train")?,
            seconds: row.get("seconds")?,
            cv_seconds: row.get("cv_seconds")?,
            tool_version: row.get("tool_version")?,
            submission: row.get("submission")?,
            sweep: row.get("sweep")?,
            features: row.get("features")?,
        })
    }

    fn decode(self, store: &RunStore) -> Result<RunRecord> {
        let id = self.id;
        // A fold without a score was written as null (JSON has no NaN).
        let folds: Vec<Option<f64>> = store.json(id, "folds", &self.folds)?;
        Ok(RunRecord {
            id,
            run: Run {
                started: self.started,
                recipe: self.recipe,
                file: self.file,
                hash: self.hash,
                overrides: store.json(id, "overrides", &self.overrides)?,
                resolved: store.json(id, "resolved", &self.resolved)?,
                data: store.json(id, "data", &self.data)?,
                metric: self.metric,
                folds: folds.into_iter().map(|f| f.unwrap_or(f64::NAN)).collect(),
                cv_mean: self.cv_mean,
                cv_std: self.cv_std,
                train: self.train,
                seconds: self.seconds,
                cv_seconds: self.cv_seconds,
                tool_version: self.tool_version,
                submission: self
                    .submission
                    .map(|s| store.json(id, "submission", &s))
                    .transpose()?,
                sweep: self.sweep,
                features: store.json(id, "features", &self.features)?,
            },
        })
    }
}

#[cfg(test)]
mod tests;
