//! Submissions to a hosted contest, Kaggle's way: `StartSubmissionUpload` hands out a token and
//! an upload URL, `PUT /upload/<token>` takes the bytes (the URL is the capability, no auth),
//! `CreateSubmission` checks the daily allowance and records the submission PENDING, and a
//! background task scores it once into COMPLETE or ERROR. `GetSubmission`, `ListSubmissions`
//! and `GetLeaderboard` read the results.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sha2::{Digest, Sha256};

use super::contest::{self, Contest};
use super::reply::ApiError;
use super::scoring::{self, format_score};
use super::state::{NewSubmission, Put, Refused, Submission};
use super::{board, catalog, rpc, AppState, Shared};
use crate::wire::{
    ApiSubmission, CreateSubmissionRequest, CreateSubmissionResponse, GetLeaderboardRequest,
    GetLeaderboardResponse, GetSubmissionRequest, ListSubmissionsRequest, ListSubmissionsResponse,
    StartSubmissionUploadRequest, StartSubmissionUploadResponse,
};

/// The largest submission file accepted.
pub(super) const MAX_UPLOAD_BYTES: usize = 64 << 20;

/// ListSubmissions and GetLeaderboard pages, as Kaggle's.
const PAGE_SIZE: usize = 50;

/// What a scoring task scores against: the contest loaded when the submission was made, or,
/// for submissions a stopped server left PENDING, the competition to load again.
pub(super) enum Against {
    Loaded(Contest),
    Slug(String),
}

pub(super) async fn start_upload(
    shared: &AppState,
    team: String,
    req: StartSubmissionUploadRequest,
) -> Result<Response, ApiError> {
    if !(0..=MAX_UPLOAD_BYTES as i64).contains(&req.content_length) {
        return Err(ApiError::bad_request(format!(
            "contentLength must be from 0 to {MAX_UPLOAD_BYTES}, got {}",
            req.content_length
        )));
    }
    let token = new_token();
    let create_url = format!("{}/upload/{token}", shared.origin);
    let key = token.clone();
    blocking(shared, move |s| {
        contest::load(&s.data_dir, &req.competition_name)?;
        let name = req
            .file_name
            .rsplit(['/', '\\'])
            .next()
            .filter(|n| !n.is_empty())
            .unwrap_or("submission.csv");
        s.store.start_upload(
            &key,
            &req.competition_name,
            &team,
            name,
            req.content_length,
            &now(),
        )?;
        Ok(())
    })
    .await?;
    Ok(Json(StartSubmissionUploadResponse { token, create_url }).into_response())
}

/// `PUT /upload/<token>`: the file's bytes, exactly as many as announced.
pub(super) async fn upload(
    State(shared): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let got = body.len();
    match blocking(&shared, move |s| Ok(s.store.put_upload(&token, &body)?)).await? {
        Put::Stored => Ok(StatusCode::OK),
        Put::UnknownToken => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "Unknown or expired upload URL",
        )),
        Put::WrongLength { expected } => Err(ApiError::bad_request(format!(
            "Expected {expected} bytes (the contentLength given to StartSubmissionUpload), \
             got {got}"
        ))),
    }
}

pub(super) async fn create(
    shared: &AppState,
    team: String,
    req: CreateSubmissionRequest,
) -> Result<Response, ApiError> {
    let (id, contest) = blocking(shared, move |s| {
        let contest = contest::load(&s.data_dir, &req.competition_name)?;
        let max_daily = contest.settings.max_daily_submissions;
        let token = req.blob_file_tokens.trim();
        let date = now();
        let new = NewSubmission {
            competition: &req.competition_name,
            team: &team,
            token,
            description: &req.submission_description,
            date: &date,
            max_daily,
        };
        match s.store.create(&new)? {
            Ok(id) => Ok((id, contest)),
            Err(Refused::DailyLimit) => Err(ApiError::failed_precondition(format!(
                "Submission not allowed: Your team has used its daily Submission allowance \
                 ({max_daily}) today, please try again tomorrow UTC"
            ))),
            Err(Refused::UnknownToken) => Err(ApiError::bad_request(format!(
                "Unknown upload token '{token}' for {}: start one with StartSubmissionUpload",
                contest.slug
            ))),
            Err(Refused::NotUploaded) => Err(ApiError::bad_request(format!(
                "Nothing was uploaded for token '{token}': PUT the file to its createUrl first"
            ))),
        }
    })
    .await?;
    let message = format!("Successfully submitted to {}", contest.slug);
    tokio::spawn(score_later(shared.clone(), id, Against::Loaded(contest)));
    Ok(Json(CreateSubmissionResponse {
        message,
        reference: id,
    })
    .into_response())
}

