//! Binning: fixed thresholds (`bin`) and quantiles learned from data (`qbin`, pandas qcut).

use polars::prelude::*;

use kreplay_recipe::{params, Learns, Lit, StepColumns, StepSpec, Ty};

use super::text::Io;
use super::{float_series, numbers, put, Build, Ctx, FitData, Fitted, Step, StepDef, INTO_DOC};
use crate::error::{Result, RunError};

kreplay_recipe::named_enum! {
    /// What `bin` does with values above the last edge.
    enum Above {
        Band = "band",
        Keep = "keep",
    }
}

params! {
    struct BinParams {
        column: String = required(Ty::Str, "numeric column"),
        edges: Vec<f64> = required(Ty::FloatList, "increasing upper edges of the bands"),
        above: Above = optional(
            Ty::Choice(Above::NAMES),
            Lit::Str("band"),
            "values above the last edge: their own band, or keep the raw value (a notebook that forgot the last assignment)",
        ),
        into: Option<String> = optional(Ty::Str, Lit::None, INTO_DOC),
    }
}

pub static BIN: StepDef = StepDef {
    spec: StepSpec {
        kind: "bin",
        summary:
            "band a number by fixed edges: <= e0 -> 0, (e0, e1] -> 1, ..., > last -> len(edges)",
        params: BinParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p, _| {
        let k = BinParams::read(p)?;
        if k.edges.is_empty() || k.edges.windows(2).any(|w| w[0] >= w[1]) {
            return Err(p
                .error("edges", "must be a non-empty, strictly increasing list")
                .into());
        }
        Ok(Box::new(Bin {
            io: Io::new(k.column, k.into),
            edges: k.edges,
            keep_above: k.above == Above::Keep,
        }))
    }),
};

params! {
    struct QBinParams {
        column: String = required(Ty::Str, "numeric column"),
        q: usize = required(Ty::Int, "number of quantile bands").min(2.0),
        into: Option<String> = optional(Ty::Str, Lit::None, INTO_DOC),
    }
}

pub static QBIN: StepDef = StepDef {
    spec: StepSpec {
        kind: "qbin",
        summary: "band a number by quantiles learned on the fit rows (pandas qcut, labels 0..q-1)",
        params: QBinParams::SPECS,
        learns: Learns::Always,
        columns: StepColumns::reads(&["column"])
            .writes(&["into"])
            .learns_from_reads(),
    },
    build: Build::Learning(|p, _| {
        let k = QBinParams::read(p)?;
        Ok(Box::new(QBin {
            io: Io::new(k.column, k.into),
            q: k.q,
        }))
    }),
};

#[derive(Clone)]
struct Bin {
    io: Io,
    edges: Vec<f64>,
    keep_above: bool,
}

/// Band of `v`: the first edge it does not exceed, right-closed like pd.cut.
fn band(edges: &[f64], v: f64) -> Option<usize> {
    edges.iter().position(|e| v <= *e)
}

impl Fitted for Bin {
    fn apply(&self, df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let values = numbers(&df, &self.io.column, "bin")?;
        let out = values
            .into_iter()
            .map(|v| {
                v.map(|x| match band(&self.edges, x) {
                    Some(b) => b as f64,
                    None if self.keep_above => x,
                    None => self.edges.len() as f64,
                })
            })
            .collect();
        put(df, float_series(&self.io.into, out))
    }
}

#[derive(Clone)]
struct QBin {
    io: Io,
    q: usize,
}

/// numpy's default (linear) quantile of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let pos = p * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

impl Step for QBin {
    fn fit(&self, data: &FitData, _: &Ctx) -> Result<Box<dyn Fitted>> {
        let frame = data.stacked()?;
        let mut values: Vec<f64> = numbers(&frame, &self.io.column, "qbin")?
            .into_iter()
            .flatten()
            .collect();
        if values.len() < self.q {
            return Err(RunError::data(
                format!("qbin: column `{}`", self.io.column),
                "fewer values than bands",
            ));
        }
        values.sort_by(f64::total_cmp);
        let edges: Vec<f64> = (0..=self.q)
            .map(|i| quantile(&values, i as f64 / self.q as f64))
            .collect();
        if edges.windows(2).any(|w| w[0] >= w[1]) {
            return Err(RunError::data(
                format!("qbin: column `{}`", self.io.column),
                format!("quantile edges are not unique ({edges:?}); use fewer bands"),
            ));
        }
        Ok(Box::new(FittedQBin {
            io: self.io.clone(),
            edges,
        }))
    }
}

struct FittedQBin {
    io: Io,
    edges: Vec<f64>,
}

impl Fitted for FittedQBin {
    fn apply(&self, df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let values = numbers(&df, &self.io.column, "qbin")?;
        let first = self.edges[0];
        let inner = &self.edges[1..];
        // qcut includes the lowest edge; values outside the learned range become missing.
        let out = values
            .into_iter()
            .map(|v| {
                v.and_then(|x| {
                    if x < first {
                        None
                    } else {
                        band(inner, x).map(|b| b as f64)
                    }
                })
            })
            .collect();
        put(df, float_series(&self.io.into, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_right_closed() {
        let e = [16.0, 32.0];
        assert_eq!(band(&e, 16.0), Some(0));
        assert_eq!(band(&e, 16.5), Some(1));
        assert_eq!(band(&e, 40.0), None);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
    }
}
