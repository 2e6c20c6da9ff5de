//! A hosted competition: the folder's `competition.toml` and its hidden `solution.csv`.
//!
//! ```toml
//! metric = "accuracy"            # accuracy, roc_auc, log_loss, rmse, rmse_log, rmsle
//! max_daily_submissions = 5      # per team per UTC day (default 5)
//! public_fraction = 0.5          # share of solution rows on the public board (default 0.5)
//! seed = 0                       # which rows are public (default 0)
//! deadline = 2030-01-01T00:00:00Z # RFC 3339, with an offset (a TOML datetime or a string)
//! ```
//!
//! Until the deadline passes (with no deadline: until the host is started with `--reveal`),
//! participants see public scores only: private scores are blank and the private leaderboard
//! is refused, as on Kaggle before a competition ends.
//!
//! Submissions are checked by the shared validator ([`kreplay_submission::validate`]) against
//! [`Contest::expectation`]: the solution's header and ids, values from the metric.
//!
//! `solution.csv` has the header `<id>,<target>`. A competition accepts submissions when it has
//! a `solution.csv`; it then needs a `competition.toml` with at least `metric`.
//!
//! The public rows: each row gets the key `sha256("<seed>:<id>")` (its first 8 bytes, big
//! endian); the `round(public_fraction * n)` rows with the smallest keys are public (equal keys,
//! which never happen in practice, by file order), the rest private. A row's side depends only
//! on the seed and its id, never on the file's order.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use kreplay_recipe::Metric;
use sha2::{Digest, Sha256};

use super::catalog;
use super::reply::ApiError;
use kreplay_submission::csv_records::{escape, Records};
use kreplay_submission::validate::{column_labels, Expectation, Values};

pub(super) const CONFIG_FILE: &str = "competition.toml";
pub(super) const SOLUTION_FILE: &str = "solution.csv";

const KEYS: &str = "metric, max_daily_submissions, public_fraction, seed, deadline";

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Settings {
    pub metric: Metric,
    pub max_daily_submissions: u32,
    pub public_fraction: f64,
    pub seed: u64,
    /// When the competition ends and private scores become visible.
    pub deadline: Option<SystemTime>,
}

impl Settings {
    /// Whether participants may see private scores at `now`: the deadline has passed, or the
    /// host's owner has revealed them.
    pub(super) fn private_visible(&self, revealed: bool, now: SystemTime) -> bool {
        revealed || self.deadline.is_some_and(|deadline| now >= deadline)
    }
}

/// One row of the solution.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Answer {
    pub id: String,
    /// Trimmed, as written.
    pub target: String,
    /// The target as a number, for every metric but accuracy.
    pub number: f64,
    pub public: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Contest {
    pub slug: String,
    pub settings: Settings,
    /// The id column and the target column, in this order.
    pub columns: [String; 2],
    pub answers: Vec<Answer>,
    /// For accuracy, the labels of the target column of the competition's `train.csv` (when
    /// it has one): also valid predictions.
    pub train_labels: Vec<String>,
}

/// The competition `slug` as a contest: 404 when there is no such competition, 400 when it
/// takes no submissions (no solution), 500 naming the file when its files are malformed.
pub(super) fn load(data_dir: &Path, slug: &str) -> Result<Contest, ApiError> {
    let dir = catalog::competition_dir(data_dir, slug)?
        .ok_or_else(|| ApiError::competition_not_found(slug))?;
    let solution = dir.join(SOLUTION_FILE);
    if !solution.is_file() {
        return Err(ApiError::bad_request(format!(
            "{slug} does not accept submissions"
        )));
    }
    let settings = read_settings(&dir, slug)?.ok_or_else(|| {
        host_error(
            slug,
            CONFIG_FILE,
            "missing; a competition with a solution.csv needs one, with at least `metric`".into(),
        )
    })?;
    let text =
        std::fs::read(&solution).map_err(|e| host_error(slug, SOLUTION_FILE, e.to_string()))?;
    let (columns, answers) =
        parse_solution(&text, &settings).map_err(|m| host_error(slug, SOLUTION_FILE, m))?;
    let train_labels = if settings.metric == Metric::Accuracy {
        column_labels(&dir.join("train.csv"), &columns[1]).unwrap_or_default()
    } else {
        Vec::new()
    };
    Ok(Contest {
        slug: slug.to_string(),
        settings,
        columns,
        answers,
        train_labels,
    })
}

