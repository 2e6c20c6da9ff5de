//! Submissions to a hosted contest, Kaggle's way: `StartSubmissionUpload` hands out a token and
//! an upload URL, `PUT /upload/<token>` takes the bytes (the URL is the capability, no auth),
//! `CreateSubmission` checks the daily allowance and records the submission PENDING, and a
//! background task scores it once into COMPLETE or ERROR. `GetSubmission`, `ListSubmissions`
//! and `GetLeaderboard` read the results; private scores only once the competition's deadline
//! has passed or the host revealed them.
//!
//! Uploads are bounded: at most `max_upload_bytes` each, streamed to a file (never held in
//! memory), at most `max_pending_uploads` in progress per team, forgotten after
//! `upload_lifetime` by a sweep that runs while the server does.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::path::Path as FsPath;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::contest::{self, Contest};
use super::reply::ApiError;
use super::scoring::{self, format_score};
use super::state::{NewSubmission, Put, Refused, Submission};
use super::{board, catalog, rpc, AppState, Shared};
use kreplay_kaggle::wire::{
    ApiSubmission, CreateSubmissionRequest, CreateSubmissionResponse, GetLeaderboardRequest,
    GetLeaderboardResponse, GetSubmissionRequest, ListSubmissionsRequest, ListSubmissionsResponse,
    StartSubmissionUploadRequest, StartSubmissionUploadResponse,
};

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
    let max = shared.limits.max_upload_bytes;
    if u64::try_from(req.content_length).map_or(true, |n| n > max) {
        return Err(ApiError::bad_request(format!(
            "contentLength must be from 0 to {max} (the largest submission this host takes), \
             got {}",
            req.content_length
        )));
    }
    let token = new_token();
    let create_url = format!("{}/upload/{token}", shared.origin);
    let key = token.clone();
    blocking(shared, move |s| {
        contest::load(&s.data_dir, &req.competition_name)?;
        let name = file_name(&req.file_name);
        let now = now();
        s.store
            .forget_stale_uploads(&now, s.limits.upload_lifetime)?;
        s.store.start_upload(
            &key,
            &req.competition_name,
            &team,
            &name,
            req.content_length,
            &now,
            s.limits.max_pending_uploads,
        )?;
        Ok(())
    })
    .await?;
    Ok(Json(StartSubmissionUploadResponse { token, create_url }).into_response())
}

/// The last part of a client's path to its file, at most 255 bytes of it, without control
/// characters; `submission.csv` when nothing is left.
fn file_name(path: &str) -> String {
    let last = path.rsplit(['/', '\\']).next().unwrap_or("");
    let mut name = String::new();
    for c in last.chars().filter(|c| !c.is_control()) {
        if name.len() + c.len_utf8() > 255 {
            break;
        }
        name.push(c);
    }
    if name.trim().is_empty() {
        "submission.csv".into()
    } else {
        name
    }
}

/// `PUT /upload/<token>`: the file's bytes, exactly as many as announced, streamed into a file
/// of the spool folder: 413 past `max_upload_bytes`, 400 past the announced length, 408 when
/// the body stalls for `upload_idle`, 409 while another PUT of the same upload is streaming.
pub(super) async fn upload(
    State(shared): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let Path(token) = path.map_err(ApiError::from)?;
    let max = shared.limits.max_upload_bytes;
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > max) {
        return Err(too_large(max));
    }
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, "Unknown or expired upload URL");
    let lookup = token.clone();
    let receiving = blocking(&shared, move |s| Ok(s.store.receiving(&lookup)?))
        .await?
        .ok_or_else(unknown)?;
    let expected = u64::try_from(receiving.expected).unwrap_or(0);
    if let Some(n) = announced.filter(|&n| n != expected) {
        return Err(wrong_length(receiving.expected, &n.to_string()));
    }
    let _streaming = Streaming::claim(&shared, &token).ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "Another PUT of this upload is in progress",
        )
    })?;
    let part = receiving.part.clone();
    let got = match spool(body, &part, expected, max, shared.limits.upload_idle).await {
        Ok(got) => got,
        Err(e) => {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(e);
        }
    };
    let put = blocking(&shared, move |s| {
        Ok(s.store.put_upload(&token, &part, got)?)
    })
    .await;
    match put {
        Ok(Put::Stored) => Ok(StatusCode::OK),
        Ok(Put::UnknownToken) => Err(unknown()),
        Ok(Put::WrongLength { expected }) => Err(wrong_length(expected, &got.to_string())),
        Err(e) => {
            let _ = tokio::fs::remove_file(&receiving.part).await;
            Err(e)
        }
    }
}

/// Streams `body` into a new file `part`; the bytes written. Stops at the first byte past
/// `expected` (413 when that is past `max` too, else 400).
async fn spool(
    body: Body,
    part: &FsPath,
    expected: u64,
    max: u64,
    idle: Duration,
) -> Result<u64, ApiError> {
    let mut file = tokio::fs::File::create(part).await?;
    let mut stream = body.into_data_stream();
    let mut got: u64 = 0;
    loop {
        let next = tokio::time::timeout(idle, stream.next())
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "The upload sent nothing for {} s; PUT the file again",
                        idle.as_secs()
                    ),
                )
            })?;
        let Some(chunk) = next else {
            break;
        };
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("The upload broke off: {e}")))?;
        got = got.saturating_add(chunk.len() as u64);
        if got > max {
            return Err(too_large(max));
        }
        if got > expected {
            return Err(wrong_length(
                i64::try_from(expected).unwrap_or(i64::MAX),
                "more",
            ));
        }
        file.write_all(&chunk).await?;
    }
    file.sync_all().await?;
    Ok(got)
}

