//! Which bytes a `Range` header asks for. Only single ranges are honoured; anything else is
//! ignored, as RFC 9110 allows, and gets the whole body.

use axum::http::HeaderValue;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Wanted {
    Whole,
    /// Bytes `start..end`, end exclusive.
    Part {
        start: u64,
        end: u64,
    },
    Unsatisfiable,
}

pub(super) fn wanted(header: Option<&HeaderValue>, len: u64) -> Wanted {
    let Some(spec) = header
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.trim().strip_prefix("bytes="))
    else {
        return Wanted::Whole;
    };
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let (first, last) = (number(first), number(last));
    match (first, last) {
        (Some(Some(start)), _) if start >= len => Wanted::Unsatisfiable,
        // `N-`
        (Some(Some(start)), Some(None)) => Wanted::Part { start, end: len },
        // `N-M`
        (Some(Some(start)), Some(Some(last))) if last >= start => Wanted::Part {
            start,
            end: last.saturating_add(1).min(len),
        },
        // `-K`: the last K bytes.
        (Some(None), Some(Some(suffix))) => {
            if suffix == 0 || len == 0 {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part {
                    start: len.saturating_sub(suffix),
                    end: len,
                }
            }
        }
        _ => Wanted::Whole,
    }
}

/// `Some(None)` for an empty part, `Some(Some(n))` for digits, `None` for anything else.
fn number(part: &str) -> Option<Option<u64>> {
    let part = part.trim();
    if part.is_empty() {
        return Some(None);
    }
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok().map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(spec: &str, len: u64) -> Wanted {
        wanted(Some(&HeaderValue::from_str(spec).unwrap()), len)
    }

    #[test]
    fn single_ranges_and_the_rest() {
        assert_eq!(w("bytes=4-", 10), Wanted::Part { start: 4, end: 10 });
        assert_eq!(w("bytes=2-5", 10), Wanted::Part { start: 2, end: 6 });
        assert_eq!(w("bytes=2-50", 10), Wanted::Part { start: 2, end: 10 });
        assert_eq!(w("bytes=-3", 10), Wanted::Part { start: 7, end: 10 });
        assert_eq!(w("bytes=10-", 10), Wanted::Unsatisfiable);
        assert_eq!(w("bytes=5-2", 10), Wanted::Whole);
        assert_eq!(w("bytes=0-1,4-5", 10), Wanted::Whole);
        assert_eq!(w("items=0-", 10), Wanted::Whole);
        assert_eq!(wanted(None, 10), Wanted::Whole);
    }
}
