use std::path::{Path, PathBuf};
use std::time::Duration;

use kreplay_kaggle::fetch::slug_of;
use kreplay_kaggle::submit::rank_of;
use kreplay_kaggle::KaggleError;
use kreplay_recipe::Metric;

use crate::out;
use crate::report::Result;

use super::kaggle::client;

/// How long `--wait` waits for a score.
const WAIT: Duration = Duration::from_secs(600);

pub struct Args {
    pub competition: String,
    pub file: PathBuf,
    pub message: String,
    pub wait: bool,
    pub data: Option<PathBuf>,
    /// A published public score to print beside the one obtained (from the recipe).
    pub published: Option<f64>,
}

/// Validates locally, uploads, and (with `wait`) prints the public score.
pub fn run(a: Args) -> Result {
    let slug = slug_of(&a.competition);
    if !super::validate::check(&slug, &a.file, a.data.as_deref())? {
        return Err(KaggleError::Invalid(
            "the submission was not uploaded; fix the problems above".into(),
        )
        .into());
    }
    let client = client()?;
    let created = client.submit(&slug, &a.file, &a.message)?;
    out!("{} (submission #{})", created.message, created.reference);
    if !a.wait {
        return Ok(());
    }
    let s = client.wait(created.reference, WAIT)?;
    if s.state() == "ERROR" {
        return Err(KaggleError::Invalid(format!(
            "submission #{} failed scoring: {}",
            s.reference, s.error_description
        ))
        .into());
    }
    let published = a
        .published
        .map(|p| format!("      published {p}"))
        .unwrap_or_default();
    out!("public score  {}{published}", s.public_score);
    if !s.private_score.is_empty() {
        out!("private score {}", s.private_score);
    }
    Ok(())
}

pub fn submissions(competition: &str, json: bool, wide: bool) -> Result {
    let list = client()?.submissions(&slug_of(competition))?;
    if json {
        out!("{}", serde_json::to_string_pretty(&list).expect("JSON"));
        return Ok(());
    }
    use crate::table::{print, Column};
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|s| {
            vec![
                s.reference.to_string(),
                s.date.to_string(),
                s.state().to_string(),
                s.public_score.to_string(),
                s.private_score.to_string(),
                s.file_name.to_string(),
                if s.error_description.is_empty() {
                    s.description.clone()
                } else {
                    format!("{} ({})", s.description, s.error_description)
                },
            ]
        })
        .collect();
    print(
        &[
            Column::right("ref"),
            Column::left("date"),
            Column::left("status"),
            Column::right("public"),
            Column::right("private"),
            Column::shrinking("file"),
            Column::shrinking("description"),
        ],
        &rows,
        wide,
    );
    Ok(())
}

pub fn leaderboard(
    competition: &str,
    top: usize,
    private: bool,
    score: Option<f64>,
    metric: Option<&str>,
    (json, wide): (bool, bool),
) -> Result {
    let board = client()?.leaderboard(&slug_of(competition), private)?;
    if json {
        out!("{}", serde_json::to_string_pretty(&board).expect("JSON"));
        return Ok(());
    }
    use crate::table::{print, Column};
    let rows: Vec<Vec<String>> = board
        .iter()
        .take(top)
        .enumerate()
        .map(|(i, e)| {
            vec![
                (i + 1).to_string(),
                e.team_name.to_string(),
                e.score.to_string(),
                e.submission_date.to_string(),
            ]
        })
        .collect();
    print(
        &[
            Column::right("rank"),
            Column::shrinking("team"),
            Column::right("score"),
            Column::left("submitted"),
        ],
        &rows,
        wide,
    );
    if let Some(x) = score {
        let higher = metric
            .and_then(Metric::parse)
            .is_none_or(Metric::higher_is_better);
        let (rank, pct) = rank_of(x, &board, higher);
        // A percentile of a handful of teams says nothing; the rank is all there is.
        const FEW: usize = 10;
        match board.len() {
            0 => out!("the board is empty: a score of {x} would be the first on it"),
            n if n < FEW => out!(
                "a score of {x} would rank {rank} of {} (the board has only {n} team{}, too few for a percentile)",
                n + 1,
                if n == 1 { "" } else { "s" }
            ),
            n => out!(
                "a score of {x} would rank {rank} of {} (at or above {pct:.1}% of teams)",
                n + 1
            ),
        }
    }
    Ok(())
}

/// `replay --submit`: the replay's submission file, with the recipe's published public score.
pub fn after_replay(
    competition: &str,
    file: &Path,
    message: &str,
    wait: bool,
    data: Option<PathBuf>,
    published: Option<f64>,
) -> Result {
    run(Args {
        competition: competition.to_string(),
        file: file.to_path_buf(),
        message: message.to_string(),
        wait,
        data,
        published,
    })
}
