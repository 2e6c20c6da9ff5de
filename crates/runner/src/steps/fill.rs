//! Filling missing values: a constant, a statistic (mean, median, mode), optionally per group of
//! other columns, or seeded random integers in mean ± std (as several Titanic notebooks do).
//!
//! Without `columns`, a numeric strategy fills every numeric column but the id and target
//! (`df.fillna(df.mean())`), `mode` and `constant` every column but those two.

use std::collections::BTreeMap;

use polars::prelude::*;
use rand::Rng as _;

use kreplay_recipe::{params, Learns, Lit, Params, StepColumns, StepSpec, Ty, Value};

use super::mapping::values_series;
use super::{
    column, columns_or, label_of, numbers, numeric_columns, put, strings, Build, Ctx, FitData,
    Fitted, Step, StepDef,
};
use crate::error::{Result, RunError};
use kreplay_core::rng;

kreplay_recipe::named_enum! {
    /// What fills a missing cell.
    enum Strategy {
        Constant = "constant",
        Mean = "mean",
        Median = "median",
        Mode = "mode",
        RandomInt = "random_int",
    }
}

params! {
    struct FillParams {
        columns: Vec<String> = optional(Ty::Columns, Lit::EmptyList, "columns to fill (default: every numeric column but the id and target; every column for mode and constant)"),
        strategy: Strategy = required(Ty::Choice(Strategy::NAMES), "constant, mean, median, mode, or random_int (uniform integers in [mean-std, mean+std), numpy's randint)"),
        value: Value = optional(Ty::Scalar, Lit::None, "the constant, for strategy = constant"),
        by: Vec<String> = optional(Ty::Columns, Lit::EmptyList, "group columns: the statistic is computed per group (groups never seen fall back to the overall statistic)"),
        round_to: Option<f64> = optional(Ty::Float, Lit::None, "round the statistic to a multiple of this, halves up: int(m/r + 0.5) * r").min(0.0),
        seed: Option<usize> = optional(Ty::OptInt, Lit::None, "seed for strategy = random_int (default: recipe.seed)").min(0.0),
    }
}

pub static FILL: StepDef = StepDef {
    spec: StepSpec {
        kind: "fill",
        summary: "fill missing values with a constant or a statistic, optionally per group",
        params: FillParams::SPECS,
        // A constant is the same whatever rows the step sees (the columns it fills are the
        // frame's, which every fold shares), so a constant fill is shared across folds.
        learns: Learns::Unless {
            param: "strategy",
            value: "constant",
        },
        columns: StepColumns::reads(&["columns", "by"]).learns_from_reads(),
    },
    build: Build::Learning(build_fill),
};

fn build_fill(p: &Params, recipe_seed: u64) -> Result<Box<dyn Step>> {
    let k = FillParams::read(p)?;
    let strategy = k.strategy;
    let value = k.value;
    if strategy == Strategy::Constant && value == Value::None {
        return Err(p
            .error("value", "strategy = \"constant\" needs a `value`")
            .into());
    }
    if strategy != Strategy::Constant && value != Value::None {
        return Err(p
            .error(
                "value",
                format!(
                    "`value` is only read with strategy = \"constant\", not {:?}",
                    strategy.name()
                ),
            )
            .into());
    }
    Ok(Box::new(Fill {
        columns: k.columns,
        strategy,
        value,
        by: k.by,
        round_to: k.round_to,
        seed: crate::models::seed_or(k.seed, recipe_seed),
    }))
}

#[derive(Clone)]
struct Fill {
    columns: Vec<String>,
    strategy: Strategy,
    value: Value,
    by: Vec<String>,
    round_to: Option<f64>,
    seed: u64,
}

/// What a column's missing cells get: one value, or a random draw in [lo, hi).
#[derive(Clone, Debug)]
enum Stat {
    Value(Value),
    RandomInt { lo: i64, hi: i64 },
}

struct ColumnFill {
    column: String,
    overall: Stat,
    groups: BTreeMap<String, Stat>,
}

struct FittedFill {
    by: Vec<String>,
    seed: u64,
    columns: Vec<ColumnFill>,
}

fn group_keys(df: &DataFrame, by: &[String], what: &str) -> Result<Vec<String>> {
    let mut keys = vec![String::new(); df.height()];
    for b in by {
        for (k, cell) in keys.iter_mut().zip(strings(df, b, what)?) {
            k.push_str(cell.as_deref().unwrap_or("<null>"));
            k.push('\u{1f}');
        }
    }
    Ok(keys)
}

fn is_numeric(df: &DataFrame, name: &str) -> Result<bool> {
    let dtype = column(df, name, "fill")?.dtype().clone();
    Ok(dtype.is_primitive_numeric() || dtype == DataType::Boolean)
}

