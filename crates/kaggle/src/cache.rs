//! Where downloaded competition files live.

use std::path::PathBuf;

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
