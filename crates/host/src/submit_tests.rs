//! Hosted-contest submissions over real HTTP, with reqwest as the client: upload, create,
//! scoring, errors, the daily allowance, the leaderboard, restarts and concurrent submitters.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{state, HostLimits, Server, ServerConfig};
use kreplay_kaggle::wire::{
    ApiSubmission, CreateSubmissionResponse, GetLeaderboardResponse, ListSubmissionsResponse,
    StartSubmissionUploadResponse, COMPETITION_SERVICE,
};

const TOKENS: [&str; 2] = ["token-one", "token-two"];
const KEYS: [(&str, &str); 4] = [("ann", "k1"), ("bob", "k2"), ("cat", "k3"), ("dan", "k4")];

/// The public rows of a 20-row solution with ids 1..=20 and seed 0: the 10 ids with the
/// smallest first 8 bytes of sha256("0:<id>"), worked out once with Python's hashlib.
const PUBLIC: [u32; 10] = [3, 4, 7, 9, 10, 14, 15, 17, 18, 20];
const PRIVATE: [u32; 10] = [1, 2, 5, 6, 8, 11, 12, 13, 16, 19];

fn label(id: u32) -> &'static str {
    if id.is_multiple_of(3) {
        "yes"
    } else {
        "no"
    }
}

/// A folder of competitions and a state file in the temp dir, removed on drop.
struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Dir {
    /// In the data folder itself, beside the competitions (as the host's default is): never
    /// inside one, which would serve it.
    fn state(&self) -> PathBuf {
        self.0.join(".kreplay-host.sqlite")
    }
}

