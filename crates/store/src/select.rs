//! The listing of [`crate::RunStore::list`] over runs held in memory (a shared study's runs,
//! read from PostgreSQL): the same filter, the same orders, the same summary rows.

use std::cmp::Ordering;

use kreplay_recipe::Metric;

use crate::record::{RunRecord, RunRow};
use crate::{RunFilter, Sort};

impl RunRecord {
    /// The run's summary, as listings show it.
    pub fn row(&self) -> RunRow {
        let r = &self.run;
        RunRow {
            id: self.id,
            started: r.started.clone(),
            recipe: r.recipe.clone(),
            hash: r.hash.clone(),
            overrides: r.overrides.clone(),
            metric: r.metric.clone(),
            direction: Metric::parse(&r.metric)
                .map_or("", Metric::direction)
                .to_string(),
            cv_mean: r.cv_mean,
            cv_std: r.cv_std,
            train: r.train,
            seconds: r.seconds,
            sweep: r.sweep.clone(),
        }
    }
}

/// The rows of `runs` that `filter` selects, in its order, at most its limit.
pub fn select(runs: &[RunRecord], filter: &RunFilter) -> Vec<RunRow> {
    let mut rows: Vec<RunRow> = runs
        .iter()
        .filter(|r| match &filter.recipe {
            None => true,
            Some(name) if name.contains(':') => &r.run.recipe == name,
            Some(name) => {
                r.run.recipe == *name
                    || r.run
                        .recipe
                        .strip_prefix(name.as_str())
                        .is_some_and(|rest| rest.starts_with(':'))
            }
        })
        .filter(|r| filter.sweep.is_none() || r.run.sweep == filter.sweep)
        .map(RunRecord::row)
        .collect();
    // Newest id first breaks every tie, as the SQL orders do.
    let newest = |a: &RunRow, b: &RunRow| b.id.cmp(&a.id);
    let best = |x: Option<f64>, y: Option<f64>, metric: (&str, &str)| -> Ordering {
        let signed = |v: Option<f64>, m: &str| {
            v.map(
                |v| match Metric::parse(m).is_some_and(|m| !m.higher_is_better()) {
                    true => -v,
                    false => v,
                },
            )
        };
        match (signed(x, metric.0), signed(y, metric.1)) {
            (Some(a), Some(b)) => b.total_cmp(&a),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    };
    rows.sort_by(|a, b| {
        let first = match filter.sort {
            Sort::Started => b.started.cmp(&a.started),
            Sort::Cv => best(a.cv_mean, b.cv_mean, (&a.metric, &b.metric)),
            Sort::Train => best(a.train, b.train, (&a.metric, &b.metric)),
            Sort::Time => b.seconds.total_cmp(&a.seconds),
        };
        first.then_with(|| newest(a, b))
    });
    rows.truncate(filter.limit);
    rows
}
