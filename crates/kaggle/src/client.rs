//! The Kaggle API client: RPC calls to the competition service, with retries on connection
//! errors, 5xx and 429 (honouring `Retry-After`), timeouts, and errors that carry the server's
//! own message. It owns a small tokio runtime and exposes blocking methods, so callers (and
//! polars, which must not run inside a single-threaded runtime) stay synchronous.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use indicatif::ProgressBar;
use reqwest::header::{AUTHORIZATION, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::credentials::Credentials;
use crate::error::{KaggleError, Result};
use crate::wire::*;

/// How many times a request is retried after a transient failure.
pub const MAX_RETRIES: u32 = 5;

/// How much of an error answer's body is read for its message.
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// The longest page token sent back to a server.
pub const MAX_PAGE_TOKEN_BYTES: usize = 4096;

/// How much a server may make the client take. The defaults are far above anything Kaggle
/// sends; a server past one gets an error naming the bound instead of a hang or a full disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Pages any one listing may take.
    pub max_pages: usize,
    /// Entries a competition's file list may have.
    pub max_files: usize,
    /// Competitions a listing returns (the rest is left off, as before).
    pub max_competitions: usize,
    /// Bytes of one JSON answer.
    pub max_reply_bytes: usize,
    /// Bytes of one data file: listed, announced or received.
    pub max_file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pages: 10_000,
            max_files: 1_000_000,
            max_competitions: 10_000,
            max_reply_bytes: 32 << 20,
            max_file_bytes: 4 << 40,
        }
    }
}

pub struct Client {
    base: String,
    /// `base` as it may be shown: no userinfo, no query.
    server: String,
    http: reqwest::Client,
    creds: Credentials,
    limits: Limits,
    pub(crate) rt: tokio::runtime::Runtime,
}

/// A URL as it may appear in a message: userinfo (`user:KEY@`) becomes `***@` and a query
/// (`?token=...`, a signed URL's signature) becomes `?***`; the fragment is dropped. Text that
/// is not a URL gets the same treatment by hand, so nothing after `://` and before `@`, and
/// nothing after `?` or `#`, is ever shown.
pub fn redact_url(url: &str) -> String {
    if let Ok(mut u) = reqwest::Url::parse(url) {
        let had_userinfo = !u.username().is_empty() || u.password().is_some();
        let had_query = u.query().is_some();
        if u.set_username("").is_ok() && u.set_password(None).is_ok() {
            u.set_query(None);
            u.set_fragment(None);
            let mut text = u.to_string();
            if had_userinfo {
                if let Some(at) = text.find("://") {
                    text.insert_str(at + 3, "***@");
                }
            }
            if had_query {
                text.push_str("?***");
            }
            return crate::cache::shown(&text);
        }
    }
    let (before, had_query) = match url.find(['?', '#']) {
        Some(i) => (&url[..i], true),
        None => (url, false),
    };
    let mut text = before.to_string();
    if let Some(start) = text.find("://").map(|i| i + 3) {
        let end = text[start..].find('/').map_or(text.len(), |i| start + i);
        if let Some(at) = text[start..end].rfind('@') {
            text.replace_range(start..start + at + 1, "***@");
        }
    }
    if had_query {
        text.push_str("?***");
    }
    crate::cache::shown(&text)
}

/// A server's message as it may be shown: control characters escaped, at most 500 characters.
pub fn clean_message(message: &str) -> String {
    kreplay_recipe::names::shown(message, 500)
}

/// Why a body could not be read whole.
pub(crate) enum BodyError {
    TooLarge,
    Network(reqwest::Error),
}

/// Reads a body of at most `limit` bytes; a longer one (announced or received) is refused
/// without reading the rest.
pub(crate) async fn read_limited(
    mut resp: reqwest::Response,
    limit: usize,
) -> std::result::Result<Vec<u8>, BodyError> {
    if resp
        .content_length()
        .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Network)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The start of an error answer's body (at most [`MAX_ERROR_BODY_BYTES`]), for its message.
pub(crate) async fn error_body(mut resp: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = MAX_ERROR_BODY_BYTES - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ERROR_BODY_BYTES {
            break;
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// The API base: `$KREPLAY_KAGGLE_URL`, else Kaggle's public API.
pub fn default_base() -> String {
    std::env::var("KREPLAY_KAGGLE_URL").unwrap_or_else(|_| "https://api.kaggle.com/v1".into())
}

/// Waiting time before retry `attempt` (0-based): 0.2 s doubling, at most 10 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200u64.saturating_mul(1 << attempt.min(10))).min(Duration::from_secs(10))
}

/// `Retry-After` in seconds (an HTTP date is also accepted), capped at a minute.
pub fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let v = resp.headers().get(RETRY_AFTER)?.to_str().ok()?;
    let d = match v.trim().parse::<u64>() {
        Ok(s) => Duration::from_secs(s),
        Err(_) => httpdate::parse_http_date(v)
            .ok()?
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    };
    Some(d.min(Duration::from_secs(60)))
}