impl Fill {
    fn stat(
        &self,
        numeric: bool,
        nums: &[f64],
        texts: &[&str],
        column: &str,
    ) -> Result<Option<Stat>> {
        let need_numbers = || {
            if numeric {
                Ok(())
            } else {
                Err(RunError::data(
                    format!("fill: column `{column}`"),
                    format!("strategy {:?} needs a numeric column; use \"mode\" or \"constant\" for text", self.strategy.name()),
                ))
            }
        };
        let round = |m: f64| match self.round_to {
            Some(r) if r > 0.0 => (m / r + 0.5).floor() * r,
            _ => m,
        };
        Ok(match self.strategy {
            Strategy::Constant => Some(Stat::Value(self.value.clone())),
            Strategy::Mean => {
                need_numbers()?;
                (!nums.is_empty()).then(|| {
                    Stat::Value(Value::Float(round(
                        nums.iter().sum::<f64>() / nums.len() as f64,
                    )))
                })
            }
            Strategy::Median => {
                need_numbers()?;
                median(nums).map(|m| Stat::Value(Value::Float(round(m))))
            }
            Strategy::Mode => {
                if numeric {
                    mode_by(nums.iter().map(|v| (label_of(*v), *v)), |a, b| {
                        a.total_cmp(b)
                    })
                    .map(|v| Stat::Value(Value::Float(v)))
                } else {
                    mode_by(
                        texts.iter().map(|t| (t.to_string(), t.to_string())),
                        |a, b| a.cmp(b),
                    )
                    .map(|v| Stat::Value(Value::Str(v)))
                }
            }
            Strategy::RandomInt => {
                need_numbers()?;
                if nums.len() < 2 {
                    None
                } else {
                    let n = nums.len() as f64;
                    let mean = nums.iter().sum::<f64>() / n;
                    let std =
                        (nums.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
                    let (lo, hi) = ((mean - std) as i64, (mean + std) as i64);
                    Some(Stat::RandomInt {
                        lo,
                        hi: hi.max(lo + 1),
                    })
                }
            }
        })
    }
}

impl Step for Fill {
    fn fit(&self, data: &FitData, ctx: &Ctx) -> Result<Box<dyn Fitted>> {
        let frame = data.stacked()?;
        let keys = group_keys(&frame, &self.by, "fill")?;
        let targets = columns_or(&self.columns, || match self.strategy {
            Strategy::Mode | Strategy::Constant => frame
                .get_column_names()
                .into_iter()
                .filter(|n| n.as_str() != ctx.id && n.as_str() != ctx.target)
                .filter(|n| !self.by.iter().any(|b| b == n.as_str()))
                .map(|n| n.to_string())
                .collect(),
            _ => numeric_columns(&frame, ctx)
                .into_iter()
                .filter(|n| !self.by.contains(n))
                .collect(),
        });
        let mut columns = Vec::new();
        for c in &targets {
            let numeric = is_numeric(&frame, c)?;
            let nums: Vec<Option<f64>> = if numeric {
                numbers(&frame, c, "fill")?
            } else {
                vec![None; frame.height()]
            };
            let texts: Vec<Option<String>> = if numeric {
                vec![None; frame.height()]
            } else {
                strings(&frame, c, "fill")?
            };
            let mut by_group: BTreeMap<&str, (Vec<f64>, Vec<&str>)> = BTreeMap::new();
            for (i, k) in keys.iter().enumerate() {
                let slot = by_group.entry(k).or_default();
                if let Some(v) = nums[i] {
                    slot.0.push(v);
                }
                if let Some(t) = texts[i].as_deref() {
                    slot.1.push(t);
                }
            }
            let all_nums: Vec<f64> = nums.iter().flatten().copied().collect();
            let all_texts: Vec<&str> = texts.iter().flatten().map(String::as_str).collect();
            let overall = self
                .stat(numeric, &all_nums, &all_texts, c)?
                .ok_or_else(|| {
                    RunError::data(
                        format!("fill: column `{c}`"),
                        "has no values to compute the statistic from",
                    )
                })?;
            let mut groups = BTreeMap::new();
            if !self.by.is_empty() {
                for (k, (n, t)) in &by_group {
                    if let Some(s) = self.stat(numeric, n, t, c)? {
                        groups.insert(k.to_string(), s);
                    }
                }
            }
            columns.push(ColumnFill {
                column: c.clone(),
                overall,
                groups,
            });
        }
        Ok(Box::new(FittedFill {
            by: self.by.clone(),
            seed: self.seed,
            columns,
        }))
    }
}

impl Fitted for FittedFill {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let keys = group_keys(&df, &self.by, "fill")?;
        for cf in &self.columns {
            let numeric = is_numeric(&df, &cf.column)?;
            let cells: Vec<Option<Value>> = if numeric {
                numbers(&df, &cf.column, "fill")?
                    .into_iter()
                    .map(|v| v.map(Value::Float))
                    .collect()
            } else {
                strings(&df, &cf.column, "fill")?
                    .into_iter()
                    .map(|v| v.map(Value::Str))
                    .collect()
            };
            let mut rng = rng::seeded(self.seed);
            let out: Vec<Option<Value>> = cells
                .into_iter()
                .zip(&keys)
                .map(|(cell, key)| {
                    cell.or_else(|| {
                        let stat = cf.groups.get(key).unwrap_or(&cf.overall);
                        Some(match stat {
                            Stat::Value(v) => v.clone(),
                            Stat::RandomInt { lo, hi } => {
                                Value::Float(rng.gen_range(*lo..*hi) as f64)
                            }
                        })
                    })
                })
                .collect();
            df = put(df, values_series(&cf.column, out))?;
        }
        Ok(df)
    }
}

/// pandas' median: the mean of the two middle values for an even count.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The most frequent value; ties go to the smallest, as pandas' `mode()[0]`.
fn mode_by<T: Clone>(
    items: impl Iterator<Item = (String, T)>,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Option<T> {
    let mut counts: BTreeMap<String, (usize, T)> = BTreeMap::new();
    for (k, v) in items {
        counts.entry(k).or_insert((0, v)).0 += 1;
    }
    counts
        .into_values()
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| cmp(&b.1, &a.1)))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_mode_follow_pandas() {
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), Some(2.5));
        let m = mode_by(
            ["S", "C", "S", "C", "Q"]
                .iter()
                .map(|s| (s.to_string(), s.to_string())),
            |a, b| a.cmp(b),
        );
        assert_eq!(m.as_deref(), Some("C"));
    }
}
