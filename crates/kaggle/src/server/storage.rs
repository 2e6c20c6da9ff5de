//! The stand-in for Kaggle's signed storage URLs: `GET /storage/<slug>/<file>` and the bundle
//! zip, with byte ranges, a streamed body, and the faults that test a client's resume logic.

use std::time::{Duration, SystemTime};

use axum::extract::{Path, State};
use axum::http::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, LAST_MODIFIED, RANGE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::body::{self, Source};
use super::range::{self, Wanted};
use super::reply::ApiError;
use super::{bundle, catalog, AppState};

pub(super) fn file_url(origin: &str, slug: &str, name: &str) -> String {
    format!("{origin}/storage/{}/{}", encode(slug), encode(name))
}

pub(super) fn bundle_url(origin: &str, slug: &str) -> String {
    format!("{origin}/storage/{}/bundle/archive.zip", encode(slug))
}

pub(super) async fn file(
    State(shared): State<AppState>,
    Path((slug, name)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let dir = catalog::competition_dir(&shared.data_dir, &slug)?
        .ok_or_else(|| ApiError::competition_not_found(&slug))?;
    let file =
        catalog::data_file(&dir, &name)?.ok_or_else(|| ApiError::file_not_found(&slug, &name))?;
    let source = Source::File(file.path);
    send(&shared, source, file.size, file.modified, &method, &headers).await
}

pub(super) async fn bundle(
    State(shared): State<AppState>,
    Path(slug): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let dir = catalog::competition_dir(&shared.data_dir, &slug)?
        .ok_or_else(|| ApiError::competition_not_found(&slug))?;
    let zip = bundle::get_or_build(&shared, &slug, &dir).await?;
    let len = zip.bytes.len() as u64;
    send(
        &shared,
        Source::Memory(zip.bytes),
        len,
        zip.modified,
        &method,
        &headers,
    )
    .await
}

async fn send(
    shared: &AppState,
    source: Source,
    len: u64,
    modified: SystemTime,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let (ignore_range, delay_ms) = {
        let faults = shared.faults();
        (faults.ignore_range, faults.chunk_delay_ms)
    };
    let wanted = if ignore_range {
        Wanted::Whole
    } else {
        range::wanted(headers.get(RANGE), len)
    };
    let (status, start, end) = match wanted {
        Wanted::Whole => (StatusCode::OK, 0, len),
        Wanted::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end),
        Wanted::Unsatisfiable => {
            let content_range = format!("bytes */{len}");
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(CONTENT_RANGE, content_range)],
            )
                .into_response());
        }
    };
    let body_len = end - start;
    let cut_after = if *method == Method::GET {
        shared.faults().take_drop_after()
    } else {
        None
    };
    // A cut at or past the end is no cut: the body completes normally.
    let cut_after = cut_after.filter(|&n| n < body_len);
    let delay = Duration::from_millis(delay_ms);
    let body = body::streamed(source, start, body_len, cut_after, delay).await?;
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let h = response.headers_mut();
    // Announced in full even when a fault cuts the body: that is how a client notices.
    h.insert(CONTENT_LENGTH, HeaderValue::from(body_len));
    h.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(date) = HeaderValue::from_str(&httpdate::fmt_http_date(modified)) {
        h.insert(LAST_MODIFIED, date);
    }
    if status == StatusCode::PARTIAL_CONTENT {
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{}/{len}", end - 1)) {
            h.insert(CONTENT_RANGE, value);
        }
    }
    Ok(response)
}

/// Percent-encodes one path segment; everything but RFC 3986 unreserved characters.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
