//! Signed, expiring storage URLs, as Kaggle hands out: `DownloadDataFile(s)` answers with a
//! redirect to `/storage/...?expires=<unix seconds>&signature=<hex>`, where the signature is
//! HMAC-SHA256, under a random secret drawn when the server starts, over what is served (a
//! file of a competition, or its bundle) and the expiry. The storage routes serve only URLs
//! whose signature matches and whose expiry has not passed; nothing else on them needs a key.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

/// What a storage URL serves; both parts are signed, length-prefixed, so no two differ only
/// in where one name ends and the next begins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Target<'a> {
    File { slug: &'a str, name: &'a str },
    Bundle { slug: &'a str },
}

/// Why a storage URL is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(super) enum Refused {
    #[error("this storage URL is not signed; ask DownloadDataFile(s) for one")]
    Unsigned,
    #[error("this storage URL has expired; ask DownloadDataFile(s) for a new one")]
    Expired,
    #[error("this storage URL's signature does not match it")]
    Tampered,
}

pub(super) struct Signer {
    key: [u8; 32],
    lifetime: Duration,
}

impl Signer {
    pub(super) fn new(key: [u8; 32], lifetime: Duration) -> Signer {
        Signer { key, lifetime }
    }

    /// The query (`expires=...&signature=...`) that makes `target` servable until
    /// `now + lifetime`.
    pub(super) fn query(&self, target: Target<'_>, now: SystemTime) -> String {
        let expires = unix_seconds(now).saturating_add(self.lifetime.as_secs().max(1));
        format!(
            "expires={expires}&signature={}",
            hex(&self.mac(target, expires))
        )
    }

    /// Whether `query` (the raw query string of a storage GET) signs `target` at `now`.
    pub(super) fn check(
        &self,
        target: Target<'_>,
        query: Option<&str>,
        now: SystemTime,
    ) -> Result<(), Refused> {
        let (mut expires, mut signature) = (None, None);
        for pair in query.unwrap_or("").split('&') {
            match pair.split_once('=') {
                Some(("expires", v)) => expires = Some(v),
                Some(("signature", v)) => signature = Some(v),
                _ => {}
            }
        }
        let (Some(expires), Some(signature)) = (expires, signature) else {
            return Err(Refused::Unsigned);
        };
        // Digits only: `+1` or ` 1` would sign the same number under another spelling.
        if expires.is_empty() || expires.len() > 20 || !expires.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Refused::Tampered);
        }
        let expires: u64 = expires.parse().map_err(|_| Refused::Tampered)?;
        if !same(
            signature.as_bytes(),
            hex(&self.mac(target, expires)).as_bytes(),
        ) {
            return Err(Refused::Tampered);
        }
        if unix_seconds(now) > expires {
            return Err(Refused::Expired);
        }
        Ok(())
    }

    fn mac(&self, target: Target<'_>, expires: u64) -> [u8; 32] {
        let message = match target {
            Target::File { slug, name } => format!(
                "file\n{}:{slug}\n{}:{name}\n{expires}",
                slug.len(),
                name.len()
            ),
            Target::Bundle { slug } => format!("bundle\n{}:{slug}\n{expires}", slug.len()),
        };
        hmac_sha256(&self.key, message.as_bytes())
    }
}

/// HMAC-SHA256 (RFC 2104) for a key of at most one block.
fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let mut padded = [0u8; BLOCK];
    padded[..key.len()].copy_from_slice(key);
    let inner_key: Vec<u8> = padded.iter().map(|b| b ^ 0x36).collect();
    let outer_key: Vec<u8> = padded.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&inner_key)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer_key)
        .chain_update(inner)
        .finalize()
        .into()
}

/// Equal bytes, compared in time that depends only on the lengths.
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_1() {
        // RFC 4231 test case 1: key = 20 bytes of 0x0b, data = "Hi There".
        let mut key = [0u8; 32];
        key[..20].fill(0x0b);
        // A 20-byte key zero-padded to 32 bytes is the same key to HMAC (both pad to a block).
        assert_eq!(
            hex(&hmac_sha256(&key, b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn signed_urls_expire_and_cannot_be_moved_or_edited() {
        let signer = Signer::new([7; 32], Duration::from_secs(60));
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let train = Target::File {
            slug: "tiny",
            name: "train.csv",
        };
        let query = signer.query(train, now);
        assert!(query.starts_with("expires=1000060&signature="), "{query}");
        assert_eq!(signer.check(train, Some(&query), now), Ok(()));
        let later = now + Duration::from_secs(61);
        assert_eq!(
            signer.check(train, Some(&query), later),
            Err(Refused::Expired)
        );
        let other = Target::File {
            slug: "tiny",
            name: "solution.csv",
        };
        assert_eq!(
            signer.check(other, Some(&query), now),
            Err(Refused::Tampered)
        );
        assert_eq!(
            signer.check(Target::Bundle { slug: "tiny" }, Some(&query), now),
            Err(Refused::Tampered)
        );
        let pushed = query.replace("expires=1000060", "expires=9000060");
        assert_eq!(
            signer.check(train, Some(&pushed), later),
            Err(Refused::Tampered)
        );
        let other_key = Signer::new([8; 32], Duration::from_secs(60));
        assert_eq!(
            other_key.check(train, Some(&query), now),
            Err(Refused::Tampered)
        );
        assert_eq!(signer.check(train, None, now), Err(Refused::Unsigned));
        assert_eq!(
            signer.check(train, Some("expires=1000060"), now),
            Err(Refused::Unsigned)
        );
        let spelled = query.replace("expires=", "expires=+");
        assert_eq!(
            signer.check(train, Some(&spelled), now),
            Err(Refused::Tampered)
        );
    }
}
