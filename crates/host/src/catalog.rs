//! What the data folder holds: competitions are its subdirectories, their files the data files.
//!
//! Lookups go through the same listings the RPC answers come from, so a name that is not
//! listed (`..`, a hidden file, `solution.csv`) can never be served.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

#[derive(Debug, Clone)]
pub(super) struct DataFile {
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
    pub modified: SystemTime,
}

/// Competition slugs, sorted.
pub(super) fn competitions(data_dir: &Path) -> io::Result<Vec<String>> {
    let mut slugs: Vec<String> = visible_entries(data_dir)?
        .into_iter()
        .filter(|(_, path)| path.is_dir())
        .map(|(name, _)| name)
        .collect();
    slugs.sort();
    Ok(slugs)
}

/// The folder of `slug`, if it is a listed competition.
pub(super) fn competition_dir(data_dir: &Path, slug: &str) -> io::Result<Option<PathBuf>> {
    Ok(competitions(data_dir)?
        .iter()
        .any(|s| s == slug)
        .then(|| data_dir.join(slug)))
}

/// The regular files of a competition, sorted by name, without the hidden ones and without
/// the host's own files, `solution.csv` (Kaggle never hands it out) and `competition.toml`.
pub(super) fn data_files(dir: &Path) -> io::Result<Vec<DataFile>> {
    let mut files = Vec::new();
    for (name, path) in visible_entries(dir)? {
        if name.eq_ignore_ascii_case("solution.csv")
            || name.eq_ignore_ascii_case("competition.toml")
        {
            continue;
        }
        // metadata() follows symlinks, so a linked-in file is served like a copy.
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        files.push(DataFile {
            name,
            path,
            size: meta.len(),
            modified,
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// One data file of a competition, by exact name.
pub(super) fn data_file(dir: &Path, name: &str) -> io::Result<Option<DataFile>> {
    Ok(data_files(dir)?.into_iter().find(|f| f.name == name))
}

/// Entries with UTF-8 names not starting with a dot; names that cannot go in JSON are skipped.
fn visible_entries(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !name.starts_with('.') {
            entries.push((name, entry.path()));
        }
    }
    Ok(entries)
}
