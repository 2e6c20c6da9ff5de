//! The one submission validator, used by `kreplay validate`/`submit` before an upload and by
//! the host before it scores: the header, the id set (equal to the expected ids: none missing,
//! none extra, no duplicates), the row count and the values (no missing values, NaN or
//! infinities; labels from the allowed set; probabilities in [0, 1]; the bounds a metric
//! needs). Each problem names the first bad row (the header is row 1) and id, escaped.
//!
//! The file is read as a stream of strict CSV records ([`crate::csv_records`]): memory is
//! bounded by the expected ids and the longest line, not by the file. A tab-, semicolon- or
//! pipe-separated file is told as such.
//!
//! [`expectation`] reads what a submission looks like from a competition's folder (its sample
//! submission, else its test file); the host builds an [`Expectation`] from its solution and
//! metric instead.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::csv_records::{escape, wrong_delimiter, CsvError, Records};
use crate::error::{Result, SubmissionError};

/// At most this many distinct labels are read from a training column; past it the column is
/// no label set.
pub const MAX_LABELS: usize = 10_000;

/// What the values of the prediction column must be.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// One of these labels, as written (e.g. `0`/`1`, `True`/`False`).
    Labels(Vec<String>),
    /// A number in [0, 1].
    Probability,
    /// A number >= 0 (prices, counts).
    NonNegative,
    /// A number > 0 (rmse_log takes logarithms).
    Positive,
    /// A number > -1 (rmsle takes log(1 + x)).
    AboveMinusOne,
    /// Any finite number.
    Number,
}

impl fmt::Display for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Values::Labels(labels) => {
                let shown: Vec<String> = labels.iter().take(10).map(|l| escape(l)).collect();
                let more = if labels.len() > shown.len() {
                    format!(" (and {} more)", labels.len() - shown.len())
                } else {
                    String::new()
                };
                write!(f, "one of {}{more}", shown.join(", "))
            }
            Values::Probability => write!(f, "a probability in [0, 1]"),
            Values::NonNegative => write!(f, "a number >= 0"),
            Values::Positive => write!(f, "a number > 0"),
            Values::AboveMinusOne => write!(f, "a number > -1"),
            Values::Number => write!(f, "a finite number"),
        }
    }
}

/// What a valid submission looks like for one competition.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The header; with a single column (read from a test file) only the id column is known
    /// and any header of at least two columns is taken.
    pub columns: Vec<String>,
    /// The ids, each once.
    pub ids: Vec<String>,
    pub values: Values,
    /// The file the expectation was read from.
    pub reference: PathBuf,
}

/// One CSV line split into fields, leniently (double quotes and doubled quotes inside them
/// understood, stray quotes taken as they come), for files this program wrote. Files from
/// outside go through [`crate::csv_records`], which refuses what this lets pass.
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

fn open(path: &Path) -> Result<Records<std::io::BufReader<std::fs::File>>> {
    let file = std::fs::File::open(path).map_err(|e| SubmissionError::io(path, e))?;
    Ok(Records::new(std::io::BufReader::new(file)))
}

/// Reads a competition file (a sample submission or test file) record by record; its header,
/// trimmed. A malformed line is an error naming the file and row.
fn read_reference(path: &Path, mut each: impl FnMut(Vec<String>)) -> Result<Vec<String>> {
    let bad = |e: CsvError| match e {
        CsvError::Io { source, .. } => SubmissionError::io(path, source),
        e => SubmissionError::Invalid(format!("{}: {e}", path.display())),
    };
    let mut records = open(path)?;
    let header = match records.next() {
        Some(header) => trimmed(header.map_err(bad)?.fields),
        None => {
            return Err(SubmissionError::Invalid(format!(
                "{}: empty",
                path.display()
            )))
        }
    };
    for record in records {
        each(trimmed(record.map_err(bad)?.fields));
    }
    Ok(header)
}

fn trimmed(fields: Vec<String>) -> Vec<String> {
    fields.into_iter().map(|f| f.trim().to_string()).collect()
}

fn is_sample(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".csv")
        && (n.contains("sample") && n.contains("submission") || n == "gender_submission.csv")
}

