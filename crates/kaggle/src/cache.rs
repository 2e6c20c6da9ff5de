//! The download cache: one folder per competition, with `manifest.json` recording each file's
//! name, size, sha256, where it came from and when. Files are written beside their final name
//! and renamed into place, and the manifest is rewritten the same way after every file, so an
//! interrupted fetch keeps everything it finished.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{KaggleError, Result};

pub const MANIFEST: &str = "manifest.json";

/// The cache root: `$KREPLAY_CACHE`, else `$XDG_CACHE_HOME/kreplay`, else `~/.cache/kreplay`.
pub fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("KREPLAY_CACHE") {
        return PathBuf::from(dir);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("kreplay")
}

/// The folder holding one folder per competition.
pub fn competitions_dir() -> PathBuf {
    root().join("competitions")
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub competition: String,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ManifestFile {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// "kaggle" for a download, "import:<path>" for `--from`.
    pub source: String,
    /// RFC 3339 time it was stored.
    pub stored: String,
}

impl Manifest {
    pub fn load(dir: &Path, competition: &str) -> Manifest {
        std::fs::read_to_string(dir.join(MANIFEST))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_else(|| Manifest {
                competition: competition.to_string(),
                files: Vec::new(),
            })
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        let text =
            serde_json::to_string_pretty(self).map_err(|e| KaggleError::Invalid(e.to_string()))?;
        write_atomic(&dir.join(MANIFEST), text.as_bytes())
    }

    pub fn get(&self, name: &str) -> Option<&ManifestFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Records a file that is now in place (replacing an older entry of the same name).
    pub fn record(&mut self, dir: &Path, name: &str, source: &str) -> Result<ManifestFile> {
        let path = dir.join(name);
        let entry = ManifestFile {
            name: name.to_string(),
            size: std::fs::metadata(&path)
                .map_err(|e| KaggleError::io(&path, e))?
                .len(),
            sha256: sha256_file(&path)?,
            source: source.to_string(),
            stored: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        };
        self.files.retain(|f| f.name != name);
        self.files.push(entry.clone());
        self.files.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entry)
    }

    /// Whether `name` is in place, complete and unchanged: in the manifest with this size, and
    /// the file on disk still has the recorded size and sha256.
    pub fn is_current(&self, dir: &Path, name: &str, size: u64) -> bool {
        let Some(entry) = self.get(name) else {
            return false;
        };
        let path = dir.join(name);
        entry.size == size
            && std::fs::metadata(&path).map(|m| m.len()).ok() == Some(size)
            && sha256_file(&path)
                .map(|h| h == entry.sha256)
                .unwrap_or(false)
    }
}

pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| KaggleError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| KaggleError::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Writes a temporary file beside `path`, syncs it, then renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| KaggleError::io(dir, e))?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| KaggleError::io(path, e))
}
