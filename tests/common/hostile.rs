//! A scripted HTTP/1.1 server on 127.0.0.1 for tests of what a hostile (or broken) Kaggle
//! stand-in can make the client do. The test gives a closure from a [`Request`] to a
//! [`Response`]; every request is recorded. No dependencies beyond std: one thread accepts,
//! one thread per connection answers (keep-alive, so a long listing does not open thousands
//! of connections).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The RPC service prefix: `POST {base}/competitions.CompetitionApiService/<Method>`.
pub const SERVICE: &str = "competitions.CompetitionApiService";

/// The base path the server's API lives under (`http://127.0.0.1:<port>/v1`).
pub const BASE_PATH: &str = "/v1";

/// The longest request head or body read (a guard against a runaway client, not a limit tests
/// are expected to reach).
const MAX_REQUEST_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    /// The path with its query, as sent.
    pub path: String,
    /// Header names in lower case, values trimmed.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The RPC method (`ListDataFiles`) when this is a call to the competition service.
    pub fn rpc(&self) -> Option<&str> {
        let prefix = format!("{BASE_PATH}/{SERVICE}/");
        self.path
            .strip_prefix(&prefix)
            .map(|m| m.split('?').next().unwrap_or(m))
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// A string field of the JSON body (`fileName`, `pageToken`, ...).
    pub fn field(&self, name: &str) -> Option<String> {
        self.json()
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }

    /// The first byte asked for by `Range: bytes=N-`.
    pub fn range_start(&self) -> Option<u64> {
        self.header("range")?
            .strip_prefix("bytes=")?
            .split('-')
            .next()?
            .trim()
            .parse()
            .ok()
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send only this many bytes of the body (after a `Content-Length` announcing all of it),
    /// then close the connection: a download cut partway.
    pub cut_after: Option<usize>,
}

impl Response {
    pub fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            cut_after: None,
        }
    }

    pub fn json(value: serde_json::Value) -> Response {
        Response::new(200)
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&value).unwrap())
    }

    /// An error in Kaggle's current envelope.
    pub fn error(status: u16, message: &str) -> Response {
        Response::json(serde_json::json!({
            "error": {"code": status, "message": message, "status": "ERROR"}
        }))
        .with_status(status)
    }

    pub fn bytes(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200)
            .header("Content-Type", "application/octet-stream")
            .body(body)
    }

    pub fn redirect(location: &str) -> Response {
        Response::new(302).header("Location", location)
    }

    pub fn with_status(mut self, status: u16) -> Response {
        self.status = status;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }

    /// Sent with `Transfer-Encoding: chunked`, without a `Content-Length`: the client learns
    /// the size only from the bytes.
    pub fn chunked(self) -> Response {
        self.header("Transfer-Encoding", "chunked")
    }

    pub fn cut_after(mut self, n: usize) -> Response {
        self.cut_after = Some(n);
        self
    }
}

/// A ListDataFiles page: `files` as (name, totalBytes), and the next page token ("" = last).
pub fn listing(files: &[(&str, u64)], next_page_token: &str) -> Response {
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|(name, size)| {
            serde_json::json!({
                "ref": name, "name": name, "totalBytes": size,
                "description": "", "url": "", "creationDate": "2024-01-01T00:00:00Z"
            })
        })
        .collect();
    Response::json(serde_json::json!({"files": files, "nextPageToken": next_page_token}))
}

/// A file as a real server sends it, with `etag` as its validator: a `Range: bytes=N-`
/// whose `If-Range` is absent or equals `etag` gets a 206 of the rest; a `Range` with another
/// `If-Range` (the file changed since) gets a 200 with the whole file.
pub fn serve_file(req: &Request, bytes: &[u8], etag: &str) -> Response {
    let fresh = req.header("if-range").is_none_or(|v| v == etag);
    match req.range_start() {
        Some(start) if fresh && (start as usize) < bytes.len() => {
            partial(bytes, start as usize, etag)
        }
        Some(_) if fresh => Response::new(416)
            .header("Content-Range", &format!("bytes */{}", bytes.len()))
            .header("ETag", etag),
        _ => Response::bytes(bytes.to_vec()).header("ETag", etag),
    }
}

