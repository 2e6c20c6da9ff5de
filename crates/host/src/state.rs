//! The submissions and the uploads in progress, in one SQLite file (WAL), so a restarted server
//! loses nothing; in memory when the server has no state file.
//!
//! One connection behind a mutex: every call is a short statement or transaction, and the
//! daily-limit check and the insert it guards happen under the same lock.
//!
//! The bytes of uploads in progress are not in the database but in files of a spool folder
//! beside it (`.<state file name>.uploads`, hidden, so never a competition of the data folder;
//! a temporary folder, removed on drop, for a server without a state file): a PUT streams into
//! `<token>.<n>.part` and renames it to `<token>` once complete. Every file operation on
//! `<token>` happens under the connection's lock, together with the row it belongs to.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS uploads (
    token TEXT PRIMARY KEY,
    competition TEXT NOT NULL,
    team TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_length INTEGER NOT NULL,
    content BLOB,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    competition TEXT NOT NULL,
    team TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content BLOB NOT NULL,
    description TEXT NOT NULL,
    date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'COMPLETE', 'ERROR')),
    public_score REAL,
    private_score REAL,
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS submissions_by_team ON submissions (competition, team, date);
";

pub(super) const COMPLETE: &str = "COMPLETE";
pub(super) const ERROR: &str = "ERROR";

/// One submission, without its file.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Submission {
    pub id: i64,
    pub competition: String,
    pub team: String,
    pub file_name: String,
    pub total_bytes: i64,
    pub description: String,
    /// RFC 3339, UTC, milliseconds.
    pub date: String,
    pub status: String,
    pub public_score: Option<f64>,
    pub private_score: Option<f64>,
    pub error: String,
}

/// A team's scored submission, for the leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Scored {
    pub team_id: i64,
    pub team: String,
    pub date: String,
    pub public_score: Option<f64>,
    pub private_score: Option<f64>,
}

/// What the PUT of an upload's bytes found.
#[derive(Debug, PartialEq)]
pub(super) enum Put {
    Stored,
    UnknownToken,
    WrongLength { expected: i64 },
}

/// A store operation that failed: the database, or an upload's file.
#[derive(Debug, thiserror::Error)]
pub(super) enum StoreError {
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
    #[error("cannot store the upload: {0}")]
    Upload(std::io::Error),
}

/// An upload a PUT may stream into: where its bytes go until complete, and how many to take.
#[derive(Debug)]
pub(super) struct Receiving {
    pub part: PathBuf,
    pub expected: i64,
}

/// A new submission, made from the upload `token`.
pub(super) struct NewSubmission<'a> {
    pub competition: &'a str,
    pub team: &'a str,
    pub token: &'a str,
    pub description: &'a str,
    pub date: &'a str,
    pub max_daily: u32,
}

/// Why a submission was not made.
#[derive(Debug, PartialEq)]
pub(super) enum Refused {
    DailyLimit,
    /// No such upload for this team and competition.
    UnknownToken,
    /// The upload's bytes never arrived.
    NotUploaded,
}

pub(super) struct Store {
    conn: Mutex<Connection>,
    spool: Spool,
}

/// The folder of upload files.
struct Spool {
    dir: PathBuf,
    /// Removed with the store (the server keeps no state across restarts).
    temporary: bool,
}

