//! One column of a large CSV file, read fast: the validator reads the training target's
//! values (to tell class labels from numbers) from files of any size, so it scans bytes for the
//! one field it needs instead of building every field of every record. Quoted fields (with
//! commas, doubled quotes or line breaks inside) are understood; a line that is not valid
//! UTF-8 in that field is skipped, as the values are a hint.

use std::borrow::Cow;
use std::io::BufRead;

/// Where a CSV record's quoting stands after some bytes: a quote opens a field only at its
/// start, and a doubled quote inside one is a quote.
#[derive(Clone, Copy, PartialEq)]
enum Quoting {
    /// At the start of a field.
    Start,
    /// Inside an unquoted field (a quote here is just a character).
    Plain,
    /// Inside a quoted field.
    Open,
    /// Just after a quote inside a quoted field: it closed the field, or doubles the next.
    Closing,
}

impl Quoting {
    fn next(self, b: u8) -> Quoting {
        match (self, b) {
            (Quoting::Open, b'"') => Quoting::Closing,
            (Quoting::Open, _) => Quoting::Open,
            (Quoting::Closing, b'"') => Quoting::Open,
            (Quoting::Start, b'"') => Quoting::Open,
            (_, b',') => Quoting::Start,
            _ => Quoting::Plain,
        }
    }
}

/// The `idx`-th field of one record, unquoted; `None` when the record has fewer fields.
fn field(record: &[u8], idx: usize) -> Option<Cow<'_, str>> {
    let mut state = Quoting::Start;
    let (mut n, mut start) = (0, 0);
    let mut end = record.len();
    for (i, &b) in record.iter().enumerate() {
        let was = state;
        state = state.next(b);
        if b == b',' && was != Quoting::Open {
            if n == idx {
                end = i;
                break;
            }
            n += 1;
            start = i + 1;
        }
    }
    if n != idx {
        return None;
    }
    let raw = std::str::from_utf8(&record[start..end]).ok()?.trim();
    match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if inner.contains("\"\"") => Some(Cow::Owned(inner.replace("\"\"", "\""))),
        Some(inner) => Some(Cow::Borrowed(inner)),
        None => Some(Cow::Borrowed(raw)),
    }
}

/// A record longer than this is not a value of a label column: it is cut there and skipped
/// past, so one stray quote cannot make the rest of a file one record.
const MAX_RECORD_BYTES: usize = 1 << 20;

/// Reads the next record: one line, or more while a quoted field is open (up to
/// [`MAX_RECORD_BYTES`]).
fn record(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    buf.clear();
    let mut state = Quoting::Start;
    loop {
        let from = buf.len();
        if reader.read_until(b'\n', buf)? == 0 {
            return Ok(!buf.is_empty());
        }
        for &b in &buf[from..] {
            state = state.next(b);
        }
        if state != Quoting::Open || buf.len() > MAX_RECORD_BYTES {
            break;
        }
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(true)
}

/// Calls `each` with every value (trimmed) of column `name`; false when the header has no
/// such column or the file cannot be read.
pub fn values(reader: impl BufRead, name: &str, mut each: impl FnMut(&str)) -> bool {
    let mut reader = reader;
    let mut buf = Vec::with_capacity(256);
    let Ok(true) = record(&mut reader, &mut buf) else {
        return false;
    };
    let header = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf).to_vec();
    let Some(idx) = (0..)
        .map_while(|i| field(&header, i))
        .position(|c| c == name)
    else {
        return false;
    };
    loop {
        match record(&mut reader, &mut buf) {
            Ok(true) => {
                if let Some(v) = field(&buf, idx) {
                    each(&v);
                }
            }
            Ok(false) => return true,
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(text: &str, name: &str) -> Option<Vec<String>> {
        let mut out = Vec::new();
        values(text.as_bytes(), name, |v| out.push(v.to_string())).then_some(out)
    }

    #[test]
    fn quoted_fields_commas_quotes_and_line_breaks() {
        let text = "\u{feff}Id,Name,Survived\r\n1,\"Braund, Mr. Owen\",0\r\n2,\"say \"\"hi\"\"\nthere\",1\n3,x, 1 \n";
        assert_eq!(column(text, "Survived").unwrap(), ["0", "1", "1"]);
        assert_eq!(
            column(text, "Name").unwrap(),
            ["Braund, Mr. Owen", "say \"hi\"\nthere", "x"]
        );
        assert_eq!(column(text, "Id").unwrap(), ["1", "2", "3"]);
        assert_eq!(column(text, "Fare"), None);
        // A short record has no value for the column.
        assert_eq!(column("a,b\n1\n2,3\n", "b").unwrap(), ["3"]);
        // A quote inside an unquoted field is a character, not an opening quote: the next
        // line is a record of its own.
        assert_eq!(column("a,b\n12\" pipe,1\nx,2\n", "b").unwrap(), ["1", "2"]);
    }
}