/// `contest` (accuracy, 2 a day), `crowd` (accuracy, 100 a day), `ended` and `running`
/// (accuracy, a deadline passed and one to come), `prices` (rmse), `open` (no solution) and
/// `broken` (a bad competition.toml).
fn contests() -> Dir {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let root = std::env::temp_dir().join(format!("kreplay-host-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let write = |slug: &str, name: &str, text: &str| {
        std::fs::create_dir_all(root.join(slug)).unwrap();
        std::fs::write(root.join(slug).join(name), text).unwrap();
    };
    let labels: String = (1..=20).map(|i| format!("{i},{}\n", label(i))).collect();
    let sample: String = (1..=20).map(|i| format!("{i},no\n")).collect();
    for (slug, daily) in [("contest", 2), ("crowd", 100)] {
        write(slug, "solution.csv", &format!("Id,Label\n{labels}"));
        write(
            slug,
            "sample_submission.csv",
            &format!("Id,Label\n{sample}"),
        );
        write(slug, "train.csv", "Id,x,Label\n100,1,no\n");
        write(
            slug,
            "competition.toml",
            &format!(
                "metric = \"accuracy\"\nmax_daily_submissions = {daily}\n\
                 public_fraction = 0.5\nseed = 0\n"
            ),
        );
    }
    // The same contest, over (deadline passed) and still running.
    for (slug, deadline) in [
        ("ended", "2020-01-01T00:00:00Z"),
        ("running", "2100-01-01T00:00:00Z"),
    ] {
        write(slug, "solution.csv", &format!("Id,Label\n{labels}"));
        write(
            slug,
            "competition.toml",
            &format!("metric = \"accuracy\"\nmax_daily_submissions = 100\ndeadline = {deadline}\n"),
        );
    }
    let prices: String = (1..=20).map(|i| format!("{i},{}\n", i * 10)).collect();
    write("prices", "solution.csv", &format!("Id,SalePrice\n{prices}"));
    write("prices", "competition.toml", "metric = \"rmse\"\n");
    write("open", "train.csv", "a\n1\n");
    write("broken", "solution.csv", &format!("Id,Label\n{labels}"));
    write(
        "broken",
        "competition.toml",
        "metric = \"accuracy\"\nmax_daily_submissions = \"five\"\n",
    );
    Dir(root)
}

/// A server and one HTTP client for it (building a client loads the TLS roots: slow).
struct Host {
    server: Server,
    http: reqwest::Client,
}

impl Host {
    fn base_url(&self) -> String {
        self.server.base_url()
    }

    fn addr(&self) -> std::net::SocketAddr {
        self.server.addr()
    }

    fn scored(&self) -> u64 {
        self.server.shared.scored.load(Ordering::Relaxed)
    }
}

/// A host that shows private scores (as `kreplay host --reveal`), as the tests of scoring
/// need; [`start_with`] for one that hides them.
fn start(dir: &Dir) -> Host {
    start_with(dir, true, HostLimits::default())
}

fn start_with(dir: &Dir, reveal: bool, limits: HostLimits) -> Host {
    let server = Server::start(ServerConfig {
        data_dir: dir.0.clone(),
        tokens: TOKENS.iter().map(|t| t.to_string()).collect(),
        keys: KEYS
            .iter()
            .map(|(u, k)| (u.to_string(), k.to_string()))
            .collect(),
        state: Some(dir.state()),
        reveal,
        limits,
        ..Default::default()
    })
    .unwrap();
    Host {
        server,
        http: reqwest::Client::new(),
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Runtime::new().unwrap().block_on(f)
}

/// Who calls: a Bearer token (team `team<k>`) or a Basic username and key (team = username).
#[derive(Clone, Copy)]
enum Who {
    Bearer(usize),
    Basic(usize),
}

async fn rpc(server: &Host, who: Who, method: &str, body: Value) -> reqwest::Response {
    let url = format!("{}/{COMPETITION_SERVICE}/{method}", server.base_url());
    let req = server.http.post(url).json(&body);
    let req = match who {
        Who::Bearer(k) => req.bearer_auth(TOKENS[k]),
        Who::Basic(k) => req.basic_auth(KEYS[k].0, Some(KEYS[k].1)),
    };
    req.send().await.unwrap()
}

async fn ok_json<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> T {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn error(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    (status, resp.json::<Value>().await.unwrap()["error"].clone())
}

/// StartSubmissionUpload and the PUT; the token.
async fn upload(server: &Host, who: Who, slug: &str, file: &[u8]) -> String {
    let resp = rpc(
        server,
        who,
        "StartSubmissionUpload",
        json!({"competitionName": slug, "fileName": "/home/me/submission.csv",
               "contentLength": file.len(), "lastModifiedEpochSeconds": 1_700_000_000}),
    )
    .await;
    let started: StartSubmissionUploadResponse = ok_json(resp).await;
    assert_eq!(
        started.create_url,
        format!("http://{}/upload/{}", server.addr(), started.token)
    );
    let put = server
        .http
        .put(&started.create_url)
        .body(file.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    started.token
}

async fn create(server: &Host, who: Who, slug: &str, token: &str, note: &str) -> reqwest::Response {
    rpc(
        server,
        who,
        "CreateSubmission",
        json!({"competitionName": slug, "blobFileTokens": token, "submissionDescription": note}),
    )
    .await
}

/// Upload, create; the submission's ref.
async fn submit(server: &Host, who: Who, slug: &str, file: &[u8], note: &str) -> i64 {
    let token = upload(server, who, slug, file).await;
    let created: CreateSubmissionResponse =
        ok_json(create(server, who, slug, &token, note).await).await;
    assert_eq!(created.message, format!("Successfully submitted to {slug}"));
    created.reference
}

async fn get(server: &Host, who: Who, id: i64) -> reqwest::Response {
    rpc(server, who, "GetSubmission", json!({"ref": id})).await
}

/// Polls GetSubmission until the submission is no longer PENDING.
async fn scored(server: &Host, who: Who, id: i64) -> ApiSubmission {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s: ApiSubmission = ok_json(get(server, who, id).await).await;
        if s.state() != "PENDING" || Instant::now() > deadline {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A submission for the 20-row accuracy solution, wrong (the other label) on the ids in
/// `wrong`.
fn labels_file(wrong: &[u32]) -> Vec<u8> {
    let rows: String = (1..=20)
        .map(|i| {
            let l = match (wrong.contains(&i), label(i)) {
                (false, l) => l,
                (true, "yes") => "no",
                (true, _) => "yes",
            };
            format!("{i},{l}\n")
        })
        .collect();
    format!("Id,Label\n{rows}").into_bytes()
}

fn scores(s: &ApiSubmission) -> (&str, &str, &str) {
    (
        s.status.as_str(),
        s.public_score.as_str(),
        s.private_score.as_str(),
    )
}

#[test]
fn a_submission_is_uploaded_created_and_scored_on_both_sides() {
    let dir = contests();
    let server = start(&dir);
    block_on(async {
        // Wrong on 3 of the 10 public rows and 1 of the 10 private ones.
        let file = labels_file(&[PUBLIC[0], PUBLIC[4], PUBLIC[9], PRIVATE[2]]);
        let me = Who::Bearer(1);
        let id = submit(&server, me, "contest", &file, "first try").await;
        let s = scored(&server, me, id).await;
        assert_eq!(scores(&s), ("COMPLETE", "0.70000", "0.90000"));
        assert_eq!(s.reference, id);
        assert_eq!(s.team_name, "team2");
        assert_eq!(s.submitted_by, "team2");
        assert_eq!(s.file_name, "submission.csv");
        assert_eq!(s.total_bytes, file.len() as i64);
        assert_eq!(s.description, "first try");
        assert!(humantime::parse_rfc3339(&s.date).is_ok(), "{}", s.date);
        // Only the team that made it sees it.
        let (status, _) = error(get(&server, Who::Bearer(0), id).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let list: ListSubmissionsResponse = ok_json(
            rpc(
                &server,
                me,
                "ListSubmissions",
                json!({"competitionName": "contest"}),
            )
            .await,
        )
        .await;
        assert_eq!(list.submissions, [s]);
        let list: ListSubmissionsResponse = ok_json(
            rpc(
                &server,
                Who::Basic(0),
                "ListSubmissions",
                json!({"competitionName": "contest"}),
            )
            .await,
        )
        .await;
        assert!(list.submissions.is_empty());
    });
    assert_eq!(server.scored(), 1);
}

#[test]
fn a_bad_file_ends_in_error_with_the_reason_and_does_not_use_the_allowance() {
    let dir = contests();
    let server = start(&dir);
    block_on(async {
        let me = Who::Basic(1);
        let missing: Vec<u8> = String::from_utf8(labels_file(&[]))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("7,"))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            .into_bytes();
        let bad = submit(&server, me, "contest", &missing, "no 7").await;
        let s = scored(&server, me, bad).await;
        assert_eq!(s.state(), "ERROR");
        assert_eq!(
            s.error_description,
            "missing ids: 1 test id(s) have no row, first 7"
        );
        assert_eq!(
            (s.public_score.as_str(), s.private_score.as_str()),
            ("", "")
        );
        // ERROR does not count: two good ones are still allowed (max 2 a day), not a third.
        for _ in 0..2 {
            let id = submit(&server, me, "contest", &labels_file(&[]), "all right").await;
            assert_eq!(
                scores(&scored(&server, me, id).await),
                ("COMPLETE", "1.00000", "1.00000")
            );
        }
        let token = upload(&server, me, "contest", &labels_file(&[])).await;
        let (status, e) = error(create(&server, me, "contest", &token, "one more").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            e["message"],
            "Submission not allowed: Your team has used its daily Submission allowance (2) \
             today, please try again tomorrow UTC"
        );
        assert_eq!(e["status"], "FAILED_PRECONDITION");
        // Other teams have their own allowance.
        let other = Who::Basic(2);
        let id = submit(&server, other, "contest", &labels_file(&[1]), "").await;
        assert_eq!(scored(&server, other, id).await.state(), "COMPLETE");
    });
}

#[test]
fn uploads_and_creates_that_cannot_be_are_refused_in_the_envelope() {
    let dir = contests();
    let server = start(&dir);
    block_on(async {
        let me = Who::Bearer(0);
        let start = |slug: &'static str| {
            rpc(
                &server,
                me,
                "StartSubmissionUpload",
                json!({"competitionName": slug, "fileName": "s.csv", "contentLength": 5}),
            )
        };
        let (status, e) = error(start("nope").await).await;
        assert_eq!(
            (status, e["message"].as_str()),
            (StatusCode::NOT_FOUND, Some("Competition 'nope' not found"))
        );
        let (status, e) = error(start("open").await).await;
        assert_eq!(
            (status, e["message"].as_str()),
            (
                StatusCode::BAD_REQUEST,
                Some("open does not accept submissions")
            )
        );
        let (status, e) = error(start("broken").await).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let message = e["message"].as_str().unwrap();
        assert!(
            message.starts_with("broken/competition.toml: key `max_daily_submissions`"),
            "{message}"
        );
        // The PUT: unknown token, too short, too long, then right.
        let started: StartSubmissionUploadResponse = ok_json(start("contest").await).await;
        let put = |url: String, body: &'static [u8]| async move {
            reqwest::Client::new()
                .put(url)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        };
        let origin = format!("http://{}", server.addr());
        assert_eq!(
            put(format!("{origin}/upload/nope"), b"12345").await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            put(started.create_url.clone(), b"1234").await,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            put(started.create_url.clone(), b"123456").await,
            StatusCode::BAD_REQUEST
        );
        // Nothing uploaded yet for this one; an unknown one; another team's.
        let (status, e) = error(create(&server, me, "contest", &started.token, "").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(e["message"]
            .as_str()
            .unwrap()
            .starts_with("Nothing was uploaded"));
        assert_eq!(
            put(started.create_url.clone(), b"12345").await,
            StatusCode::OK
        );
        let (status, _) = error(create(&server, me, "contest", "made-up", "").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) =
            error(create(&server, Who::Bearer(1), "contest", &started.token, "").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // Accepted, then scored ERROR (not a submission file); the token is spent.
        let created: CreateSubmissionResponse =
            ok_json(create(&server, me, "contest", &started.token, "").await).await;
        let s = scored(&server, me, created.reference).await;
        assert_eq!(s.state(), "ERROR");
        assert_eq!(
            s.error_description,
            "row 1: wrong header: expected Id,Label, found 12345"
        );
        let (status, _) = error(create(&server, me, "contest", &started.token, "").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // No credentials, no RPC.
        let url = format!(
            "{}/{COMPETITION_SERVICE}/ListSubmissions",
            server.base_url()
        );
        let resp = reqwest::Client::new()
            .post(url)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    });
}

#[test]
fn the_leaderboard_ranks_each_teams_best_in_the_metric_direction() {
    let dir = contests();
    let server = start(&dir);
    block_on(async {
        let (one, two) = (Who::Bearer(0), Who::Basic(0));
        // team1: public 0.8 then 0.6; private 1.0. ann: public 0.9, private 0.8.
        for (who, wrong) in [
            (one, vec![PUBLIC[1], PUBLIC[2]]),
            (two, vec![PUBLIC[3], PRIVATE[0], PRIVATE[1]]),
        ] {
            let id = submit(&server, who, "contest", &labels_file(&wrong), "").await;
            assert_eq!(scored(&server, who, id).await.state(), "COMPLETE");
        }
        let worse = labels_file(&[PUBLIC[1], PUBLIC[2], PUBLIC[5], PUBLIC[6], PRIVATE[4]]);
        let id = submit(&server, one, "contest", &worse, "").await;
        assert_eq!(scored(&server, one, id).await.public_score, "0.60000");
        let board = |body: Value| async {
            let resp = rpc(&server, one, "GetLeaderboard", body).await;
            let board: GetLeaderboardResponse = ok_json(resp).await;
            board
                .submissions
                .into_iter()
                .map(|e| (e.team_id, e.team_name, e.score))
                .collect::<Vec<_>>()
        };
        let public = board(json!({"competitionName": "contest"})).await;
        let (id1, id2) = (public[1].0, public[0].0);
        assert_ne!(id1, id2);
        assert_eq!(
            public,
            [
                (id2, "ann".into(), "0.90000".into()),
                (id1, "team1".into(), "0.80000".into())
            ]
        );
        let private = board(json!({"competitionName": "contest", "overridePublic": true})).await;
        assert_eq!(
            private,
            [
                (id1, "team1".into(), "1.00000".into()),
                (id2, "ann".into(), "0.80000".into())
            ]
        );
        let first = board(json!({"competitionName": "contest", "pageSize": 1})).await;
        assert_eq!(first.len(), 1);
        // rmse: lower is better. team1 exact; ann 10 off on one public row: sqrt(100/10).
        let exact: String = (1..=20).map(|i| format!("{i},{}\n", i * 10)).collect();
        let off: String = (1..=20)
            .map(|i| format!("{i},{}\n", i * 10 + if i == PUBLIC[0] { 10 } else { 0 }))
            .collect();
        for (who, rows) in [(two, off), (one, exact)] {
            let file = format!("Id,SalePrice\n{rows}");
            let id = submit(&server, who, "prices", file.as_bytes(), "").await;
            assert_eq!(scored(&server, who, id).await.state(), "COMPLETE");
        }
        let prices = board(json!({"competitionName": "prices"})).await;
        assert_eq!(
            prices,
            [
                (id1, "team1".into(), "0.00000".into()),
                (id2, "ann".into(), "3.16228".into())
            ]
        );
        let (status, _) = error(
            rpc(
                &server,
                one,
                "GetLeaderboard",
                json!({"competitionName": "open"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    });
}

#[test]
fn a_restarted_server_keeps_submissions_and_uploads_and_scores_what_was_left_pending() {
    let dir = contests();
    let me = Who::Basic(3);
    let (id, token) = {
        let server = start(&dir);
        block_on(async {
            let id = submit(&server, me, "contest", &labels_file(&[PUBLIC[0]]), "before").await;
            assert_eq!(scored(&server, me, id).await.state(), "COMPLETE");
            let token = upload(&server, me, "crowd", &labels_file(&[PRIVATE[0]])).await;
            (id, token)
        })
    };
    // A submission recorded PENDING by a server that stopped before scoring it.
    let left = {
        let now = super::submissions::now();
        let store = state::Store::open(Some(&dir.state())).unwrap();
        let file = labels_file(&[PUBLIC[0], PUBLIC[1]]);
        store
            .start_upload("left", "crowd", "dan", "s.csv", file.len() as i64, &now, 5)
            .unwrap();
        assert_eq!(
            store.put_upload_bytes("left", &file).unwrap(),
            state::Put::Stored
        );
        let new = state::NewSubmission {
            competition: "crowd",
            team: "dan",
            token: "left",
            description: "left pending",
            date: &now,
            max_daily: 100,
        };
        store.create(&new).unwrap().unwrap()
    };
    let server = start(&dir);
    block_on(async {
        let s = scored(&server, me, id).await;
        assert_eq!(
            (scores(&s), s.description.as_str()),
            (("COMPLETE", "0.90000", "1.00000"), "before")
        );
        let list: ListSubmissionsResponse = ok_json(
            rpc(
                &server,
                me,
                "ListSubmissions",
                json!({"competitionName": "contest"}),
            )
            .await,
        )
        .await;
        assert_eq!(list.submissions, [s]);
        // The upload started before the restart becomes a submission after it.
        let created: CreateSubmissionResponse =
            ok_json(create(&server, me, "crowd", &token, "after").await).await;
        assert!(created.reference > left);
        let s = scored(&server, me, created.reference).await;
        assert_eq!(scores(&s), ("COMPLETE", "1.00000", "0.90000"));
        let s = scored(&server, me, left).await;
        assert_eq!(
            (scores(&s), s.description.as_str()),
            (("COMPLETE", "0.80000", "1.00000"), "left pending")
        );
    });
    assert_eq!(server.scored(), 2);
    assert_eq!(server.server.shared.store.count("PENDING"), 0);
}

#[test]
fn forty_submissions_from_four_teams_at_once_are_each_scored_exactly_once() {
    let dir = contests();
    // Each team has its 10 uploads in progress at once.
    let limits = HostLimits {
        max_pending_uploads: 10,
        ..HostLimits::default()
    };
    let server = start_with(&dir, true, limits);
    // Submission k is wrong on k % 4 public rows and k % 3 private rows.
    let expected = |k: usize| {
        (
            format!("{:.5}", 1.0 - (k % 4) as f64 / 10.0),
            format!("{:.5}", 1.0 - (k % 3) as f64 / 10.0),
        )
    };
    block_on(async {
        let jobs = (0..40).map(|k| {
            let server = &server;
            async move {
                let who = Who::Basic(k % 4);
                let wrong: Vec<u32> = PUBLIC[..k % 4]
                    .iter()
                    .chain(&PRIVATE[..k % 3])
                    .copied()
                    .collect();
                let id = submit(server, who, "crowd", &labels_file(&wrong), &k.to_string()).await;
                (k, who, id)
            }
        });
        let made = futures_util::future::join_all(jobs).await;
        for (k, who, id) in made {
            let s = scored(&server, who, id).await;
            assert_eq!(s.description, k.to_string());
            assert_eq!(s.team_name, KEYS[k % 4].0);
            let (public, private) = expected(k);
            assert_eq!(
                scores(&s),
                ("COMPLETE", public.as_str(), private.as_str()),
                "submission {k}"
            );
        }
        for team in 0..4 {
            let list: ListSubmissionsResponse = ok_json(
                rpc(
                    &server,
                    Who::Basic(team),
                    "ListSubmissions",
                    json!({"competitionName": "crowd", "pageSize": 100}),
                )
                .await,
            )
            .await;
            assert_eq!(list.submissions.len(), 10);
            let refs: Vec<i64> = list.submissions.iter().map(|s| s.reference).collect();
            assert!(
                refs.windows(2).all(|w| w[0] > w[1]),
                "newest first: {refs:?}"
            );
        }
    });
    let store = &server.server.shared.store;
    assert_eq!(
        (
            store.count("COMPLETE"),
            store.count("PENDING"),
            store.count("ERROR")
        ),
        (40, 0, 0)
    );
    assert_eq!(server.scored(), 40);
}

async fn list(server: &Host, who: Who, slug: &str) -> (ListSubmissionsResponse, String) {
    let resp = rpc(
        server,
        who,
        "ListSubmissions",
        json!({"competitionName": slug}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

async fn board(server: &Host, who: Who, slug: &str, private: bool) -> reqwest::Response {
    rpc(
        server,
        who,
        "GetLeaderboard",
        json!({"competitionName": slug, "overridePublic": private}),
    )
    .await
}

/// Item 3: ListSubmissions and GetSubmission returned `privateScore` to participants while
/// the contest ran; now it is blank until the deadline (none: until the host reveals it).
#[test]
fn participants_see_no_private_score_before_the_deadline() {
    let dir = contests();
    let server = start_with(&dir, false, HostLimits::default());
    block_on(async {
        let me = Who::Bearer(0);
        // No deadline, and a deadline to come: private hidden. Wrong on one private row, so
        // the private score (0.90000) differs from the public one.
        for slug in ["contest", "running"] {
            let id = submit(&server, me, slug, &labels_file(&[PRIVATE[0]]), "").await;
            let s = scored(&server, me, id).await;
            assert_eq!(scores(&s), ("COMPLETE", "1.00000", ""), "{slug}");
            let raw = get(&server, me, id).await.text().await.unwrap();
            assert!(!raw.contains("0.90000"), "{slug}: {raw}");
            let (listed, raw) = list(&server, me, slug).await;
            assert_eq!(listed.submissions, [s], "{slug}");
            assert!(!raw.contains("0.90000"), "{slug}: {raw}");
        }
        // Past the deadline: shown.
        let id = submit(&server, me, "ended", &labels_file(&[PRIVATE[0]]), "").await;
        let s = scored(&server, me, id).await;
        assert_eq!(scores(&s), ("COMPLETE", "1.00000", "0.90000"));
        let (listed, _) = list(&server, me, "ended").await;
        assert_eq!(listed.submissions[0].private_score, "0.90000");
    });
}

/// Item 3: GetLeaderboard with `overridePublic: true` gave any team the private board; now it
/// is refused until the deadline, and given after it or once the host revealed it.
#[test]
fn the_private_leaderboard_is_refused_before_the_deadline_and_shown_after_it_or_on_reveal() {
    let dir = contests();
    let me = Who::Basic(0);
    {
        let server = start_with(&dir, false, HostLimits::default());
        block_on(async {
            for slug in ["contest", "running", "ended"] {
                let id = submit(&server, me, slug, &labels_file(&[PRIVATE[0]]), "").await;
                assert_eq!(scored(&server, me, id).await.state(), "COMPLETE");
            }
            for (slug, until) in [
                ("contest", "the host reveals it"),
                ("running", "its deadline, 2100-01-01T00:00:00Z"),
            ] {
                let (status, e) = error(board(&server, me, slug, true).await).await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{slug}");
                assert_eq!(e["status"], "FAILED_PRECONDITION");
                assert_eq!(
                    e["message"],
                    format!("The private leaderboard of {slug} is hidden until {until}")
                );
                // The public board is there all along.
                let public: GetLeaderboardResponse =
                    ok_json(board(&server, me, slug, false).await).await;
                assert_eq!(public.submissions[0].score, "1.00000");
            }
            let private: GetLeaderboardResponse =
                ok_json(board(&server, me, "ended", true).await).await;
            assert_eq!(private.submissions[0].score, "0.90000");
        });
    }
    // The same state, the host started with --reveal.
    let server = start(&dir);
    block_on(async {
        for slug in ["contest", "running"] {
            let private: GetLeaderboardResponse =
                ok_json(board(&server, me, slug, true).await).await;
            assert_eq!(private.submissions[0].score, "0.90000", "{slug}");
        }
        let (listed, _) = list(&server, me, "contest").await;
        assert_eq!(listed.submissions[0].private_score, "0.90000");
    });
}

/// Sends a PUT of `body_sent` bytes of a chunked body that never ends (no final chunk), or,
/// with `announce`, headers only with that Content-Length; the status the host answers with
/// while the body is still open.
fn put_unfinished(
    addr: std::net::SocketAddr,
    token: &str,
    announce: Option<u64>,
    body_sent: usize,
) -> u16 {
    use std::io::{Read, Write};
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let length = match announce {
        Some(n) => format!("Content-Length: {n}"),
        None => "Transfer-Encoding: chunked".into(),
    };
    let mut request =
        format!("PUT /upload/{token} HTTP/1.1\r\nHost: {addr}\r\n{length}\r\n\r\n").into_bytes();
    if announce.is_none() && body_sent > 0 {
        request.extend(format!("{body_sent:x}\r\n").into_bytes());
        request.extend(std::iter::repeat_n(b'1', body_sent));
        request.extend(b"\r\n");
    }
    tcp.write_all(&request).unwrap();
    // The body stays open: a host that waited for its end would never answer.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n") {
        match tcp.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => panic!(
                "no answer to the PUT: {other:?}, got {:?}",
                String::from_utf8_lossy(&head)
            ),
        }
    }
    let line = String::from_utf8_lossy(&head).into_owned();
    line.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{line}"))
}

/// Item 5: uploads were unbounded and held in memory; now a body past `max_upload_bytes` is
/// cut off with 413 as soon as it passes the bound, while it is still being sent (so it is
/// streamed, never gathered), and nothing of it is kept.
#[test]
fn an_upload_past_max_upload_bytes_is_413_while_still_being_sent_and_nothing_is_kept() {
    let dir = contests();
    let limits = HostLimits {
        max_upload_bytes: 1000,
        ..HostLimits::default()
    };
    let server = start_with(&dir, true, limits);
    block_on(async {
        let me = Who::Bearer(0);
        let start = |length: u64| {
            rpc(
                &server,
                me,
                "StartSubmissionUpload",
                json!({"competitionName": "contest", "fileName": "s.csv", "contentLength": length}),
            )
        };
        let (status, e) = error(start(1001).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            e["message"].as_str().unwrap().contains("from 0 to 1000"),
            "{e}"
        );
        let started: StartSubmissionUploadResponse = ok_json(start(1000).await).await;
        let (addr, token) = (server.addr(), started.token.clone());
        let statuses = tokio::task::spawn_blocking(move || {
            (
                put_unfinished(addr, &token, None, 1001),
                put_unfinished(addr, &token, Some(5_000_000), 0),
            )
        })
        .await
        .unwrap();
        assert_eq!(statuses, (413, 413));
        // No part file left, and nothing to make a submission of.
        assert_eq!(server.server.shared.store.spool_files(), 0);
        let (status, e) = error(create(&server, me, "contest", &started.token, "").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .starts_with("Nothing was uploaded"),
            "{e}"
        );
    });
}

/// Item 5: a team's pending uploads are bounded: starting one past `max_pending_uploads`
/// forgets its oldest (its URL and token are refused from then on), other teams untouched.
#[test]
fn uploads_past_max_pending_per_team_are_refused_oldest_first() {
    let dir = contests();
    let limits = HostLimits {
        max_pending_uploads: 2,
        ..HostLimits::default()
    };
    let server = start_with(&dir, true, limits);
    block_on(async {
        let (me, other) = (Who::Bearer(0), Who::Bearer(1));
        let theirs = upload(&server, other, "crowd", &labels_file(&[])).await;
        let mut mine = Vec::new();
        for _ in 0..4 {
            mine.push(upload(&server, me, "crowd", &labels_file(&[])).await);
        }
        let store = &server.server.shared.store;
        assert_eq!(store.uploads(), 3);
        assert_eq!(store.spool_files(), 3);
        for old in &mine[..2] {
            let put = server
                .http
                .put(format!("http://{}/upload/{old}", server.addr()))
                .body(labels_file(&[]))
                .send()
                .await
                .unwrap();
            assert_eq!(put.status(), StatusCode::NOT_FOUND);
            let (status, e) = error(create(&server, me, "crowd", old, "").await).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(
                e["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("Unknown upload token"),
                "{e}"
            );
        }
        for token in mine[2..].iter().chain([&theirs]) {
            let who = if *token == theirs { other } else { me };
            let created: CreateSubmissionResponse =
                ok_json(create(&server, who, "crowd", token, "").await).await;
            assert_eq!(
                scored(&server, who, created.reference).await.state(),
                "COMPLETE"
            );
        }
        assert_eq!(store.uploads(), 0);
    });
}

/// Item 5: abandoned uploads were cleared only at start-up; now a sweep forgets them (and
/// their bytes) while the host runs, with no request needed.
#[test]
fn abandoned_uploads_are_swept_while_the_host_runs() {
    let dir = contests();
    let limits = HostLimits {
        upload_lifetime: Duration::from_secs(2),
        ..HostLimits::default()
    };
    let server = start_with(&dir, true, limits);
    block_on(async {
        let me = Who::Basic(1);
        let token = upload(&server, me, "crowd", &labels_file(&[])).await;
        let store = &server.server.shared.store;
        assert_eq!((store.uploads(), store.spool_files()), (1, 1));
        let until = Instant::now() + Duration::from_secs(20);
        while store.uploads() != 0 && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!((store.uploads(), store.spool_files()), (0, 0));
        let (status, e) = error(create(&server, me, "crowd", &token, "").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .starts_with("Unknown upload token"),
            "{e}"
        );
    });
}

/// Item 15: the host scored labels `kreplay validate` refuses; now the shared validator
/// refuses them with the first bad row, as the client words it.
#[test]
fn the_host_refuses_labels_outside_the_solution_with_the_first_bad_row() {
    let dir = contests();
    let server = start(&dir);
    block_on(async {
        let me = Who::Basic(2);
        for bad in ["maybe", "2", "NaN"] {
            let file = String::from_utf8(labels_file(&[]))
                .unwrap()
                .replace("\n5,no\n", &format!("\n5,{bad}\n"));
            let id = submit(&server, me, "crowd", file.as_bytes(), bad).await;
            let s = scored(&server, me, id).await;
            assert_eq!(s.state(), "ERROR", "{bad}");
            assert_eq!(
                s.error_description,
                format!("row 6 (id 5): invalid label: \"{bad}\" is not one of no, yes"),
            );
        }
        let tabs = String::from_utf8(labels_file(&[]))
            .unwrap()
            .replace(',', "\t");
        let id = submit(&server, me, "crowd", tabs.as_bytes(), "tabs").await;
        assert_eq!(
            scored(&server, me, id).await.error_description,
            "row 1: the file is tab-separated; a submission is comma-separated"
        );
    });
}