/// The competition's sample submission (`sample_submission.csv`, `sampleSubmission.csv`,
/// Titanic's `gender_submission.csv`), if its folder has one; the first by name.
pub fn sample_submission(dir: &Path) -> Result<Option<PathBuf>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| SubmissionError::io(dir, e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names
        .into_iter()
        .find(|n| is_sample(n))
        .map(|n| dir.join(n)))
}

/// The header of a CSV file from outside, trimmed; an error names the file and what is wrong.
pub fn header(path: &Path) -> Result<Vec<String>> {
    let mut records = open(path)?;
    match records.next() {
        Some(Ok(header)) => Ok(trimmed(header.fields)),
        Some(Err(CsvError::Io { source, .. })) => Err(SubmissionError::io(path, source)),
        Some(Err(e)) => Err(SubmissionError::Invalid(format!("{}: {e}", path.display()))),
        None => Err(SubmissionError::Invalid(format!(
            "{}: empty",
            path.display()
        ))),
    }
}

/// What the caller knows of the prediction column beyond the competition's files.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Known {
    /// Read everything from the files (see [`expectation`]).
    Nothing,
    /// Probabilities of the positive class, where the files show its labels (`0`/`1`).
    Probabilities,
    /// Quantities (a regression): the files' class-like values do not make labels of them.
    Numbers,
}

/// Reads what a submission must look like from the competition's folder: its sample
/// submission (header, ids, the kind of values), else the test file's ids.
///
/// The kind of values comes from the training target of the sample's prediction column when
/// the train file has it, else from the sample: `0`/`1` or `True`/`False` are labels;
/// fractions within [0, 1] probabilities; integer codes or texts (at most [`MAX_CLASSES`] of
/// them, the sample's values among them) class labels, so `6.0` or `62.35` are refused for a
/// 7-class target; other non-negative numbers any number >= 0. `known` overrides what the
/// files leave open.
pub fn expectation(dir: &Path, test_file: &str, known: Known) -> Result<Expectation> {
    let mut ids = Ids::default();
    let Some(path) = sample_submission(dir)? else {
        let path = dir.join(test_file);
        let header = read_reference(&path, |fields| ids.add(fields))?;
        let values = match known {
            Known::Probabilities => Values::Probability,
            Known::Nothing | Known::Numbers => Values::Number,
        };
        return Ok(Expectation {
            columns: header.into_iter().take(1).collect(),
            ids: ids.list,
            values,
            reference: path,
        });
    };
    let mut observed = Observed::new();
    let columns = read_reference(&path, |mut fields| {
        if let Some(value) = fields.get(1) {
            observed.see(value);
        }
        fields.truncate(1);
        ids.add(fields);
    })?;
    // A sample of all zeros could be labels or counts: the target says which.
    let target = || {
        columns.get(1).and_then(|c| {
            let mut train = Observed::new();
            column_values(&dir.join("train.csv"), c, |v| train.see(v)).then_some(train)
        })
    };
    let values = match known {
        Known::Probabilities => Values::Probability,
        Known::Numbers => target().unwrap_or(observed).quantities(),
        Known::Nothing => match target() {
            Some(t) => {
                let classes = t.classes().filter(|c| observed.within(c));
                t.values(classes)
            }
            None => observed.values(None),
        },
    };
    Ok(Expectation {
        columns,
        ids: ids.list,
        values,
        reference: path,
    })
}

/// At most this many distinct values (integer codes or text) make a column class labels.
pub const MAX_CLASSES: usize = 50;

/// Labels sorted as numbers when they all are, else as text: `1, 2, 10`, not `1, 10, 2`.
fn sorted_labels(mut labels: Vec<String>) -> Values {
    let number = |l: &String| l.parse::<f64>().ok();
    if labels.iter().all(|l| number(l).is_some()) {
        labels.sort_by(|a, b| {
            number(a)
                .unwrap_or(0.0)
                .total_cmp(&number(b).unwrap_or(0.0))
        });
    } else {
        labels.sort();
    }
    Values::Labels(labels)
}

/// The first field of each row, each once.
#[derive(Default)]
struct Ids {
    list: Vec<String>,
    seen: HashSet<String>,
}

impl Ids {
    fn add(&mut self, fields: Vec<String>) {
        if let Some(id) = fields.into_iter().next() {
            if self.seen.insert(id.clone()) {
                self.list.push(id);
            }
        }
    }
}

