//! Running many configurations of one recipe and ranking them.
//!
//! Configurations come in batches of [`BATCH`]: fixed lists (grid, random) in order, or
//! suggested by TPE from the trials finished in earlier batches. A batch runs on `jobs`
//! threads; what a batch sees (TPE's history, the median pruner's reference curves) is only
//! the earlier batches, and the batch size does not depend on `jobs`, so results are the same
//! whatever the number of jobs. Each configuration may be repeated over several seeds (its
//! score is then the mean). Trials are recorded as they finish, under one sweep id, through
//! one connection to the run store shared by the threads.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::SeedableRng;

use kreplay_recipe::sweep::SweepParam;
use kreplay_recipe::tpe::{self, Observation};
use kreplay_recipe::{Override, Recipe, Source};

use crate::cache::FoldCache;
use crate::data::CompetitionData;
use crate::error::{Result, RunError};
use crate::replay::{replay, ReplayOptions, ReplayReport};
use kreplay_store::RunStore;

use crate::record::run_of;

/// Configurations per batch (fixed, so results do not depend on the number of jobs).
pub const BATCH: usize = 8;
/// The median pruner waits for this many finished trials before it stops any.
pub const PRUNER_STARTUP: usize = 5;

/// One configuration: the sweep's overrides, and one recipe per seed.
pub struct Config {
    pub overrides: Vec<String>,
    pub recipes: Vec<Recipe>,
}

/// Where configurations come from.
pub enum Search {
    /// Every configuration known in advance (grid, random), run in this order.
    Fixed(Vec<Vec<Override>>),
    /// Suggested by TPE from the finished trials.
    Tpe {
        params: Vec<SweepParam>,
        trials: usize,
        seed: u64,
    },
}

#[derive(Debug, Clone)]
pub struct Trial {
    /// Position in the order configurations were tried (stable across runs).
    pub index: usize,
    pub overrides: Vec<String>,
    pub hash: String,
    /// One report per seed.
    pub outcome: std::result::Result<Vec<ReplayReport>, String>,
    /// The earlier trial with the same configuration, whose outcome this one repeats without
    /// running again (a search may suggest a configuration twice; the replay would give the
    /// same scores).
    pub repeat_of: Option<usize>,
}

impl Trial {
    fn reports(&self) -> &[ReplayReport] {
        self.outcome.as_deref().unwrap_or(&[])
    }

    fn mean(&self, f: impl Fn(&ReplayReport) -> Option<f64>) -> Option<f64> {
        let v: Vec<f64> = self.reports().iter().filter_map(f).collect();
        (!v.is_empty() && v.len() == self.reports().len())
            .then(|| v.iter().sum::<f64>() / v.len() as f64)
    }

    /// The score trials are ranked by: CV mean (mean over seeds), or the training score when
    /// there is no CV. A NaN (ROC AUC of a fold with one class) is no score: it would rank
    /// above every number, and TPE would learn from it.
    pub fn score(&self) -> Option<f64> {
        self.mean(|r| Some(r.cv.map_or(r.train_score, |c| c.0)))
            .filter(|s| !s.is_nan())
    }

    pub fn cv(&self) -> Option<(f64, f64)> {
        Some((
            self.mean(|r| r.cv.map(|c| c.0))?,
            self.mean(|r| r.cv.map(|c| c.1))?,
        ))
    }

    pub fn train(&self) -> Option<f64> {
        self.mean(|r| (!r.pruned).then_some(r.train_score))
    }

    pub fn pruned(&self) -> bool {
        self.reports().iter().any(|r| r.pruned)
    }

    pub fn runs(&self) -> Vec<i64> {
        self.reports().iter().filter_map(|r| r.record).collect()
    }

    /// Each fold's score, averaged over the seeds (`cv_results_`' `split<k>_test_score`).
    pub fn folds(&self) -> Vec<f64> {
        let reports = self.reports();
        let n = reports
            .iter()
            .map(|r| r.fold_scores.len())
            .min()
            .unwrap_or(0);
        (0..n)
            .map(|k| reports.iter().map(|r| r.fold_scores[k]).sum::<f64>() / reports.len() as f64)
            .collect()
    }

