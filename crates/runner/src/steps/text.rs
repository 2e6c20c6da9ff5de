//! Text steps: regex extraction, length, first character, splitting.

use polars::prelude::*;
use regex::Regex;

use kreplay_recipe::{params, Learns, Lit, StepColumns, StepSpec, Ty};

use super::{put, string_series, strings, Build, Ctx, Fitted, StepDef, INTO_DOC};
use crate::error::{Result, RunError};

params! {
    struct RegexExtractParams {
        column: String = required(Ty::Str, "text column to search"),
        pattern: String = required(Ty::Str, "regular expression (Rust regex syntax)"),
        group: usize = optional(Ty::Int, Lit::Int(1), "capture group to keep").min(0.0),
        into: Option<String> = optional(Ty::Str, Lit::None, INTO_DOC),
    }
}

pub static REGEX_EXTRACT: StepDef = StepDef {
    spec: StepSpec {
        kind: "regex_extract",
        summary: "a capture group of the first regex match (pandas str.extract)",
        params: RegexExtractParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p, _| {
        let k = RegexExtractParams::read(p)?;
        let regex = Regex::new(&k.pattern)
            .map_err(|e| p.error("pattern", format!("invalid regex: {e}")))?;
        let group = k.group;
        if group >= regex.captures_len() {
            return Err(p
                .error(
                    "group",
                    format!(
                        "the pattern has only {} capture group(s)",
                        regex.captures_len() - 1
                    ),
                )
                .into());
        }
        Ok(Box::new(RegexExtract {
            io: Io::new(k.column, k.into),
            regex,
            group,
        }))
    }),
};

params! {
    struct StrLenParams {
        column: String = required(Ty::Str, "text column"),
        into: Option<String> = optional(Ty::Str, Lit::None, INTO_DOC),
    }
}

pub static STR_LEN: StepDef = StepDef {
    spec: StepSpec {
        kind: "str_len",
        summary: "number of characters of a text column",
        params: StrLenParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p, _| {
        let k = StrLenParams::read(p)?;
        Ok(Box::new(StrLen {
            io: Io::new(k.column, k.into),
        }))
    }),
};

params! {
    struct FirstCharParams {
        column: String = required(Ty::Str, "text column"),
        missing: Option<String> = optional(
            Ty::Str,
            Lit::None,
            "text used for missing cells first (e.g. \"nan\", as str(NaN) in pandas)",
        ),
        into: Option<String> = optional(Ty::Str, Lit::None, INTO_DOC),
    }
}

pub static FIRST_CHAR: StepDef = StepDef {
    spec: StepSpec {
        kind: "first_char",
        summary: "first character of a text column",
        params: FirstCharParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p, _| {
        let k = FirstCharParams::read(p)?;
        Ok(Box::new(FirstChar {
            io: Io::new(k.column, k.into),
            missing: k.missing,
        }))
    }),
};

params! {
    struct SplitParams {
        column: String = required(Ty::Str, "text column"),
        by: String = required(Ty::Str, "separator"),
        into: Vec<String> = required(
            Ty::StrList,
            "output columns, one per part (\"\" skips a part)",
        ),
    }
}

pub static SPLIT: StepDef = StepDef {
    spec: StepSpec {
        kind: "split",
        summary: "split a text column on a separator into several columns",
        params: SplitParams::SPECS,
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p, _| {
        let SplitParams { column, by, into } = SplitParams::read(p)?;
        if by.is_empty() {
            return Err(p.error("by", "the separator is empty").into());
        }
        Ok(Box::new(Split { column, by, into }))
    }),
};

/// Input column and output column of a one-column step.
#[derive(Clone)]
pub(crate) struct Io {
    pub column: String,
    pub into: String,
}

impl Io {
    /// Reads `column` and writes `into`, or overwrites `column` when `into` is not set.
    pub fn new(column: String, into: Option<String>) -> Io {
        let into = into.unwrap_or_else(|| column.clone());
        Io { column, into }
    }
}

#[derive(Clone)]
struct RegexExtract {
    io: Io,
    regex: Regex,
    group: usize,
}

impl Fitted for RegexExtract {
    fn apply(&self, df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let cells = strings(&df, &self.io.column, "regex_extract")?;
        let out: Vec<Option<String>> = cells
            .iter()
            .map(|c| {
                c.as_deref()
                    .and_then(|s| self.regex.captures(s))
                    .and_then(|m| m.get(self.group))
                    .map(|m| m.as_str().to_string())
            })
            .collect();
        put(df, string_series(&self.io.into, out))
    }
}

#[derive(Clone)]
struct StrLen {
    io: Io,
}

impl Fitted for StrLen {
    fn apply(&self, df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let cells = strings(&df, &self.io.column, "str_len")?;
        let out: Vec<Option<i64>> = cells
            .iter()
            .map(|c| c.as_ref().map(|s| s.chars().count() as i64))
            .collect();
        put(df, Series::new(self.io.into.as_str().into(), out))
    }
}

#[derive(Clone)]
struct FirstChar {
    io: Io,
    missing: Option<String>,
}

impl Fitted for FirstChar {
    fn apply(&self, df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let cells = strings(&df, &self.io.column, "first_char")?;
        let out: Vec<Option<String>> = cells
            .into_iter()
            .map(|c| {
                c.or_else(|| self.missing.clone())
                    .and_then(|s| s.chars().next().map(String::from))
            })
            .collect();
        put(df, string_series(&self.io.into, out))
    }
}

#[derive(Clone)]
struct Split {
    column: String,
    by: String,
    into: Vec<String>,
}

impl Fitted for Split {
    fn apply(&self, mut df: DataFrame, _: &Ctx) -> Result<DataFrame> {
        let cells = strings(&df, &self.column, "split")?;
        let parts: Vec<Vec<&str>> = cells
            .iter()
            .map(|c| {
                c.as_deref()
                    .map(|s| s.split(self.by.as_str()).collect())
                    .unwrap_or_default()
            })
            .collect();
        for (k, name) in self.into.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            let out: Vec<Option<String>> = parts
                .iter()
                .map(|p| p.get(k).map(|s| s.to_string()))
                .collect();
            df = put(df, string_series(name, out))?;
        }
        if self.into.iter().all(String::is_empty) {
            return Err(RunError::data("split", "`into` names no output column"));
        }
        Ok(df)
    }
}
