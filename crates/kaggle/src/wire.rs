//! Kaggle's wire format (the current RPC era): request and response messages in camelCase JSON,
//! and the two error envelopes. Shared by the client and the local server, so they cannot drift.

use serde::{Deserialize, Serialize};

/// The RPC service for competitions: `POST <base>/competitions.CompetitionApiService/<Method>`.
pub const COMPETITION_SERVICE: &str = "competitions.CompetitionApiService";

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ListCompetitionsRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

/// `--category` names and their HostSegment enum values.
pub const CATEGORIES: &[(&str, &str)] = &[
    ("all", "HOST_SEGMENT_UNSPECIFIED"),
    ("featured", "HOST_SEGMENT_FEATURED"),
    ("research", "HOST_SEGMENT_RESEARCH"),
    ("recruitment", "HOST_SEGMENT_RECRUITMENT"),
    ("getting-started", "HOST_SEGMENT_GETTING_STARTED"),
    ("masters", "HOST_SEGMENT_MASTERS"),
    ("playground", "HOST_SEGMENT_PLAYGROUND"),
    ("community", "HOST_SEGMENT_COMMUNITY"),
    ("analytics", "HOST_SEGMENT_ANALYTICS"),
];

/// `--sort` names and their CompetitionSortBy enum values.
pub const SORTS: &[(&str, &str)] = &[
    ("best", "COMPETITION_SORT_BY_BEST"),
    ("grouped", "COMPETITION_SORT_BY_GROUPED"),
    ("prize", "COMPETITION_SORT_BY_PRIZE"),
    ("earliest-deadline", "COMPETITION_SORT_BY_EARLIEST_DEADLINE"),
    ("latest-deadline", "COMPETITION_SORT_BY_LATEST_DEADLINE"),
    ("teams", "COMPETITION_SORT_BY_NUMBER_OF_TEAMS"),
    ("relevance", "COMPETITION_SORT_BY_RELEVANCE"),
    ("recent", "COMPETITION_SORT_BY_RECENTLY_CREATED"),
];

/// The enum value for a command-line name in one of the tables above.
pub fn enum_value(table: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ListCompetitionsResponse {
    pub competitions: Vec<ApiCompetition>,
    pub next_page_token: String,
}

/// A competition as Kaggle describes it; `ref` is the full URL, the slug its last segment.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiCompetition {
    #[serde(deserialize_with = "lenient_i64")]
    pub id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub url: String,
    pub description: String,
    pub category: String,
    pub reward: String,
    pub deadline: String,
    pub evaluation_metric: String,
    #[serde(deserialize_with = "lenient_i64")]
    pub team_count: i64,
    pub user_has_entered: bool,
    #[serde(deserialize_with = "lenient_i64")]
    pub max_daily_submissions: i64,
}

impl ApiCompetition {
    pub fn slug(&self) -> &str {
        self.reference
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(&self.reference)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ListDataFilesRequest {
    pub competition_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ListDataFilesResponse {
    pub files: Vec<ApiDataFile>,
    pub next_page_token: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiDataFile {
    #[serde(rename = "ref")]
    pub reference: String,
    pub name: String,
    pub description: String,
    #[serde(deserialize_with = "lenient_i64")]
    pub total_bytes: i64,
    pub url: String,
    pub creation_date: String,
}

/// `DownloadDataFile`: answered with a redirect to the file's storage URL.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DownloadDataFileRequest {
    pub competition_name: String,
    pub file_name: String,
}

/// `DownloadDataFiles`: answered with a redirect to a zip of every file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DownloadDataFilesRequest {
    pub competition_name: String,
}

/// The current error envelope: `{"error": {"code", "message", "status"}}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ErrorBody {
    pub code: u16,
    pub message: String,
    pub status: String,
}

/// The server's message from either envelope (nested current one, or the flat legacy
/// `{"code", "message"}`), if the body is one.
pub fn error_message(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let msg = v
        .get("error")
        .and_then(|e| e.get("message"))
        .or_else(|| v.get("message"))
        .and_then(|m| m.as_str())?;
    (!msg.is_empty()).then(|| msg.to_string())
}

/// int64 fields may arrive as JSON numbers or as strings.
fn lenient_i64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        I(i64),
        S(String),
        F(f64),
        Null(()),
    }
    Ok(match N::deserialize(d)? {
        N::I(i) => i,
        N::S(s) => s.parse().map_err(serde::de::Error::custom)?,
        N::F(f) => f as i64,
        N::Null(()) => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_envelopes_give_the_message() {
        assert_eq!(
            error_message(r#"{"error":{"code":429,"message":"Too many requests","status":"RESOURCE_EXHAUSTED"}}"#).as_deref(),
            Some("Too many requests")
        );
        assert_eq!(
            error_message(r#"{"code":403,"message":"You must accept"}"#).as_deref(),
            Some("You must accept")
        );
        assert_eq!(error_message("<html>"), None);
    }

    #[test]
    fn int64_as_string_and_slug_from_ref() {
        let c: ApiCompetition =
            serde_json::from_str(r#"{"id":"3136","ref":"https://www.kaggle.com/competitions/titanic","teamCount":15000}"#).unwrap();
        assert_eq!(c.id, 3136);
        assert_eq!(c.slug(), "titanic");
    }
}

// ---- Submissions and leaderboard ----

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct StartSubmissionUploadRequest {
    pub competition_name: String,
    pub file_name: String,
    #[serde(deserialize_with = "lenient_i64")]
    pub content_length: i64,
    #[serde(deserialize_with = "lenient_i64")]
    pub last_modified_epoch_seconds: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct StartSubmissionUploadResponse {
    pub token: String,
    /// Where the file's bytes go, with a single `PUT`.
    pub create_url: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateSubmissionRequest {
    pub competition_name: String,
    pub blob_file_tokens: String,
    pub submission_description: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateSubmissionResponse {
    pub message: String,
    #[serde(rename = "ref", deserialize_with = "lenient_i64")]
    pub reference: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ListSubmissionsRequest {
    pub competition_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ListSubmissionsResponse {
    pub submissions: Vec<ApiSubmission>,
    pub next_page_token: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct GetSubmissionRequest {
    #[serde(rename = "ref", deserialize_with = "lenient_i64")]
    pub reference: i64,
}

/// `PENDING`, `COMPLETE` or `ERROR` (proto names; parsed case-insensitively, prefix optional).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiSubmission {
    #[serde(rename = "ref", deserialize_with = "lenient_i64")]
    pub reference: i64,
    #[serde(deserialize_with = "lenient_i64")]
    pub total_bytes: i64,
    pub date: String,
    pub description: String,
    pub error_description: String,
    pub file_name: String,
    /// Scores are strings on the wire; empty until scored (private: until the end).
    pub public_score: String,
    pub private_score: String,
    pub status: String,
    pub submitted_by: String,
    pub team_name: String,
    pub url: String,
}

impl ApiSubmission {
    /// The status without its enum prefix, upper case: PENDING, COMPLETE or ERROR.
    pub fn state(&self) -> String {
        self.status
            .trim_start_matches("SUBMISSION_STATUS_")
            .to_ascii_uppercase()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct GetLeaderboardRequest {
    pub competition_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_public: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct GetLeaderboardResponse {
    pub submissions: Vec<LeaderboardEntry>,
    pub next_page_token: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct LeaderboardEntry {
    #[serde(deserialize_with = "lenient_i64")]
    pub team_id: i64,
    pub team_name: String,
    pub submission_date: String,
    pub score: String,
}