/// What the values of a column have in common, seen one at a time.
struct Observed {
    zero_one: bool,
    true_false: bool,
    unit: bool,
    fractional: bool,
    non_negative: bool,
    /// Every value is an integer code (`7`, not `7.0`).
    integers: bool,
    /// No value is a number (`e`, `p`).
    texts: bool,
    /// The distinct values, while there are at most [`MAX_CLASSES`] of them.
    distinct: Option<Vec<String>>,
}

impl Observed {
    fn new() -> Observed {
        Observed {
            zero_one: true,
            true_false: true,
            unit: true,
            fractional: false,
            non_negative: true,
            integers: true,
            texts: true,
            distinct: Some(Vec::new()),
        }
    }

    fn see(&mut self, value: &str) {
        if value.is_empty() {
            return;
        }
        let number = value.parse::<f64>().ok();
        self.zero_one &= ["0", "1"].contains(&value);
        self.true_false &= ["True", "False"].contains(&value);
        self.unit &= number.is_some_and(|x| (0.0..=1.0).contains(&x));
        self.fractional |= number.is_some_and(|x| x.fract() != 0.0);
        self.non_negative &= number.is_some_and(|x| x >= 0.0);
        self.integers &= value.parse::<i64>().is_ok();
        self.texts &= number.is_none();
        if let Some(distinct) = &mut self.distinct {
            if !distinct.iter().any(|c| c == value) {
                distinct.push(value.to_string());
                if distinct.len() > MAX_CLASSES {
                    self.distinct = None;
                }
            }
        }
    }

    /// The classes seen, when the column looks like a class column: at least two and at most
    /// [`MAX_CLASSES`] distinct values, all integer codes or all text.
    fn classes(&self) -> Option<Vec<String>> {
        self.distinct
            .clone()
            .filter(|c| c.len() >= 2 && (self.integers || self.texts))
    }

    /// Every value seen is one of `classes`.
    fn within(&self, classes: &[String]) -> bool {
        self.distinct
            .as_ref()
            .is_some_and(|seen| seen.iter().all(|c| classes.contains(c)))
    }

    /// The kind of values, with `classes` preferred to plain numbers.
    fn values(&self, classes: Option<Vec<String>>) -> Values {
        if self.zero_one {
            Values::Labels(vec!["0".into(), "1".into()])
        } else if self.true_false {
            Values::Labels(vec!["True".into(), "False".into()])
        } else if self.unit && self.fractional {
            Values::Probability
        } else if let Some(classes) = classes {
            sorted_labels(classes)
        } else if self.non_negative {
            Values::NonNegative
        } else {
            Values::Number
        }
    }

    /// The kind of values of a quantity: numbers, non-negative where every value seen is.
    fn quantities(&self) -> Values {
        if self.non_negative {
            Values::NonNegative
        } else {
            Values::Number
        }
    }
}

/// Calls `each` with every value (trimmed) of column `name` of a CSV file; false when the file
/// or the column does not exist. Malformed lines are skipped: the column is a hint.
fn column_values(path: &Path, name: &str, each: impl FnMut(&str)) -> bool {
    match std::fs::File::open(path) {
        Ok(file) => {
            crate::column::values(std::io::BufReader::with_capacity(1 << 16, file), name, each)
        }
        Err(_) => false,
    }
}

/// The distinct values (trimmed, non-empty, in order of first appearance) of column `name` of
/// a CSV file: `None` when the file or the column does not exist, or it has more than
/// [`MAX_LABELS`] of them (no label column).
pub fn column_labels(path: &Path, name: &str) -> Option<Vec<String>> {
    let mut labels = Vec::new();
    let mut seen = HashSet::new();
    let mut over = false;
    let found = column_values(path, name, |value| {
        if over || value.is_empty() || seen.contains(value) {
            return;
        }
        if labels.len() == MAX_LABELS {
            over = true;
            return;
        }
        seen.insert(value.to_string());
        labels.push(value.to_string());
    });
    (found && !over).then_some(labels)
}

