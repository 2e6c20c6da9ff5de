//! Kaggle: the API client and the local download cache.
//!
//! The crate is the client side only: it compiles no HTTP server and no model code, so the
//! contest host (`kreplay-host`) and the runner sit beside it, not under it.
//!
//! * [`wire`]: the RPC messages and error envelopes, shared by client and server;
//! * [`credentials`]: finding the user's token or key, in the official CLI's order, never
//!   letting it reach output;
//! * [`client`]: calls to the competition service, with errors that say what to do;
//! * [`download`]: streaming a file with resume (only on a real 206), retries and a progress bar;
//! * [`cache`]: one folder per competition with a manifest of names, sizes and sha256.

pub mod cache;
pub mod client;
pub mod credentials;
pub mod download;
pub mod error;
pub mod fetch;
pub mod submit;
pub mod wire;

pub use error::{KaggleError, Result};
