//! The competition service: `POST /v1/competitions.CompetitionApiService/<Method>` (also under
//! `/api/v1/`, where the official Python CLI calls it), JSON in, JSON or a redirect out.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

use super::reply::ApiError;
use super::{auth, catalog, contest, storage, submissions, AppState, Shared};
use kreplay_kaggle::wire::{
    ApiCompetition, ApiDataFile, DownloadDataFileRequest, DownloadDataFilesRequest,
    ListCompetitionsRequest, ListCompetitionsResponse, ListDataFilesRequest, ListDataFilesResponse,
    COMPETITION_SERVICE,
};

const DEFAULT_PAGE_SIZE: usize = 20;

/// One call. Its body is at most `max_rpc_body_bytes` (413 past it); the credentials are
/// checked before the body is parsed.
pub(super) async fn call(
    State(shared): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let team = auth::caller(&headers, &shared.tokens, &shared.keys)
        .ok_or_else(ApiError::unauthenticated)?;
    let Path((service, method)) = path.map_err(ApiError::from)?;
    let body = body.map_err(ApiError::from)?;
    match (service == COMPETITION_SERVICE, method.as_str()) {
        (true, "ListCompetitions") => list_competitions(&shared, parse(&body)?),
        (true, "ListDataFiles") => list_data_files(&shared, parse(&body)?),
        (true, "DownloadDataFile") => download_data_file(&shared, parse(&body)?),
        (true, "DownloadDataFiles") => download_data_files(&shared, parse(&body)?),
        (true, "StartSubmissionUpload") => {
            submissions::start_upload(&shared, team, parse(&body)?).await
        }
        (true, "CreateSubmission") => submissions::create(&shared, team, parse(&body)?).await,
        (true, "GetSubmission") => submissions::get(&shared, team, parse(&body)?).await,
        (true, "ListSubmissions") => submissions::list(&shared, team, parse(&body)?).await,
        (true, "GetLeaderboard") => submissions::leaderboard(&shared, parse(&body)?).await,
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "Unknown method '{}/{}'",
                shorten(&service),
                shorten(&method)
            ),
        )),
    }
}

/// At most 100 characters of a name from a URL, for an error message.
fn shorten(name: &str) -> String {
    match name.char_indices().nth(100) {
        Some((end, _)) => format!("{}...", &name[..end]),
        None => name.to_string(),
    }
}

/// An empty body is an all-defaults request, as with protobuf JSON.
fn parse<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))
}

fn list_competitions(shared: &Shared, req: ListCompetitionsRequest) -> Result<Response, ApiError> {
    let search = req.search.unwrap_or_default().to_lowercase();
    let faults = shared.faults().clone();
    // Ids come from the full listing, so a search does not renumber competitions.
    let listed: Vec<(usize, String)> = catalog::competitions(&shared.data_dir)?
        .into_iter()
        .enumerate()
        .filter(|(_, slug)| slug.to_lowercase().contains(&search))
        .collect();
    let (listed, next_page_token) = page(listed, req.page_size, req.page_token.as_deref())?;
    let competitions = listed
        .into_iter()
        .map(|(index, slug)| {
            let url = format!("https://www.kaggle.com/competitions/{slug}");
            ApiCompetition {
                id: i64::try_from(index + 1).unwrap_or(i64::MAX),
                reference: url.clone(),
                url,
                user_has_entered: faults.rules_accepted(&slug),
                category: "Getting Started".into(),
                reward: "Knowledge".into(),
                deadline: deadline(shared, &slug),
                title: slug,
                ..ApiCompetition::default()
            }
        })
        .collect();
    Ok(Json(ListCompetitionsResponse {
        competitions,
        next_page_token,
    })
    .into_response())
}

/// The competition's `deadline` from its competition.toml, else Titanic's (clients that parse
/// deadlines need a date, not "").
fn deadline(shared: &Shared, slug: &str) -> String {
    catalog::competition_dir(&shared.data_dir, slug)
        .ok()
        .flatten()
        .and_then(|dir| contest::read_settings(&dir, slug).ok().flatten())
        .and_then(|settings| settings.deadline)
        .map(|d| humantime::format_rfc3339_seconds(d).to_string())
        .unwrap_or_else(|| "2030-01-01T00:00:00Z".into())
}

fn list_data_files(shared: &Shared, req: ListDataFilesRequest) -> Result<Response, ApiError> {
    let slug = &req.competition_name;
    let dir = catalog::competition_dir(&shared.data_dir, slug)?
        .ok_or_else(|| ApiError::competition_not_found(slug))?;
    let files: Vec<ApiDataFile> = catalog::data_files(&dir)?
        .into_iter()
        .map(|f| ApiDataFile {
            reference: f.name.clone(),
            name: f.name,
            total_bytes: i64::try_from(f.size).unwrap_or(i64::MAX),
            creation_date: humantime::format_rfc3339_seconds(f.modified).to_string(),
            ..ApiDataFile::default()
        })
        .collect();
    let (files, next_page_token) = page(files, req.page_size, req.page_token.as_deref())?;
    Ok(Json(ListDataFilesResponse {
        files,
        next_page_token,
    })
    .into_response())
}

fn download_data_file(shared: &Shared, req: DownloadDataFileRequest) -> Result<Response, ApiError> {
    let dir = downloadable_dir(shared, &req.competition_name)?;
    let file = catalog::data_file(&dir, &req.file_name)?
        .ok_or_else(|| ApiError::file_not_found(&req.competition_name, &req.file_name))?;
    Ok(found(&storage::file_url(
        shared,
        &req.competition_name,
        &file.name,
    )))
}

fn download_data_files(
    shared: &Shared,
    req: DownloadDataFilesRequest,
) -> Result<Response, ApiError> {
    downloadable_dir(shared, &req.competition_name)?;
    Ok(found(&storage::bundle_url(shared, &req.competition_name)))
}

/// The competition's folder, if it exists and its rules are accepted.
fn downloadable_dir(shared: &Shared, slug: &str) -> Result<std::path::PathBuf, ApiError> {
    let dir = catalog::competition_dir(&shared.data_dir, slug)?
        .ok_or_else(|| ApiError::competition_not_found(slug))?;
    if !shared.faults().rules_accepted(slug) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "You must accept this competition's rules before you'll be able to download files.",
        ));
    }
    Ok(dir)
}

/// Kaggle answers downloads with a 302 to a signed storage URL; clients must follow it.
fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(LOCATION, location.to_string())]).into_response()
}

/// One page of `items`: the token is the decimal offset, and "" means there is no next page.
fn page<T>(
    items: Vec<T>,
    size: Option<u32>,
    token: Option<&str>,
) -> Result<(Vec<T>, String), ApiError> {
    page_of(items, size, token, DEFAULT_PAGE_SIZE)
}

/// As [`page`], with the method's own default page size.
pub(super) fn page_of<T>(
    items: Vec<T>,
    size: Option<u32>,
    token: Option<&str>,
    default_size: usize,
) -> Result<(Vec<T>, String), ApiError> {
    let offset = match token.unwrap_or("") {
        "" => 0,
        t => t
            .parse::<usize>()
            .map_err(|_| ApiError::bad_request(format!("Invalid page token '{t}'")))?,
    };
    let size = match size {
        Some(0) | None => default_size,
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let total = items.len();
    let end = offset.saturating_add(size).min(total);
    let next = if end < total {
        end.to_string()
    } else {
        String::new()
    };
    Ok((items.into_iter().skip(offset).take(size).collect(), next))
}
