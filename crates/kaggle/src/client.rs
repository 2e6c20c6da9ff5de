//! The Kaggle API client: RPC calls to the competition service, with retries on connection
//! errors, 5xx and 429 (honouring `Retry-After`), timeouts, and errors that carry the server's
//! own message. It owns a small tokio runtime and exposes blocking methods, so callers (and
//! polars, which must not run inside a single-threaded runtime) stay synchronous.

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

pub struct Client {
    base: String,
    http: reqwest::Client,
    creds: Credentials,
    pub(crate) rt: tokio::runtime::Runtime,
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
    pub fn new(base: impl Into<String>, creds: Credentials) -> Result<Client> {
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
            base: base.into().trim_end_matches('/').to_string(),
            http,
            creds,
            rt,
        })
    }

    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }

    fn url(&self, method: &str) -> String {
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
                url: url.to_string(),
                status: code,
                message,
            },
        }
    }

    /// Sends an RPC with retries and decodes the answer.
    pub(crate) async fn call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        method: &str,
        req: &Req,
        competition: Option<&str>,
    ) -> Result<Resp> {
        let url = self.url(method);
        let mut attempt = 0;
        loop {
            match self.request(method, req).send().await {
                Err(e) => {
                    if attempt >= MAX_RETRIES {
                        return Err(KaggleError::Network {
                            url,
                            message: describe(e),
                        });
                    }
                }
                Ok(resp) => {
                    let status = resp.status();
                    if status.is_success() {
                        let text = resp.text().await.map_err(|e| KaggleError::Network {
                            url: url.clone(),
                            message: describe(e),
                        })?;
                        return serde_json::from_str(&text).map_err(|e| KaggleError::Http {
                            url,
                            status: status.as_u16(),
                            message: format!("unexpected response ({e})"),
                        });
                    }
                    let wait = retry_after(&resp);
                    let body = resp.text().await.unwrap_or_default();
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

    /// Competitions matching the query (every page; `page_token` is managed here).
    pub fn list_competitions(
        &self,
        query: &ListCompetitionsRequest,
    ) -> Result<Vec<ApiCompetition>> {
        self.rt.block_on(async {
            let mut out = Vec::new();
            let mut token = None;
            loop {
                let req = ListCompetitionsRequest {
                    page_token: token.clone(),
                    ..query.clone()
                };
                let page: ListCompetitionsResponse =
                    self.call("ListCompetitions", &req, None).await?;
                out.extend(page.competitions);
                if page.next_page_token.is_empty() || out.len() >= 10_000 {
                    return Ok(out);
                }
                token = Some(page.next_page_token);
            }
        })
    }

    /// A competition's data files (every page).
    pub fn list_files(&self, competition: &str) -> Result<Vec<ApiDataFile>> {
        self.rt.block_on(async {
            let mut out = Vec::new();
            let mut token = None;
            loop {
                let req = ListDataFilesRequest {
                    competition_name: competition.to_string(),
                    page_size: Some(200),
                    page_token: token.clone(),
                };
                let page: ListDataFilesResponse =
                    self.call("ListDataFiles", &req, Some(competition)).await?;
                out.extend(page.files);
                if page.next_page_token.is_empty() {
                    return Ok(out);
                }
                token = Some(page.next_page_token);
            }
        })
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
