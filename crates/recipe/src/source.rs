//! Where a piece of recipe text came from: a file (with byte spans) or a command-line override.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// The text of a recipe file, kept so spans can be turned into line and column numbers.
#[derive(Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Arc::new(Source {
            name: name.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    fn line_text(&self, line: usize) -> &str {
        self.text
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or("")
            .trim_end_matches('\r')
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
    File {
        file: String,
        line: usize,
        col: usize,
        width: usize,
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
        Loc::File {
            file: source.name.clone(),
            line,
            col,
            width,
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
                    .take(col - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                format!(
                    "{:gutter$} |\n{line} | {snippet}\n{:gutter$} | {pad}{}",
                    "",
                    "",
                    "^".repeat((*width).clamp(1, 80)),
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
    fn caret_points_at_span() {
        let s = Source::new("r.toml", "x = 1\nkind = \"tree\"\n");
        let loc = Loc::in_source(&s, &(13..19));
        assert_eq!(loc.to_string(), "r.toml:2:8");
        assert!(loc.caret().ends_with("       ^^^^^^"), "{}", loc.caret());
    }
}
