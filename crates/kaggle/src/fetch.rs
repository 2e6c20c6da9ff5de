//! `kreplay fetch`: a competition's files into the cache, from Kaggle or from files the user
//! already has (`--from DIR|ZIP`), checked and recorded the same way.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cache::{competition_dir, copy_atomic, safe_relative_name, shown, Manifest};
use crate::client::Client;
use crate::error::{KaggleError, Result};

#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// Only this file.
    pub file: Option<String>,
    /// Download even when the cached copy is complete and unchanged.
    pub force: bool,
    /// No progress bar or per-file lines.
    pub quiet: bool,
    /// Download every file as one zip (`DownloadDataFiles`) and unpack it.
    pub bundle: bool,
}

#[derive(Debug, Clone, Default)]
pub struct FetchReport {
    pub dir: PathBuf,
    pub stored: Vec<String>,
    pub skipped: Vec<String>,
    pub bytes: u64,
    pub elapsed: Duration,
}

fn bar(quiet: bool, name: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    if quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template(
            "  {msg:24} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(name.to_string());
    bar
}

/// A slug, not a URL: `https://www.kaggle.com/competitions/titanic` is taken as `titanic`.
pub fn slug_of(arg: &str) -> String {
    let t = arg.trim().trim_end_matches('/');
    if t.contains("kaggle.com") {
        let mut parts = t
            .split('/')
            .skip_while(|p| *p != "competitions" && *p != "c");
        if let (Some(_), Some(slug)) = (parts.next(), parts.next()) {
            return slug.to_string();
        }
    }
    t.to_string()
}

pub fn fetch(
    client: &Client,
    competition: &str,
    root: &Path,
    opts: &FetchOptions,
) -> Result<FetchReport> {
    let start = Instant::now();
    let dir = competition_dir(root, competition)?;
    let files = client.list_files(competition)?;
    let wanted: Vec<_> = match &opts.file {
        Some(name) => {
            let f = files.iter().find(|f| &f.name == name).ok_or_else(|| {
                let names: Vec<String> = files.iter().take(50).map(|f| shown(&f.name)).collect();
                KaggleError::NotFound {
                    message: format!("`{competition}` has no file `{}`", shown(name)),
                    hint: Some(format!("its files: {}", names.join(", "))),
                }
            })?;
            vec![f.clone()]
        }
        None => files,
    };
    // Every name and size is checked before anything is written.
    let from = format!("the server {}", client.server());
    let max = client.limits().max_file_bytes;
    let mut checked = Vec::with_capacity(wanted.len());
    for f in wanted {
        let rel = safe_relative_name(&f.name, &from)?;
        // A negative size is unknown; one past the bound is refused.
        let size = u64::try_from(f.total_bytes).unwrap_or(0);
        if size > max {
            return Err(KaggleError::Misbehaving {
                server: client.server().to_string(),
                message: format!(
                    "lists {} at {size} bytes, more than the {max} accepted",
                    shown(&f.name)
                ),
            });
        }
        checked.push((f.name, rel, size));
    }
    let mut manifest = Manifest::load(&dir, competition);
    let mut report = FetchReport {
        dir: dir.clone(),
        ..Default::default()
    };
    if opts.bundle {
        if !opts.force
            && checked
                .iter()
                .all(|(name, _, size)| manifest.is_current(&dir, name, *size))
        {
            report.skipped = checked.into_iter().map(|(name, ..)| name).collect();
        } else {
            let name = format!("{competition}.zip");
            let b = bar(opts.quiet, &name);
            report.bytes += client.download_bundle(competition, &dir.join(&name), &b)?;
            b.finish_and_clear();
            let from = format!("the bundle from {}", client.server());
            store(&mut manifest, &dir, &name, "kaggle", &from, &mut report)?;
        }
        report.elapsed = start.elapsed();
        return Ok(report);
    }
    for (name, rel, size) in checked {
        if !opts.force && manifest.is_current(&dir, &name, size) {
            if !opts.quiet {
                eprintln!("  {name:24} up to date ({size} bytes)");
            }
            report.skipped.push(name);
            continue;
        }
        let b = bar(opts.quiet, &name);
        let dest = dir.join(&rel);
        let expected = (size > 0).then_some(size);
        let got = client.download_file(competition, &name, &dest, expected, &b)?;
        b.finish_and_clear();
        report.bytes += got;
        store(&mut manifest, &dir, &name, "kaggle", &from, &mut report)?;
        if !opts.quiet {
            eprintln!("  {name:24} {got} bytes");
        }
    }
    report.elapsed = start.elapsed();
    Ok(report)
}

/// Records a stored file; a zip is unpacked beside it and its members recorded instead.
/// `from` says where member names come from, for an error about one.
fn store(
    manifest: &mut Manifest,
    dir: &Path,
    name: &str,
    source: &str,
    from: &str,
    report: &mut FetchReport,
) -> Result<()> {
    if name.to_ascii_lowercase().ends_with(".zip") {
        let path = dir.join(safe_relative_name(name, from)?);
        let members = unzip(&path, dir, from);
        let _ = std::fs::remove_file(&path);
        for m in members? {
            manifest.record_known(&m.name, m.size, m.sha256, source)?;
            report.stored.push(m.name);
        }
        manifest.files.retain(|f| f.name != name);
    } else {
        manifest.record(dir, name, source)?;
        report.stored.push(name.to_string());
    }
    manifest.save(dir)
}

/// A member written by [`unzip`], with what was computed while writing it.
#[derive(Debug, Clone, PartialEq)]
struct Member {
    name: String,
    size: u64,
    sha256: String,
}

/// Extracts a zip's regular files into `dir`, each streamed into a temporary file beside its
/// final name (hashed while written) and renamed, so memory does not grow with a member's
/// size. Every member name is checked first, with [`safe_relative_name`] (stricter than the
/// zip crate's `enclosed_name`, which rewrites `/abs` or `C:x` instead of refusing them);
/// one bad name refuses the whole archive before anything is written.
fn unzip(path: &Path, dir: &Path, from: &str) -> Result<Vec<Member>> {
    let file = std::fs::File::open(path).map_err(|e| KaggleError::io(path, e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| KaggleError::io(path, format!("not a valid zip file ({e})")))?;
    let mut wanted = Vec::new();
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| KaggleError::io(path, e))?;
        let name = entry
            .name()
            .map_err(|e| KaggleError::io(path, format!("member {i} has an unreadable name ({e})")))?
            .into_owned();
        if entry.is_dir() {
            continue;
        }
        let rel = safe_relative_name(&name, from)?;
        // The zip crate's own check too, in case it sees the name differently.
        if entry.enclosed_name().is_none() {
            return Err(KaggleError::UnsafeName {
                name: shown(&name),
                from: from.to_string(),
                reason: "it points outside the folder".into(),
            });
        }
        wanted.push((i, name, rel));
    }
    let mut members = Vec::with_capacity(wanted.len());
    for (i, name, rel) in wanted {
        let mut entry = archive.by_index(i).map_err(|e| KaggleError::io(path, e))?;
        let (size, sha256) = copy_atomic(&mut entry, &dir.join(&rel), path)?;
        members.push(Member { name, size, sha256 });
    }
    Ok(members)
}