/// A problem found in a submission, with the first row (1-based, the header is row 1) and id.
/// The id is kept as written; it is escaped when shown, as are the values in `message`.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub row: Option<usize>,
    pub id: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.row, &self.id) {
            (Some(r), Some(id)) => write!(f, "row {r} (id {}): {}", escape(id), self.message),
            (Some(r), None) => write!(f, "row {r}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

/// How many problems [`check`] looks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Report {
    /// Stop at the first (the host's answer).
    First,
    /// The first of each kind (what `kreplay validate` prints).
    EveryKind,
}

/// A valid file: its rows and, for each expected id (in [`Expectation::ids`]' order), the
/// value it was given, trimmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub rows: usize,
    pub values: Vec<String>,
}

/// Checks `file`; returns the number of rows when valid, else every kind of problem found
/// (each with its first occurrence).
pub fn validate(
    file: &Path,
    exp: &Expectation,
) -> Result<std::result::Result<usize, Vec<Problem>>> {
    let reader = std::fs::File::open(file)
        .map(std::io::BufReader::new)
        .map_err(|e| SubmissionError::io(file, e))?;
    let checked =
        check(reader, exp, Report::EveryKind).map_err(|e| SubmissionError::io(file, e))?;
    Ok(checked.map(|c| c.rows))
}

/// Problems collected while reading, the first of each kind.
struct Found {
    problems: Vec<Problem>,
    report: Report,
}

impl Found {
    fn add(&mut self, kind: &str, row: Option<usize>, id: Option<&str>, detail: String) {
        if !self.problems.iter().any(|p| p.message.starts_with(kind)) {
            self.problems.push(Problem {
                row,
                id: id.map(str::to_string),
                message: format!("{kind}{detail}"),
            });
        }
    }

    fn stop(&self) -> bool {
        self.report == Report::First && !self.problems.is_empty()
    }
}

/// Checks a submission read from `reader` against `exp`. An I/O error is the only `Err`; a file
/// that is not a valid submission gives its problems, in the order of their rows.
pub fn check<R: BufRead>(
    reader: R,
    exp: &Expectation,
    report: Report,
) -> std::io::Result<std::result::Result<Checked, Vec<Problem>>> {
    let mut found = Found {
        problems: Vec::new(),
        report,
    };
    let mut records = Records::new(reader);
    let header = match records.next() {
        None => {
            found.add("the file is empty", None, None, String::new());
            return Ok(Err(found.problems));
        }
        Some(Err(CsvError::Io { source, .. })) => return Err(source),
        Some(Err(e)) => {
            found.add("wrong header: ", Some(e.row()), None, e.reason());
            return Ok(Err(found.problems));
        }
        Some(Ok(header)) => header,
    };
    let header_row = header.row;
    let header = trimmed(header.fields);
    if let Some(why) = wrong_delimiter(&header) {
        found.add(&why, Some(header_row), None, String::new());
        return Ok(Err(found.problems));
    }
    let shown = |columns: &[String]| escape(&columns.join(","));
    if exp.columns.len() > 1 && header != exp.columns {
        let detail = format!("expected {}, found {}", shown(&exp.columns), shown(&header));
        found.add("wrong header: ", Some(header_row), None, detail);
    } else if header.len() < 2 {
        let detail = format!(
            "expected an id column and a prediction column, found {}",
            shown(&header)
        );
        found.add("wrong header: ", Some(header_row), None, detail);
    }
    if found.stop() {
        return Ok(Err(found.problems));
    }
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(exp.ids.len());
    for (i, id) in exp.ids.iter().enumerate() {
        index.entry(id.as_str()).or_insert(i);
    }
    // The row and value given to each expected id.
    let mut given: Vec<Option<(usize, String)>> = vec![None; exp.ids.len()];
    let mut rows = 0;
    for record in records {
        rows += 1;
        let record = match record {
            Ok(record) => record,
            Err(CsvError::Io { source, .. }) => return Err(source),
            Err(e) => {
                found.add("bad CSV: ", Some(e.row()), None, e.reason());
                if found.stop() {
                    break;
                }
                continue;
            }
        };
        check_row(record, header.len(), exp, &index, &mut given, &mut found);
        if found.stop() {
            break;
        }
    }
    if !found.stop() {
        let missing: Vec<&str> = exp
            .ids
            .iter()
            .filter(|id| index.get(id.as_str()).is_some_and(|&i| given[i].is_none()))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let first: Vec<String> = missing.iter().take(3).map(|id| escape(id)).collect();
            let detail = format!(
                "{} test id(s) have no row, first {}",
                missing.len(),
                first.join(", ")
            );
            found.add("missing ids: ", None, None, detail);
        }
    }
    if !found.stop() && rows != exp.ids.len() {
        let detail = format!("expected {} rows, found {rows}", exp.ids.len());
        found.add("wrong row count: ", None, None, detail);
    }
    if !found.problems.is_empty() {
        return Ok(Err(found.problems));
    }
    Ok(Ok(Checked {
        rows,
        values: given
            .into_iter()
            .map(|g| g.map(|(_, v)| v).unwrap_or_default())
            .collect(),
    }))
}