/// A reqwest error with its causes ("error sending request: connection refused"), never the
/// URL's query (signed storage URLs carry credentials of their own).
pub fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Whether a status is worth retrying.
pub fn transient(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

impl Client {
    /// A client for the API at `base` (an http or https URL).
    pub fn new(base: impl Into<String>, creds: Credentials) -> Result<Client> {
        let base = base.into().trim_end_matches('/').to_string();
        let server = redact_url(&base);
        match reqwest::Url::parse(&base) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => {}
            _ => {
                return Err(KaggleError::Invalid(format!(
                    "the Kaggle API address `{server}` (KREPLAY_KAGGLE_URL) is not an http or https URL"
                )))
            }
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| KaggleError::Invalid(format!("cannot start the network runtime: {e}")))?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(Duration::from_secs(60))
            .user_agent(concat!("kreplay/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| KaggleError::Invalid(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            base,
            server,
            http,
            creds,
            limits: Limits::default(),
            rt,
        })
    }

    /// The same client with other bounds on what a server may send.
    pub fn with_limits(mut self, limits: Limits) -> Client {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }

    /// The server as messages name it: the API base without userinfo or query.
    pub fn server(&self) -> &str {
        &self.server
    }

    pub(crate) fn url(&self, method: &str) -> String {
        format!("{}/{COMPETITION_SERVICE}/{method}", self.base)
    }

    /// A ready-to-send RPC request.
    pub(crate) fn request(&self, method: &str, body: &impl Serialize) -> RequestBuilder {
        self.http
            .post(self.url(method))
            .header(AUTHORIZATION, self.creds.authorization())
            .json(body)
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Turns an error status into an error that says what to do.
    pub(crate) fn error_for(
        &self,
        status: StatusCode,
        body: &str,
        url: &str,
        competition: Option<&str>,
    ) -> KaggleError {
        let message = error_message(body)
            .map(|m| clean_message(&m))
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string());
        let slug = competition.unwrap_or("");
        match status.as_u16() {
            401 => KaggleError::Unauthorized {
                source_name: self.creds.source.clone(),
                message,
            },
            403 => KaggleError::Forbidden {
                competition: slug.to_string(),
                message,
            },
            404 => KaggleError::NotFound {
                message: if slug.is_empty() {
                    message
                } else {
                    format!("competition `{slug}`: {message}")
                },
                hint: Some(if slug.contains('/') || slug.contains("kaggle.com") {
                    "pass the competition's slug (the last part of its URL), e.g. `titanic`, not the URL".into()
                } else {
                    format!(
                        "check the slug with `kreplay competitions --search {}`",
                        slug.chars().take(6).collect::<String>()
                    )
                }),
            },
            429 => KaggleError::RateLimited { message },
            code => KaggleError::Http {
                url: redact_url(url),
                status: code,
                message,
            },
        }
    }

    /// Sends an RPC with retries and decodes the answer (at most `max_reply_bytes` of it).
    pub(crate) async fn call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        method: &str,
        req: &Req,
        competition: Option<&str>,
    ) -> Result<Resp> {
        let url = self.url(method);
        let shown_url = redact_url(&url);
        let mut attempt = 0;
        loop {
            match self.request(method, req).send().await {
                Err(e) => {
                    if attempt >= MAX_RETRIES {
                        return Err(KaggleError::Network {
                            url: shown_url,
                            message: describe(e),
                        });
                    }
                }
                Ok(resp) => {
                    let status = resp.status();
                    if status.is_success() {
                        let limit = self.limits.max_reply_bytes;
                        let body = match read_limited(resp, limit).await {
                            Ok(body) => body,
                            Err(BodyError::TooLarge) => {
                                return Err(KaggleError::Misbehaving {
                                    server: self.server.clone(),
                                    message: format!(
                                        "answered {method} with more than {limit} bytes \
                                         (the most a reply may have); stopped reading"
                                    ),
                                })
                            }
                            Err(BodyError::Network(e)) => {
                                return Err(KaggleError::Network {
                                    url: shown_url,
                                    message: describe(e),
                                })
                            }
                        };
                        return serde_json::from_slice(&body).map_err(|e| KaggleError::Http {
                            url: shown_url,
                            status: status.as_u16(),
                            message: format!("unexpected response ({e})"),
                        });
                    }
                    let wait = retry_after(&resp);
                    let body = error_body(resp).await;
                    if !transient(status) || attempt >= MAX_RETRIES {
                        return Err(self.error_for(status, &body, &url, competition));
                    }
                    if let Some(w) = wait {
                        tokio::time::sleep(w).await;
                        attempt += 1;
                        continue;
                    }
                }
            }
            tokio::time::sleep(backoff(attempt)).await;
            attempt += 1;
        }
    }

    /// Every page of a listing. Bounded: at most `max_pages` pages and `max_items` entries
    /// (past which the listing is cut when `cut` is set, an error otherwise), and a page token
    /// the server already gave, or an over-long one, is an error naming the server.
    pub(crate) async fn pages<Req, Page, Item>(
        &self,
        method: &str,
        competition: Option<&str>,
        (max_items, cut): (usize, bool),
        request: impl Fn(Option<String>) -> Req,
        split: impl Fn(Page) -> (Vec<Item>, String),
    ) -> Result<Vec<Item>>
    where
        Req: Serialize,
        Page: DeserializeOwned,
    {
        let misbehaving = |message: String| KaggleError::Misbehaving {
            server: self.server.clone(),
            message,
        };
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut token = None;
        for pages in 1..=self.limits.max_pages {
            let page: Page = self
                .call(method, &request(token.take()), competition)
                .await?;
            let (items, next) = split(page);
            out.extend(items);
            if out.len() > max_items {
                if cut {
                    out.truncate(max_items);
                    return Ok(out);
                }
                return Err(misbehaving(format!(
                    "listed more than {max_items} entries for {method} (the most accepted); stopped"
                )));
            }
            if next.is_empty() {
                return Ok(out);
            }
            if next.len() > MAX_PAGE_TOKEN_BYTES {
                return Err(misbehaving(format!(
                    "answered {method} with a page token of {} bytes (at most {MAX_PAGE_TOKEN_BYTES} are accepted)",
                    next.len()
                )));
            }
            if !seen.insert(next.clone()) {
                return Err(misbehaving(format!(
                    "answered {method} page {pages} with the page token `{}` it had already given: \
                     its listing would never end",
                    crate::cache::shown(&next)
                )));
            }
            token = Some(next);
        }
        Err(misbehaving(format!(
            "was still answering {method} with a next page after {} pages (the most accepted), \
             {} entries so far; stopped",
            self.limits.max_pages,
            out.len()
        )))
    }

    /// Competitions matching the query (every page, at most `max_competitions` of them;
    /// `page_token` is managed here).
    pub fn list_competitions(
        &self,
        query: &ListCompetitionsRequest,
    ) -> Result<Vec<ApiCompetition>> {
        self.rt.block_on(self.pages(
            "ListCompetitions",
            None,
            (self.limits.max_competitions, true),
            |page_token| ListCompetitionsRequest {
                page_token,
                ..query.clone()
            },
            |page: ListCompetitionsResponse| (page.competitions, page.next_page_token),
        ))
    }

    /// A competition's data files (every page, at most `max_files` of them). Names and sizes
    /// are as the server sent them: [`crate::fetch`] checks them before using them.
    pub fn list_files(&self, competition: &str) -> Result<Vec<ApiDataFile>> {
        self.rt.block_on(self.pages(
            "ListDataFiles",
            Some(competition),
            (self.limits.max_files, false),
            |page_token| ListDataFilesRequest {
                competition_name: competition.to_string(),
                page_size: Some(200),
                page_token,
            },
            |page: ListDataFilesResponse| (page.files, page.next_page_token),
        ))
    }

    /// Downloads every data file as one zip (`DownloadDataFiles`) to `dest`, resumably.
    pub fn download_bundle(
        &self,
        competition: &str,
        dest: &Path,
        bar: &ProgressBar,
    ) -> Result<u64> {
        let req = DownloadDataFilesRequest {
            competition_name: competition.to_string(),
        };
        self.rt.block_on(crate::download::download(
            self,
            "DownloadDataFiles",
            &req,
            competition,
            dest,
            None,
            bar,
        ))
    }

    /// Downloads one data file to `dest` (through `dest.part`, resumable); returns its size.
    pub fn download_file(
        &self,
        competition: &str,
        file: &str,
        dest: &Path,
        expected: Option<u64>,
        bar: &ProgressBar,
    ) -> Result<u64> {
        let req = DownloadDataFileRequest {
            competition_name: competition.to_string(),
            file_name: file.to_string(),
        };
        self.rt.block_on(crate::download::download(
            self,
            "DownloadDataFile",
            &req,
            competition,
            dest,
            expected,
            bar,
        ))
    }
}
