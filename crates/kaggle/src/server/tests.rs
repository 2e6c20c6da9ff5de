//! The server over real HTTP, with reqwest as the client.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::header::{CONTENT_RANGE, RANGE, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{Faults, Server, ServerConfig};
use crate::wire::{ListDataFilesResponse, COMPETITION_SERVICE};

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

async fn download(server: &Server, range: Option<&str>) -> reqwest::Response {
    let url = format!(
        "{}/storage/tiny/train.csv",
        server.base_url().trim_end_matches("/v1")
    );
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
