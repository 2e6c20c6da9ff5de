//! The kreplay recipe file format.
//!
//! A recipe is a TOML file describing one published Kaggle pipeline: provenance, data,
//! feature steps, model, validation, submission format and the scores its author published.
//! This crate owns everything about that file and nothing about running it:
//!
//! * [`tree`]: the TOML document as a tree that keeps every key's and value's byte span,
//!   so that every error can name `file:line:col`;
//! * [`schema`]: parameter definitions ([`ParamSpec`]) and the checking of values against them;
//!   step and model definitions live with their implementations in the runner and reach this
//!   crate through the [`Catalog`] trait, so a parameter is declared exactly once;
//! * [`path`]: dotted parameter paths (`model.max_depth`, `steps.<id>.<param>`) and `-S path=value`
//!   overrides, applied to the tree before validation so they are checked like the file itself;
//! * [`members`]: the named sub-pipelines (`[members.<name>]`) ensembles combine;
//! * [`recipe`]: the validated [`Recipe`];
//! * [`named`]: [`named_enum!`], one list of names per enumeration recipes write;
//! * [`declare`]: [`params!`], a kind's parameters declared once as a typed struct.

pub mod catalog;
pub mod declare;
pub mod error;
pub mod library;
pub mod members;
pub mod named;
pub mod names;
pub mod params;
pub mod path;
pub mod recipe;
pub mod schema;
pub mod sections;
pub mod source;
pub mod sweep;
pub mod tpe;
pub mod tree;

pub use catalog::{Catalog, ColumnEffect, Learns, ModelSpec, StepColumns, StepSpec};
pub use declare::FromParam;
pub use error::{RecipeError, Result};
pub use library::{Library, RecipeRef};
pub use members::MemberDecl;
pub use params::{Param, Params, Value};
pub use path::Override;
pub use recipe::{derived_text, FitScope, Recipe, StepDecl};
pub use schema::{Lit, ParamSpec, Ty};
pub use sections::{
    DataSection, Inverse, Metric, ModelDecl, Published, PublishedKind, Scale, Scheme, SchemeKind,
    SubmissionSection, Task, ValidationSection,
};
pub use source::{Loc, Source};
