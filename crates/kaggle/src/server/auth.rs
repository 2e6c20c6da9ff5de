//! Who may call the RPC routes: a known Bearer token, or a known username and key over Basic.

use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use base64::Engine;

pub(super) fn authorized(
    headers: &HeaderMap,
    tokens: &[String],
    keys: &[(String, String)],
) -> bool {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some((scheme, credential)) = value.trim().split_once(' ') else {
        return false;
    };
    let credential = credential.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        tokens.iter().any(|t| t == credential)
    } else if scheme.eq_ignore_ascii_case("basic") {
        basic_pair(credential)
            .is_some_and(|(user, key)| keys.iter().any(|(u, k)| *u == user && *k == key))
    } else {
        false
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
