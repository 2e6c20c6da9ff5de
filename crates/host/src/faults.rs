//! The fault switches tests flip to make the server misbehave the ways Kaggle does.

#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// For successive storage GETs (one entry consumed per GET that sends a body), cut the
    /// connection after this many body bytes.
    pub drop_after: Vec<u64>,
    /// The next N requests (RPC or storage) answer 500 with the nested error envelope.
    pub errors_500: u32,
    /// The next N RPC requests answer 429 with header Retry-After: retry_after_secs and the
    /// nested envelope
    /// {"error":{"code":429,"message":"Too many requests","status":"RESOURCE_EXHAUSTED"}}.
    pub rate_limit: u32,
    pub retry_after_secs: u64,
    /// Storage ignores Range headers and always answers 200 with the whole body.
    pub ignore_range: bool,
    /// Delay between body chunks of 16 KiB, in milliseconds.
    pub chunk_delay_ms: u64,
    /// Slugs whose DownloadDataFile/DownloadDataFiles answer 403 "You must accept this
    /// competition's rules before you'll be able to download files." (ListDataFiles still
    /// works).
    pub rules_not_accepted: Vec<String>,
}

impl Faults {
    /// Whether this request is one of the next `errors_500`, consuming it.
    pub(super) fn take_error_500(&mut self) -> bool {
        take(&mut self.errors_500)
    }

    /// Whether this RPC call is one of the next `rate_limit`, consuming it.
    pub(super) fn take_rate_limit(&mut self) -> bool {
        take(&mut self.rate_limit)
    }

    /// Where to cut the body of the storage GET about to send one, consuming the entry.
    pub(super) fn take_drop_after(&mut self) -> Option<u64> {
        (!self.drop_after.is_empty()).then(|| self.drop_after.remove(0))
    }

    pub(super) fn rules_accepted(&self, slug: &str) -> bool {
        !self.rules_not_accepted.iter().any(|s| s == slug)
    }
}

fn take(remaining: &mut u32) -> bool {
    let hit = *remaining > 0;
    *remaining = remaining.saturating_sub(1);
    hit
}
