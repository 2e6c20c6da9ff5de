//! Participant keys for `kreplay host`: each team named on the command line gets a random key
//! (sent as the legacy username/key pair, so the official CLI's kaggle.json or
//! KAGGLE_USERNAME/KAGGLE_KEY work unchanged). Keys are kept in a JSON file beside the host's
//! state, so a restart hands out the same ones and a new team only adds its own.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::Path;

/// An error about `path`, saying which file.
fn at(path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{}: {e}", path.display()))
}

/// 128 random bits from the operating system, as hex.
fn random_key() -> io::Result<String> {
    let bytes: [u8; 16] = random_bytes()?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes `bytes` to a new file beside `path`, readable by its owner only from the start
/// (never briefly by everyone, as a chmod after writing would be), then renames it over `path`.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| at(dir, e))?;
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(name);
    // A leftover from a crash may have other permissions: never reuse it.
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| at(path, e))
}

/// `N` random bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>() -> io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| at(Path::new("/dev/urandom"), e))?;
    Ok(bytes)
}

/// The (team, key) pairs for `teams`, reusing the keys stored in `path` and adding new ones.
pub fn issue(path: &Path, teams: &[String]) -> io::Result<Vec<(String, String)>> {
    let mut known: BTreeMap<String, String> = match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| at(path, format!("not a team key file ({e})")))?,
        Err(_) => BTreeMap::new(),
    };
    let mut changed = false;
    for team in teams {
        if team.is_empty() || team.contains([':', '/']) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("team name {team:?} may not be empty or contain ':' or '/'"),
            ));
        }
        if !known.contains_key(team) {
            known.insert(team.clone(), random_key()?);
            changed = true;
        }
    }
    if changed {
        let text = serde_json::to_string_pretty(&known).map_err(|e| at(path, e))?;
        write_private(path, text.as_bytes())?;
    }
    Ok(teams
        .iter()
        .map(|t| (t.clone(), known[t].clone()))
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_random_kept_and_extended() {
        let path = std::env::temp_dir().join(format!("kreplay-teams-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let a = super::issue(&path, &["alice".into(), "bob".into()]).unwrap();
        assert_ne!(a[0].1, a[1].1);
        assert_eq!(a[0].1.len(), 32);
        let b = super::issue(&path, &["bob".into(), "cy".into()]).unwrap();
        assert_eq!(b[0], a[1]);
        assert!(super::issue(&path, &["a:b".into()]).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_file(&path).unwrap();
    }
}