pub(super) async fn get(
    shared: &AppState,
    team: String,
    req: GetSubmissionRequest,
) -> Result<Response, ApiError> {
    let id = req.reference;
    match blocking(shared, move |s| Ok(s.store.get(id)?)).await? {
        // Another team's submission is as invisible as a missing one.
        Some(submission) if submission.team == team => {
            Ok(Json(api_submission(submission)).into_response())
        }
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("Submission {id} not found"),
        )),
    }
}

pub(super) async fn list(
    shared: &AppState,
    team: String,
    req: ListSubmissionsRequest,
) -> Result<Response, ApiError> {
    let slug = req.competition_name.clone();
    let submissions = blocking(shared, move |s| {
        catalog::competition_dir(&s.data_dir, &slug)?
            .ok_or_else(|| ApiError::competition_not_found(&slug))?;
        Ok(s.store.list(&slug, &team)?)
    })
    .await?;
    let (submissions, next_page_token) = rpc::page_of(
        submissions.into_iter().map(api_submission).collect(),
        req.page_size,
        req.page_token.as_deref(),
        PAGE_SIZE,
    )?;
    Ok(Json(ListSubmissionsResponse {
        submissions,
        next_page_token,
    })
    .into_response())
}

pub(super) async fn leaderboard(
    shared: &AppState,
    req: GetLeaderboardRequest,
) -> Result<Response, ApiError> {
    let slug = req.competition_name.clone();
    let (metric, rows) = blocking(shared, move |s| {
        let contest = contest::load(&s.data_dir, &slug)?;
        Ok((contest.settings.metric, s.store.scored(&slug)?))
    })
    .await?;
    let private = req.override_public.unwrap_or(false);
    let entries = board::standings(rows, metric.higher_is_better(), private);
    let (submissions, next_page_token) =
        rpc::page_of(entries, req.page_size, req.page_token.as_deref(), PAGE_SIZE)?;
    Ok(Json(GetLeaderboardResponse {
        submissions,
        next_page_token,
    })
    .into_response())
}

/// Scores submission `id` on a blocking thread, at most [`super::Shared::scorers`] at a time.
pub(super) async fn score_later(shared: AppState, id: i64, against: Against) {
    let Ok(_permit) = shared.scorers.acquire().await else {
        return;
    };
    let worker = shared.clone();
    let _ = tokio::task::spawn_blocking(move || score_now(&worker, id, against)).await;
}

fn score_now(shared: &Shared, id: i64, against: Against) {
    let content = match shared.store.pending_content(id) {
        Ok(Some(content)) => content,
        // Scored already.
        Ok(None) => return,
        Err(e) => {
            eprintln!("submission {id}: cannot read it to score it: {e}");
            return;
        }
    };
    let contest = match against {
        Against::Loaded(contest) => Ok(contest),
        Against::Slug(slug) => contest::load(&shared.data_dir, &slug)
            .map_err(|e| format!("the competition cannot be scored: {}", e.message())),
    };
    let outcome = contest
        .and_then(|c| scoring::score(&c, &content))
        .map(|s| (s.public, s.private));
    match shared.store.finish(id, outcome) {
        Ok(true) => {
            shared.scored.fetch_add(1, Ordering::Relaxed);
        }
        Ok(false) => {}
        // Left PENDING: the next start scores it.
        Err(e) => eprintln!("submission {id}: cannot record its score: {e}"),
    }
}

fn api_submission(s: Submission) -> ApiSubmission {
    ApiSubmission {
        reference: s.id,
        total_bytes: s.total_bytes,
        date: s.date,
        description: s.description,
        error_description: s.error,
        file_name: s.file_name,
        public_score: format_score(s.public_score),
        private_score: format_score(s.private_score),
        status: s.status,
        submitted_by: s.team.clone(),
        team_name: s.team,
        url: String::new(),
    }
}

/// Now, as the RFC 3339 UTC timestamps submissions carry: `2025-05-25T18:32:44.883Z`.
pub(super) fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// 128 unguessable bits in hex: the upload URL is the only credential a PUT needs. The
/// randomness is std's per-process random hash keys, mixed with the time and a counter.
fn new_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(RandomState::new().hash_one(n).to_le_bytes());
    hasher.update(RandomState::new().hash_one(nanos).to_le_bytes());
    hasher.update(n.to_le_bytes());
    hasher.update(nanos.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs `f` on a blocking thread: SQLite and the solution file must not stall the runtime.
async fn blocking<T, F>(shared: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Shared) -> Result<T, ApiError> + Send + 'static,
{
    let shared = shared.clone();
    tokio::task::spawn_blocking(move || f(&shared))
        .await
        .map_err(|e| ApiError::internal(format!("request task failed: {e}")))?
}
