//! Finding the user's Kaggle credentials, in the official CLI's order:
//! `KAGGLE_API_TOKEN` (a token, or the path of a file holding one), `~/.kaggle/access_token`
//! (or `.txt`), then `kaggle.json` under `KAGGLE_CONFIG_DIR`, `~/.kaggle` or the XDG config
//! folder, with `KAGGLE_USERNAME`/`KAGGLE_KEY` overriding its fields. Tokens go out as Bearer,
//! keys as Basic. The secret is private to this module: `Debug` redacts it, and only
//! [`Credentials::authorization`] reads it, to build the header.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::error::{KaggleError, Result};

enum Secret {
    Token(String),
    Key { username: String, key: String },
}

pub struct Credentials {
    secret: Secret,
    /// Where they were found, for messages ("~/.kaggle/access_token").
    pub source: String,
    /// Problems worth telling the user (e.g. a kaggle.json others can read).
    pub warnings: Vec<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.secret {
            Secret::Token(_) => "token",
            Secret::Key { .. } => "key",
        };
        write!(
            f,
            "Credentials {{ {kind} from {}, secret redacted }}",
            self.source
        )
    }
}

impl Credentials {
    /// A token given directly (tests, or a caller that manages secrets itself).
    pub fn token(token: impl Into<String>, source: impl Into<String>) -> Self {
        Credentials {
            secret: Secret::Token(token.into()),
            source: source.into(),
            warnings: Vec::new(),
        }
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> String {
        match &self.secret {
            Secret::Token(t) => format!("Bearer {t}"),
            Secret::Key { username, key } => {
                let raw = format!("{username}:{key}");
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )
            }
        }
    }

    /// The username, when credentials carry one.
    pub fn username(&self) -> Option<&str> {
        match &self.secret {
            Secret::Key { username, .. } => Some(username),
            Secret::Token(_) => None,
        }
    }
}

/// The environment credentials are looked up in: variables and the home folder.
pub struct Env {
    pub vars: HashMap<String, String>,
    pub home: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars().collect(),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

fn read_trimmed(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Finds credentials, or says everywhere it looked.
pub fn discover(env: &Env) -> Result<Credentials> {
    let mut looked = vec!["KAGGLE_API_TOKEN".to_string()];
    if let Some(v) = env.var("KAGGLE_API_TOKEN") {
        let path = Path::new(v);
        if path.is_file() {
            if let Some(t) = read_trimmed(path) {
                let mut c = Credentials::token(
                    t,
                    format!("{} (named by KAGGLE_API_TOKEN)", path.display()),
                );
                c.warnings.extend(readable_by_others(path, "API token"));
                return Ok(c);
            }
        } else {
            return Ok(Credentials::token(v.trim(), "KAGGLE_API_TOKEN"));
        }
    }
    let dot_kaggle = env.home.as_ref().map(|h| h.join(".kaggle"));
    if let Some(dir) = &dot_kaggle {
        for name in ["access_token", "access_token.txt"] {
            let path = dir.join(name);
            looked.push(path.display().to_string());
            if let Some(t) = read_trimmed(&path) {
                let mut c = Credentials::token(t, path.display().to_string());
                c.warnings.extend(readable_by_others(&path, "API token"));
                return Ok(c);
            }
        }
    }
    let json_dir = match (env.var("KAGGLE_CONFIG_DIR"), &dot_kaggle) {
        (Some(d), _) => Some(PathBuf::from(d)),
        (None, Some(d)) if d.is_dir() => Some(d.clone()),
        (None, _) => env
            .var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| env.home.as_ref().map(|h| h.join(".config")))
            .map(|c| c.join("kaggle")),
    };
    let mut username = None;
    let mut key = None;
    let mut source = String::new();
    let mut warnings = Vec::new();
    if let Some(dir) = json_dir {
        let path = dir.join("kaggle.json");
        looked.push(path.display().to_string());
        if let Ok(text) = std::fs::read_to_string(&path) {
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                KaggleError::BadCredentials(format!(
                    "{} is not valid JSON ({e}); expected {{\"username\": ..., \"key\": ...}}",
                    path.display()
                ))
            })?;
            username = v
                .get("username")
                .and_then(|u| u.as_str())
                .map(str::to_string);
            key = v.get("key").and_then(|u| u.as_str()).map(str::to_string);
            source = path.display().to_string();
            warnings.extend(readable_by_others(&path, "API key"));
        }
    }
    looked.push("KAGGLE_USERNAME + KAGGLE_KEY".into());
    if let Some(u) = env.var("KAGGLE_USERNAME") {
        username = Some(u.to_string());
        source = "KAGGLE_USERNAME/KAGGLE_KEY".into();
    }
    if let Some(k) = env.var("KAGGLE_KEY") {
        key = Some(k.to_string());
        source = "KAGGLE_USERNAME/KAGGLE_KEY".into();
    }
    match (username, key) {
        (Some(username), Some(key)) => Ok(Credentials {
            secret: Secret::Key { username, key },
            source,
            warnings,
        }),
        (Some(_), None) | (None, Some(_)) => Err(KaggleError::BadCredentials(format!(
            "{source} has only half of the legacy credentials: both `username` and `key` are needed"
        ))),
        (None, None) => Err(KaggleError::NoCredentials { looked }),
    }
}

