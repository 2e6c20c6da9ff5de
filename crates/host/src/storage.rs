//! Kaggle's signed storage URLs: `GET /storage/<slug>/<file>?expires=..&signature=..` and the
//! bundle zip, with byte ranges, a streamed body, and the faults that test a client's resume
//! logic. Only URLs signed by this server and not yet expired are served (403 otherwise), and
//! only files the competition's listing holds (never `solution.csv` or `competition.toml`).

use std::time::{Duration, SystemTime};

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, LAST_MODIFIED, RANGE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::body::{self, Source};
use super::range::{self, Wanted};
use super::reply::ApiError;
use super::signing::Target;
use super::{bundle, catalog, AppState, Shared};

/// A URL serving file `name` of `slug` until the signer's lifetime from now has passed.
pub(super) fn file_url(shared: &Shared, slug: &str, name: &str) -> String {
    let query = shared
        .signer
        .query(Target::File { slug, name }, SystemTime::now());
    format!(
        "{}/storage/{}/{}?{query}",
        shared.origin,
        encode(slug),
        encode(name)
    )
}

/// A URL serving the zip of every file of `slug`, for as long.
pub(super) fn bundle_url(shared: &Shared, slug: &str) -> String {
    let query = shared
        .signer
        .query(Target::Bundle { slug }, SystemTime::now());
    format!(
        "{}/storage/{}/bundle/archive.zip?{query}",
        shared.origin,
        encode(slug)
    )
}

/// 403 unless `query` signs `target` and has not expired.
fn signed(shared: &Shared, target: Target<'_>, query: Option<&str>) -> Result<(), ApiError> {
    shared
        .signer
        .check(target, query, SystemTime::now())
        .map_err(|refused| ApiError::new(StatusCode::FORBIDDEN, refused.to_string()))
}

pub(super) async fn file(
    State(shared): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path((slug, name)) = path.map_err(ApiError::from)?;
    signed(
        &shared,
        Target::File {
            slug: &slug,
            name: &name,
        },
        query.as_deref(),
    )?;
    let dir = catalog::competition_dir(&shared.data_dir, &slug)?
        .ok_or_else(|| ApiError::competition_not_found(&slug))?;
    let file =
        catalog::data_file(&dir, &name)?.ok_or_else(|| ApiError::file_not_found(&slug, &name))?;
    let source = Source::File(file.path);
    send(&shared, source, file.size, file.modified, &method, &headers).await
}

pub(super) async fn bundle(
    State(shared): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(slug) = path.map_err(ApiError::from)?;
    signed(&shared, Target::Bundle { slug: &slug }, query.as_deref())?;
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
