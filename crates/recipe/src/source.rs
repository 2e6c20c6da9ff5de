//! Where a piece of recipe text came from: a file (with byte spans) or a command-line override.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// The text of a recipe file, kept so spans can be turned into line and column numbers.
#[derive(Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
    /// Byte offset of each line's start, built on first use: every located parameter asks
    /// for its line, and scanning the text from the start each time made a recipe of many
    /// steps quadratic to load.
    line_starts: OnceLock<Vec<usize>>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Arc::new(Source {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        })
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let starts = self.line_starts();
        // The last line starting at or before `offset`.
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let col = self.text[starts[line - 1]..offset].chars().count() + 1;
        (line, col)
    }

    fn line_text(&self, line: usize) -> &str {
        let starts = self.line_starts();
        let Some(&start) = starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = starts.get(line).map_or(self.text.len(), |&next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A located place: `file:line:col` with the line's text for a caret display,
/// or the command-line override a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loc {
    /// Line, column and width are 1-based counts, narrow so that every `Result` carrying a
    /// recipe error stays small.
    File {
        file: String,
        line: u32,
        col: u32,
        width: u32,
        snippet: String,
    },
    Override {
        text: String,
    },
    Unknown,
}

impl Loc {
    pub fn in_source(source: &Source, span: &Range<usize>) -> Loc {
        let (line, col) = source.line_col(span.start);
        let snippet = source.line_text(line).to_string();
        let (end_line, end_col) = source.line_col(span.end);
        let width = if end_line == line && end_col > col {
            end_col - col
        } else {
            1
        };
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Loc::File {
            file: source.name.clone(),
            line: narrow(line),
            col: narrow(col),
            width: narrow(width),
            snippet,
        }
    }

    /// Caret display in cargo's style, empty when there is no text to show.
    pub fn caret(&self) -> String {
        match self {
            Loc::File {
                line,
                col,
                width,
                snippet,
                ..
            } if !snippet.is_empty() => {
                let gutter = line.to_string().len();
                let pad: String = snippet
                    .chars()
                    .take((*col as usize).saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                format!(
                    "{:gutter$} |\n{line} | {snippet}\n{:gutter$} | {pad}{}",
                    "",
                    "",
                    "^".repeat((*width as usize).clamp(1, 80)),
                )
            }
            _ => String::new(),
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::File {
                file, line, col, ..
            } => write!(f, "{file}:{line}:{col}"),
            Loc::Override { text } => write!(f, "override `{text}`"),
            Loc::Unknown => write!(f, "<recipe>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let s = Source::new("r.toml", "a = 1\nbb = 2\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(6), (2, 1));
        assert_eq!(s.line_col(9), (2, 4));
    }

    #[test]
    fn lines_and_columns_match_a_scan_from_the_start() {
        let text = "é = 1\r\n\nname = \"ß€\"\nlast";
        let s = Source::new("r.toml", text);
        for offset in 0..=text.len() + 2 {
            let o = floor_char_boundary(text, offset.min(text.len()));
            let before = &text[..o];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            assert_eq!(
                s.line_col(offset),
                (line, before[start..].chars().count() + 1)
            );
        }
        let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
        for (i, l) in lines.iter().enumerate() {
            assert_eq!(s.line_text(i + 1), *l);
        }
        assert_eq!(s.line_text(lines.len() + 1), "");
    }

    #[test]
    fn caret_points_at_span() {
        let s = Source::new("r.toml", "x = 1\nkind = \"tree\"\n");
        let loc = Loc::in_source(&s, &(13..19));
        assert_eq!(loc.to_string(), "r.toml:2:8");
        assert!(loc.caret().ends_with("       ^^^^^^"), "{}", loc.caret());
    }
}
