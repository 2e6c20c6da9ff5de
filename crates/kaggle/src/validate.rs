//! Checking a submission file before it is uploaded: the header, the id set (equal to the
//! test ids: none missing, none extra, no duplicates), the row count and the values (no
//! missing values, NaN or infinities; labels from the allowed set; probabilities in [0, 1];
//! counts not negative), against the competition's sample submission when there is one.
//! Each problem names the first bad row and id.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{KaggleError, Result};

/// What the values of the prediction column must be.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// One of these labels, as written (e.g. `0`/`1`, `True`/`False`).
    Labels(Vec<String>),
    /// A number in [0, 1].
    Probability,
    /// A number >= 0 (prices, counts).
    NonNegative,
    /// Any finite number.
    Number,
}

impl fmt::Display for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Values::Labels(l) => write!(f, "one of {}", l.join(", ")),
            Values::Probability => write!(f, "a probability in [0, 1]"),
            Values::NonNegative => write!(f, "a number >= 0"),
            Values::Number => write!(f, "a finite number"),
        }
    }
}

/// What a valid submission looks like for one competition.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub columns: Vec<String>,
    pub ids: Vec<String>,
    pub values: Values,
    /// The file the expectation was read from.
    pub reference: PathBuf,
}

/// One CSV line split into fields (double quotes and doubled quotes inside them understood).
pub fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// The non-empty lines of CSV text with their 1-based line numbers, without a BOM or `\r`.
pub fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
}

/// The lines of a CSV file, without a BOM or `\r`.
fn read_lines(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| KaggleError::io(path, e))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(text
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect())
}

fn is_sample(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".csv")
        && (n.contains("sample") && n.contains("submission") || n == "gender_submission.csv")
}

/// Reads what a submission must look like from the competition's folder: its sample
/// submission (header, ids, the kind of values), else the test file's ids.
pub fn expectation(dir: &Path, test_file: &str) -> Result<Expectation> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| KaggleError::io(dir, e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let Some(sample) = names.iter().find(|n| is_sample(n)) else {
        let path = dir.join(test_file);
        let lines = read_lines(&path)?;
        let ids = lines
            .iter()
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|l| split_csv_line(l)[0].clone())
            .collect();
        let id = lines
            .first()
            .map(|h| split_csv_line(h)[0].clone())
            .unwrap_or_default();
        return Ok(Expectation {
            columns: vec![id],
            ids,
            values: Values::Number,
            reference: path,
        });
    };
    let path = dir.join(sample);
    let lines = read_lines(&path)?;
    let columns = split_csv_line(lines.first().map(String::as_str).unwrap_or(""));
    let rows: Vec<Vec<String>> = lines
        .iter()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| split_csv_line(l))
        .collect();
    let ids = rows.iter().map(|r| r[0].clone()).collect();
    // The kind of values is read from the training target of the same name when there is one:
    // a sample of all zeros could be labels or counts, the target says which.
    let target_values = columns
        .get(1)
        .and_then(|c| column_values(&dir.join("train.csv"), c));
    let sample_owned: Vec<String> = rows.iter().filter_map(|r| r.get(1).cloned()).collect();
    let observed = target_values.unwrap_or(sample_owned);
    let sample_values: HashSet<&str> = observed
        .iter()
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .collect();
    let values = if sample_values.iter().all(|v| ["0", "1"].contains(v)) {
        Values::Labels(vec!["0".into(), "1".into()])
    } else if sample_values.iter().all(|v| ["True", "False"].contains(v)) {
        Values::Labels(vec!["True".into(), "False".into()])
    } else if sample_values
        .iter()
        .all(|v| v.parse::<f64>().is_ok_and(|x| (0.0..=1.0).contains(&x)))
        && sample_values
            .iter()
            .any(|v| v.parse::<f64>().is_ok_and(|x| x.fract() != 0.0))
    {
        Values::Probability
    } else if sample_values
        .iter()
        .all(|v| v.parse::<f64>().is_ok_and(|x| x >= 0.0))
    {
        Values::NonNegative
    } else {
        Values::Number
    };
    Ok(Expectation {
        columns,
        ids,
        values,
        reference: path,
    })
}

/// The values of column `name` in a CSV file, if the file and the column exist.
fn column_values(path: &Path, name: &str) -> Option<Vec<String>> {
    let lines = read_lines(path).ok()?;
    let idx = split_csv_line(lines.first()?)
        .iter()
        .position(|c| c == name)?;
    Some(
        lines
            .iter()
            .skip(1)
            .filter_map(|l| split_csv_line(l).get(idx).cloned())
            .collect(),
    )
}

