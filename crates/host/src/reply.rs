//! Error answers in Kaggle's nested envelope, so clients parse ours like the real ones.

use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;

use kreplay_kaggle::wire::{ErrorBody, ErrorEnvelope};

#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    message: String,
    /// The google.rpc code name, when it is not the one the HTTP status implies.
    code_name: Option<&'static str>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            code_name: None,
        }
    }

    /// A 400 whose `status` is FAILED_PRECONDITION: the request is fine, the moment is not
    /// (Kaggle's daily submission limit).
    pub(super) fn failed_precondition(message: impl Into<String>) -> Self {
        ApiError {
            code_name: Some("FAILED_PRECONDITION"),
            ..Self::bad_request(message)
        }
    }

    pub(super) fn message(&self) -> &str {
        &self.message
    }

    pub(super) fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthenticated")
    }

    pub(super) fn competition_not_found(slug: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("Competition '{slug}' not found"),
        )
    }

    pub(super) fn file_not_found(slug: &str, name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("File '{name}' not found in '{slug}'"),
        )
    }

    pub(super) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(super) fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message.to_string())
    }
}

/// A folder that cannot be read is the server's fault, not the request's.
impl From<std::io::Error> for ApiError {
    fn from(err: std::io::Error) -> Self {
        Self::internal(err)
    }
}

/// A request axum could not take apart (a path segment that is not UTF-8, a body too large
/// or cut off), in the same envelope as every other error.
impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::PathRejection) -> Self {
        Self::new(rejection.status(), rejection.body_text())
    }
}

impl From<axum::extract::rejection::BytesRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::BytesRejection) -> Self {
        Self::new(rejection.status(), rejection.body_text())
    }
}

/// An upload's file failing to be stored is the server's fault.
impl From<super::state::StoreError> for ApiError {
    fn from(err: super::state::StoreError) -> Self {
        match err {
            super::state::StoreError::Db(e) => e.into(),
            e => Self::internal(e),
        }
    }
}

/// The state database failing is the server's fault too.
impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        Self::internal(format!("submission state: {err}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let envelope = ErrorEnvelope {
            error: ErrorBody {
                code: self.status.as_u16(),
                message: self.message,
                status: self
                    .code_name
                    .unwrap_or_else(|| status_name(self.status))
                    .to_string(),
            },
        };
        (self.status, Json(envelope)).into_response()
    }
}

/// The google.rpc code names Kaggle puts in `status`.
fn status_name(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "INVALID_ARGUMENT",
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
        StatusCode::FORBIDDEN => "PERMISSION_DENIED",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::REQUEST_TIMEOUT => "DEADLINE_EXCEEDED",
        StatusCode::CONFLICT => "ABORTED",
        StatusCode::PAYLOAD_TOO_LARGE => "RESOURCE_EXHAUSTED",
        StatusCode::RANGE_NOT_SATISFIABLE => "OUT_OF_RANGE",
        StatusCode::TOO_MANY_REQUESTS => "RESOURCE_EXHAUSTED",
        StatusCode::NOT_IMPLEMENTED => "UNIMPLEMENTED",
        StatusCode::SERVICE_UNAVAILABLE => "UNAVAILABLE",
        _ if status.is_server_error() => "INTERNAL",
        _ => "UNKNOWN",
    }
}

pub(super) async fn unknown_route(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("No route for '{}'", uri.path()),
    )
}
