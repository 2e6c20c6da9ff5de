//! Submitting a file the way Kaggle's upload flow works: `StartSubmissionUpload` gives a token
//! and an upload URL, the bytes go there in one `PUT`, and `CreateSubmission` turns the token
//! into a submission; then `GetSubmission` is polled until it is scored. Also the listing of
//! one's submissions and the leaderboard.

use std::path::Path;
use std::time::{Duration, Instant, UNIX_EPOCH};

use crate::client::{backoff, describe, transient, Client, MAX_RETRIES};
use crate::error::{KaggleError, Result};
use crate::wire::*;

impl Client {
    /// Uploads `file` and creates a submission; returns Kaggle's answer (message and id).
    pub fn submit(
        &self,
        competition: &str,
        file: &Path,
        message: &str,
    ) -> Result<CreateSubmissionResponse> {
        let bytes = std::fs::read(file).map_err(|e| KaggleError::io(file, e))?;
        let modified = std::fs::metadata(file)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.rt.block_on(async {
            let start = StartSubmissionUploadRequest {
                competition_name: competition.to_string(),
                file_name: name.clone(),
                content_length: bytes.len() as i64,
                last_modified_epoch_seconds: modified,
            };
            let upload: StartSubmissionUploadResponse = self
                .call("StartSubmissionUpload", &start, Some(competition))
                .await?;
            self.put(&upload.create_url, &bytes, &name).await?;
            let create = CreateSubmissionRequest {
                competition_name: competition.to_string(),
                blob_file_tokens: upload.token,
                submission_description: message.to_string(),
            };
            self.call("CreateSubmission", &create, Some(competition))
                .await
        })
    }

    /// The single `PUT` of the file's bytes to the upload URL, retried on transient failures.
    async fn put(&self, url: &str, bytes: &[u8], file: &str) -> Result<()> {
        let mut attempt = 0;
        loop {
            let outcome = self.http().put(url).body(bytes.to_vec()).send().await;
            let failure = match outcome {
                Ok(resp) if resp.status().is_success() => return Ok(()),
                Ok(resp) if !transient(resp.status()) => {
                    let status = resp.status();
                    let body = resp.text().await.unwrap_or_default();
                    return Err(KaggleError::Http {
                        url: "the upload URL".into(),
                        status: status.as_u16(),
                        message: error_message(&body)
                            .unwrap_or_else(|| "the upload was refused".into()),
                    });
                }
                Ok(resp) => format!("HTTP {}", resp.status()),
                Err(e) => describe(e),
            };
            if attempt >= MAX_RETRIES {
                return Err(KaggleError::Download {
                    file: file.to_string(),
                    message: format!("upload failed: {failure}"),
                });
            }
            tokio::time::sleep(backoff(attempt)).await;
            attempt += 1;
        }
    }

    pub fn submission(&self, reference: i64) -> Result<ApiSubmission> {
        self.rt
            .block_on(self.call("GetSubmission", &GetSubmissionRequest { reference }, None))
    }

    /// Polls a submission until it is scored (COMPLETE) or failed (ERROR), or `timeout` passes.
    pub fn wait(&self, reference: i64, timeout: Duration) -> Result<ApiSubmission> {
        let start = Instant::now();
        let mut delay = Duration::from_millis(200);
        loop {
            let s = self.submission(reference)?;
            if matches!(s.state().as_str(), "COMPLETE" | "ERROR") {
                return Ok(s);
            }
            if start.elapsed() >= timeout {
                return Err(KaggleError::Invalid(format!(
                    "submission #{reference} is still {} after {} s; check later with `kreplay submissions`",
                    s.state(),
                    timeout.as_secs()
                )));
            }
            std::thread::sleep(delay);
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }

    /// Your submissions to a competition, newest first (every page).
    pub fn submissions(&self, competition: &str) -> Result<Vec<ApiSubmission>> {
        self.rt.block_on(async {
            let mut out = Vec::new();
            let mut token = None;
            loop {
                let req = ListSubmissionsRequest {
                    competition_name: competition.to_string(),
                    page_token: token.clone(),
                    page_size: Some(100),
                };
                let page: ListSubmissionsResponse = self
                    .call("ListSubmissions", &req, Some(competition))
                    .await?;
                out.extend(page.submissions);
                if page.next_page_token.is_empty() {
                    return Ok(out);
                }
                token = Some(page.next_page_token);
            }
        })
    }

    /// The leaderboard (public, or private with `private`), best first (every page).
    pub fn leaderboard(&self, competition: &str, private: bool) -> Result<Vec<LeaderboardEntry>> {
        self.rt.block_on(async {
            let mut out = Vec::new();
            let mut token = None;
            loop {
                let req = GetLeaderboardRequest {
                    competition_name: competition.to_string(),
                    override_public: private.then_some(true),
                    page_size: Some(200),
                    page_token: token.clone(),
                };
                let page: GetLeaderboardResponse =
                    self.call("GetLeaderboard", &req, Some(competition)).await?;
                out.extend(page.submissions);
                if page.next_page_token.is_empty() {
                    return Ok(out);
                }
                token = Some(page.next_page_token);
            }
        })
    }
}

/// Where `score` would rank on a leaderboard: (rank, percentile of teams it beats or ties).
pub fn rank_of(score: f64, board: &[LeaderboardEntry], higher_is_better: bool) -> (usize, f64) {
    let scores: Vec<f64> = board.iter().filter_map(|e| e.score.parse().ok()).collect();
    let better = scores
        .iter()
        .filter(|s| {
            if higher_is_better {
                **s > score
            } else {
                **s < score
            }
        })
        .count();
    let n = scores.len().max(1) as f64;
    (better + 1, 100.0 * (scores.len() - better) as f64 / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_and_percentile() {
        let board: Vec<LeaderboardEntry> = ["0.9", "0.8", "0.7", "0.6"]
            .iter()
            .map(|s| LeaderboardEntry {
                score: s.to_string(),
                ..Default::default()
            })
            .collect();
        assert_eq!(rank_of(0.75, &board, true), (3, 50.0));
        assert_eq!(rank_of(0.95, &board, true), (1, 100.0));
        assert_eq!(rank_of(0.65, &board, false), (2, 75.0));
    }
}
