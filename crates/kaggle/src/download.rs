//! Streaming one file to disk, resumably.
//!
//! The body goes to `<dest>.part`. After an interruption the same storage URL is asked for
//! `Range: bytes=<have>-`, and the tail is appended only when the server answers 206 with a
//! `Content-Range` that starts exactly there; any other answer restarts the file from zero, so
//! a server that ignores `Range` cannot corrupt it. The file is renamed to `dest` only when its
//! size matches what the server announced (and what the listing said).

use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use reqwest::header::{CONTENT_RANGE, RANGE};
use reqwest::StatusCode;
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use crate::client::{backoff, describe, retry_after, transient, Client, MAX_RETRIES};
use crate::error::{KaggleError, Result};

fn part_path(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!("{name}.part"))
}

/// `bytes START-END/TOTAL` → (START, TOTAL).
fn content_range(resp: &reqwest::Response) -> Option<(u64, Option<u64>)> {
    let v = resp.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    let rest = v.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let start = range.split_once('-')?.0.trim().parse().ok()?;
    Some((start, total.trim().parse().ok()))
}

async fn size_of(path: &Path) -> u64 {
    tokio::fs::metadata(path)
        .await
        .map(|m| m.len())
        .unwrap_or(0)
}

pub(crate) async fn download(
    client: &Client,
    method: &str,
    req: &impl Serialize,
    competition: &str,
    dest: &Path,
    expected: Option<u64>,
    bar: &ProgressBar,
) -> Result<u64> {
    let file = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fail = |message: String| KaggleError::Download {
        file: file.clone(),
        message,
    };
    let part = part_path(dest);
    if let Some(dir) = dest.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| KaggleError::io(dir, e))?;
    }
    // The storage URL the RPC redirected to; later attempts go there directly.
    let mut storage: Option<reqwest::Url> = None;
    let mut attempt = 0;
    let mut last_error = String::new();
    while attempt <= MAX_RETRIES {
        let have = size_of(&part).await;
        let mut request = match &storage {
            Some(url) => client.http().get(url.clone()),
            None => client.request(method, req),
        };
        if have > 0 {
            request = request.header(RANGE, format!("bytes={have}-"));
        }
        let resp = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                last_error = describe(e);
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
                continue;
            }
        };
        let status = resp.status();
        let url = resp.url().to_string();
        if !status.is_success() {
            if status == StatusCode::RANGE_NOT_SATISFIABLE {
                // What we have does not fit the file any more: start over.
                let _ = tokio::fs::remove_file(&part).await;
                attempt += 1;
                continue;
            }
            let wait = retry_after(&resp);
            let body = resp.text().await.unwrap_or_default();
            if !transient(status) {
                return Err(client.error_for(status, &body, &url, Some(competition)));
            }
            last_error = format!("HTTP {status}");
            tokio::time::sleep(wait.unwrap_or_else(|| backoff(attempt))).await;
            attempt += 1;
            continue;
        }
        storage = Some(resp.url().clone());
        let (append, total) = match (status, content_range(&resp)) {
            (StatusCode::PARTIAL_CONTENT, Some((start, total))) if start == have => (true, total),
            (StatusCode::PARTIAL_CONTENT, _) => {
                // A range we did not ask for: discard and restart from zero.
                let _ = tokio::fs::remove_file(&part).await;
                attempt += 1;
                continue;
            }
            _ => (false, resp.content_length()),
        };
        let mut out = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&part)
            .await
            .map_err(|e| KaggleError::io(&part, e))?;
        let mut written = if append { have } else { 0 };
        if let Some(t) = total {
            bar.set_length(t);
        }
        bar.set_position(written);
        let mut resp = resp;
        let mut broken = false;
        loop {
            match resp.chunk().await {
                Ok(Some(bytes)) => {
                    out.write_all(&bytes)
                        .await
                        .map_err(|e| KaggleError::io(&part, e))?;
                    written += bytes.len() as u64;
                    bar.set_position(written);
                }
                Ok(None) => break,
                Err(e) => {
                    last_error = describe(e);
                    broken = true;
                    break;
                }
            }
        }
        out.flush().await.map_err(|e| KaggleError::io(&part, e))?;
        out.sync_all()
            .await
            .map_err(|e| KaggleError::io(&part, e))?;
        drop(out);
        if broken || total.is_some_and(|t| written < t) {
            if !broken {
                last_error = format!(
                    "connection closed after {written} of {} bytes",
                    total.unwrap_or(0)
                );
            }
            tokio::time::sleep(backoff(attempt)).await;
            attempt += 1;
            continue;
        }
        if let Some(t) = total.filter(|t| written != *t) {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(fail(format!(
                "received {written} bytes, the server announced {t}"
            )));
        }
        if let Some(e) = expected.filter(|e| written != *e) {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(fail(format!(
                "received {written} bytes, the file list says {e}"
            )));
        }
        tokio::fs::rename(&part, dest)
            .await
            .map_err(|e| KaggleError::io(dest, e))?;
        return Ok(written);
    }
    Err(fail(format!(
        "gave up after {} attempts: {last_error}",
        MAX_RETRIES + 1
    )))
}
