//! Streaming one file to disk, resumably, without ever mixing two versions of it.
//!
//! The body goes to `<dest>.part`, and the validator of the version being fetched (its strong
//! ETag, else its Last-Modified, and its size) to `<dest>.part.json` beside it. After an
//! interruption (a retry in this run, or a later run) the same storage URL is asked for
//! `Range: bytes=<have>-` with `If-Range: <validator>`, and the tail is appended only when
//! the server answers 206 with a `Content-Range` that starts exactly there and the same
//! validator and size. Anything else restarts the file from zero: a 200 (the file changed, or
//! the server ignores ranges), a 206 for another version or another range, or a partial file
//! whose validator is unknown. No more bytes are written than the server announced and the
//! listing said, and the file is renamed to `dest` only when its size matches both.

use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use reqwest::header::{CONTENT_RANGE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::cache::{PART_SUFFIX, VALIDATOR_SUFFIX};
use crate::client::{backoff, describe, error_body, retry_after, transient, Client, MAX_RETRIES};
use crate::error::{KaggleError, Result};

/// The longest ETag or Last-Modified value remembered.
const MAX_VALIDATOR_BYTES: usize = 512;

fn beside(dest: &Path, suffix: &str) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!("{name}{suffix}"))
}

/// `bytes START-END/TOTAL` → (START, TOTAL); TOTAL is `None` for `*`.
fn content_range(resp: &reqwest::Response) -> Option<(u64, Option<u64>)> {
    let v = resp.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    let rest = v.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let start = range.split_once('-')?.0.trim().parse().ok()?;
    Some((start, total.trim().parse().ok()))
}

/// Which version of a file a partial download holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Validator {
    /// A strong ETag (weak ones cannot guard a byte range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_modified: Option<String>,
    /// The whole file's size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
}

impl Validator {
    fn of(resp: &reqwest::Response, size: Option<u64>) -> Validator {
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.len() <= MAX_VALIDATOR_BYTES)
                .map(str::to_string)
        };
        Validator {
            etag: header(ETAG).filter(|e| !e.starts_with("W/")),
            last_modified: header(LAST_MODIFIED).filter(|d| httpdate::parse_http_date(d).is_ok()),
            size,
        }
    }

    /// The `If-Range` value: the strong ETag, else the date; `None` when there is neither.
    fn if_range(&self) -> Option<&str> {
        self.etag.as_deref().or(self.last_modified.as_deref())
    }

    /// Whether a 206 answer (`now`) is of the version this partial file holds.
    fn same_version(&self, now: &Validator) -> bool {
        if self.if_range().is_none() {
            return false;
        }
        let etag = match &self.etag {
            Some(e) => now.etag.as_ref() == Some(e),
            None => true,
        };
        let date = match (&self.last_modified, &now.last_modified) {
            (Some(a), Some(b)) => a == b,
            (Some(_), None) => self.etag.is_some(),
            (None, _) => true,
        };
        let size = match self.size {
            Some(n) => now.size == Some(n),
            None => true,
        };
        etag && date && size
    }
}

async fn load_validator(path: &Path) -> Option<Validator> {
    let text = tokio::fs::read(path).await.ok()?;
    serde_json::from_slice(&text).ok()
}

async fn save_validator(path: &Path, v: &Validator) -> Result<()> {
    if v.if_range().is_none() {
        let _ = tokio::fs::remove_file(path).await;
        return Ok(());
    }
    let text = serde_json::to_vec(v).map_err(|e| KaggleError::Invalid(e.to_string()))?;
    tokio::fs::write(path, text)
        .await
        .map_err(|e| KaggleError::io(path, e))
}

