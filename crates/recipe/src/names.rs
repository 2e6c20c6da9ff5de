//! Names that come from outside and become paths or terminal output: competition slugs, file
//! names inside a competition folder, and text echoed to a terminal. A recipe is passed around
//! like any file, so none of these is trusted.

use std::borrow::Cow;

/// The longest slug accepted; Kaggle's are far shorter.
const MAX_SLUG: usize = 100;
/// The longest relative file name accepted, and the longest of its components (what common
/// file systems allow).
pub const MAX_FILE_NAME: usize = 1024;
pub const MAX_COMPONENT: usize = 255;

/// Why `s` is not a competition slug (`[a-z0-9-]+`, not starting with `-`), or `None`.
pub fn slug_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("is empty".into());
    }
    if s.len() > MAX_SLUG {
        return Some(format!(
            "is {} characters long (at most {MAX_SLUG})",
            s.len()
        ));
    }
    if s.starts_with('-') {
        return Some("starts with `-`".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "contains {}; a slug has only a-z, 0-9 and `-`",
            describe_char(c)
        ));
    }
    None
}

/// Why `s` is not a relative file name that stays inside its folder, or `None`: no absolute
/// path, drive prefix, `..` or `.` component, empty component, backslash, NUL or other control
/// character, or over-long name or component. `/` separates sub-folders. The one check every
/// name from outside passes before it becomes a path (a recipe's data files here, a server's
/// file names and zip members in the Kaggle client's cache).
pub fn relative_file_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("is empty".into());
    }
    if s.len() > MAX_FILE_NAME {
        return Some(format!(
            "is {} bytes long (at most {MAX_FILE_NAME})",
            s.len()
        ));
    }
    if let Some(c) = s.chars().find(|c| c.is_control() || *c == '\\') {
        return Some(format!("contains {}", describe_char(c)));
    }
    if s.starts_with('/') {
        return Some("is an absolute path".into());
    }
    let bytes = s.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return Some("starts with a drive prefix".into());
    }
    for part in s.split('/') {
        match part {
            "" => return Some("has an empty path component (`//` or a trailing `/`)".into()),
            "." | ".." => return Some(format!("has a `{part}` component")),
            _ if part.len() > MAX_COMPONENT => {
                return Some(format!("has a component longer than {MAX_COMPONENT} bytes"))
            }
            _ => {}
        }
    }
    None
}

fn describe_char(c: char) -> String {
    if c.is_control() || c == '\\' {
        format!("`{}`", c.escape_default())
    } else {
        format!("`{c}`")
    }
}

/// `s` with control characters (other than newline and tab) and bidirectional overrides
/// escaped, so that text from a recipe, a server or a submission cannot move the cursor,
/// recolour the terminal or reorder what the user reads. For whole messages; a single value
/// in a message goes through [`shown`].
pub fn escape_control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| needs_escape(c) && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) && c != '\n' && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A value from outside (a file name, an id, a server's message) as a message shows it: every
/// control character (newlines and tabs too) and bidirectional override escaped, and at most
/// `max` characters of it, then `…`.
pub fn shown(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(4 * max));
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug_problem("titanic"), None);
        assert_eq!(
            slug_problem("house-prices-advanced-regression-techniques"),
            None
        );
        for bad in [
            "",
            "../x",
            "/some/dir",
            "Titanic",
            "a b",
            "-x",
            "a\0b",
            "a/b",
            "é",
        ] {
            assert!(slug_problem(bad).is_some(), "{bad:?}");
        }
        assert!(slug_problem(&"a".repeat(101)).is_some());
        assert!(relative_file_problem(&"a".repeat(256)).is_some());
        assert!(relative_file_problem(&format!("{}/b", "a".repeat(255))).is_none());
    }

    #[test]
    fn relative_files() {
        for good in ["train.csv", "data/train.csv", "a..b.csv"] {
            assert_eq!(relative_file_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "../x.csv",
            "a/../../x",
            "/etc/passwd",
            "C:x.csv",
            "c:\\x",
            "a\\b",
            "a\0b",
            "a//b",
            "./a",
            "a/",
            "x\u{1b}[2J",
        ] {
            assert!(relative_file_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_control("plain\ntext"), "plain\ntext");
        assert_eq!(escape_control("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape_control("tab\there\r"), "tab\there\\r");
        assert_eq!(escape_control("\u{202e}evil"), "\\u{202e}evil");
        assert!(matches!(escape_control("ok"), Cow::Borrowed(_)));
        assert_eq!(shown("a\nb\t\u{202e}c", 10), "a\\nb\\t\\u{202e}c");
        assert_eq!(shown("abcdef", 3), "abc…");
        assert_eq!(shown("a\\b.csv", 20), "a\\b.csv");
    }
}