/// The settings in `dir/competition.toml`, `None` when there is no such file; a 500 naming the
/// file when it cannot be read or is malformed.
pub(super) fn read_settings(dir: &Path, slug: &str) -> Result<Option<Settings>, ApiError> {
    let config = match std::fs::read_to_string(dir.join(CONFIG_FILE)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(host_error(slug, CONFIG_FILE, e.to_string())),
    };
    parse_settings(&config)
        .map(Some)
        .map_err(|m| host_error(slug, CONFIG_FILE, m))
}

fn host_error(slug: &str, file: &str, message: String) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("{slug}/{file}: {message}"),
    )
}

/// `competition.toml`; errors name the key.
pub(super) fn parse_settings(text: &str) -> Result<Settings, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("not valid TOML: {}", e.message()))?;
    if let Some(key) = table
        .keys()
        .find(|k| !KEYS.split(", ").any(|known| known == *k))
    {
        return Err(format!("unknown key `{key}` (the keys are {KEYS})"));
    }
    let metric = match table.get("metric") {
        None => return Err("key `metric` is missing".into()),
        Some(toml::Value::String(name)) => Metric::parse(name).ok_or_else(|| {
            format!(
                "key `metric`: unknown metric '{name}' \
                 (one of accuracy, roc_auc, log_loss, rmse, rmse_log, rmsle)"
            )
        })?,
        Some(other) => return Err(format!("key `metric`: expected a string, got {other}")),
    };
    let whole = |key: &str, default: u64, max: u64| match table.get(key) {
        None => Ok(default),
        Some(toml::Value::Integer(n)) if (0..=max as i64).contains(n) => Ok(*n as u64),
        Some(other) => Err(format!(
            "key `{key}`: expected a whole number from 0 to {max}, got {other}"
        )),
    };
    let max_daily_submissions = whole("max_daily_submissions", 5, u64::from(u32::MAX))? as u32;
    let seed = whole("seed", 0, i64::MAX as u64)?;
    let public_fraction = match table.get("public_fraction") {
        None => 0.5,
        Some(toml::Value::Float(f)) if (0.0..=1.0).contains(f) => *f,
        Some(toml::Value::Integer(n)) if (0..=1).contains(n) => *n as f64,
        Some(other) => {
            return Err(format!(
                "key `public_fraction`: expected a number from 0 to 1, got {other}"
            ))
        }
    };
    let deadline = match table.get("deadline") {
        None => None,
        Some(toml::Value::Datetime(d)) => Some(instant(d)?),
        Some(toml::Value::String(text)) => {
            let d = text.parse::<toml::value::Datetime>().map_err(|e| {
                format!("key `deadline`: `{text}` is not an RFC 3339 date and time ({e})")
            })?;
            Some(instant(&d)?)
        }
        Some(other) => {
            return Err(format!(
                "key `deadline`: expected an RFC 3339 date and time, got {other}"
            ))
        }
    };
    Ok(Settings {
        metric,
        max_daily_submissions,
        public_fraction,
        seed,
        deadline,
    })
}