/// A problem found in a submission, with the first row (1-based, the header is row 1) and id.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub row: Option<usize>,
    pub id: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.row, &self.id) {
            (Some(r), Some(id)) => write!(f, "row {r} (id {id}): {}", self.message),
            (Some(r), None) => write!(f, "row {r}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

/// Checks `file`; returns the number of rows when valid, else every kind of problem found
/// (each with its first occurrence).
pub fn validate(
    file: &Path,
    exp: &Expectation,
) -> Result<std::result::Result<usize, Vec<Problem>>> {
    let lines = read_lines(file)?;
    let mut problems: Vec<Problem> = Vec::new();
    let mut add = |kind: &str, row: Option<usize>, id: Option<&str>, message: String| {
        if !problems.iter().any(|p| p.message.starts_with(kind)) {
            problems.push(Problem {
                row,
                id: id.map(str::to_string),
                message: format!("{kind}{message}"),
            });
        }
    };
    let Some(header) = lines.first().filter(|h| !h.is_empty()) else {
        return Ok(Err(vec![Problem {
            row: None,
            id: None,
            message: "the file is empty".into(),
        }]));
    };
    let header = split_csv_line(header);
    if exp.columns.len() > 1 && header != exp.columns {
        add(
            "wrong header: ",
            Some(1),
            None,
            format!(
                "expected {}, found {}",
                exp.columns.join(","),
                header.join(",")
            ),
        );
    } else if header.len() < 2 {
        add(
            "wrong header: ",
            Some(1),
            None,
            format!(
                "expected an id column and a prediction column, found {}",
                header.join(",")
            ),
        );
    }
    let expected: HashSet<&str> = exp.ids.iter().map(String::as_str).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut rows = 0;
    for (i, line) in lines.iter().enumerate().skip(1) {
        let row = i + 1;
        if line.is_empty() {
            if lines[i..].iter().all(|l| l.is_empty()) {
                break;
            }
            add("empty line", Some(row), None, String::new());
            continue;
        }
        rows += 1;
        let fields = split_csv_line(line);
        let id = fields[0].as_str();
        if fields.len() != header.len() {
            add(
                "wrong number of fields: ",
                Some(row),
                Some(id),
                format!("expected {}, found {}", header.len(), fields.len()),
            );
            continue;
        }
        if !seen.insert(id.to_string()) {
            add("duplicate id", Some(row), Some(id), String::new());
        }
        if !expected.contains(id) {
            add("id not in the test set", Some(row), Some(id), String::new());
        }
        let value = fields[1].trim();
        if value.is_empty() {
            add("missing prediction", Some(row), Some(id), String::new());
            continue;
        }
        match &exp.values {
            Values::Labels(allowed) => {
                if !allowed.iter().any(|a| a == value) {
                    add(
                        "invalid label: ",
                        Some(row),
                        Some(id),
                        format!("{value:?} is not {}", exp.values),
                    );
                }
            }
            kind => match value.parse::<f64>() {
                Err(_) => add("not a number: ", Some(row), Some(id), format!("{value:?}")),
                Ok(x) if !x.is_finite() => add(
                    "not a finite number: ",
                    Some(row),
                    Some(id),
                    format!("{value:?}"),
                ),
                Ok(x) if *kind == Values::Probability && !(0.0..=1.0).contains(&x) => add(
                    "probability out of [0, 1]: ",
                    Some(row),
                    Some(id),
                    format!("{x}"),
                ),
                Ok(x) if *kind == Values::NonNegative && x < 0.0 => {
                    add("negative value: ", Some(row), Some(id), format!("{x}"))
                }
                Ok(_) => {}
            },
        }
    }
    let missing: Vec<&String> = exp.ids.iter().filter(|id| !seen.contains(*id)).collect();
    if !missing.is_empty() {
        let first: Vec<&str> = missing.iter().take(3).map(|s| s.as_str()).collect();
        add(
            "missing ids: ",
            None,
            None,
            format!(
                "{} test id(s) have no row, first {}",
                missing.len(),
                first.join(", ")
            ),
        );
    }
    if rows != exp.ids.len() {
        add(
            "wrong row count: ",
            None,
            None,
            format!("expected {} rows, found {rows}", exp.ids.len()),
        );
    }
    Ok(if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_quotes() {
        assert_eq!(
            split_csv_line(r#"1,"a,b","say ""hi""""#),
            vec!["1", "a,b", r#"say "hi""#]
        );
    }
}
