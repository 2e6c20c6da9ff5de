//! Kaggle: the API client, the local download cache, and a Kaggle-compatible server.
//!
//! * [`wire`]: the RPC messages and error envelopes, shared by client and server;
//! * [`credentials`]: finding the user's token or key, in the official CLI's order, never
//!   letting it reach output;
//! * [`client`]: calls to the competition service, with errors that say what to do;
//! * [`download`]: streaming a file with resume (only on a real 206), retries and a progress bar;
//! * [`csv_records`]: a strict, streaming CSV record reader for files from outside;
//! * [`validate`]: the one submission validator, shared by the client and the host;
//! * [`cache`]: one folder per competition with a manifest of names, sizes and sha256;
//! * [`server`]: the same routes served from a folder on 127.0.0.1, with switchable faults, so
//!   tests exercise the real HTTP path.

pub mod cache;
pub mod client;
pub mod credentials;
pub mod csv_records;
pub mod download;
pub mod error;
pub mod fetch;
pub mod server;
pub mod submit;
pub mod teams;
pub mod validate;
pub mod wire;

pub use error::{KaggleError, Result};
