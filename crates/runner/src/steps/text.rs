//! Text steps: regex extraction, length, first character, splitting.

use polars::prelude::*;
use regex::Regex;

use kreplay_recipe::{Learns, Lit, ParamSpec, Params, StepColumns, StepSpec, Ty};

use super::{put, string_series, strings, Build, Ctx, Fitted, StepDef, INTO};
use crate::error::{Result, RunError};

pub static REGEX_EXTRACT: StepDef = StepDef {
    spec: StepSpec {
        kind: "regex_extract",
        summary: "a capture group of the first regex match (pandas str.extract)",
        params: &[
            ParamSpec::required("column", Ty::Str, "text column to search"),
            ParamSpec::required("pattern", Ty::Str, "regular expression (Rust regex syntax)"),
            ParamSpec::optional("group", Ty::Int, Lit::Int(1), "capture group to keep").min(0.0),
            INTO,
        ],
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p, _| {
        let pattern = p.str("pattern")?;
        let regex =
            Regex::new(pattern).map_err(|e| p.error("pattern", format!("invalid regex: {e}")))?;
        let group = p.usize("group")?;
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
            io: Io::new(p)?,
            regex,
            group,
        }))
    }),
};

pub static STR_LEN: StepDef = StepDef {
    spec: StepSpec {
        kind: "str_len",
        summary: "number of characters of a text column",
        params: &[ParamSpec::required("column", Ty::Str, "text column"), INTO],
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p, _| Ok(Box::new(StrLen { io: Io::new(p)? }))),
};

pub static FIRST_CHAR: StepDef = StepDef {
    spec: StepSpec {
        kind: "first_char",
        summary: "first character of a text column",
        params: &[
            ParamSpec::required("column", Ty::Str, "text column"),
            ParamSpec::optional(
                "missing",
                Ty::Str,
                Lit::None,
                "text used for missing cells first (e.g. \"nan\", as str(NaN) in pandas)",
            ),
            INTO,
        ],
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p, _| {
        Ok(Box::new(FirstChar {
            io: Io::new(p)?,
            missing: p.opt_str("missing")?.map(str::to_string),
        }))
    }),
};

pub static SPLIT: StepDef = StepDef {
    spec: StepSpec {
        kind: "split",
        summary: "split a text column on a separator into several columns",
        params: &[
            ParamSpec::required("column", Ty::Str, "text column"),
            ParamSpec::required("by", Ty::Str, "separator"),
            ParamSpec::required(
                "into",
                Ty::StrList,
                "output columns, one per part (\"\" skips a part)",
            ),
        ],
        learns: Learns::Never,
        columns: StepColumns::reads(&["column"]).writes(&["into"]),
    },
    build: Build::Stateless(|p: &Params, _| {
        let by = p.str("by")?.to_string();
        if by.is_empty() {
            return Err(p.error("by", "the separator is empty").into());
        }
        Ok(Box::new(Split {
            column: p.str("column")?.to_string(),
            by,
            into: p.strs("into")?,
        }))
    }),
};

/// Input column and output column of a one-column step.
#[derive(Clone)]
pub(crate) struct Io {
    pub column: String,
    pub into: String,
}

impl Io {
    pub fn new(p: &Params) -> Result<Io> {
        let column = p.str("column")?.to_string();
        let into = p
            .opt_str("into")?
            .map_or_else(|| column.clone(), str::to_string);
        Ok(Io { column, into })
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