/// The instant a TOML datetime names; it needs a date, a time and an offset (`Z` or
/// `+01:00`), as RFC 3339 does.
fn instant(d: &toml::value::Datetime) -> Result<SystemTime, String> {
    let why = "key `deadline`: expected an RFC 3339 date and time with an offset, \
               e.g. 2030-01-01T00:00:00Z";
    let (Some(date), Some(time), Some(offset)) = (d.date, d.time, d.offset) else {
        return Err(format!("{why}, got {d}"));
    };
    let offset_minutes = match offset {
        toml::value::Offset::Z => 0,
        toml::value::Offset::Custom { minutes } => i64::from(minutes),
    };
    let days = days_from_civil(
        i64::from(date.year),
        i64::from(date.month),
        i64::from(date.day),
    );
    // A leap second (:60) is the next second's start.
    let seconds = days * 86_400
        + i64::from(time.hour) * 3600
        + i64::from(time.minute) * 60
        + i64::from(time.second.unwrap_or(0))
        - offset_minutes * 60;
    let nanos = time.nanosecond.unwrap_or(0).min(999_999_999);
    let since_epoch = u64::try_from(seconds).map_err(|_| format!("{why}, after 1970; got {d}"))?;
    Ok(UNIX_EPOCH + Duration::new(since_epoch, nanos))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `solution.csv`: two columns, unique ids, targets that the metric can read; read with the
/// strict CSV reader, as submissions are.
pub(super) fn parse_solution(
    bytes: &[u8],
    settings: &Settings,
) -> Result<([String; 2], Vec<Answer>), String> {
    let mut records = Records::new(bytes);
    let header = records.next().ok_or("empty")?.map_err(|e| e.to_string())?;
    let columns: Vec<String> = header.fields.iter().map(|c| c.trim().to_string()).collect();
    let [id_col, target_col] = <[String; 2]>::try_from(columns).map_err(|c| {
        format!(
            "the header must be `<id>,<target>`, got `{}`",
            escape(&c.join(","))
        )
    })?;
    let mut answers = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for record in records {
        let record = record.map_err(|e| e.to_string())?;
        let row = record.row;
        let [id, target] = <[String; 2]>::try_from(record.fields)
            .map_err(|f| format!("row {row}: expected 2 fields, got {}", f.len()))?;
        let (id, target) = (id.trim().to_string(), target.trim().to_string());
        if !seen.insert(id.clone()) {
            return Err(format!(
                "row {row} (id {}): the id appears twice",
                escape(&id)
            ));
        }
        let number = if settings.metric == Metric::Accuracy {
            f64::NAN
        } else {
            match target.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => {
                    return Err(format!(
                        "row {row} (id {}): {} `{}` is not a number",
                        escape(&id),
                        escape(&target_col),
                        escape(&target)
                    ))
                }
            }
        };
        answers.push(Answer {
            id,
            target,
            number,
            public: false,
        });
    }
    if answers.is_empty() {
        return Err("no rows".into());
    }
    let ids: Vec<&str> = answers.iter().map(|a| a.id.as_str()).collect();
    let public = public_rows(&ids, settings.public_fraction, settings.seed);
    for (answer, public) in answers.iter_mut().zip(public) {
        answer.public = public;
    }
    Ok(([id_col, target_col], answers))
}

impl Contest {
    /// What a submission to this contest must be, for the shared validator: the solution's
    /// header and ids, and values the metric reads: for accuracy one of the solution's labels
    /// (or the training file's), a probability for log_loss, > 0 for rmse_log, > -1 for rmsle,
    /// else a finite number.
    pub(super) fn expectation(&self) -> Expectation {
        let values = match self.settings.metric {
            Metric::Accuracy => {
                let mut seen = std::collections::HashSet::new();
                let labels = self
                    .answers
                    .iter()
                    .map(|a| &a.target)
                    .chain(&self.train_labels)
                    .filter(|l| seen.insert(l.as_str()))
                    .cloned()
                    .collect();
                Values::Labels(labels)
            }
            Metric::LogLoss => Values::Probability,
            Metric::RmseLog => Values::Positive,
            Metric::Rmsle => Values::AboveMinusOne,
            Metric::RocAuc | Metric::Rmse => Values::Number,
        };
        Expectation {
            columns: self.columns.to_vec(),
            ids: self.answers.iter().map(|a| a.id.clone()).collect(),
            values,
            reference: Path::new(&self.slug).join(SOLUTION_FILE),
        }
    }
}

