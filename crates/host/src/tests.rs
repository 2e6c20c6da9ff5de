//! The server over real HTTP, with reqwest as the client.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::header::{CONTENT_RANGE, LOCATION, RANGE, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{Faults, HostLimits, Server, ServerConfig};
use kreplay_kaggle::wire::{ListDataFilesResponse, COMPETITION_SERVICE};

const TOKEN: &str = "test-token";

/// A data folder in the temp dir, removed on drop.
struct Fixture {
    dir: PathBuf,
    server: Server,
    train: Vec<u8>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fixture(faults: Faults) -> Fixture {
    fixture_with(faults, HostLimits::default())
}

fn fixture_with(faults: Faults, limits: HostLimits) -> Fixture {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("kreplay-server-{}-{n}", std::process::id()));
    let comp = dir.join("tiny");
    std::fs::create_dir_all(&comp).unwrap();
    // Several 16 KiB chunks, so cuts and ranges land mid-stream.
    let train: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(comp.join("train.csv"), &train).unwrap();
    std::fs::write(comp.join("test.csv"), b"id\n1\n").unwrap();
    std::fs::write(comp.join("solution.csv"), b"secret").unwrap();
    std::fs::write(comp.join(".hidden"), b"x").unwrap();
    let config = ServerConfig {
        data_dir: dir.clone(),
        tokens: vec![TOKEN.into()],
        keys: vec![("alice".into(), "k3y".into())],
        faults,
        limits,
        ..Default::default()
    };
    let server = Server::start(config).unwrap();
    Fixture { dir, server, train }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Runtime::new().unwrap().block_on(f)
}

async fn rpc(server: &Server, method: &str, body: Value) -> reqwest::Response {
    let url = format!("{}/{COMPETITION_SERVICE}/{method}", server.base_url());
    reqwest::Client::new()
        .post(url)
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The signed storage URL DownloadDataFile redirects to, for `file` of `tiny`.
async fn signed_url(server: &Server, file: &str) -> String {
    let url = format!(
        "{}/{COMPETITION_SERVICE}/DownloadDataFile",
        server.base_url()
    );
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(url)
        .bearer_auth(TOKEN)
        .json(&json!({"competitionName": "tiny", "fileName": file}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    resp.headers()[LOCATION].to_str().unwrap().to_string()
}

/// GETs train.csv through its signed URL.
async fn download(server: &Server, range: Option<&str>) -> reqwest::Response {
    let url = signed_url(server, "train.csv").await;
    get(&url, range).await
}

async fn get(url: &str, range: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    if let Some(range) = range {
        req = req.header(RANGE, range);
    }
    req.send().await.unwrap()
}

async fn envelope(resp: reqwest::Response) -> Value {
    resp.json::<Value>().await.unwrap()["error"].clone()
}

#[test]
fn rpc_without_credentials_is_401() {
    let f = fixture(Faults::default());
    block_on(async {
        let url = format!(
            "{}/{COMPETITION_SERVICE}/ListCompetitions",
            f.server.base_url()
        );
        let resp = reqwest::Client::new()
            .post(url)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(envelope(resp).await["status"], "UNAUTHENTICATED");
    });
}

#[test]
fn lists_data_files_with_sizes_over_basic_auth_too() {
    let f = fixture(Faults::default());
    block_on(async {
        let url = format!(
            "{}/api/v1/{COMPETITION_SERVICE}/ListDataFiles",
            f.server.addr()
        );
        let resp = reqwest::Client::new()
            .post(format!("http://{url}"))
            .basic_auth("alice", Some("k3y"))
            .json(&json!({"competitionName": "tiny"}))
            .send()
            .await
            .unwrap();
        let list: ListDataFilesResponse = resp.json().await.unwrap();
        let files: Vec<_> = list
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.total_bytes))
            .collect();
        assert_eq!(files, [("test.csv", 5), ("train.csv", 50_000)]);
        assert_eq!(list.next_page_token, "");
    });
}

#[test]
fn download_follows_the_redirect_to_the_bytes() {
    let f = fixture(Faults::default());
    block_on(async {
        let resp = rpc(
            &f.server,
            "DownloadDataFile",
            json!({"competitionName": "tiny", "fileName": "train.csv"}),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.bytes().await.unwrap(), f.train);
    });
    let stats = f.server.stats();
    assert_eq!((stats.rpc, stats.storage_gets, stats.errors), (1, 1, 0));
}

#[test]
fn range_gets_206_with_the_tail() {
    let f = fixture(Faults::default());
    block_on(async {
        let resp = download(&f.server, Some("bytes=20000-")).await;
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(resp.headers()[CONTENT_RANGE], "bytes 20000-49999/50000");
        assert_eq!(resp.bytes().await.unwrap(), f.train[20_000..]);
        assert_eq!(
            download(&f.server, Some("bytes=50000-")).await.status(),
            StatusCode::RANGE_NOT_SATISFIABLE
        );
    });
    assert_eq!(f.server.stats().range_gets, 2);
}

#[test]
fn drop_after_cuts_the_body() {
    let f = fixture(Faults {
        drop_after: vec![20_000],
        ..Faults::default()
    });
    block_on(async {
        let mut resp = download(&f.server, None).await;
        assert_eq!(resp.content_length(), Some(50_000));
        let mut received = 0;
        let cut = loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => received += chunk.len(),
                Ok(None) => break false,
                Err(_) => break true,
            }
        };
        // Exactly the bytes before the cut arrive, so a resume test knows where to resume.
        assert!(cut);
        assert_eq!(received, 20_000);
        // The entry is spent: the next GET is whole.
        assert_eq!(
            download(&f.server, None).await.bytes().await.unwrap(),
            f.train
        );
    });
}