fn too_large(max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The upload is larger than {max} bytes, the largest submission this host takes"),
    )
}

fn wrong_length(expected: i64, got: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Expected {expected} bytes (the contentLength given to StartSubmissionUpload), got {got}"
    ))
}

/// An upload token with a PUT streaming in, released on drop.
struct Streaming<'a> {
    shared: &'a Shared,
    token: String,
}

impl<'a> Streaming<'a> {
    fn claim(shared: &'a Shared, token: &str) -> Option<Streaming<'a>> {
        let mut receiving = shared
            .receiving
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        receiving.insert(token.to_string()).then(|| Streaming {
            shared,
            token: token.to_string(),
        })
    }
}

impl Drop for Streaming<'_> {
    fn drop(&mut self) {
        self.shared
            .receiving
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.token);
    }
}

/// Forgets abandoned uploads every quarter of their lifetime (at most every 5 minutes, at
/// least every second) for as long as the server runs.
pub(super) async fn sweep_uploads(shared: AppState) {
    let lifetime = shared.limits.upload_lifetime;
    let every = (lifetime / 4).clamp(Duration::from_secs(1), Duration::from_secs(300));
    loop {
        tokio::time::sleep(every).await;
        let swept = blocking(&shared, move |s| {
            Ok(s.store.forget_stale_uploads(&now(), lifetime)?)
        })
        .await;
        if let Err(e) = swept {
            eprintln!("sweeping abandoned uploads: {}", e.message());
        }
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
    let found = blocking(shared, move |s| {
        Ok(s.store
            .get(id)?
            .filter(|submission| submission.team == team)
            .map(|submission| {
                let private = private_visible(s, &submission.competition);
                (submission, private)
            }))
    })
    .await?;
    match found {
        Some((submission, private)) => {
            Ok(Json(api_submission(submission, private)).into_response())
        }
        // Another team's submission is as invisible as a missing one.
        None => Err(ApiError::new(
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
    let (submissions, private) = blocking(shared, move |s| {
        catalog::competition_dir(&s.data_dir, &slug)?
            .ok_or_else(|| ApiError::competition_not_found(&slug))?;
        Ok((s.store.list(&slug, &team)?, private_visible(s, &slug)))
    })
    .await?;
    let (submissions, next_page_token) = rpc::page_of(
        submissions
            .into_iter()
            .map(|s| api_submission(s, private))
            .collect(),
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

/// The board: public by default; private (`overridePublic`) only once the deadline has
/// passed or the host revealed it, refused with FAILED_PRECONDITION before.
pub(super) async fn leaderboard(
    shared: &AppState,
    req: GetLeaderboardRequest,
) -> Result<Response, ApiError> {
    let slug = req.competition_name.clone();
    let (contest, rows) = blocking(shared, move |s| {
        let contest = contest::load(&s.data_dir, &slug)?;
        Ok((contest, s.store.scored(&slug)?))
    })
    .await?;
    let settings = &contest.settings;
    let private = req.override_public == Some(true);
    if private && !settings.private_visible(shared.reveal, SystemTime::now()) {
        let until = match settings.deadline {
            Some(d) => format!("its deadline, {}", humantime::format_rfc3339_seconds(d)),
            None => "the host reveals it".into(),
        };
        return Err(ApiError::failed_precondition(format!(
            "The private leaderboard of {} is hidden until {until}",
            contest.slug
        )));
    }
    let entries = board::standings(rows, settings.metric.higher_is_better(), private);
    let (submissions, next_page_token) =
        rpc::page_of(entries, req.page_size, req.page_token.as_deref(), PAGE_SIZE)?;
    Ok(Json(GetLeaderboardResponse {
        submissions,
        next_page_token,
    })
    .into_response())
}

/// Whether participants may see `slug`'s private scores now. A competition.toml that cannot
/// be read hides them unless the host revealed every competition.
fn private_visible(shared: &Shared, slug: &str) -> bool {
    let settings = catalog::competition_dir(&shared.data_dir, slug)
        .ok()
        .flatten()
        .and_then(|dir| contest::read_settings(&dir, slug).ok().flatten());
    match settings {
        Some(settings) => settings.private_visible(shared.reveal, SystemTime::now()),
        None => shared.reveal,
    }
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

/// A submission as the API shows it; its private score blank unless `private`.
fn api_submission(s: Submission, private: bool) -> ApiSubmission {
    ApiSubmission {
        reference: s.id,
        total_bytes: s.total_bytes,
        date: s.date,
        description: s.description,
        error_description: s.error,
        file_name: s.file_name,
        public_score: format_score(s.public_score),
        private_score: if private {
            format_score(s.private_score)
        } else {
            String::new()
        },
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