fn check_row(
    record: crate::csv_records::Record,
    width: usize,
    exp: &Expectation,
    index: &HashMap<&str, usize>,
    given: &mut [Option<(usize, String)>],
    found: &mut Found,
) {
    let row = Some(record.row);
    let mut fields = trimmed(record.fields);
    let id = fields.first().cloned().unwrap_or_default();
    let id = Some(id.as_str());
    let slot = id.and_then(|id| index.get(id).copied());
    if fields.len() != width {
        let detail = format!("expected {width}, found {}", fields.len());
        found.add("wrong number of fields: ", row, id, detail);
        // The id has its row: it is not also a missing id.
        if let Some(i) = slot.filter(|&i| given[i].is_none()) {
            given[i] = Some((record.row, String::new()));
        }
        return;
    }
    match slot.map(|i| &given[i]) {
        None => found.add("id not in the test set", row, id, String::new()),
        Some(Some((first, _))) => {
            let detail = format!(" (first at row {first})");
            found.add("duplicate id", row, id, detail);
        }
        Some(None) => {}
    }
    let value = if fields.len() > 1 {
        fields.swap_remove(1)
    } else {
        String::new()
    };
    let problem = if value.is_empty() {
        Some(("missing prediction", String::new()))
    } else {
        check_value(&exp.values, &value).err()
    };
    // The id has its row even when its value is refused: it is not also a missing id.
    if let Some(i) = slot {
        if given[i].is_none() {
            given[i] = Some((record.row, value));
        }
    }
    if let Some((kind, detail)) = problem {
        found.add(kind, row, id, detail);
    }
}