#[test]
fn ignore_range_answers_200_whole() {
    let f = fixture(Faults {
        ignore_range: true,
        ..Faults::default()
    });
    block_on(async {
        let resp = download(&f.server, Some("bytes=100-")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.bytes().await.unwrap().len(), 50_000);
    });
}

#[test]
fn rules_not_accepted_is_403_in_the_envelope() {
    let f = fixture(Faults {
        rules_not_accepted: vec!["tiny".into()],
        ..Faults::default()
    });
    block_on(async {
        let resp = rpc(
            &f.server,
            "DownloadDataFiles",
            json!({"competitionName": "tiny"}),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let error = envelope(resp).await;
        assert_eq!(error["status"], "PERMISSION_DENIED");
        assert!(error["message"]
            .as_str()
            .unwrap()
            .starts_with("You must accept this competition's rules"));
    });
}

#[test]
fn rate_limit_carries_retry_after_then_clears() {
    let f = fixture(Faults::default());
    f.server.set_faults(Faults {
        rate_limit: 1,
        retry_after_secs: 7,
        ..Faults::default()
    });
    block_on(async {
        let resp = rpc(&f.server, "ListCompetitions", json!({})).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()[RETRY_AFTER], "7");
        assert_eq!(envelope(resp).await["status"], "RESOURCE_EXHAUSTED");
        let resp = rpc(&f.server, "ListCompetitions", json!({"search": "TIN"})).await;
        let list: Value = resp.json().await.unwrap();
        assert_eq!(
            list["competitions"][0]["ref"],
            "https://www.kaggle.com/competitions/tiny"
        );
    });
}

#[test]
fn bundle_zips_every_listed_file_in_name_order() {
    let f = fixture(Faults::default());
    let zip = block_on(async {
        let resp = rpc(
            &f.server,
            "DownloadDataFiles",
            json!({"competitionName": "tiny"}),
        )
        .await;
        resp.bytes().await.unwrap()
    });
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    assert_eq!(names, ["test.csv", "train.csv"]);
}