    pub fn elapsed(&self) -> Duration {
        self.reports().iter().map(|r| r.elapsed).sum()
    }

    /// Running mean of the first seed's folds: the curve the median pruner compares against.
    fn curve(&self) -> Vec<f64> {
        let folds = self
            .reports()
            .first()
            .map(|r| r.fold_scores.clone())
            .unwrap_or_default();
        (1..=folds.len())
            .map(|k| folds[..k].iter().sum::<f64>() / k as f64)
            .collect()
    }
}

/// Where a sweep records its trials: the run store, and the id its trials share.
pub struct Recording<'a> {
    pub store: &'a Path,
    pub sweep: &'a str,
}

pub struct SweepOptions<'a> {
    pub jobs: usize,
    /// Larger scores are better (the metric's direction).
    pub higher: bool,
    /// Stop trials whose running CV mean is worse than the median of finished trials'.
    pub prune: bool,
    pub cache: Option<&'a FoldCache>,
    pub recording: Option<Recording<'a>>,
    /// Called with (finished, planned) trials.
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
}

/// One thread pool per job, the machine's threads shared out among them: each job is a
/// thread of its own with its own pool for the trial's folds and trees, so a trial never runs
/// another trial's work while it waits for its own, and its recorded duration is its own.
pub(crate) fn pools(jobs: usize) -> Result<Vec<rayon::ThreadPool>> {
    let jobs = jobs.max(1);
    let per_job = (rayon::current_num_threads() / jobs).max(1);
    (0..jobs)
        .map(|_| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(per_job)
                .build()
                .map_err(|e| RunError::data("sweep", format!("cannot start {jobs} jobs: {e}")))
        })
        .collect()
}

/// Builds a configuration from its overrides: the recipe `source` (loaded as `name`, with
/// `variant`) parsed with them, once per seed of `seeds` (once as written when there are
/// none), each checked as a replay would check it.
pub fn configure<'a>(
    source: &'a Arc<Source>,
    name: &'a str,
    variant: Option<&'a str>,
    seeds: &'a [u64],
) -> impl Fn(&[Override]) -> Result<Config> + Sync + 'a {
    move |overrides: &[Override]| {
        let seeds: Vec<Option<u64>> = match seeds.is_empty() {
            true => vec![None],
            false => seeds.iter().map(|s| Some(*s)).collect(),
        };
        let mut recipes = Vec::new();
        for seed in seeds {
            let mut all = overrides.to_vec();
            if let Some(s) = seed {
                all.push(Override::parse(&format!("recipe.seed={s}"))?);
            }
            let recipe = Recipe::parse(source.clone(), name, variant, &all, crate::catalog())?;
            crate::check(&recipe)?;
            recipes.push(recipe);
        }
        Ok(Config {
            overrides: overrides.iter().map(|o| o.text.clone()).collect(),
            recipes,
        })
    }
}

/// A finished trial as a sweep's table and JSON show it, wherever it ran (this process, or a
/// worker of a shared study).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub index: usize,
    pub overrides: Vec<String>,
    /// The hash of the recipe the trial ran (its first seed's).
    pub hash: String,
    pub score: Option<f64>,
    pub cv: Option<(f64, f64)>,
    pub train: Option<f64>,
    pub pruned: bool,
    /// The run store's ids of its replays (local sweeps only).
    pub runs: Vec<i64>,
    pub seconds: f64,
    pub folds: Vec<f64>,
    pub error: Option<String>,
    pub repeat_of: Option<usize>,
}

impl Trial {
    pub fn summary(&self) -> Summary {
        Summary {
            index: self.index,
            overrides: self.overrides.clone(),
            hash: self.hash.clone(),
            score: self.score(),
            cv: self.cv(),
            train: self.train(),
            pruned: self.pruned(),
            runs: self.runs(),
            seconds: self.elapsed().as_secs_f64(),
            folds: self.folds(),
            error: self.outcome.as_ref().err().cloned(),
            repeat_of: self.repeat_of,
        }
    }
}

