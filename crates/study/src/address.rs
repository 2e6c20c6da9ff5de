//! Where the study lives: a `postgres://` URL (or libpq's `key=value` string), completed as
//! libpq completes it (the password from `PGPASSWORD`, then `~/.pgpass`; the user from
//! `PGUSER`, then the login name) and shown only with its password replaced by `***`.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use postgres::config::Host;
use postgres::Config;

use crate::error::{Result, StudyError};

/// How long a connection attempt may take before it counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A parsed `--storage` address.
#[derive(Clone)]
pub struct Address {
    config: Config,
    shown: String,
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl Address {
    /// Parses `url`, completing the user and password from the environment and `pgpass`
    /// (`None` reads `$PGPASSFILE`, then `~/.pgpass`).
    pub fn parse(url: &str, pgpass: Option<&Path>) -> Result<Address> {
        // Nothing of an address the driver cannot read is shown: where its password starts
        // is not known.
        let mut config = Config::from_str(url).map_err(|e| StudyError::Url {
            url: "(not shown)".into(),
            message: format!(
                "not a PostgreSQL address ({e}); expected postgres://user@host:port/database"
            ),
        })?;
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER")
                .or_else(|_| std::env::var("USER"))
                .map_err(|_| StudyError::Url {
                    url: shown(&config),
                    message: "no user: put one in the URL (postgres://user@host/db) or set PGUSER"
                        .into(),
                })?;
            config.user(&user);
        }
        if config.get_dbname().is_none() {
            let user = config.get_user().unwrap_or_default().to_string();
            config.dbname(&user);
        }
        if config.get_password().is_none() {
            if let Ok(p) = std::env::var("PGPASSWORD") {
                config.password(p);
            } else {
                let file = pgpass.map(Path::to_path_buf).or_else(pgpass_file);
                if let Some(p) = file.and_then(|f| from_pgpass(&f, &config)) {
                    config.password(p);
                }
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        // A server that vanishes mid-statement is noticed, not waited on forever.
        config.keepalives_idle(Duration::from_secs(10));
        config.application_name("kreplay");
        let shown = shown(&config);
        Ok(Address { config, shown })
    }

    pub(crate) fn connect(&self) -> Result<postgres::Client> {
        let fail = |e: postgres::Error| StudyError::Connect {
            url: self.shown.clone(),
            message: describe(&e),
        };
        let mut client = self.config.connect(postgres::NoTls).map_err(fail)?;
        // A process stopped mid-transaction (SIGSTOP, a suspended job) must not hold the
        // study's locks for ever, and no statement waits for a lock without end.
        client
            .batch_execute(
                "SET idle_in_transaction_session_timeout = '60s'; SET lock_timeout = '30s'",
            )
            .map_err(fail)?;
        Ok(client)
    }
}

/// The address as shown: `postgres://user:***@host:port/database`, rebuilt from the parsed
/// settings, so no spelling of the URL can carry its password into a message.
fn shown(config: &Config) -> String {
    let user = config.get_user().unwrap_or_default();
    let password = match config.get_password() {
        Some(_) => ":***",
        None => "",
    };
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(h) if h.contains(':') => format!("[{h}]"),
                Host::Tcp(h) => h.clone(),
                Host::Unix(p) => p.display().to_string().replace('/', "%2F"),
            };
            match ports.get(i).or(ports.first()) {
                Some(port) => format!("{host}:{port}"),
                None => format!("{host}:5432"),
            }
        })
        .collect();
    format!(
        "postgres://{user}{password}@{}/{}",
        hosts.join(","),
        config.get_dbname().unwrap_or_default()
    )
}

/// A driver error as one line, with the server's own message where it sent one.
pub(crate) fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                let m = s.to_string();
                if !text.contains(&m) {
                    text = format!("{text}: {m}");
                }
                source = s.source();
            }
            text
        }
    }
}

fn pgpass_file() -> Option<PathBuf> {
    if let Some(f) = std::env::var_os("PGPASSFILE") {
        return Some(PathBuf::from(f));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass"))
}

/// The password of the first `hostname:port:database:username:password` line of `file` that
/// matches `config` (`*` matches anything; `\:` and `\\` are escapes), as libpq reads it.
fn from_pgpass(file: &Path, config: &Config) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(_)) | None => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let want = [
        host.as_str(),
        port.as_str(),
        config.get_dbname().unwrap_or_default(),
        config.get_user().unwrap_or_default(),
    ];
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass(line);
        if fields.len() != 5 {
            continue;
        }
        if fields[..4]
            .iter()
            .zip(want)
            .all(|(f, w)| f == "*" || f == w)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("one field").push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown_as(url: &str) -> String {
        Address::parse(url, Some(Path::new("/nonexistent")))
            .unwrap()
            .to_string()
    }

    #[test]
    fn passwords_never_show() {
        if std::env::var_os("PGPASSWORD").is_some() {
            return; // every address would show `***`
        }
        assert_eq!(
            shown_as("postgres://ann:s3cret@db.example:5432/sweeps"),
            "postgres://ann:***@db.example:5432/sweeps"
        );
        // A slash in the password, a query password, libpq's key=value form with spaces.
        assert_eq!(
            shown_as("postgres://ann:pa/ss@db/x"),
            "postgres://ann:***@db:5432/x"
        );
        assert_eq!(
            shown_as("postgresql://ann@db/x?sslmode=disable&password=two"),
            "postgres://ann:***@db:5432/x"
        );
        assert_eq!(
            shown_as("host=db user=ann password = 's3 cret' dbname=x"),
            "postgres://ann:***@db:5432/x"
        );
        assert_eq!(
            shown_as("postgres://ann@[::1]:6000/x"),
            "postgres://ann@[::1]:6000/x"
        );
        for bad in [
            "postgresql+psycopg2://ann:s3cret@db/x",
            "POSTGRES://ann:s3cret@db/x",
            "postgres://ann:s3cret@db:notaport/x",
        ] {
            let e = Address::parse(bad, None).unwrap_err().to_string();
            assert!(!e.contains("s3cret"), "{e}");
        }
    }

    #[test]
    fn pgpass_lines_match_as_libpq_reads_them() {
        let dir = std::env::temp_dir().join(format!("kreplay-pgpass-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother:5432:*:ann:wrong\ndb:*:sweeps:ann:pa\\:ss\n*:*:*:*:fallback\n",
        )
        .unwrap();
        let a = Config::from_str("postgres://ann@db:6543/sweeps").unwrap();
        assert_eq!(from_pgpass(&file, &a).as_deref(), Some("pa:ss"));
        let b = Config::from_str("postgres://bob@elsewhere/x").unwrap();
        assert_eq!(from_pgpass(&file, &b).as_deref(), Some("fallback"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
