//! The download cache: one folder per competition, with `manifest.json` recording each file's
//! name, size, sha256, where it came from and when. Files are written beside their final name
//! and renamed into place, and the manifest is rewritten the same way after every file, so an
//! interrupted fetch keeps everything it finished.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use kreplay_recipe::names::relative_file_problem;

use crate::error::{KaggleError, Result};

pub const MANIFEST: &str = "manifest.json";

/// Suffix of a download in progress, beside its final name.
pub const PART_SUFFIX: &str = ".part";

/// Suffix of the validator (ETag, Last-Modified, size) remembered beside a partial download.
pub const VALIDATOR_SUFFIX: &str = ".part.json";

/// Why `name` cannot be a path inside a competition's folder, if it cannot: what any file
/// name from outside is refused for ([`relative_file_problem`]), and the cache's own names.
fn unsafe_reason(name: &str) -> Option<String> {
    if let Some(why) = relative_file_problem(name) {
        return Some(format!("it {why}"));
    }
    let lower = name.to_ascii_lowercase();
    if lower == MANIFEST {
        return Some(format!(
            "`{MANIFEST}` is the cache's own record of its files"
        ));
    }
    if lower.ends_with(PART_SUFFIX) || lower.ends_with(VALIDATOR_SUFFIX) {
        return Some(format!(
            "names ending in `{PART_SUFFIX}` or `{VALIDATOR_SUFFIX}` are the cache's partial downloads"
        ));
    }
    None
}

/// A name for messages: escaped (no control characters reach a terminal) and cut short.
pub fn shown(name: &str) -> String {
    kreplay_recipe::names::shown(name, 120)
}

/// The one gate every name from outside passes before it becomes a path: a relative path of
/// `/`-separated normal components that stays inside the competition's folder. Refused:
/// empty names, absolute paths, `.`/`..` and empty components, NUL and other control
/// characters, backslashes, drive prefixes (`C:`), over-long names, and the cache's own
/// names (`manifest.json`, `*.part`, `*.part.json`). `from` says where the name came from
/// ("the server http://host/v1"), never with credentials.
pub fn safe_relative_name(name: &str, from: &str) -> Result<PathBuf> {
    match unsafe_reason(name) {
        Some(reason) => Err(KaggleError::UnsafeName {
            name: shown(name),
            from: from.to_string(),
            reason,
        }),
        None => Ok(name.split('/').collect()),
    }
}

/// A competition's folder under `root`: the slug must be one safe path component.
pub fn competition_dir(root: &Path, competition: &str) -> Result<PathBuf> {
    if competition.contains('/') {
        return Err(KaggleError::UnsafeName {
            name: shown(competition),
            from: "the command line".into(),
            reason: "a competition slug is one path component, without `/`".into(),
        });
    }
    Ok(root.join(safe_relative_name(competition, "the command line")?))
}

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
    /// The manifest of `dir`; a missing or unreadable one is empty. Entries whose names are
    /// not safe (a manifest edited or written by something else) are dropped, so their files
    /// count as missing and are fetched again under a checked name.
    pub fn load(dir: &Path, competition: &str) -> Manifest {
        let mut manifest = std::fs::read_to_string(dir.join(MANIFEST))
            .ok()
            .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
            .unwrap_or_else(|| Manifest {
                competition: competition.to_string(),
                files: Vec::new(),
            });
        manifest.files.retain(|f| unsafe_reason(&f.name).is_none());
        manifest
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
        let path = dir.join(safe_relative_name(name, "the cache")?);
        let size = std::fs::metadata(&path)
            .map_err(|e| KaggleError::io(&path, e))?
            .len();
        let sha256 = sha256_file(&path)?;
        self.record_known(name, size, sha256, source)
    }

    /// Records a file whose size and sha256 were computed while it was written.
    pub fn record_known(
        &mut self,
        name: &str,
        size: u64,
        sha256: String,
        source: &str,
    ) -> Result<ManifestFile> {
        safe_relative_name(name, "the cache")?;
        let entry = ManifestFile {
            name: name.to_string(),
            size,
            sha256,
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
        let Ok(rel) = safe_relative_name(name, "the cache") else {
            return false;
        };
        let path = dir.join(rel);
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
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The temporary name beside `path` that a file is written under before its rename.
fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Streams `reader` into a temporary file beside `path` (hashing while writing), syncs it and
/// renames it over `path`; returns the size and sha256. Memory use does not grow with the
/// size. `what` names the source in a read error.
pub fn copy_atomic(reader: &mut impl Read, path: &Path, what: &Path) -> Result<(u64, String)> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| KaggleError::io(dir, e))?;
    }
    let tmp = temp_beside(path);
    let result = (|| {
        let file = std::fs::File::create(&tmp).map_err(|e| KaggleError::io(&tmp, e))?;
        let mut out = Hashing {
            inner: std::io::BufWriter::with_capacity(1 << 16, file),
            hasher: Sha256::new(),
            written: 0,
        };
        std::io::copy(reader, &mut out).map_err(|e| KaggleError::io(what, e))?;
        let Hashing {
            inner,
            hasher,
            written,
        } = out;
        let file = inner
            .into_inner()
            .map_err(|e| KaggleError::io(&tmp, e.error()))?;
        file.sync_all().map_err(|e| KaggleError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| KaggleError::io(path, e))?;
        Ok((written, hex(&hasher.finalize())))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes a temporary file beside `path`, syncs it, then renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| KaggleError::io(dir, e))?;
    }
    let tmp = temp_beside(path);
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