impl Drop for Spool {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Spool {
    fn open(state: Option<&Path>) -> Result<Spool, String> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let (dir, temporary) = match state {
            Some(path) => {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                (path.with_file_name(format!(".{name}.uploads")), false)
            }
            None => {
                let n = NEXT.fetch_add(1, Ordering::Relaxed);
                let name = format!("kreplay-host-uploads-{}-{n}", std::process::id());
                (std::env::temp_dir().join(name), true)
            }
        };
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Spool { dir, temporary })
    }

    /// The file of a complete upload. Tokens come from URLs: anything but 1 to 64 ASCII
    /// letters and digits names no file.
    fn path(&self, token: &str) -> Option<PathBuf> {
        let safe =
            (1..=64).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric());
        safe.then(|| self.dir.join(token))
    }

    fn remove(&self, token: &str) {
        if let Some(path) = self.path(token) {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Store {
    /// Opens (creating if missing) the state file, or an in-memory database for `None`, and its
    /// spool folder; upload files without an upload (left by a crash) are removed.
    pub(super) fn open(path: Option<&Path>) -> Result<Store, String> {
        let conn = match path {
            Some(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("{}: {e}", parent.display()))?;
                }
                let conn =
                    Connection::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
                conn.pragma_update(None, "journal_mode", "WAL")
                    .and_then(|()| conn.pragma_update(None, "synchronous", "NORMAL"))
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                conn
            }
            None => Connection::open_in_memory().map_err(|e| e.to_string())?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .and_then(|()| conn.execute_batch(SCHEMA))
            .map_err(|e| e.to_string())?;
        let store = Store {
            conn: Mutex::new(conn),
            spool: Spool::open(path)?,
        };
        store.remove_orphans().map_err(|e| e.to_string())?;
        Ok(store)
    }

    /// Removes every spool file that is not the complete file of a known upload.
    fn remove_orphans(&self) -> rusqlite::Result<()> {
        let conn = self.conn();
        let Ok(entries) = std::fs::read_dir(&self.spool.dir) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let known = match name.to_str() {
                Some(token) if self.spool.path(token).is_some() => conn
                    .query_row(
                        "SELECT 1 FROM uploads WHERE token = ?1",
                        [token],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some(),
                _ => false,
            };
            if !known {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// A panicking request must not take every later one down with it.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets the uploads started before `now - lifetime` that never became a submission,
    /// with their files; returns how many.
    pub(super) fn forget_stale_uploads(
        &self,
        now: &str,
        lifetime: Duration,
    ) -> rusqlite::Result<usize> {
        let Some(cutoff) = humantime::parse_rfc3339(now)
            .ok()
            .and_then(|t| t.checked_sub(lifetime))
            .map(|t| humantime::format_rfc3339_millis(t).to_string())
        else {
            return Ok(0);
        };
        let conn = self.conn();
        let stale: Vec<String> = {
            let mut stmt = conn.prepare("SELECT token FROM uploads WHERE created < ?1")?;
            let rows = stmt.query_map([&cutoff], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for token in &stale {
            conn.execute("DELETE FROM uploads WHERE token = ?1", [token])?;
            self.spool.remove(token);
        }
        Ok(stale.len())
    }

    /// Records a new upload. A team has at most `max_pending` uploads in progress: its oldest
    /// ones are forgotten, with their files, to make room.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn start_upload(
        &self,
        token: &str,
        competition: &str,
        team: &str,
        file_name: &str,
        content_length: i64,
        now: &str,
        max_pending: u32,
    ) -> rusqlite::Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let keep = usize::try_from(max_pending.max(1) - 1).unwrap_or(usize::MAX);
        let evicted: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT token FROM uploads WHERE team = ?1 ORDER BY created DESC, rowid DESC",
            )?;
            let rows = stmt.query_map([team], |r| r.get::<_, String>(0))?;
            rows.skip(keep).collect::<rusqlite::Result<_>>()?
        };
        for old in &evicted {
            tx.execute("DELETE FROM uploads WHERE token = ?1", [old])?;
        }
        tx.execute(
            "INSERT INTO uploads (token, competition, team, file_name, content_length, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![token, competition, team, file_name, content_length, now],
        )?;
        tx.commit()?;
        for old in &evicted {
            self.spool.remove(old);
        }
        Ok(())
    }

    /// Uploads in progress, for tests.
    #[cfg(test)]
    pub(super) fn uploads(&self) -> i64 {
        self.conn()
            .query_row("SELECT COUNT(*) FROM uploads", [], |r| r.get(0))
            .unwrap_or(-1)
    }

    /// Files in the spool folder (complete uploads and PUTs streaming in), for tests.
    #[cfg(test)]
    pub(super) fn spool_files(&self) -> usize {
        std::fs::read_dir(&self.spool.dir).map_or(0, |entries| entries.flatten().count())
    }

    /// Where a PUT of upload `token` streams its bytes, if there is such an upload.
    pub(super) fn receiving(&self, token: &str) -> rusqlite::Result<Option<Receiving>> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let Some(path) = self.spool.path(token) else {
            return Ok(None);
        };
        let expected: Option<i64> = self
            .conn()
            .query_row(
                "SELECT content_length FROM uploads WHERE token = ?1",
                [token],
                |r| r.get(0),
            )
            .optional()?;
        Ok(expected.map(|expected| {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push(format!(".{n}.part"));
            Receiving {
                part: path.with_file_name(name),
                expected,
            }
        }))
    }

    /// Makes the streamed `part` (of `got` bytes) the file of upload `token`, replacing an
    /// earlier one; removes `part` unless it was stored.
    pub(super) fn put_upload(&self, token: &str, part: &Path, got: u64) -> Result<Put, StoreError> {
        let conn = self.conn();
        let outcome = (|| {
            let expected: Option<i64> = conn
                .query_row(
                    "SELECT content_length FROM uploads WHERE token = ?1",
                    [token],
                    |r| r.get(0),
                )
                .optional()?;
            let (Some(expected), Some(path)) = (expected, self.spool.path(token)) else {
                return Ok(Put::UnknownToken);
            };
            if u64::try_from(expected) != Ok(got) {
                return Ok(Put::WrongLength { expected });
            }
            std::fs::rename(part, &path).map_err(StoreError::Upload)?;
            Ok(Put::Stored)
        })();
        if !matches!(outcome, Ok(Put::Stored)) {
            let _ = std::fs::remove_file(part);
        }
        outcome
    }

    /// Writes a complete upload's file directly, for tests of a state left by a stopped server.
    #[cfg(test)]
    pub(super) fn put_upload_bytes(&self, token: &str, content: &[u8]) -> Result<Put, StoreError> {
        let Some(receiving) = self.receiving(token)? else {
            return Ok(Put::UnknownToken);
        };
        std::fs::write(&receiving.part, content).map_err(StoreError::Upload)?;
        self.put_upload(token, &receiving.part, content.len() as u64)
    }

    /// Checks the team's daily allowance (COMPLETE and PENDING submissions of the UTC day of
    /// `date` count, ERROR ones do not), then turns the upload into a PENDING submission, all
    /// in one transaction. Returns the submission's id.
    pub(super) fn create(&self, new: &NewSubmission<'_>) -> rusqlite::Result<Result<i64, Refused>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let day = format!("{}%", new.date.get(..10).unwrap_or(new.date));
        let used: i64 = tx.query_row(
            "SELECT COUNT(*) FROM submissions
             WHERE competition = ?1 AND team = ?2 AND status != 'ERROR' AND date LIKE ?3",
            params![new.competition, new.team, day],
            |r| r.get(0),
        )?;
        if used >= i64::from(new.max_daily) {
            return Ok(Err(Refused::DailyLimit));
        }
        let upload: Option<(String, i64, Option<Vec<u8>>)> = tx
            .query_row(
                "SELECT file_name, content_length, content FROM uploads
                 WHERE token = ?1 AND competition = ?2 AND team = ?3",
                params![new.token, new.competition, new.team],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (file_name, content) = match upload {
            None => return Ok(Err(Refused::UnknownToken)),
            // Kept in the database by an earlier version of the server.
            Some((name, _, Some(content))) => (name, content),
            Some((name, length, None)) => {
                let file = self.spool.path(new.token).map(std::fs::read);
                match file {
                    Some(Ok(content)) if i64::try_from(content.len()) == Ok(length) => {
                        (name, content)
                    }
                    _ => return Ok(Err(Refused::NotUploaded)),
                }
            }
        };
        tx.execute("INSERT OR IGNORE INTO teams (name) VALUES (?1)", [new.team])?;
        tx.execute(
            "INSERT INTO submissions
                 (competition, team, file_name, content, description, date, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'PENDING')",
            params![
                new.competition,
                new.team,
                file_name,
                content,
                new.description,
                new.date
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute("DELETE FROM uploads WHERE token = ?1", [new.token])?;
        tx.commit()?;
        self.spool.remove(new.token);
        Ok(Ok(id))
    }

    /// The file of submission `id`, if it is still PENDING.
    pub(super) fn pending_content(&self, id: i64) -> rusqlite::Result<Option<Vec<u8>>> {
        self.conn()
            .query_row(
                "SELECT content FROM submissions WHERE id = ?1 AND status = 'PENDING'",
                [id],
                |r| r.get(0),
            )
            .optional()
    }

    /// Every PENDING submission (id, competition), oldest first: those a stopped server did not
    /// finish scoring.
    pub(super) fn pending(&self) -> rusqlite::Result<Vec<(i64, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, competition FROM submissions WHERE status = 'PENDING' ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    }

    /// Records the outcome of scoring submission `id`; false when it was no longer PENDING
    /// (scored already), so a submission is scored exactly once.
    pub(super) fn finish(
        &self,
        id: i64,
        outcome: Result<(Option<f64>, Option<f64>), String>,
    ) -> rusqlite::Result<bool> {
        let (status, public, private, error) = match outcome {
            Ok((public, private)) => (COMPLETE, public, private, String::new()),
            Err(error) => (ERROR, None, None, error),
        };
        let changed = self.conn().execute(
            "UPDATE submissions SET status = ?2, public_score = ?3, private_score = ?4, error = ?5
             WHERE id = ?1 AND status = 'PENDING'",
            params![id, status, public, private, error],
        )?;
        Ok(changed == 1)
    }

    pub(super) fn get(&self, id: i64) -> rusqlite::Result<Option<Submission>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM submissions WHERE id = ?1"),
                [id],
                submission,
            )
            .optional()
    }

    /// A team's submissions to a competition, newest first.
    pub(super) fn list(&self, competition: &str, team: &str) -> rusqlite::Result<Vec<Submission>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM submissions WHERE competition = ?1 AND team = ?2
             ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map([competition, team], submission)?;
        rows.collect()
    }

    /// Every COMPLETE submission of a competition, with its team's id.
    pub(super) fn scored(&self, competition: &str) -> rusqlite::Result<Vec<Scored>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT t.id, s.team, s.date, s.public_score, s.private_score
             FROM submissions s JOIN teams t ON t.name = s.team
             WHERE s.competition = ?1 AND s.status = 'COMPLETE' ORDER BY s.id",
        )?;
        let rows = stmt.query_map([competition], |r| {
            Ok(Scored {
                team_id: r.get(0)?,
                team: r.get(1)?,
                date: r.get(2)?,
                public_score: r.get(3)?,
                private_score: r.get(4)?,
            })
        })?;
        rows.collect()
    }

    /// How many submissions have each status, for tests.
    #[cfg(test)]
    pub(super) fn count(&self, status: &str) -> i64 {
        self.conn()
            .query_row(
                "SELECT COUNT(*) FROM submissions WHERE status = ?1",
                [status],
                |r| r.get(0),
            )
            .unwrap_or(-1)
    }
}

const COLUMNS: &str = "id, competition, team, file_name, length(content), description, date, \
                       status, public_score, private_score, error";

fn submission(r: &rusqlite::Row<'_>) -> rusqlite::Result<Submission> {
    Ok(Submission {
        id: r.get(0)?,
        competition: r.get(1)?,
        team: r.get(2)?,
        file_name: r.get(3)?,
        total_bytes: r.get(4)?,
        description: r.get(5)?,
        date: r.get(6)?,
        status: r.get(7)?,
        public_score: r.get(8)?,
        private_score: r.get(9)?,
        error: r.get(10)?,
    })
}