#[test]
fn unknown_things_are_404_and_bad_json_400() {
    let f = fixture(Faults {
        errors_500: 1,
        ..Faults::default()
    });
    block_on(async {
        let resp = rpc(
            &f.server,
            "ListDataFiles",
            json!({"competitionName": "tiny"}),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let resp = rpc(
            &f.server,
            "ListDataFiles",
            json!({"competitionName": "nope"}),
        )
        .await;
        assert_eq!(
            envelope(resp).await["message"],
            "Competition 'nope' not found"
        );
        let resp = rpc(&f.server, "Frobnicate", json!({})).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        let url = format!(
            "{}/{COMPETITION_SERVICE}/ListDataFiles",
            f.server.base_url()
        );
        let resp = reqwest::Client::new()
            .post(url)
            .bearer_auth(TOKEN)
            .body("{")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    });
}

/// The origin of the server, for hand-made storage URLs.
fn origin(server: &Server) -> String {
    server.base_url().trim_end_matches("/v1").to_string()
}

async fn status_and_message(resp: reqwest::Response) -> (StatusCode, String) {
    let status = resp.status();
    let message = envelope(resp).await["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (status, message)
}

/// Item 4: storage answered anyone who knew the path; now only signed URLs are served.
#[test]
fn storage_without_a_signature_is_403_for_files_and_the_bundle() {
    let f = fixture(Faults::default());
    block_on(async {
        let base = origin(&f.server);
        for url in [
            format!("{base}/storage/tiny/train.csv"),
            format!("{base}/storage/tiny/train.csv?expires=99999999999"),
            format!("{base}/storage/tiny/bundle/archive.zip"),
        ] {
            let (status, message) = status_and_message(get(&url, None).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{url}");
            assert!(message.contains("not signed"), "{url}: {message}");
        }
        // Not with a key either: the URL is the credential.
        let resp = reqwest::Client::new()
            .get(format!("{base}/storage/tiny/train.csv"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    });
    assert_eq!(f.server.stats().storage_gets, 4);
}

/// Item 4: a signature only serves what it was made for, unchanged.
#[test]
fn storage_with_a_tampered_signature_is_403() {
    let f = fixture(Faults::default());
    block_on(async {
        let url = signed_url(&f.server, "train.csv").await;
        let (path, query) = url.split_once('?').unwrap();
        assert!(path.ends_with("/storage/tiny/train.csv"), "{url}");
        assert!(
            query.starts_with("expires=") && query.contains("&signature="),
            "{url}"
        );
        let last = url.chars().last().unwrap();
        let flipped = format!(
            "{}{}",
            &url[..url.len() - 1],
            if last == '0' { '1' } else { '0' }
        );
        let expires: u64 = query["expires=".len()..query.find('&').unwrap()]
            .parse()
            .unwrap();
        let pushed = url.replace(
            &format!("expires={expires}"),
            &format!("expires={}", expires + 86_400),
        );
        for (what, bad) in [
            ("a changed signature", flipped),
            ("a later expiry", pushed),
            (
                "another file",
                format!("{}?{query}", path.replace("train.csv", "test.csv")),
            ),
            (
                "a hidden file",
                format!("{}?{query}", path.replace("train.csv", "solution.csv")),
            ),
        ] {
            let (status, message) = status_and_message(get(&bad, None).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
            assert!(
                message.contains("signature does not match"),
                "{what}: {message}"
            );
        }
        // The untouched URL still serves.
        assert_eq!(get(&url, None).await.bytes().await.unwrap(), f.train);
    });
}

/// Item 4: a signed URL stops working once its lifetime has passed.
#[test]
fn storage_with_an_expired_signature_is_403() {
    let limits = HostLimits {
        download_url_lifetime: std::time::Duration::from_secs(1),
        ..HostLimits::default()
    };
    let f = fixture_with(Faults::default(), limits);
    block_on(async {
        let url = signed_url(&f.server, "train.csv").await;
        assert_eq!(get(&url, None).await.status(), StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
        let (status, message) = status_and_message(get(&url, None).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(message.contains("expired"), "{message}");
    });
}

/// Item 4: what DownloadDataFile(s) redirect to is signed, and served.
#[test]
fn download_redirects_go_to_signed_urls_that_serve_200() {
    let f = fixture(Faults::default());
    block_on(async {
        let url = signed_url(&f.server, "train.csv").await;
        assert!(
            url.contains("?expires=") && url.contains("&signature="),
            "{url}"
        );
        let resp = get(&url, None).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.bytes().await.unwrap(), f.train);
        // The bundle's redirect too, followed by the client.
        let resp = rpc(
            &f.server,
            "DownloadDataFiles",
            json!({"competitionName": "tiny"}),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.url().query().unwrap_or("").contains("signature="));
    });
}