async fn discard(part: &Path, info: &Path) {
    let _ = tokio::fs::remove_file(part).await;
    let _ = tokio::fs::remove_file(info).await;
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
        .map(|n| crate::cache::shown(&n.to_string_lossy()))
        .unwrap_or_default();
    let fail = |message: String| KaggleError::Download {
        file: file.clone(),
        message,
    };
    // Bytes that disagree with what the server itself said: its fault, not the network's, so
    // no "run it again" (the download was discarded; nothing was stored).
    let inconsistent = |message: String| KaggleError::Misbehaving {
        server: client.server().to_string(),
        message: format!("{message}; the download of {file} was discarded"),
    };
    let max = client.limits().max_file_bytes;
    let too_big = |what: &str, n: u64| KaggleError::Misbehaving {
        server: client.server().to_string(),
        message: format!("{what} {file} at {n} bytes, more than the {max} accepted"),
    };
    if let Some(e) = expected.filter(|e| *e > max) {
        return Err(too_big("lists", e));
    }
    let part = beside(dest, PART_SUFFIX);
    let info = beside(dest, VALIDATOR_SUFFIX);
    if let Some(dir) = dest.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| KaggleError::io(dir, e))?;
    }
    // The storage URL the RPC redirected to; later attempts go there directly. A server that
    // answers the RPC with the bytes themselves is asked by the RPC again (a POST with the
    // credentials), not by a bare GET of the RPC's address.
    let rpc_url = reqwest::Url::parse(&client.url(method)).ok();
    let mut storage: Option<reqwest::Url> = None;
    let mut attempt = 0;
    let mut last_error = String::new();
    while attempt <= MAX_RETRIES {
        let mut have = size_of(&part).await;
        let saved = if have > 0 {
            load_validator(&info).await
        } else {
            None
        };
        let if_range = saved
            .as_ref()
            .and_then(Validator::if_range)
            .map(str::to_string);
        if have > 0 && if_range.is_none() {
            // Which version these bytes are of is unknown: they cannot be continued.
            discard(&part, &info).await;
            have = 0;
        }
        let mut request = match &storage {
            Some(url) => client.http().get(url.clone()),
            None => client.request(method, req),
        };
        if let Some(validator) = if_range.filter(|_| have > 0) {
            request = request
                .header(RANGE, format!("bytes={have}-"))
                .header(IF_RANGE, validator);
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
                discard(&part, &info).await;
                attempt += 1;
                continue;
            }
            let wait = retry_after(&resp);
            let body = error_body(resp).await;
            if !transient(status) {
                return Err(client.error_for(status, &body, &url, Some(competition)));
            }
            last_error = format!("HTTP {status}");
            tokio::time::sleep(wait.unwrap_or_else(|| backoff(attempt))).await;
            attempt += 1;
            continue;
        }
        if storage.is_some() || rpc_url.as_ref() != Some(resp.url()) {
            storage = Some(resp.url().clone());
        }
        let (append, total) = match (status, content_range(&resp)) {
            (StatusCode::PARTIAL_CONTENT, Some((start, total)))
                if have > 0
                    && start == have
                    && saved
                        .as_ref()
                        .is_some_and(|v| v.same_version(&Validator::of(&resp, total))) =>
            {
                (true, total)
            }
            // The whole file as a range: as good as a 200.
            (StatusCode::PARTIAL_CONTENT, Some((0, total))) if have == 0 => (false, total),
            (StatusCode::PARTIAL_CONTENT, _) => {
                // A range we did not ask for, or of another version: restart from zero.
                discard(&part, &info).await;
                attempt += 1;
                continue;
            }
            _ => (false, resp.content_length()),
        };
        if let Some(t) = total.filter(|t| *t > max) {
            discard(&part, &info).await;
            return Err(too_big("announced", t));
        }
        if let (Some(t), Some(e)) = (total, expected) {
            if t != e {
                discard(&part, &info).await;
                return Err(inconsistent(format!(
                    "announced {file} at {t} bytes, its file list says {e}"
                )));
            }
        }
        if !append {
            save_validator(&info, &Validator::of(&resp, total)).await?;
        }
        let mut out = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&part)
            .await
            .map_err(|e| KaggleError::io(&part, e))?;
        let mut written = if append { have } else { 0 };
        // Never more than announced, listed, or accepted.
        let limit = [total, expected, Some(max)]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(max);
        if let Some(t) = total {
            bar.set_length(t);
        }
        bar.set_position(written);
        let mut resp = resp;
        let mut broken = false;
        loop {
            match resp.chunk().await {
                Ok(Some(bytes)) => {
                    let n = bytes.len() as u64;
                    if written.saturating_add(n) > limit {
                        drop(out);
                        discard(&part, &info).await;
                        return Err(inconsistent(format!(
                            "sent more of {file} than the {limit} bytes expected"
                        )));
                    }
                    out.write_all(&bytes)
                        .await
                        .map_err(|e| KaggleError::io(&part, e))?;
                    written += n;
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
            discard(&part, &info).await;
            return Err(inconsistent(format!(
                "sent {written} bytes of {file}, having announced {t}"
            )));
        }
        if let Some(e) = expected.filter(|e| written != *e) {
            discard(&part, &info).await;
            return Err(inconsistent(format!(
                "sent {written} bytes of {file}, its file list says {e}"
            )));
        }
        let _ = tokio::fs::remove_file(&info).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn v(etag: Option<&str>, date: Option<&str>, size: Option<u64>) -> Validator {
        Validator {
            etag: etag.map(str::to_string),
            last_modified: date.map(str::to_string),
            size,
        }
    }

    #[test]
    fn a_range_continues_only_the_same_version() {
        let date = "Wed, 21 Oct 2015 07:28:00 GMT";
        let other = "Wed, 21 Oct 2015 07:29:00 GMT";
        let held = v(Some("\"a\""), Some(date), Some(10));
        assert!(held.same_version(&v(Some("\"a\""), Some(date), Some(10))));
        assert!(!held.same_version(&v(Some("\"b\""), Some(date), Some(10))));
        assert!(!held.same_version(&v(None, Some(date), Some(10))));
        assert!(!held.same_version(&v(Some("\"a\""), Some(date), Some(11))));
        assert!(!held.same_version(&v(Some("\"a\""), Some(date), None)));
        let dated = v(None, Some(date), Some(10));
        assert!(dated.same_version(&v(None, Some(date), Some(10))));
        assert!(!dated.same_version(&v(None, Some(other), Some(10))));
        assert!(!dated.same_version(&v(None, None, Some(10))));
        // Nothing to tell versions apart by: never continued.
        assert!(!v(None, None, Some(10)).same_version(&v(None, None, Some(10))));
        assert_eq!(held.if_range(), Some("\"a\""));
        assert_eq!(dated.if_range(), Some(date));
    }
}