/// Imports files the user already has (a folder or a zip) into the cache. A folder's hidden
/// files and the cache's own names (`manifest.json`, `*.part`, `*.part.json`: another cache's
/// bookkeeping) are left out; every other name must be safe, as a server's must.
pub fn import(competition: &str, from: &Path, root: &Path) -> Result<FetchReport> {
    let start = Instant::now();
    let dir = competition_dir(root, competition)?;
    let source = format!("import:{}", from.display());
    let described = format!("{}", from.display());
    let mut manifest = Manifest::load(&dir, competition);
    let mut report = FetchReport {
        dir: dir.clone(),
        ..Default::default()
    };
    if from.is_dir() {
        let mut entries: Vec<(String, PathBuf)> = std::fs::read_dir(from)
            .map_err(|e| KaggleError::io(from, e))?
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .filter(|(name, p)| p.is_file() && !name.starts_with('.') && !reserved(name))
            .collect();
        entries.sort();
        if entries.is_empty() {
            return Err(KaggleError::io(from, "holds no files to import"));
        }
        let checked = entries
            .into_iter()
            .map(|(name, p)| Ok((safe_relative_name(&name, &described)?, name, p)))
            .collect::<Result<Vec<_>>>()?;
        for (rel, name, p) in checked {
            if name.to_ascii_lowercase().ends_with(".zip") {
                let mut f = std::fs::File::open(&p).map_err(|e| KaggleError::io(&p, e))?;
                report.bytes += copy_atomic(&mut f, &dir.join(&rel), &p)?.0;
                let what = format!("the zip {}", p.display());
                store(&mut manifest, &dir, &name, &source, &what, &mut report)?;
            } else {
                let mut f = std::fs::File::open(&p).map_err(|e| KaggleError::io(&p, e))?;
                let (size, sha256) = copy_atomic(&mut f, &dir.join(&rel), &p)?;
                report.bytes += size;
                manifest.record_known(&name, size, sha256, &source)?;
                report.stored.push(name);
                manifest.save(&dir)?;
            }
        }
    } else if from.is_file() {
        std::fs::create_dir_all(&dir).map_err(|e| KaggleError::io(&dir, e))?;
        for m in unzip(from, &dir, &format!("the zip {described}"))? {
            report.bytes += m.size;
            manifest.record_known(&m.name, m.size, m.sha256, &source)?;
            report.stored.push(m.name);
        }
        manifest.save(&dir)?;
    } else {
        return Err(KaggleError::io(from, "no such file or folder"));
    }
    report.elapsed = start.elapsed();
    Ok(report)
}

/// Names the cache keeps for itself.
fn reserved(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == crate::cache::MANIFEST
        || lower.ends_with(crate::cache::PART_SUFFIX)
        || lower.ends_with(crate::cache::VALIDATOR_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_become_slugs() {
        assert_eq!(slug_of("titanic"), "titanic");
        assert_eq!(
            slug_of("https://www.kaggle.com/competitions/titanic/"),
            "titanic"
        );
        assert_eq!(
            slug_of("https://www.kaggle.com/c/house-prices-advanced-regression-techniques/data"),
            "house-prices-advanced-regression-techniques"
        );
    }
}
