//! `kreplay fetch` (the real binary) against a hostile Kaggle stand-in: a scripted HTTP server
//! that lists file names leaving the cache folder, pages forever, changes a file between a cut
//! download and its resume, answers ranges wrongly, sends other sizes than it listed, and
//! serves large zips; and the credential leaks of issue #11 item 6.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::hostile::{
    download, listing, partial, serve_file, stored_zip, Hostile, Response,
};
use crate::common::scratch;

const TOKEN: &str = "KGAT_hostile_token_91c3d7";
const COMP: &str = "hostile";

/// Runs `kreplay <args>` against `base` with a private cache and home, killing it (and
/// failing the test) if it has not ended within `limit`.
fn run_with(dir: &Path, base: &str, args: &[&str], vars: &[(&str, &str)], limit: u64) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kreplay"));
    cmd.args(args)
        .current_dir(dir)
        .env("KREPLAY_KAGGLE_URL", base)
        .env("KREPLAY_CACHE", dir.join("cache"))
        .env("KREPLAY_HOME", dir.join("home"))
        .env("HOME", dir.join("home"))
        .env("KREPLAY_MIRROR", dir.join("no-mirror"))
        .env("XDG_CONFIG_HOME", dir.join("home/.config"))
        .env("XDG_CACHE_HOME", dir.join("home/.cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for v in [
        "KAGGLE_API_TOKEN",
        "KAGGLE_USERNAME",
        "KAGGLE_KEY",
        "KAGGLE_CONFIG_DIR",
        "KREPLAY_RECIPES",
    ] {
        cmd.env_remove(v);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("kreplay starts");
    // Read both pipes while waiting, so a chatty child cannot block on a full pipe.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(limit) {
            let _ = child.kill();
            let _ = child.wait();
            let err = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
            panic!("kreplay {args:?} was still running after {limit} s (killed); stderr:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn run(dir: &Path, s: &Hostile, args: &[&str]) -> Output {
    run_with(dir, &s.base_url(), args, &[("KAGGLE_API_TOKEN", TOKEN)], 60)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The stderr of a run that must have failed (exit code != 0).
fn failed(out: &Output) -> String {
    assert!(!out.status.success(), "should have failed:\n{}", text(out));
    assert_ne!(out.status.code(), Some(0));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn succeeded(out: &Output) -> String {
    assert!(out.status.success(), "failed:\n{}", text(out));
    text(out)
}

fn comp_dir(dir: &Path) -> PathBuf {
    dir.join("cache/competitions").join(COMP)
}

/// Deterministic bytes that differ with `seed` at (almost) every position, so a file spliced
/// from two versions matches neither.
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Files directly in `dir` and below, relative, sorted (hidden temporaries included).
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, p: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn manifest_names(dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(comp_dir(dir).join("manifest.json")) else {
        return Vec::new();
    };
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Item 1: no file written outside the competition's cache folder.

#[test]
fn server_file_names_that_leave_the_folder_are_refused() {
    let dir = scratch("hostile-names");
    let parent = dir.parent().unwrap().to_path_buf();
    let absolute = parent.join(format!("kreplay-hostile-{}-abs.txt", std::process::id()));
    let _ = std::fs::remove_file(&absolute);
    let comp = comp_dir(&dir);
    // Each name, and where a fetcher that joins it to the folder would write.
    let cases: Vec<(String, PathBuf)> = vec![
        ("../../escape.txt".into(), dir.join("cache/escape.txt")),
        ("../../../escape.txt".into(), dir.join("escape.txt")),
        (absolute.display().to_string(), absolute.clone()),
        ("a\\b.csv".into(), comp.join("a\\b.csv")),
        ("C:x.csv".into(), comp.join("C:x.csv")),
        ("bad\0name.csv".into(), comp.join("bad")),
        ("sub/../../x".into(), dir.join("cache/competitions/x")),
        // The cache's own bookkeeping names.
        ("manifest.json".into(), comp.join("manifest.json")),
        ("data.csv.part".into(), comp.join("data.csv.part")),
    ];
    for (name, target) in &cases {
        let listed = name.clone();
        let s = Hostile::start(move |req| {
            if req.rpc() == Some("ListDataFiles") {
                return listing(&[(listed.as_str(), 5)], "");
            }
            download(req, true, |_| Response::bytes(&b"owned"[..]))
                .unwrap_or_else(|| Response::error(404, "no such route"))
        });
        let e = failed(&run(&dir, &s, &["fetch", COMP]));
        let shown = kreplay_recipe::names::shown(name, 120);
        assert!(
            e.contains("refused the file name")
                && e.contains(&shown)
                && e.contains(&format!("127.0.0.1:{}", s.port())),
            "{name:?}: {e}"
        );
        assert!(
            !target.exists(),
            "{name:?} was written to {}",
            target.display()
        );
        assert!(
            s.calls("DownloadDataFile").is_empty(),
            "{name:?}: a file was downloaded before its name was checked"
        );
        assert!(
            files_under(&comp).is_empty(),
            "{name:?}: {:?}",
            files_under(&comp)
        );
    }
    assert!(!dir.join("cache/escape.txt").exists() && !dir.join("escape.txt").exists());
}

#[test]
fn a_bundle_member_that_leaves_the_folder_is_refused() {
    let dir = scratch("hostile-zip-slip");
    let zip = stored_zip(&[("train.csv", b"a,b\n1,2\n"), ("../evil.txt", b"owned")]);
    let s = Hostile::start(move |req| {
        if req.rpc() == Some("ListDataFiles") {
            return listing(&[("train.csv", 8)], "");
        }
        download(req, true, |_| Response::bytes(zip.clone()))
            .unwrap_or_else(|| Response::error(404, "no such route"))
    });
    let e = failed(&run(&dir, &s, &["fetch", COMP, "--bundle"]));
    assert!(
        e.contains("refused the file name `../evil.txt`")
            && e.contains(&format!("127.0.0.1:{}", s.port())),
        "{e}"
    );
    assert!(!dir.join("cache/competitions/evil.txt").exists());
    assert!(!comp_dir(&dir).join("train.csv").exists());
    assert!(
        !files_under(&comp_dir(&dir))
            .iter()
            .any(|f| f.ends_with(".zip")),
        "{:?}",
        files_under(&comp_dir(&dir))
    );
    assert!(manifest_names(&dir).is_empty());
}

// ---------------------------------------------------------------------------------------
// Item 11: paging is bounded.

#[test]
fn a_repeated_page_token_is_an_error_not_an_endless_loop() {
    let dir = scratch("hostile-same-token");
    let s = Hostile::start(|req| match req.rpc() {
        Some("ListDataFiles") => listing(&[("a.csv", 1)], "same-token"),
        _ => Response::error(404, "no such route"),
    });
    let e = failed(&run(&dir, &s, &["fetch", COMP]));
    assert!(
        e.contains(&format!("127.0.0.1:{}", s.port()))
            && e.contains("page token `same-token` it had already given"),
        "{e}"
    );
    // The first page gives the token, the second repeats it: two calls, then the error.
    assert_eq!(s.calls("ListDataFiles").len(), 2);
    assert!(s.calls("DownloadDataFile").is_empty());
}

#[test]
fn a_listing_that_never_ends_stops_at_the_page_bound() {
    let dir = scratch("hostile-endless");
    let n = Arc::new(AtomicUsize::new(0));
    let counter = n.clone();
    let s = Hostile::start(move |req| match req.rpc() {
        Some("ListDataFiles") => {
            let i = counter.fetch_add(1, Ordering::SeqCst);
            listing(&[], &format!("token-{i}"))
        }
        _ => Response::error(404, "no such route"),
    });
    let e = failed(&run_with(
        &dir,
        &s.base_url(),
        &["fetch", COMP],
        &[("KAGGLE_API_TOKEN", TOKEN)],
        120,
    ));
    assert!(
        e.contains(&format!("127.0.0.1:{}", s.port()))
            && e.contains("still answering ListDataFiles with a next page after 10000 pages"),
        "{e}"
    );
    assert_eq!(n.load(Ordering::SeqCst), 10_000);
    assert!(s.calls("DownloadDataFile").is_empty());
}

// ---------------------------------------------------------------------------------------
// Item 12: a resumed download never splices two versions.

const SIZE: usize = 300_000;
const CUT: usize = 100_000;

fn file_dest(dir: &Path) -> PathBuf {
    comp_dir(dir).join("data.bin")
}

#[test]
fn a_file_changed_between_runs_is_fetched_whole_not_spliced() {
    let dir = scratch("hostile-changed-between-runs");
    let v1 = pattern(SIZE, 1);
    let v2 = pattern(SIZE, 2);
    let changed = Arc::new(AtomicBool::new(false));
    let storage_gets = Arc::new(AtomicUsize::new(0));
    let s = {
        let (v2, changed, gets) = (v2.clone(), changed.clone(), storage_gets.clone());
        Hostile::start(move |req| {
            if req.rpc() == Some("ListDataFiles") {
                return listing(&[("data.bin", SIZE as u64)], "");
            }
            download(req, true, |req| {
                if changed.load(Ordering::SeqCst) {
                    return serve_file(req, &v2, "\"v2\"");
                }
                // Version 1: the first GET is cut, the server then refuses until it changes.
                if gets.fetch_add(1, Ordering::SeqCst) == 0 {
                    serve_file(req, &v1, "\"v1\"").cut_after(CUT)
                } else {
                    Response::error(400, "storage is being rebuilt")
                }
            })
            .unwrap_or_else(|| Response::error(404, "no such route"))
        })
    };
    failed(&run(&dir, &s, &["fetch", COMP]));
    let part = comp_dir(&dir).join("data.bin.part");
    assert_eq!(std::fs::metadata(&part).unwrap().len(), CUT as u64);
    let validator = std::fs::read_to_string(comp_dir(&dir).join("data.bin.part.json")).unwrap();
    assert!(validator.contains("v1"), "{validator}");
    assert!(!file_dest(&dir).exists());

    changed.store(true, Ordering::SeqCst);
    let before = s.requests().len();
    succeeded(&run(&dir, &s, &["fetch", COMP]));
    let got = std::fs::read(file_dest(&dir)).unwrap();
    assert!(got == v2, "the stored file is not version 2 byte for byte");
    // The resume asked for the rest of version 1 only, and got the whole new version.
    let resumed: Vec<_> = s.requests()[before..]
        .iter()
        .filter(|r| r.range_start().is_some())
        .cloned()
        .collect();
    assert!(
        resumed
            .iter()
            .any(|r| r.range_start() == Some(CUT as u64) && r.header("if-range") == Some("\"v1\"")),
        "{resumed:?}"
    );
    assert!(!part.exists() && !comp_dir(&dir).join("data.bin.part.json").exists());
    assert_eq!(manifest_names(&dir), vec!["data.bin"]);
}

#[test]
fn a_file_changed_during_a_retry_is_fetched_whole_not_spliced() {
    let dir = scratch("hostile-changed-in-run");
    let v1 = pattern(SIZE, 3);
    let v2 = pattern(SIZE, 4);
    let gets = Arc::new(AtomicUsize::new(0));
    let s = {
        let (v2, gets) = (v2.clone(), gets.clone());
        // The RPC answers with the bytes itself (no redirect), as some stand-ins do.
        Hostile::start(move |req| match req.rpc() {
            Some("ListDataFiles") => listing(&[("data.bin", SIZE as u64)], ""),
            Some("DownloadDataFile") if req.method == "POST" => {
                if gets.fetch_add(1, Ordering::SeqCst) == 0 {
                    serve_file(req, &v1, "\"v1\"").cut_after(CUT)
                } else {
                    serve_file(req, &v2, "\"v2\"")
                }
            }
            Some(_) => Response::error(405, "RPCs are POSTed"),
            None => Response::error(404, "no such route"),
        })
    };
    succeeded(&run(&dir, &s, &["fetch", COMP]));
    assert!(std::fs::read(file_dest(&dir)).unwrap() == v2);
    let calls = s.calls("DownloadDataFile");
    assert!(calls.len() >= 2, "{calls:?}");
    assert_eq!(calls[1].range_start(), Some(CUT as u64));
    assert_eq!(calls[1].header("if-range"), Some("\"v1\""));
    assert!(
        calls
            .iter()
            .all(|c| c.header("authorization") == Some(&*format!("Bearer {TOKEN}"))),
        "a retry went out without the credentials"
    );
}

#[test]
fn a_206_of_another_version_restarts_the_download() {
    let dir = scratch("hostile-wrong-206");
    let v1 = pattern(SIZE, 5);
    let v2 = pattern(SIZE, 6);
    let gets = Arc::new(AtomicUsize::new(0));
    let s = {
        let (v2, gets) = (v2.clone(), gets.clone());
        Hostile::start(move |req| {
            if req.rpc() == Some("ListDataFiles") {
                return listing(&[("data.bin", SIZE as u64)], "");
            }
            download(req, true, |req| {
                if gets.fetch_add(1, Ordering::SeqCst) == 0 {
                    return serve_file(req, &v1, "\"v1\"").cut_after(CUT);
                }
                match req.range_start() {
                    // Wrong: a range of version 2 although If-Range named version 1.
                    Some(start) => partial(&v2, start as usize, "\"v2\""),
                    None => Response::bytes(v2.clone()).header("ETag", "\"v2\""),
                }
            })
            .unwrap_or_else(|| Response::error(404, "no such route"))
        })
    };
    succeeded(&run(&dir, &s, &["fetch", COMP]));
    assert!(std::fs::read(file_dest(&dir)).unwrap() == v2);
    let storage: Vec<_> = s
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/storage/"))
        .collect();
    assert!(storage.len() >= 3, "{storage:?}");
    assert_eq!(storage[1].header("if-range"), Some("\"v1\""));
    assert_eq!(
        storage[2].range_start(),
        None,
        "after the wrong 206 the download did not restart from zero"
    );
}

#[test]
fn a_download_that_differs_from_the_listed_size_is_refused() {
    for (sent, chunked, why) in [
        (
            1200usize,
            false,
            "announced data.bin at 1200 bytes, its file list says 1000",
        ),
        (
            900,
            false,
            "announced data.bin at 900 bytes, its file list says 1000",
        ),
        // Without a Content-Length the bytes themselves are checked.
        (
            1200,
            true,
            "sent more of data.bin than the 1000 bytes expected",
        ),
        (
            900,
            true,
            "sent 900 bytes of data.bin, its file list says 1000",
        ),
    ] {
        let dir = scratch(&format!("hostile-size-{sent}-{chunked}"));
        let body = pattern(sent, 7);
        let s = Hostile::start(move |req| {
            if req.rpc() == Some("ListDataFiles") {
                return listing(&[("data.bin", 1000)], "");
            }
            download(req, true, |req| {
                let resp = serve_file(req, &body, "\"v1\"");
                if chunked {
                    resp.chunked()
                } else {
                    resp
                }
            })
            .unwrap_or_else(|| Response::error(404, "no such route"))
        });
        let e = failed(&run(&dir, &s, &["fetch", COMP]));
        assert!(
            e.contains(&format!("127.0.0.1:{}", s.port()))
                && e.contains(why)
                && e.contains("discarded")
                && !e.contains("resumes"),
            "{sent}: {e}"
        );
        assert!(!file_dest(&dir).exists());
        assert!(manifest_names(&dir).is_empty());
        assert!(
            files_under(&comp_dir(&dir)).is_empty(),
            "{:?}",
            files_under(&comp_dir(&dir))
        );
    }
}

// ---------------------------------------------------------------------------------------
// Item 6: credentials stay private.

#[test]
fn a_key_in_the_api_url_never_reaches_the_output() {
    const SECRET: &str = "SECRETKEY";
    let dir = scratch("hostile-url-key");
    let with_key = |port: u16| format!("http://user:{SECRET}@127.0.0.1:{port}/v1");
    let check = |out: &Output, what: &str| {
        let all = text(out);
        assert!(!out.status.success(), "{what}: should have failed:\n{all}");
        assert!(!all.contains(SECRET), "{what}: the key was printed:\n{all}");
        for f in files_under(&dir.join("cache")) {
            let bytes = std::fs::read(dir.join("cache").join(&f)).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(SECRET),
                "{what}: the key is in {f}"
            );
        }
        all
    };
    let vars = [("KAGGLE_API_TOKEN", TOKEN)];

    // An error status, at once (400) and after retries (500).
    for status in [400u16, 500] {
        let s = Hostile::start(move |_| Response::error(status, "no"));
        let out = run_with(&dir, &with_key(s.port()), &["fetch", COMP], &vars, 60);
        let all = check(&out, &format!("HTTP {status}"));
        assert!(
            all.contains(&format!("HTTP {status}")) && all.contains("***@127.0.0.1"),
            "{all}"
        );
    }

    // Connection refused: a port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = run_with(&dir, &with_key(port), &["fetch", COMP], &vars, 60);
    let all = check(&out, "connection refused");
    assert!(all.contains("network error"), "{all}");

    // A redirect to a storage URL carrying userinfo and a signature, which then fails.
    let port_cell = Arc::new(AtomicUsize::new(0));
    let s = {
        let port_cell = port_cell.clone();
        Hostile::start(move |req| {
            if req.rpc() == Some("ListDataFiles") {
                return listing(&[("data.bin", 10)], "");
            }
            if req.rpc() == Some("DownloadDataFile") {
                let port = port_cell.load(Ordering::SeqCst);
                return Response::redirect(&format!(
                    "http://u:{SECRET}@127.0.0.1:{port}/storage/hostile/data.bin?sig={SECRET}"
                ));
            }
            Response::error(410, "gone")
        })
    };
    port_cell.store(s.port() as usize, Ordering::SeqCst);
    let out = run_with(&dir, &with_key(s.port()), &["fetch", COMP], &vars, 60);
    let all = check(&out, "redirect");
    assert!(all.contains("410"), "{all}");
}

#[test]
fn a_world_readable_access_token_gives_a_warning() {
    let dir = scratch("hostile-token-mode");
    let kaggle = dir.join("home/.kaggle");
    std::fs::create_dir_all(&kaggle).unwrap();
    let token_file = kaggle.join("access_token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let s = Hostile::start(|req| {
        if req.rpc() == Some("ListDataFiles") {
            return listing(&[("a.csv", 4)], "");
        }
        download(req, true, |req| serve_file(req, b"x,y\n", "\"a\""))
            .unwrap_or_else(|| Response::error(404, "no such route"))
    });
    let fetch = |args: &[&str]| run_with(&dir, &s.base_url(), args, &[], 60);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = fetch(&["fetch", COMP]);
        let all = succeeded(&out);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("warning:")
                && err.contains("readable by other users")
                && err.contains(&format!("chmod 600 {}", token_file.display())),
            "{all}"
        );
        assert!(!all.contains(TOKEN), "{all}");
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = fetch(&["fetch", COMP, "--force"]);
    let all = succeeded(&out);
    assert!(!all.contains("readable by other users"), "{all}");
    assert!(s
        .calls("ListDataFiles")
        .iter()
        .all(|r| r.header("authorization") == Some(&*format!("Bearer {TOKEN}"))));
}

// ---------------------------------------------------------------------------------------
// Item 13: bundle members are streamed to disk.

#[test]
fn a_large_bundle_member_is_stored_byte_for_byte() {
    let dir = scratch("hostile-big-member");
    let big = Arc::new(pattern(20 << 20, 8));
    let small = b"id,y\n1,0\n".to_vec();
    let zip = Arc::new(stored_zip(&[("big.bin", &big), ("small.csv", &small)]));
    let s = {
        let zip = zip.clone();
        Hostile::start(move |req| {
            if req.rpc() == Some("ListDataFiles") {
                return listing(&[("big.bin", 20 << 20), ("small.csv", 9)], "");
            }
            download(req, true, |req| serve_file(req, &zip, "\"zip1\""))
                .unwrap_or_else(|| Response::error(404, "no such route"))
        })
    };
    let out = run_with(
        &dir,
        &s.base_url(),
        &["fetch", COMP, "--bundle"],
        &[("KAGGLE_API_TOKEN", TOKEN)],
        180,
    );
    succeeded(&out);
    let got = std::fs::read(comp_dir(&dir).join("big.bin")).unwrap();
    assert_eq!(got.len(), big.len());
    assert!(got == *big, "big.bin differs from the zip member");
    assert_eq!(
        std::fs::read(comp_dir(&dir).join("small.csv")).unwrap(),
        small
    );
    assert_eq!(manifest_names(&dir), vec!["big.bin", "small.csv"]);
    assert_eq!(
        files_under(&comp_dir(&dir)),
        vec!["big.bin", "manifest.json", "small.csv"],
        "a temporary or the zip was left behind"
    );
}
