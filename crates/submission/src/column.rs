//! One column of a large CSV file, read fast: the validator reads the training target's
//! values (to tell class labels from numbers) from files of any size, so it scans bytes for the
//! one field it needs instead of building every field of every record. Quoted fields (with
//! commas, doubled quotes or line breaks inside) are understood; a line that is not valid
//! UTF-8 in that field is skipped, as the values are a hint.

use std::borrow::Cow;
use std::io::BufRead;

/// The `idx`-th field of one record, unquoted; `None` when the record has fewer fields.
fn field(record: &[u8], idx: usize) -> Option<Cow<'_, str>> {
    let mut start = 0;
    let mut n = 0;
    let mut quoted = false;
    let mut i = 0;
    let end = loop {
        match record.get(i) {
            None => break record.len(),
            Some(b'"') => quoted = !quoted,
            Some(b',') if !quoted => {
                if n == idx {
                    break i;
                }
                n += 1;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    };
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

/// Reads the next record: one line, or more while a quoted field is open.
fn record(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    buf.clear();
    loop {
        if reader.read_until(b'\n', buf)? == 0 {
            return Ok(!buf.is_empty());
        }
        if buf.iter().filter(|&&b| b == b'"').count() % 2 == 0 {
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
    }
}
