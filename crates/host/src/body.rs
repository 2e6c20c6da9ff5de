//! A response body streamed in 16 KiB chunks from a file or memory, slowed or cut on demand.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use axum::body::{Body, Bytes};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

const CHUNK: usize = 16 * 1024;

/// Pause before cutting a body, so hyper has flushed the bytes sent so far and the client
/// sees exactly `cut_after` of them.
const FLUSH_PAUSE: Duration = Duration::from_millis(20);

pub(super) enum Source {
    File(PathBuf),
    Memory(Bytes),
}

/// `len` bytes of `source` from `start`, with `delay` between chunks; after `cut_after` bytes
/// the stream fails, which makes hyper abort the connection mid-body.
///
/// The file is opened before answering, so a vanished file is a 500 rather than a cut body.
pub(super) async fn streamed(
    source: Source,
    start: u64,
    len: u64,
    cut_after: Option<u64>,
    delay: Duration,
) -> io::Result<Body> {
    let reader = Reader::open(source, start).await?;
    let flow = Flow {
        reader,
        remaining: len,
        cut_after,
        delay,
        started: false,
    };
    Ok(Body::from_stream(futures_util::stream::unfold(
        flow,
        Flow::next,
    )))
}

/// Where body bytes come from, positioned at the next byte to send.
enum Reader {
    File(tokio::fs::File),
    Memory(Bytes),
}

impl Reader {
    async fn open(source: Source, start: u64) -> io::Result<Reader> {
        Ok(match source {
            Source::File(path) => {
                let mut file = tokio::fs::File::open(path).await?;
                file.seek(io::SeekFrom::Start(start)).await?;
                Reader::File(file)
            }
            Source::Memory(bytes) => {
                let start = usize::try_from(start)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                Reader::Memory(bytes.slice(start..))
            }
        })
    }

    async fn read(&mut self, max: usize) -> io::Result<Bytes> {
        match self {
            Reader::File(file) => {
                let mut buf = vec![0; max];
                let n = file.read(&mut buf).await?;
                if n == 0 {
                    // Content-Length is already out; ending early must fail, not look complete.
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "file shrank while being served",
                    ));
                }
                buf.truncate(n);
                Ok(Bytes::from(buf))
            }
            Reader::Memory(bytes) => Ok(bytes.split_to(max.min(bytes.len()))),
        }
    }
}

struct Flow {
    reader: Reader,
    /// Body bytes still to send.
    remaining: u64,
    /// Body bytes still to send before the connection is cut.
    cut_after: Option<u64>,
    delay: Duration,
    started: bool,
}

impl Flow {
    async fn next(mut self) -> Option<(io::Result<Bytes>, Flow)> {
        if self.remaining == 0 {
            return None;
        }
        if self.cut_after == Some(0) {
            self.remaining = 0;
            tokio::time::sleep(FLUSH_PAUSE).await;
            let cut = io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "fault: connection dropped",
            );
            return Some((Err(cut), self));
        }
        if self.started && !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        self.started = true;
        let limit = self.cut_after.unwrap_or(u64::MAX).min(self.remaining);
        let want = usize::try_from(limit).unwrap_or(CHUNK).min(CHUNK);
        match self.reader.read(want).await {
            Ok(chunk) => {
                let n = chunk.len() as u64;
                self.remaining = self.remaining.saturating_sub(n);
                self.cut_after = self.cut_after.map(|c| c.saturating_sub(n));
                Some((Ok(chunk), self))
            }
            Err(err) => {
                self.remaining = 0;
                Some((Err(err), self))
            }
        }
    }
}