/// A warning when the file holding a secret (`what`: "API key", "API token") can be read by
/// users other than its owner (group or world read bit set).
#[cfg(unix)]
fn readable_by_others(path: &Path, what: &str) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o044 != 0).then(|| {
        format!(
            "your Kaggle {what} in {} is readable by other users; run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path, _: &str) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kreplay-creds-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn env(home: &Path, vars: &[(&str, &str)]) -> Env {
        Env {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: Some(home.to_path_buf()),
        }
    }

    #[test]
    fn token_sources_in_order() {
        let h = home("order");
        std::fs::create_dir_all(h.join(".kaggle")).unwrap();
        std::fs::write(h.join(".kaggle/access_token"), "file-token\n").unwrap();
        let c = discover(&env(&h, &[("KAGGLE_API_TOKEN", "env-token")])).unwrap();
        assert_eq!(c.authorization(), "Bearer env-token");
        let tf = h.join("tok");
        std::fs::write(&tf, " path-token ").unwrap();
        let c = discover(&env(&h, &[("KAGGLE_API_TOKEN", tf.to_str().unwrap())])).unwrap();
        assert_eq!(c.authorization(), "Bearer path-token");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let token = h.join(".kaggle/access_token");
            std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
            let c = discover(&env(&h, &[])).unwrap();
            assert!(
                c.warnings.len() == 1 && c.warnings[0].contains("chmod 600"),
                "{:?}",
                c.warnings
            );
            std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
            assert!(discover(&env(&h, &[])).unwrap().warnings.is_empty());
        }
        let c = discover(&env(&h, &[])).unwrap();
        assert_eq!(c.authorization(), "Bearer file-token");
        assert!(c.source.ends_with(".kaggle/access_token"));
        std::fs::remove_file(h.join(".kaggle/access_token")).unwrap();
        std::fs::write(h.join(".kaggle/access_token.txt"), "txt-token").unwrap();
        assert_eq!(
            discover(&env(&h, &[])).unwrap().authorization(),
            "Bearer txt-token"
        );
    }

    #[test]
    fn kaggle_json_with_env_override_and_permission_warning() {
        let h = home("json");
        std::fs::create_dir_all(h.join(".kaggle")).unwrap();
        let json = h.join(".kaggle/kaggle.json");
        std::fs::write(&json, r#"{"username":"ann","key":"k1"}"#).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&json, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let c = discover(&env(&h, &[])).unwrap();
        assert_eq!(c.username(), Some("ann"));
        assert_eq!(
            c.authorization(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("ann:k1")
            )
        );
        #[cfg(unix)]
        assert!(c.warnings[0].contains("chmod 600"));
        let c = discover(&env(&h, &[("KAGGLE_KEY", "k2")])).unwrap();
        assert!(c
            .authorization()
            .ends_with(&base64::engine::general_purpose::STANDARD.encode("ann:k2")));
        let cfg = home("cfgdir");
        std::fs::write(cfg.join("kaggle.json"), r#"{"username":"bob","key":"k3"}"#).unwrap();
        let c = discover(&env(&h, &[("KAGGLE_CONFIG_DIR", cfg.to_str().unwrap())])).unwrap();
        assert_eq!(c.username(), Some("bob"));
    }

    #[test]
    fn xdg_location_and_env_only_keys() {
        let h = home("xdg");
        std::fs::create_dir_all(h.join(".config/kaggle")).unwrap();
        std::fs::write(
            h.join(".config/kaggle/kaggle.json"),
            r#"{"username":"cy","key":"k4"}"#,
        )
        .unwrap();
        assert_eq!(discover(&env(&h, &[])).unwrap().username(), Some("cy"));
        let empty = home("envonly");
        let c = discover(&env(
            &empty,
            &[("KAGGLE_USERNAME", "dee"), ("KAGGLE_KEY", "k5")],
        ))
        .unwrap();
        assert_eq!(c.username(), Some("dee"));
    }

    #[test]
    fn nothing_found_lists_where_it_looked_and_debug_hides_secrets() {
        let h = home("none");
        let e = discover(&env(&h, &[])).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("KAGGLE_API_TOKEN")
                && text.contains("access_token")
                && text.contains("kaggle.json"),
            "{text}"
        );
        assert!(e.help().unwrap().contains("kaggle.com/settings"));
        let c = Credentials::token("very-secret", "test");
        assert!(!format!("{c:?}").contains("very-secret"));
    }
}