/// Why `value` (trimmed, not empty) is not one of `values`: the kind of problem and what it is.
fn check_value(values: &Values, value: &str) -> std::result::Result<(), (&'static str, String)> {
    let quoted = || format!("\"{}\"", escape(value));
    if let Values::Labels(allowed) = values {
        if allowed.iter().any(|a| a == value) {
            return Ok(());
        }
        return Err(("invalid label: ", format!("{} is not {values}", quoted())));
    }
    let x = match value.parse::<f64>() {
        Err(_) => return Err(("not a number: ", quoted())),
        Ok(x) if !x.is_finite() => return Err(("not a finite number: ", quoted())),
        Ok(x) => x,
    };
    let out_of = match values {
        Values::Probability if !(0.0..=1.0).contains(&x) => "probability out of [0, 1]: ",
        Values::NonNegative if x < 0.0 => "negative value: ",
        Values::Positive if x <= 0.0 => "not above 0: ",
        Values::AboveMinusOne if x <= -1.0 => "not above -1: ",
        _ => return Ok(()),
    };
    Err((out_of, format!("{x}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(values: Values) -> Expectation {
        Expectation {
            columns: vec!["Id".into(), "y".into()],
            ids: vec!["1".into(), "2".into(), "3".into()],
            values,
            reference: PathBuf::new(),
        }
    }

    fn problems(text: &str, values: Values) -> Vec<String> {
        match check(text.as_bytes(), &exp(values), Report::EveryKind).unwrap() {
            Ok(c) => panic!("accepted: {c:?}"),
            Err(p) => p.iter().map(Problem::to_string).collect(),
        }
    }

    /// A competition folder with these files, in a fresh temporary directory.
    fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("kreplay-validate-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        dir
    }

    #[test]
    fn text_classes_are_labels_and_a_regression_keeps_numbers() {
        let dir = folder(
            "text",
            &[
                ("train.csv", "id,class\n1,e\n2,p\n3,e\n"),
                ("sample_submission.csv", "id,class\n4,e\n5,e\n"),
            ],
        );
        let exp = expectation(&dir, "test.csv", Known::Nothing).unwrap();
        assert_eq!(exp.values, Values::Labels(vec!["e".into(), "p".into()]));
        let dir = folder(
            "codes",
            &[
                ("train.csv", "id,rings\n1,3\n2,7\n3,9\n"),
                ("sample_submission.csv", "id,rings\n4,9\n"),
            ],
        );
        let classes = expectation(&dir, "test.csv", Known::Nothing).unwrap();
        assert_eq!(
            classes.values,
            Values::Labels(vec!["3".into(), "7".into(), "9".into()])
        );
        let numbers = expectation(&dir, "test.csv", Known::Numbers).unwrap();
        assert_eq!(numbers.values, Values::NonNegative);
    }

    #[test]
    fn csv_fields_with_quotes() {
        assert_eq!(
            split_csv_line(r#"1,"a,b","say ""hi""""#),
            vec!["1", "a,b", r#"say "hi""#]
        );
    }

    #[test]
    fn a_valid_file_gives_each_ids_value_in_expected_order() {
        let c = check(
            &b"Id,y\n3, 0.5\n\"1\",0\n2,1\n"[..],
            &exp(Values::Probability),
            Report::First,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            c,
            Checked {
                rows: 3,
                values: vec!["0".into(), "1".into(), "0.5".into()]
            }
        );
    }

    #[test]
    fn a_tab_separated_file_is_told_not_indexed() {
        assert_eq!(
            problems("Id\ty\n1\t0\n", Values::Number),
            ["row 1: the file is tab-separated; a submission is comma-separated"]
        );
        assert_eq!(
            problems("Id;y\n1;0\n", Values::Number),
            ["row 1: the file is semicolon-separated; a submission is comma-separated"]
        );
        // A single-column file that is not another delimiter's.
        let exp1 = Expectation {
            columns: vec!["Id".into()],
            ..exp(Values::Number)
        };
        let got = check(&b"Id\n1\n2\n3\n"[..], &exp1, Report::EveryKind).unwrap();
        let got: Vec<String> = got.unwrap_err().iter().map(Problem::to_string).collect();
        assert_eq!(
            got[0],
            "row 1: wrong header: expected an id column and a prediction column, found Id"
        );
        assert_eq!(got[1], "row 2 (id 1): missing prediction");
    }

    #[test]
    fn a_stray_quote_is_refused_with_its_row() {
        let got = problems("Id,y\n1,0\"\n2,1\n3,1\n", Values::Number);
        assert!(
            got[0].starts_with("row 2: bad CSV: field 2 has a quote inside it"),
            "{got:?}"
        );
    }

    #[test]
    fn ids_and_values_are_escaped_in_messages() {
        let got = problems("Id,y\n1\u{1b}[2J,0\n2,\u{202e}x\n3,1\n", Values::Number);
        assert_eq!(got[0], "row 2 (id 1\\u{1b}[2J): id not in the test set");
        assert_eq!(got[1], "row 3 (id 2): not a number: \"\\u{202e}x\"");
    }

    #[test]
    fn the_first_problem_is_the_first_bad_row() {
        let first = |text: &str, values: Values| {
            check(text.as_bytes(), &exp(values), Report::First)
                .unwrap()
                .unwrap_err()
                .iter()
                .map(Problem::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            first(
                "Id,y\n1,1\n2,-1\n3,2\n",
                Values::Labels(vec!["0".into(), "1".into()])
            ),
            ["row 3 (id 2): invalid label: \"-1\" is not one of 0, 1"]
        );
        assert_eq!(
            first("Id,y\n1,1\n2,0\n3,0\n", Values::Positive),
            ["row 3 (id 2): not above 0: 0"]
        );
        assert_eq!(
            first("Id,y\n1,-1\n2,0\n3,0\n", Values::AboveMinusOne),
            ["row 2 (id 1): not above -1: -1"]
        );
        assert_eq!(
            first("Id,y\n1,1\n1,2\n3,0\n", Values::Number),
            ["row 3 (id 1): duplicate id (first at row 2)"]
        );
        assert_eq!(
            first("Id,y\n1,1\n3,0\n", Values::Number),
            ["missing ids: 1 test id(s) have no row, first 2"]
        );
    }
}
