//! Participant keys for `kreplay host`: each team named on the command line gets a random key
//! (sent as the legacy username/key pair, so the official CLI's kaggle.json or
//! KAGGLE_USERNAME/KAGGLE_KEY work unchanged). Keys are kept in a JSON file beside the host's
//! state, so a restart hands out the same ones and a new team only adds its own.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::cache::write_atomic;
use crate::error::{KaggleError, Result};

/// 128 random bits from the operating system, as hex.
fn random_key() -> Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| KaggleError::io("/dev/urandom", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The (team, key) pairs for `teams`, reusing the keys stored in `path` and adding new ones.
pub fn issue(path: &Path, teams: &[String]) -> Result<Vec<(String, String)>> {
    let mut known: BTreeMap<String, String> = match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| KaggleError::io(path, format!("not a team key file ({e})")))?,
        Err(_) => BTreeMap::new(),
    };
    let mut changed = false;
    for team in teams {
        if team.is_empty() || team.contains([':', '/']) {
            return Err(KaggleError::Invalid(format!(
                "team name {team:?} may not be empty or contain ':' or '/'"
            )));
        }
        if !known.contains_key(team) {
            known.insert(team.clone(), random_key()?);
            changed = true;
        }
    }
    if changed {
        let text = serde_json::to_string_pretty(&known)
            .map_err(|e| KaggleError::Invalid(e.to_string()))?;
        write_atomic(path, text.as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
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
        std::fs::remove_file(&path).unwrap();
    }
}
