//! The zip `DownloadDataFiles` points at: every listed file, deflated, in name order. Built in
//! memory on first request and kept, so repeated and ranged GETs see identical bytes.

use std::io::{self, Cursor};
use std::path::Path;
use std::time::SystemTime;

use axum::body::Bytes;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::catalog::{self, DataFile};
use super::reply::ApiError;
use super::Shared;

#[derive(Debug, Clone)]
pub(super) struct Bundle {
    pub bytes: Bytes,
    /// The newest file's time, so Last-Modified does not change with each server start.
    pub modified: SystemTime,
}

pub(super) async fn get_or_build(
    shared: &Shared,
    slug: &str,
    dir: &Path,
) -> Result<Bundle, ApiError> {
    let mut bundles = shared.bundles.lock().await;
    if let Some(bundle) = bundles.get(slug) {
        return Ok(bundle.clone());
    }
    let dir = dir.to_path_buf();
    let bundle = tokio::task::spawn_blocking(move || build(&catalog::data_files(&dir)?))
        .await
        .map_err(ApiError::internal)??;
    bundles.insert(slug.to_string(), bundle.clone());
    Ok(bundle)
}

fn build(files: &[DataFile]) -> io::Result<Bundle> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for file in files {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .large_file(file.size >= u64::from(u32::MAX));
        zip.start_file(file.name.as_str(), options)?;
        io::copy(&mut std::fs::File::open(&file.path)?, &mut zip)?;
    }
    let cursor = zip.finish()?;
    let modified = files
        .iter()
        .map(|f| f.modified)
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    Ok(Bundle {
        bytes: Bytes::from(cursor.into_inner()),
        modified,
    })
}