/// Which rows are public: the `round(fraction * n)` ids with the smallest
/// `sha256("<seed>:<id>")` (first 8 bytes, big endian).
pub(super) fn public_rows(ids: &[&str], fraction: f64, seed: u64) -> Vec<bool> {
    let key = |id: &str| {
        let digest = Sha256::digest(format!("{seed}:{id}").as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    };
    let mut order: Vec<(u64, usize)> = ids.iter().enumerate().map(|(i, id)| (key(id), i)).collect();
    order.sort_unstable();
    let count = ((fraction * ids.len() as f64).round() as usize).min(ids.len());
    let mut public = vec![false; ids.len()];
    for &(_, i) in &order[..count] {
        public[i] = true;
    }
    public
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> Result<Settings, String> {
        parse_settings(text)
    }

    #[test]
    fn settings_have_defaults_and_errors_name_the_key() {
        let s = settings("metric = \"rmse\"").unwrap();
        assert_eq!(
            s,
            Settings {
                metric: Metric::Rmse,
                max_daily_submissions: 5,
                public_fraction: 0.5,
                seed: 0,
                deadline: None,
            }
        );
        for (text, key) in [
            ("metric = \"f1\"", "`metric`"),
            ("max_daily_submissions = 3", "`metric` is missing"),
            (
                "metric = \"rmse\"\nmax_daily_submissions = \"five\"",
                "`max_daily_submissions`",
            ),
            (
                "metric = \"rmse\"\npublic_fraction = 1.5",
                "`public_fraction`",
            ),
            ("metric = \"rmse\"\nseed = -1", "`seed`"),
            ("metric = \"rmse\"\nmax_daily = 3", "`max_daily`"),
            ("metric = ", "not valid TOML"),
        ] {
            let err = settings(text).unwrap_err();
            assert!(err.contains(key), "{text}: {err}");
        }
    }

    #[test]
    fn the_deadline_is_an_instant_with_an_offset_and_gates_private_scores() {
        let at = |text: &str| settings(&format!("metric = \"rmse\"\n{text}"));
        let epoch = |secs: u64| Some(UNIX_EPOCH + Duration::from_secs(secs));
        // 2030-01-01T00:00:00Z is 1893456000 (Python: datetime(2030,1,1,tzinfo=utc).timestamp()).
        assert_eq!(
            at("deadline = 2030-01-01T00:00:00Z").unwrap().deadline,
            epoch(1_893_456_000)
        );
        assert_eq!(
            at("deadline = \"2030-01-01T02:30:00+02:30\"")
                .unwrap()
                .deadline,
            epoch(1_893_456_000)
        );
        assert_eq!(
            at("deadline = 2024-02-29T12:00:00.5-01:00")
                .unwrap()
                .deadline,
            Some(UNIX_EPOCH + Duration::from_millis(1_709_211_600_500))
        );
        for bad in [
            "deadline = 2030-01-01T00:00:00",
            "deadline = 2030-01-01",
            "deadline = \"next friday\"",
            "deadline = 5",
            "deadline = 1960-01-01T00:00:00Z",
        ] {
            let err = at(bad).unwrap_err();
            assert!(err.contains("`deadline`"), "{bad}: {err}");
        }
        let s = at("deadline = 2030-01-01T00:00:00Z").unwrap();
        let before = UNIX_EPOCH + Duration::from_secs(1_893_455_999);
        let after = UNIX_EPOCH + Duration::from_secs(1_893_456_000);
        assert!(!s.private_visible(false, before));
        assert!(s.private_visible(false, after));
        assert!(s.private_visible(true, before));
        let open_ended = at("").unwrap();
        assert!(!open_ended.private_visible(false, after));
        assert!(open_ended.private_visible(true, after));
    }

    #[test]
    fn the_public_split_is_seeded_sized_and_order_free() {
        let ids: Vec<String> = (1..=20).map(|i| i.to_string()).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let public = public_rows(&ids, 0.5, 0);
        assert_eq!(public.iter().filter(|p| **p).count(), 10);
        let mut reversed = ids.clone();
        reversed.reverse();
        let mut back = public_rows(&reversed, 0.5, 0);
        back.reverse();
        assert_eq!(public, back);
        assert_ne!(public, public_rows(&ids, 0.5, 1));
        assert_eq!(public_rows(&ids, 0.26, 0).iter().filter(|p| **p).count(), 5);
        assert!(public_rows(&ids, 0.0, 0).iter().all(|p| !p));
        // Pinned (Python: sorted ids by hashlib.sha256(f"0:{id}").digest()[:8], first 10), so
        // a change of the rule cannot pass unnoticed; submit_tests relies on this split.
        let chosen: Vec<&str> = ids
            .iter()
            .zip(&public)
            .filter(|(_, p)| **p)
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(
            chosen,
            ["3", "4", "7", "9", "10", "14", "15", "17", "18", "20"]
        );
    }

    #[test]
    fn solutions_are_checked() {
        let s = settings("metric = \"rmse\"").unwrap();
        let (columns, answers) =
            parse_solution(b"\xef\xbb\xbfId,y\r\n1,2.5\r\n\r\n2,3\r\n", &s).unwrap();
        assert_eq!(columns, ["Id".to_string(), "y".to_string()]);
        assert_eq!(answers[1].number, 3.0);
        let err = parse_solution(b"Id,y\n1,2\n1,3\n", &s).unwrap_err();
        assert_eq!(err, "row 3 (id 1): the id appears twice");
        let err = parse_solution(b"Id,y\n1,abc\n", &s).unwrap_err();
        assert_eq!(err, "row 2 (id 1): y `abc` is not a number");
        assert!(parse_solution(b"Id\n1\n", &s)
            .unwrap_err()
            .contains("header"));
    }
}
