//! Every request passes here first: it is counted for [`super::ServerStats`], then possibly
//! answered by an injected fault instead of its handler.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::http::header::{RANGE, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::reply::ApiError;
use super::{AppState, ServerStats};

#[derive(Debug, Default)]
pub(super) struct Counters {
    rpc: AtomicU64,
    storage_gets: AtomicU64,
    range_gets: AtomicU64,
    errors: AtomicU64,
}

impl Counters {
    pub(super) fn snapshot(&self) -> ServerStats {
        ServerStats {
            rpc: self.rpc.load(Ordering::Relaxed),
            storage_gets: self.storage_gets.load(Ordering::Relaxed),
            range_gets: self.range_gets.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Rpc,
    Storage,
}

impl Kind {
    fn of(method: &Method, path: &str) -> Option<Kind> {
        if path.starts_with("/v1/") || path.starts_with("/api/v1/") {
            Some(Kind::Rpc)
        } else if path.starts_with("/storage/") && method == Method::GET {
            Some(Kind::Storage)
        } else {
            None
        }
    }
}

pub(super) async fn gate(State(shared): State<AppState>, request: Request, next: Next) -> Response {
    let kind = Kind::of(request.method(), request.uri().path());
    let counters = &shared.counters;
    match kind {
        Some(Kind::Rpc) => bump(&counters.rpc),
        Some(Kind::Storage) => {
            bump(&counters.storage_gets);
            if request.headers().contains_key(RANGE) {
                bump(&counters.range_gets);
            }
        }
        None => {}
    }
    let injected = kind.and_then(|kind| injected_fault(&shared, kind));
    let response = match injected {
        Some(response) => response,
        None => next.run(request).await,
    };
    if response.status().is_client_error() || response.status().is_server_error() {
        bump(&counters.errors);
    }
    response
}

/// A 500 takes precedence over a 429 when both are armed, so each request consumes one fault.
fn injected_fault(shared: &AppState, kind: Kind) -> Option<Response> {
    let mut faults = shared.faults();
    if faults.take_error_500() {
        return Some(ApiError::internal("Internal error").into_response());
    }
    if kind == Kind::Rpc && faults.take_rate_limit() {
        let mut response =
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests").into_response();
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(faults.retry_after_secs));
        return Some(response);
    }
    None
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}
