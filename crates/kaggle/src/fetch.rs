//! `kreplay fetch`: a competition's files into the cache, from Kaggle or from files the user
//! already has (`--from DIR|ZIP`), checked and recorded the same way.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cache::{write_atomic, Manifest};
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
    let files = client.list_files(competition)?;
    let wanted: Vec<_> = match &opts.file {
        Some(name) => {
            let f = files.iter().find(|f| &f.name == name).ok_or_else(|| {
                let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
                KaggleError::NotFound {
                    message: format!("`{competition}` has no file `{name}`"),
                    hint: Some(format!("its files: {}", names.join(", "))),
                }
            })?;
            vec![f.clone()]
        }
        None => files,
    };
    let dir = root.join(competition);
    let mut manifest = Manifest::load(&dir, competition);
    let mut report = FetchReport {
        dir: dir.clone(),
        ..Default::default()
    };
    let current = |m: &Manifest, f: &crate::wire::ApiDataFile| {
        m.is_current(&dir, &f.name, u64::try_from(f.total_bytes).unwrap_or(0))
    };
    if opts.bundle {
        if !opts.force && wanted.iter().all(|f| current(&manifest, f)) {
            report.skipped = wanted.into_iter().map(|f| f.name).collect();
        } else {
            let name = format!("{competition}.zip");
            let b = bar(opts.quiet, &name);
            report.bytes += client.download_bundle(competition, &dir.join(&name), &b)?;
            b.finish_and_clear();
            store(&mut manifest, &dir, &name, "kaggle", &mut report)?;
        }
        report.elapsed = start.elapsed();
        return Ok(report);
    }
    for f in wanted {
        let size = u64::try_from(f.total_bytes).unwrap_or(0);
        if !opts.force && current(&manifest, &f) {
            if !opts.quiet {
                eprintln!("  {:24} up to date ({size} bytes)", f.name);
            }
            report.skipped.push(f.name);
            continue;
        }
        let b = bar(opts.quiet, &f.name);
        let dest = dir.join(&f.name);
        let expected = (size > 0).then_some(size);
        let got = client.download_file(competition, &f.name, &dest, expected, &b)?;
        b.finish_and_clear();
        report.bytes += got;
        store(&mut manifest, &dir, &f.name, "kaggle", &mut report)?;
        if !opts.quiet {
            eprintln!("  {:24} {got} bytes", f.name);
        }
    }
    report.elapsed = start.elapsed();
    Ok(report)
}

/// Records a stored file; a zip is unpacked beside it and its members recorded instead.
fn store(
    manifest: &mut Manifest,
    dir: &Path,
    name: &str,
    source: &str,
    report: &mut FetchReport,
) -> Result<()> {
    if name.to_ascii_lowercase().ends_with(".zip") {
        let path = dir.join(name);
        for member in unzip(&path, dir)? {
            manifest.record(dir, &member, source)?;
            report.stored.push(member);
        }
        let _ = std::fs::remove_file(&path);
        manifest.files.retain(|f| f.name != name);
    } else {
        manifest.record(dir, name, source)?;
        report.stored.push(name.to_string());
    }
    manifest.save(dir)
}

/// Extracts a zip's regular files into `dir` (each via a temporary file and a rename); returns
/// their names. Paths that would leave `dir` are refused.
fn unzip(path: &Path, dir: &Path) -> Result<Vec<String>> {
    let file = std::fs::File::open(path).map_err(|e| KaggleError::io(path, e))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| KaggleError::io(path, format!("not a valid zip file ({e})")))?;
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| KaggleError::io(path, e))?;
        if entry.is_dir() {
            continue;
        }
        let Some(rel) = entry.enclosed_name() else {
            return Err(KaggleError::io(
                path,
                format!(
                    "member `{}` points outside the folder",
                    entry.name().unwrap_or_default()
                ),
            ));
        };
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        std::io::copy(&mut entry, &mut bytes).map_err(|e| KaggleError::io(path, e))?;
        write_atomic(&dir.join(&rel), &bytes)?;
        names.push(rel.to_string_lossy().into_owned());
    }
    Ok(names)
}

/// Imports files the user already has (a folder or a zip) into the cache.
pub fn import(competition: &str, from: &Path, root: &Path) -> Result<FetchReport> {
    let start = Instant::now();
    let dir = root.join(competition);
    let source = format!("import:{}", from.display());
    let mut manifest = Manifest::load(&dir, competition);
    let mut report = FetchReport {
        dir: dir.clone(),
        ..Default::default()
    };
    if from.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(from)
            .map_err(|e| KaggleError::io(from, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        entries.sort();
        if entries.is_empty() {
            return Err(KaggleError::io(from, "holds no files to import"));
        }
        for p in entries {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&p).map_err(|e| KaggleError::io(&p, e))?;
            write_atomic(&dir.join(&name), &bytes)?;
            report.bytes += bytes.len() as u64;
            store(&mut manifest, &dir, &name, &source, &mut report)?;
        }
    } else if from.is_file() {
        std::fs::create_dir_all(&dir).map_err(|e| KaggleError::io(&dir, e))?;
        for member in unzip(from, &dir)? {
            report.bytes += manifest.record(&dir, &member, &source)?.size;
            report.stored.push(member);
        }
        manifest.save(&dir)?;
    } else {
        return Err(KaggleError::io(from, "no such file or folder"));
    }
    report.elapsed = start.elapsed();
    Ok(report)
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