/// The order trials are ranked in: scored before unscored, unpruned before pruned, better
/// scores first, then the order they were tried.
pub fn rank_order(
    (a_score, a_pruned, a_index): (Option<f64>, bool, usize),
    (b_score, b_pruned, b_index): (Option<f64>, bool, usize),
    higher: bool,
) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a_score, b_score, a_pruned, b_pruned) {
        (Some(_), Some(_), false, true) => Ordering::Less,
        (Some(_), Some(_), true, false) => Ordering::Greater,
        (Some(x), Some(y), _, _) => {
            let ord = if higher {
                y.total_cmp(&x)
            } else {
                x.total_cmp(&y)
            };
            ord.then(a_index.cmp(&b_index))
        }
        (Some(_), None, _, _) => Ordering::Less,
        (None, Some(_), _, _) => Ordering::Greater,
        (None, None, _, _) => a_index.cmp(&b_index),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The median pruner: whether a trial whose running CV mean after `k` folds is `mean` is
/// worse than the median of the finished trials' running means (`curves`) at `k`.
pub(crate) fn prunes(curves: &[Vec<f64>], k: usize, mean: f64, higher: bool) -> bool {
    let at_k: Vec<f64> = curves
        .iter()
        .filter_map(|c| c.get(k - 1).copied())
        .collect();
    if at_k.len() < PRUNER_STARTUP {
        return false;
    }
    let m = median(at_k);
    if higher {
        mean < m
    } else {
        mean > m
    }
}

/// Runs the search; returns the trials ranked best first (failed ones last, ties in order).
pub fn run(
    search: &Search,
    make: &(dyn Fn(&[Override]) -> Result<Config> + Sync),
    data: &CompetitionData,
    opts: &SweepOptions,
) -> Result<Vec<Trial>> {
    // Opened before any trial runs, so a store that cannot be opened fails the sweep at once.
    let store = opts
        .recording
        .as_ref()
        .map(|r| RunStore::open(r.store).map(Mutex::new))
        .transpose()?;
    let sweep_id = opts.recording.as_ref().map(|r| r.sweep);
    // Each job is a thread of its own with its own pool for the trial's folds and trees, so
    // a trial never runs another trial's work while it waits for its own: its recorded
    // duration is its own. The threads are shared out among the jobs.
    let pools = pools(opts.jobs)?;
    let planned = match search {
        Search::Fixed(list) => list.len(),
        Search::Tpe { trials, .. } => *trials,
    };
    let done = AtomicUsize::new(0);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(match search {
        Search::Tpe { seed, .. } => *seed,
        Search::Fixed(_) => 0,
    });
    let mut trials: Vec<Trial> = Vec::new();
    while trials.len() < planned {
        let n = BATCH.min(planned - trials.len());
        let batch: Vec<Vec<Override>> = match search {
            Search::Fixed(list) => list[trials.len()..trials.len() + n].to_vec(),
            Search::Tpe { params, .. } => {
                let history: Vec<Observation> = trials
                    .iter()
                    .filter_map(|t| {
                        let values = t
                            .overrides
                            .iter()
                            .map(|o| o.split_once('=').map_or("", |x| x.1).to_string())
                            .collect();
                        t.score().map(|score| Observation { values, score })
                    })
                    .collect();
                (0..n)
                    .map(|_| {
                        let values = tpe::suggest(params, &history, opts.higher, &mut rng);
                        params
                            .iter()
                            .zip(values)
                            .map(|(p, v)| Override::parse(&format!("{}={v}", p.path)))
                            .collect()
                    })
                    .collect::<std::result::Result<_, _>>()?
            }
        };
        let configs = batch.iter().map(|o| make(o)).collect::<Result<Vec<_>>>()?;
        // The pruner compares with finished, unpruned trials of earlier batches only.
        let curves: Vec<Vec<f64>> = trials
            .iter()
            .filter(|t| t.outcome.is_ok() && !t.pruned())
            .map(Trial::curve)
            .collect();
        let prune = |k: usize, mean: f64| prunes(&curves, k, mean, opts.higher);
        let start = trials.len();
        let run_trial = |k: usize| -> Trial {
            let config = &configs[k];
            let ropts = ReplayOptions {
                prune: opts
                    .prune
                    .then_some(&prune as &(dyn Fn(usize, f64) -> bool + Sync)),
                cache: opts.cache,
                ..Default::default()
            };
            let outcome = config
                .recipes
                .iter()
                .map(|recipe| {
                    let mut report = replay(recipe, data, &ropts)?;
                    if let Some(store) = &store {
                        let run = run_of(recipe, &data.files, &report, sweep_id);
                        // The insert is one statement, so a poisoned lock is still usable.
                        let store = store.lock().unwrap_or_else(|p| p.into_inner());
                        report.record = Some(store.insert_run(&run)?);
                    }
                    Ok(report)
                })
                .collect::<Result<Vec<_>>>()
                .map_err(|e| e.to_string());
            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some(p) = opts.progress {
                p(n, planned);
            }
            Trial {
                index: start + k,
                overrides: config.overrides.clone(),
                hash: config
                    .recipes
                    .first()
                    .map(|r| r.hash.clone())
                    .unwrap_or_default(),
                outcome,
                repeat_of: None,
            }
        };
        // A configuration tried before (in an earlier batch, or earlier in this one) is not
        // run again: it repeats that trial's outcome.
        let repeats: Vec<Option<usize>> = (0..configs.len())
            .map(|k| {
                let same = &configs[k].overrides;
                trials
                    .iter()
                    .find(|t| &t.overrides == same)
                    .map(|t| t.index)
                    .or_else(|| {
                        (0..k)
                            .find(|&j| &configs[j].overrides == same)
                            .map(|j| start + j)
                    })
            })
            .collect();
        let to_run: Vec<usize> = (0..configs.len())
            .filter(|&k| repeats[k].is_none())
            .collect();
        let next = AtomicUsize::new(0);
        let slots: Mutex<Vec<Option<Trial>>> = Mutex::new(vec![None; configs.len()]);
        std::thread::scope(|scope| {
            for pool in pools.iter().take(to_run.len()) {
                scope.spawn(|| loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&k) = to_run.get(n) else {
                        break;
                    };
                    let trial = pool.install(|| run_trial(k));
                    slots.lock().unwrap_or_else(|p| p.into_inner())[k] = Some(trial);
                });
            }
        });
        let mut slots = slots.into_inner().unwrap_or_else(|p| p.into_inner());
        for k in 0..configs.len() {
            if let Some(of) = repeats[k] {
                let original = match of.checked_sub(start) {
                    Some(j) => slots[j].clone(),
                    None => trials.iter().find(|t| t.index == of).cloned(),
                };
                let mut trial = original.expect("the repeated trial ran first");
                trial.index = start + k;
                trial.repeat_of = Some(of);
                slots[k] = Some(trial);
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                if let Some(p) = opts.progress {
                    p(n, planned);
                }
            }
        }
        let finished: Vec<Trial> = slots
            .into_iter()
            .map(|t| t.expect("every trial of the batch ran or repeats one"))
            .collect();
        trials.extend(finished);
    }
    trials.sort_by(|a, b| {
        rank_order(
            (a.score(), a.pruned(), a.index),
            (b.score(), b.pruned(), b.index),
            opts.higher,
        )
    });
    Ok(trials)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kreplay_recipe::Metric;

    fn trial(index: usize, cv: f64) -> Trial {
        Trial {
            index,
            overrides: vec![format!("model.max_depth={index}")],
            hash: String::new(),
            outcome: Ok(vec![ReplayReport {
                metric: Metric::RocAuc,
                fold_scores: vec![cv],
                cv: Some((cv, 0.0)),
                train_score: 0.9,
                features: Vec::new(),
                submission: None,
                record: None,
                elapsed: Duration::from_millis(10),
                cv_time: Duration::from_millis(5),
                pruned: false,
                diagnostics: None,
            }]),
            repeat_of: None,
        }
    }

    #[test]
    fn a_nan_score_is_no_score() {
        assert_eq!(trial(0, 0.8).score(), Some(0.8));
        assert_eq!(trial(1, f64::NAN).score(), None);
    }
}
