//! A hosted competition: the folder's `competition.toml` and its hidden `solution.csv`.
//!
//! ```toml
//! metric = "accuracy"            # accuracy, roc_auc, log_loss, rmse, rmse_log, rmsle
//! max_daily_submissions = 5      # per team per UTC day (default 5)
//! public_fraction = 0.5          # share of solution rows on the public board (default 0.5)
//! seed = 0                       # which rows are public (default 0)
//! ```
//!
//! `solution.csv` has the header `<id>,<target>`. A competition accepts submissions when it has
//! a `solution.csv`; it then needs a `competition.toml` with at least `metric`.
//!
//! The public rows: each row gets the key `sha256("<seed>:<id>")` (its first 8 bytes, big
//! endian); the `round(public_fraction * n)` rows with the smallest keys are public (equal keys,
//! which never happen in practice, by file order), the rest private. A row's side depends only
//! on the seed and its id, never on the file's order.

use std::path::Path;

use axum::http::StatusCode;
use kreplay_recipe::Metric;
use sha2::{Digest, Sha256};

use super::catalog;
use super::reply::ApiError;
use crate::validate::split_csv_line;

pub(super) const CONFIG_FILE: &str = "competition.toml";
pub(super) const SOLUTION_FILE: &str = "solution.csv";

const KEYS: &str = "metric, max_daily_submissions, public_fraction, seed";

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Settings {
    pub metric: Metric,
    pub max_daily_submissions: u32,
    pub public_fraction: f64,
    pub seed: u64,
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
    let host_error = |file: &str, message: String| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{slug}/{file}: {message}"),
        )
    };
    let config = match std::fs::read_to_string(dir.join(CONFIG_FILE)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(host_error(
                CONFIG_FILE,
                "missing; a competition with a solution.csv needs one, with at least `metric`"
                    .into(),
            ))
        }
        Err(e) => return Err(host_error(CONFIG_FILE, e.to_string())),
    };
    let settings = parse_settings(&config).map_err(|m| host_error(CONFIG_FILE, m))?;
    let text = std::fs::read(&solution).map_err(|e| host_error(SOLUTION_FILE, e.to_string()))?;
    let (columns, answers) =
        parse_solution(&text, &settings).map_err(|m| host_error(SOLUTION_FILE, m))?;
    Ok(Contest {
        slug: slug.to_string(),
        settings,
        columns,
        answers,
    })
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
    Ok(Settings {
        metric,
        max_daily_submissions,
        public_fraction,
        seed,
    })
}

/// `solution.csv`: two columns, unique ids, targets that the metric can read.
pub(super) fn parse_solution(
    bytes: &[u8],
    settings: &Settings,
) -> Result<([String; 2], Vec<Answer>), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let mut lines = crate::validate::numbered_lines(text);
    let (_, header) = lines.next().ok_or("empty")?;
    let columns: Vec<String> = split_csv_line(header)
        .iter()
        .map(|c| c.trim().to_string())
        .collect();
    let [id_col, target_col] = <[String; 2]>::try_from(columns)
        .map_err(|c| format!("the header must be `<id>,<target>`, got `{}`", c.join(",")))?;
    let mut answers = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (row, line) in lines {
        let fields = split_csv_line(line);
        let [id, target] = <[String; 2]>::try_from(fields)
            .map_err(|f| format!("row {row}: expected 2 fields, got {}", f.len()))?;
        let (id, target) = (id.trim().to_string(), target.trim().to_string());
        if !seen.insert(id.clone()) {
            return Err(format!("row {row} (id {id}): the id appears twice"));
        }
        let number = if settings.metric == Metric::Accuracy {
            f64::NAN
        } else {
            match target.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => {
                    return Err(format!(
                        "row {row} (id {id}): {target_col} `{target}` is not a number"
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
                seed: 0
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
