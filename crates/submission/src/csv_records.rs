//! A strict, streaming reader of comma-separated records, for CSV files from outside
//! (submissions, solutions, sample submissions): one record per line, read from a
//! [`BufRead`] so memory is bounded by the longest line, never by the file.
//!
//! * Quoting as RFC 4180 has it: a quote may open a field only at its start; inside quotes
//!   `""` is one quote; after the closing quote only a comma or the end of the line may
//!   follow; a quote left open at the end of the line is an error (a record never spans
//!   lines).
//! * A line is at most [`MAX_LINE_BYTES`] (1 MiB) unless told otherwise; a longer one is an
//!   error and is skipped without being held in memory.
//! * A UTF-8 BOM at the start and a `\r` before each `\n` are stripped; blank lines are
//!   skipped; lines are numbered from 1 as read (the header is row 1).
//! * [`wrong_delimiter`] tells a tab-, semicolon- or pipe-separated file by its header.
//! * [`escape`] makes a value from the file safe to put in a message: control characters and
//!   bidirectional overrides escaped, at most [`MAX_SHOWN_CHARS`] characters.
//!
//! A bad line is reported as a [`CsvError`] naming its row; the next call goes on with the
//! next line, so a caller may report every problem or stop at the first.

use std::io::BufRead;

/// The longest line read by default.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// How many characters of a value [`escape`] keeps.
pub const MAX_SHOWN_CHARS: usize = 100;

/// One record: its row (line number, 1-based) and its fields, unquoted, not trimmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub row: usize,
    pub fields: Vec<String>,
}

/// What is wrong with one line, or the reading itself.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("row {row}: the line is longer than {max} bytes")]
    LineTooLong { row: usize, max: usize },
    #[error("row {row}: the line is not UTF-8 text")]
    NotUtf8 { row: usize },
    #[error("row {row}: field {field} has a quote inside it; a quoted field starts with the quote and doubles quotes inside (\"a \"\"b\"\"\")")]
    StrayQuote { row: usize, field: usize },
    #[error("row {row}: field {field} goes on after its closing quote; only a comma or the end of the line may follow it")]
    AfterQuote { row: usize, field: usize },
    #[error("row {row}: field {field} opens a quote that is never closed")]
    Unterminated { row: usize, field: usize },
    #[error("reading line {row}: {source}")]
    Io {
        row: usize,
        #[source]
        source: std::io::Error,
    },
}

impl CsvError {
    /// The row the problem is on.
    pub fn row(&self) -> usize {
        match self {
            CsvError::LineTooLong { row, .. }
            | CsvError::NotUtf8 { row }
            | CsvError::StrayQuote { row, .. }
            | CsvError::AfterQuote { row, .. }
            | CsvError::Unterminated { row, .. }
            | CsvError::Io { row, .. } => *row,
        }
    }

    /// The message without the `row N: ` prefix.
    pub fn reason(&self) -> String {
        let text = self.to_string();
        let prefix = format!("row {}: ", self.row());
        match text.strip_prefix(&prefix) {
            Some(rest) => rest.to_string(),
            None => text,
        }
    }
}

/// The records of a CSV stream, line by line.
pub struct Records<R> {
    reader: R,
    max_line: usize,
    /// Lines read so far.
    line: usize,
    buf: Vec<u8>,
    /// An I/O error ends the stream.
    done: bool,
}

impl<R: BufRead> Records<R> {
    pub fn new(reader: R) -> Records<R> {
        Records::with_max_line(reader, MAX_LINE_BYTES)
    }

