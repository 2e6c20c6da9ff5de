//! The leaderboard: each team's best scored submission, best team first.

use super::scoring::format_score;
use super::state::Scored;
use kreplay_kaggle::wire::LeaderboardEntry;

/// Each team's best public score (private with `private`), best first: higher first when
/// `higher_is_better`, else lower first. A team's equal scores keep its earliest submission;
/// teams with equal scores are ordered by that submission's date, then team id. Submissions
/// without a score on that side are left out. `rows` must be in submission order.
pub(super) fn standings(
    rows: Vec<Scored>,
    higher_is_better: bool,
    private: bool,
) -> Vec<LeaderboardEntry> {
    let better = |a: f64, b: f64| if higher_is_better { a > b } else { a < b };
    let mut best: Vec<(f64, Scored)> = Vec::new();
    for row in rows {
        let Some(score) = (if private {
            row.private_score
        } else {
            row.public_score
        }) else {
            continue;
        };
        match best.iter_mut().find(|(_, b)| b.team_id == row.team_id) {
            Some(entry) if better(score, entry.0) => *entry = (score, row),
            Some(_) => {}
            None => best.push((score, row)),
        }
    }
    best.sort_by(|(sa, a), (sb, b)| {
        let by_score = if higher_is_better {
            sb.total_cmp(sa)
        } else {
            sa.total_cmp(sb)
        };
        by_score
            .then_with(|| a.date.cmp(&b.date))
            .then_with(|| a.team_id.cmp(&b.team_id))
    });
    best.into_iter()
        .map(|(score, row)| LeaderboardEntry {
            team_id: row.team_id,
            team_name: row.team,
            submission_date: row.date,
            score: format_score(Some(score)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(team_id: i64, date: &str, public: f64, private: f64) -> Scored {
        Scored {
            team_id,
            team: format!("t{team_id}"),
            date: date.into(),
            public_score: Some(public),
            private_score: Some(private),
        }
    }

    #[test]
    fn best_per_team_in_the_metric_direction() {
        let rows = vec![
            row(1, "d1", 0.5, 0.9),
            row(2, "d2", 0.7, 0.1),
            row(1, "d3", 0.7, 0.2),
            row(1, "d4", 0.6, 0.3),
        ];
        let teams = |board: Vec<LeaderboardEntry>| -> Vec<(i64, String, String)> {
            board
                .into_iter()
                .map(|e| (e.team_id, e.submission_date, e.score))
                .collect()
        };
        // Equal best public scores: team 2 submitted its first.
        assert_eq!(
            teams(standings(rows.clone(), true, false)),
            [
                (2, "d2".into(), "0.70000".into()),
                (1, "d3".into(), "0.70000".into())
            ]
        );
        assert_eq!(
            teams(standings(rows.clone(), true, true)),
            [
                (1, "d1".into(), "0.90000".into()),
                (2, "d2".into(), "0.10000".into())
            ]
        );
        assert_eq!(
            teams(standings(rows, false, false)),
            [
                (1, "d1".into(), "0.50000".into()),
                (2, "d2".into(), "0.70000".into())
            ]
        );
    }
}
