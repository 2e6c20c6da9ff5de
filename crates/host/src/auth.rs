//! Who may call the RPC routes: a known Bearer token, or a known username and key over Basic;
//! and which team that caller submits as.

use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use base64::Engine;

/// The team a request speaks for, if its credentials are known: the username for HTTP Basic,
/// `team<k>` for the k-th (1-based) Bearer token of the server's list.
pub(super) fn caller(
    headers: &HeaderMap,
    tokens: &[String],
    keys: &[(String, String)],
) -> Option<String> {
    let value = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok())?;
    let (scheme, credential) = value.trim().split_once(' ')?;
    let credential = credential.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        let index = tokens.iter().position(|t| t == credential)?;
        Some(format!("team{}", index + 1))
    } else if scheme.eq_ignore_ascii_case("basic") {
        let (user, key) = basic_pair(credential)?;
        keys.iter()
            .any(|(u, k)| *u == user && *k == key)
            .then_some(user)
    } else {
        None
    }
}

fn basic_pair(credential: &str) -> Option<(String, String)> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credential)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, key) = text.split_once(':')?;
    Some((user.to_string(), key.to_string()))
}