    /// As [`Records::new`], with lines of at most `max_line` bytes.
    pub fn with_max_line(reader: R, max_line: usize) -> Records<R> {
        Records {
            reader,
            max_line,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// The next record that is not a blank line, `None` at the end.
    pub fn next_record(&mut self) -> Option<Result<Record, CsvError>> {
        loop {
            if self.done {
                return None;
            }
            let row = self.line + 1;
            let too_long = match self.read_line() {
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Ok(Some(too_long)) => too_long,
                Err(source) => {
                    self.done = true;
                    return Some(Err(CsvError::Io { row, source }));
                }
            };
            self.line = row;
            if too_long {
                return Some(Err(CsvError::LineTooLong {
                    row,
                    max: self.max_line,
                }));
            }
            let mut bytes = self.buf.as_slice();
            if row == 1 {
                bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            }
            bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            let Ok(text) = std::str::from_utf8(bytes) else {
                return Some(Err(CsvError::NotUtf8 { row }));
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some(parse_line(text, row).map(|fields| Record { row, fields }));
        }
    }

    /// Reads the next line (without its `\n`) into `buf`: `None` at the end of the stream,
    /// `Some(true)` when it was longer than `max_line` (the rest of it is read and dropped).
    fn read_line(&mut self) -> std::io::Result<Option<bool>> {
        self.buf.clear();
        let (mut any, mut too_long) = (false, false);
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(any.then_some(too_long));
            }
            any = true;
            let (part, used, end) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..i], i + 1, true),
                None => (available, available.len(), false),
            };
            if !too_long {
                if self.buf.len() + part.len() > self.max_line {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(part);
                }
            }
            self.reader.consume(used);
            if end {
                return Ok(Some(too_long));
            }
        }
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Result<Record, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record()
    }
}

/// Splits one line (without its line end) into fields, strictly (see the module doc); `row`
/// is for the error.
pub fn parse_line(line: &str, row: usize) -> Result<Vec<String>, CsvError> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let field = fields.len() + 1;
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(CsvError::Unterminated { row, field }),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        value.push('"');
                    }
                    Some('"') => break,
                    Some(c) => value.push(c),
                }
            }
            match chars.next() {
                None => {
                    fields.push(value);
                    return Ok(fields);
                }
                Some(',') => fields.push(value),
                Some(_) => return Err(CsvError::AfterQuote { row, field }),
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(value);
                        return Ok(fields);
                    }
                    Some(',') => break,
                    Some('"') => return Err(CsvError::StrayQuote { row, field }),
                    Some(c) => value.push(c),
                }
            }
            fields.push(value);
        }
    }
}

/// When a header read as one field holds a tab, semicolon or pipe, the file is separated by
/// that instead of commas: "the file is tab-separated; a submission is comma-separated".
pub fn wrong_delimiter(header: &[String]) -> Option<String> {
    let [only] = header else {
        return None;
    };
    let name = [('\t', "tab"), (';', "semicolon"), ('|', "pipe")]
        .into_iter()
        .find(|(c, _)| only.contains(*c))
        .map(|(_, name)| name)?;
    Some(format!(
        "the file is {name}-separated; a submission is comma-separated"
    ))
}

