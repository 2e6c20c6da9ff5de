//! The definitions of step and model kinds, as the runner hands them to the parser.
//!
//! The runner owns the implementations; each declares its [`StepSpec`] or [`ModelSpec`] next to
//! its code, and the runner's registry implements [`Catalog`] over them. Parsing, `kreplay steps`,
//! overrides and sweeps all read these same definitions.

use crate::error::suggestion;
use crate::params::Params;
use crate::schema::ParamSpec;
use crate::sections::Task;

/// A feature step kind.
#[derive(Debug)]
pub struct StepSpec {
    pub kind: &'static str,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    /// Whether the step learns something from data (so its `fit_on` scope matters, and the
    /// feature cache may not share it across folds). The runner holds it, by test, to how the
    /// step is built: only a step built to fit on rows may say it ever learns, and every such
    /// step must.
    pub learns: Learns,
    /// What the step does to the frame's columns, by parameter.
    pub columns: StepColumns,
}

/// Whether a step kind learns from the rows it is fitted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learns {
    Never,
    Always,
    /// Learns, except when the string parameter `param` is `value` (a constant `fill`): a
    /// declaration with it learns nothing, so folds share it and `fit_on` changes nothing.
    Unless {
        param: &'static str,
        value: &'static str,
    },
}

impl Learns {
    /// Whether some declaration of the kind learns.
    pub fn ever(self) -> bool {
        self != Learns::Never
    }

    /// Whether a declaration with these (checked) parameters learns.
    pub fn with(self, params: &Params) -> bool {
        match self {
            Learns::Never => false,
            Learns::Always => true,
            Learns::Unless { param, value } => {
                params.get(param).and_then(|p| p.value.as_str()) != Some(value)
            }
        }
    }

    /// For `kreplay steps`: "" when it never learns.
    pub fn describe(self) -> String {
        match self {
            Learns::Never => String::new(),
            Learns::Always => "[learns]".into(),
            Learns::Unless { param, value } => format!("[learns, except {param} = {value:?}]"),
        }
    }
}

/// What a step does to the frame's columns, declared with the step as the parameters that
/// name them, so the column check of `kreplay new --from`, `kreplay steps` and the recipe's
/// description all read one declaration instead of guessing from kind names.
#[derive(Debug, Clone, Copy)]
pub struct StepColumns {
    /// Parameters whose value (a name or a list of names) are columns the step reads.
    pub reads: &'static [&'static str],
    /// Parameters whose value (a name or a list of names; `""` for none) are columns the
    /// step writes.
    pub writes: &'static [&'static str],
    /// Anything else it does to the set of columns.
    pub effect: ColumnEffect,
    /// What it learns comes from the columns its first `reads` parameter names when that is
    /// not empty (with the other `reads` and the target), never from other columns: a fold
    /// then fits it on those columns' rows only, not on a copy of the whole frame.
    pub learns_from_reads: bool,
}

/// A step's effect on the set of columns beyond reading and writing named ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnEffect {
    None,
    /// The columns it reads are gone afterwards (`drop`; `one_hot` replaces them with dummies
    /// named after their levels, which only the data can tell).
    RemovesReads,
    /// Only the columns it reads stay, with the id and the target (`select`).
    KeepsOnlyReads,
    /// The parameter maps new column names to SQL expressions over existing columns (`derive`).
    Derives(&'static str),
    /// The parameter is an SQL expression; it reads the columns it names (`drop_rows`).
    ReadsSql(&'static str),
    /// Writes one column per value of `names`, each named `<prefix><value>` (`datetime_parts`).
    WritesPrefixed {
        names: &'static str,
        prefix: &'static str,
    },
}

impl StepColumns {
    /// Reads the columns these parameters name, writes none, removes none.
    pub const fn reads(reads: &'static [&'static str]) -> Self {
        StepColumns {
            reads,
            writes: &[],
            effect: ColumnEffect::None,
            learns_from_reads: false,
        }
    }

    /// And learns only from the columns it reads (see [`StepColumns::learns_from_reads`]).
    pub const fn learns_from_reads(self) -> Self {
        StepColumns {
            learns_from_reads: true,
            ..self
        }
    }

    /// And writes the columns these parameters name.
    pub const fn writes(self, writes: &'static [&'static str]) -> Self {
        StepColumns { writes, ..self }
    }

    /// And has this effect on the set of columns.
    pub const fn effect(self, effect: ColumnEffect) -> Self {
        StepColumns { effect, ..self }
    }

    /// Every parameter the declaration names.
    pub fn params(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.reads.iter().chain(self.writes).copied().collect();
        match self.effect {
            ColumnEffect::Derives(p) | ColumnEffect::ReadsSql(p) => names.push(p),
            ColumnEffect::WritesPrefixed { names: n, prefix } => names.extend([n, prefix]),
            ColumnEffect::None | ColumnEffect::RemovesReads | ColumnEffect::KeepsOnlyReads => {}
        }
        names
    }

    /// In words, for `kreplay steps`: "reads `column`; writes `into`".
    pub fn describe(&self) -> String {
        let quoted = |names: &[&str]| {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.reads.is_empty() {
            parts.push(format!("reads {}", quoted(self.reads)));
        }
        if !self.writes.is_empty() {
            parts.push(format!("writes {}", quoted(self.writes)));
        }
        match self.effect {
            ColumnEffect::None => {}
            ColumnEffect::RemovesReads => parts.push("removes what it reads".into()),
            ColumnEffect::KeepsOnlyReads => {
                parts.push("keeps only what it reads (and the id and target)".into())
            }
            ColumnEffect::Derives(p) => parts.push(format!(
                "writes the keys of `{p}`, reading the columns their expressions name"
            )),
            ColumnEffect::ReadsSql(p) => parts.push(format!("reads the columns `{p}` names")),
            ColumnEffect::WritesPrefixed { names, prefix } => {
                parts.push(format!("writes `{prefix}` + each of `{names}`"))
            }
        }
        parts.join("; ")
    }
}

/// A model kind.
#[derive(Debug)]
pub struct ModelSpec {
    pub kind: &'static str,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    pub tasks: &'static [Task],
    /// Which implementation runs it, e.g. "linfa-logistic" or "kreplay CART (sklearn semantics)".
    pub engine: &'static str,
    /// Set when this build runs the kind on a stand-in for the library the kind is named after:
    /// what differs, and how to build with the library itself. Replays print it in their header.
    pub stand_in: Option<&'static str>,
}

pub trait Catalog {
    fn steps(&self) -> &[&'static StepSpec];
    fn models(&self) -> &[&'static ModelSpec];

    fn step(&self, kind: &str) -> Option<&'static StepSpec> {
        self.steps().iter().copied().find(|s| s.kind == kind)
    }

    fn model(&self, kind: &str) -> Option<&'static ModelSpec> {
        self.models().iter().copied().find(|s| s.kind == kind)
    }

    fn step_hint(&self, kind: &str) -> String {
        let kinds: Vec<&str> = self.steps().iter().map(|s| s.kind).collect();
        suggestion(kind, &kinds)
    }

    fn model_hint(&self, kind: &str) -> String {
        let kinds: Vec<&str> = self.models().iter().map(|s| s.kind).collect();
        suggestion(kind, &kinds)
    }
}
