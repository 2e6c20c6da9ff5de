//! Kaggle: the API client, the local download cache and submissions.
//!
//! So far this crate owns where the download cache lives; the fetcher that fills it comes with
//! the fetcher issue.

pub mod cache;