/// `text` made safe for a message: control characters and bidirectional overrides escaped
/// (`\t`, `\u{1b}`, `\u{202e}`), at most [`MAX_SHOWN_CHARS`] characters (then `…`).
pub fn escape(text: &str) -> String {
    kreplay_recipe::names::shown(text, MAX_SHOWN_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &[u8]) -> Vec<Result<(usize, Vec<String>), String>> {
        Records::new(text)
            .map(|r| r.map(|r| (r.row, r.fields)).map_err(|e| e.to_string()))
            .collect()
    }

    fn ok(row: usize, fields: &[&str]) -> Result<(usize, Vec<String>), String> {
        Ok((row, fields.iter().map(|f| f.to_string()).collect()))
    }

    #[test]
    fn quoted_fields_doubled_quotes_bom_crlf_and_blank_lines() {
        assert_eq!(
            records(b"\xef\xbb\xbfId,y\r\n1,\"a,b\"\r\n\r\n  \n2,\"say \"\"hi\"\"\"\n3,\"\"\n4,"),
            [
                ok(1, &["Id", "y"]),
                ok(2, &["1", "a,b"]),
                ok(5, &["2", "say \"hi\""]),
                ok(6, &["3", ""]),
                ok(7, &["4", ""]),
            ]
        );
    }

    #[test]
    fn a_stray_quote_is_an_error_naming_row_and_field() {
        let got = records(b"PassengerId,Survived\n892,0\"\n893,1\n");
        assert_eq!(got[1], Err("row 2: field 2 has a quote inside it; a quoted field starts with the quote and doubles quotes inside (\"a \"\"b\"\"\")".into()));
        // The next line is read as usual.
        assert_eq!(got[2], ok(3, &["893", "1"]));
        assert!(matches!(
            parse_line("\"a\"b,1", 4),
            Err(CsvError::AfterQuote { row: 4, field: 1 })
        ));
    }

    #[test]
    fn an_unterminated_quote_is_an_error() {
        let got = records(b"Id,y\n1,\"open\n2,3\n");
        assert_eq!(
            got[1],
            Err("row 2: field 2 opens a quote that is never closed".into())
        );
        assert_eq!(got[2], ok(3, &["2", "3"]));
    }

    #[test]
    fn tab_and_semicolon_files_are_told_by_their_header() {
        for (text, name) in [
            (&b"PassengerId\tSurvived\n892\t0\n"[..], "tab"),
            (b"PassengerId;Survived\n892;0\n", "semicolon"),
            (b"PassengerId|Survived\n", "pipe"),
        ] {
            let header = Records::new(text).next().unwrap().unwrap().fields;
            assert_eq!(header.len(), 1);
            assert_eq!(
                wrong_delimiter(&header).unwrap(),
                format!("the file is {name}-separated; a submission is comma-separated")
            );
        }
        assert_eq!(wrong_delimiter(&["Id".into(), "y".into()]), None);
        assert_eq!(wrong_delimiter(&["Id".into()]), None);
    }

    #[test]
    fn a_line_past_the_bound_is_an_error_and_is_skipped_without_being_kept() {
        let mut text = b"Id,y\n1,".to_vec();
        text.extend(std::iter::repeat_n(b'9', 5000));
        text.extend_from_slice(b"\n2,3\n");
        // A reader with a small buffer, so the long line arrives in many pieces.
        let reader = std::io::BufReader::with_capacity(64, text.as_slice());
        let mut records = Records::with_max_line(reader, 1000);
        assert_eq!(records.next().unwrap().unwrap().fields, ["Id", "y"]);
        let err = records.next().unwrap().unwrap_err();
        assert_eq!(err.to_string(), "row 2: the line is longer than 1000 bytes");
        assert!(records.buf.capacity() <= 1064, "{}", records.buf.capacity());
        assert_eq!(
            records.next().unwrap().unwrap(),
            Record {
                row: 3,
                fields: vec!["2".into(), "3".into()]
            }
        );
        assert!(records.next().is_none());
        // The default bound is 1 MiB.
        let mut long = vec![b'x'; MAX_LINE_BYTES + 1];
        long.push(b'\n');
        assert!(matches!(
            Records::new(long.as_slice()).next(),
            Some(Err(CsvError::LineTooLong { row: 1, .. }))
        ));
    }

    #[test]
    fn bad_utf8_is_an_error_of_its_row() {
        let got = records(b"Id,y\n1,\xff\n");
        assert_eq!(got[1], Err("row 2: the line is not UTF-8 text".into()));
    }

    #[test]
    fn escape_neutralises_control_characters_and_bidi_overrides() {
        assert_eq!(escape("a\tb\u{1b}[31m"), "a\\tb\\u{1b}[31m");
        assert_eq!(escape("id\u{202e}gpj"), "id\\u{202e}gpj");
        assert_eq!(escape("plain été"), "plain été");
        let long = "x".repeat(500);
        assert_eq!(escape(&long), format!("{}…", "x".repeat(MAX_SHOWN_CHARS)));
    }
}