/// A 206 with `bytes[start..]` and `etag`, whatever the request said.
pub fn partial(bytes: &[u8], start: usize, etag: &str) -> Response {
    Response::bytes(bytes[start..].to_vec())
        .with_status(206)
        .header(
            "Content-Range",
            &format!("bytes {start}-{}/{}", bytes.len() - 1, bytes.len()),
        )
        .header("ETag", etag)
}

/// Answers `DownloadDataFile(s)` the two ways Kaggle-like servers do: the bytes themselves
/// (`redirect` false) or a 302 to `/storage/<competition>/<file>`, whose GET `storage` then
/// answers. Any other request gets `None`.
pub fn download(
    req: &Request,
    redirect: bool,
    storage: impl Fn(&Request) -> Response,
) -> Option<Response> {
    match req.rpc() {
        Some("DownloadDataFile") | Some("DownloadDataFiles") if redirect => {
            let competition = req.field("competitionName").unwrap_or_default();
            let file = req
                .field("fileName")
                .unwrap_or_else(|| format!("{competition}.zip"));
            Some(Response::redirect(&format!(
                "/storage/{}/{}",
                percent(&competition),
                percent(&file)
            )))
        }
        Some("DownloadDataFile") | Some("DownloadDataFiles") => Some(storage(req)),
        _ if req.path.starts_with("/storage/") => Some(storage(req)),
        _ => None,
    }
}

/// Every byte outside `[A-Za-z0-9._-]` percent-encoded.
pub fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

pub struct Hostile {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Hostile {
    /// Starts the server on a free port of 127.0.0.1; `handler` answers every request.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let accept = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (requests, handler) = (requests.clone(), handler.clone());
                    std::thread::spawn(move || serve(stream, &requests, &*handler));
                }
            })
        };
        Hostile {
            addr,
            requests,
            stop,
            accept: Some(accept),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:<port>/v1`, the value for `KREPLAY_KAGGLE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}{BASE_PATH}", self.addr)
    }

    /// Every request seen so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests for one RPC method.
    pub fn calls(&self, method: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.rpc() == Some(method))
            .collect()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// Answers requests on one connection until the client closes it or a response ends it.
fn serve(stream: TcpStream, requests: &Mutex<Vec<Request>>, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(120)));
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader) {
        requests.lock().unwrap().push(req.clone());
        let resp = handler(&req);
        if !write_response(&mut writer, &resp) {
            break;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    let mut head_bytes = line.len();
    loop {
        let mut h = String::new();
        let n = reader.read_line(&mut h).ok()?;
        head_bytes += n;
        if n == 0 || head_bytes > MAX_REQUEST_BYTES {
            return None;
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let mut req = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    let length: usize = req
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if length > MAX_REQUEST_BYTES {
        return None;
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    req.body = body;
    Some(req)
}

/// Writes `resp`; false when the connection is to be (or was) closed.
fn write_response(w: &mut TcpStream, resp: &Response) -> bool {
    let reason = match resp.status {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", resp.status);
    let has = |name: &str| {
        resp.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    for (n, v) in &resp.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    let chunked = has("transfer-encoding");
    if !has("content-length") && !chunked {
        head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    }
    let close = resp.cut_after.is_some();
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let body = match resp.cut_after {
        Some(n) => &resp.body[..n.min(resp.body.len())],
        None => &resp.body[..],
    };
    // One write for head and body: two small writes would meet Nagle's algorithm and the
    // client's delayed ACK (40 ms a response).
    let mut all = head.into_bytes();
    if chunked {
        // The body as one chunk; a cut body ends without the last chunk.
        all.extend_from_slice(format!("{:x}\r\n", resp.body.len()).as_bytes());
        all.extend_from_slice(body);
        if resp.cut_after.is_none() {
            all.extend_from_slice(b"\r\n0\r\n\r\n");
        }
    } else {
        all.extend_from_slice(body);
    }
    let ok = w.write_all(&all).is_ok() && w.flush().is_ok();
    if close {
        let _ = w.shutdown(std::net::Shutdown::Both);
    }
    ok && !close
}

/// A zip archive of `members` (name, bytes), stored uncompressed: enough for the client's
/// unzip, with no zip library in the tests.
pub fn stored_zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in members {
        let crc = crc32(data);
        let offset = out.len() as u32;
        let size = data.len() as u32;
        let name = name.as_bytes();
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&0u16.to_le_bytes()); // stored
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        // Central directory entry.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&20u16.to_le_bytes()); // needed
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0x21u16.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // extra
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// CRC-32 (IEEE), table-driven.
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}
