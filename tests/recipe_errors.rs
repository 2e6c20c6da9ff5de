//! Broken recipes get located, helpful errors and exit code 2, never a panic; bad data
//! references name the step and the column.

mod common;

use common::{kreplay, scratch};

const GOOD: &str = r#"[recipe]
title = "t"
author = "a"
source = "https://example.org"
competition = "titanic"

[data]
id = "PassengerId"
target = "Survived"
task = "binary"

[[steps]]
id = "title"
kind = "regex_extract"
column = "Name"
pattern = ' ([A-Za-z]+)\.'
into = "Title"

[[steps]]
id = "fare"
kind = "fill"
columns = "Fare"
strategy = "median"

[[steps]]
id = "keep"
kind = "select"
columns = ["Pclass", "Fare", "SibSp"]

[model]
kind = "decision_tree"
max_depth = 3

[validation]
scheme = "kfold"
k = 3
metric = "accuracy"
"#;

/// Replaces `from` by `to` in the good recipe, runs `kreplay <cmd> file [args]`, checks the
/// exit code and that stderr holds every `expect`ed piece.
fn case(name: &str, from: &str, to: &str, cmd: &str, args: &[&str], code: i32, expect: &[&str]) {
    assert!(
        GOOD.contains(from),
        "{name}: `{from}` is not in the base recipe"
    );
    let dir = scratch(&format!("err-{name}"));
    std::fs::write(dir.join("r.toml"), GOOD.replacen(from, to, 1)).unwrap();
    let mut all = vec![cmd, "r.toml"];
    all.extend_from_slice(args);
    if cmd == "replay" {
        all.push("--no-submission");
    }
    let out = kreplay(&dir, &all);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{name}: exit code; stderr:\n{err}"
    );
    for e in expect {
        assert!(err.contains(e), "{name}: stderr lacks {e:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{name} panicked:\n{err}");
}

#[test]
fn the_good_recipe_is_good() {
    let dir = scratch("err-good");
    std::fs::write(dir.join("r.toml"), GOOD).unwrap();
    let out = kreplay(&dir, &["replay", "r.toml", "--no-submission"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unknown_section() {
    case(
        "section",
        "[model]",
        "[modle]",
        "show",
        &[],
        2,
        &[
            "r.toml:30:2",
            "unknown section `modle`",
            "did you mean `model`",
        ],
    );
}

#[test]
fn unknown_model_parameter() {
    case(
        "param",
        "max_depth = 3",
        "max_dept = 3",
        "show",
        &[],
        2,
        &[
            "r.toml:32:1",
            "unknown key `max_dept`",
            "did you mean `max_depth`",
        ],
    );
}

#[test]
fn unknown_step_kind() {
    case(
        "kind",
        "kind = \"regex_extract\"",
        "kind = \"regex_extrct\"",
        "show",
        &[],
        2,
        &[
            "r.toml:14:8",
            "unknown step kind `regex_extrct`",
            "did you mean `regex_extract`",
        ],
    );
}

#[test]
fn wrong_type() {
    case(
        "type",
        "max_depth = 3",
        "max_depth = \"deep\"",
        "show",
        &[],
        2,
        &[
            "r.toml:32:13",
            "expects integer or \"none\", found a string",
        ],
    );
}

#[test]
fn misspelt_choice() {
    case(
        "choice",
        "metric = \"accuracy\"",
        "metric = \"acuracy\"",
        "show",
        &[],
        2,
        &["r.toml:37:10", "did you mean `accuracy`"],
    );
}

#[test]
fn missing_required_key() {
    case(
        "required",
        "strategy = \"median\"\n",
        "",
        "show",
        &[],
        2,
        &[
            "missing the required key `strategy`",
            "constant, mean, median",
        ],
    );
}

#[test]
fn duplicate_step_id() {
    case(
        "dup",
        "id = \"fare\"",
        "id = \"title\"",
        "show",
        &[],
        2,
        &["r.toml:20:6", "duplicate step id `title`"],
    );
}

#[test]
fn toml_syntax() {
    case(
        "syntax",
        "max_depth = 3",
        "max_depth = ",
        "show",
        &[],
        2,
        &["r.toml:32:", "invalid TOML"],
    );
}

#[test]
fn bad_fit_scope() {
    case(
        "scope",
        "strategy = \"median\"",
        "strategy = \"median\"\nfit_on = \"test\"",
        "show",
        &[],
        2,
        &["r.toml:24:10", "fit_on cannot be \"test\"", "train+test"],
    );
}

#[test]
fn invalid_regex() {
    case(
        "regex",
        r"pattern = ' ([A-Za-z]+)\.'",
        "pattern = '(['",
        "show",
        &[],
        2,
        &[
            "r.toml:16:11",
            "steps.title (regex_extract).pattern",
            "invalid regex",
        ],
    );
}

#[test]
fn metric_does_not_suit_task() {
    case(
        "metric",
        "metric = \"accuracy\"",
        "metric = \"rmse\"",
        "show",
        &[],
        2,
        &["`rmse` does not suit a binary task"],
    );
}

#[test]
fn model_cannot_do_task() {
    case(
        "task",
        "kind = \"decision_tree\"",
        "kind = \"svm\"",
        "show",
        &["-S", "data.task=regression", "-S", "validation.metric=rmse"],
        2,
        &["model `svm` cannot do a regression task"],
    );
}

#[test]
fn misspelt_override() {
    case(
        "override",
        "x",
        "x",
        "show",
        &["-S", "model.max_dept=5"],
        2,
        &["override `model.max_dept=5`", "did you mean `max_depth`"],
    );
    case(
        "override-step",
        "x",
        "x",
        "show",
        &["-S", "steps.fair.strategy=mean"],
        2,
        &["no step with id `fair`", "did you mean `fare`"],
    );
}

#[test]
fn fit_on_for_a_step_that_learns_nothing() {
    case(
        "stateless",
        "into = \"Title\"",
        "into = \"Title\"\nfit_on = \"train\"",
        "show",
        &[],
        2,
        &["learns nothing from data"],
    );
}

#[test]
fn missing_column_names_step_and_column() {
    case(
        "column",
        "column = \"Name\"",
        "column = \"Nme\"",
        "replay",
        &[],
        1,
        &[
            "steps.title (regex_extract)",
            "no column `Nme`",
            "did you mean `Name`",
        ],
    );
}

#[test]
fn invalid_sql_expression() {
    case(
        "sql",
        "[model]",
        "[[steps]]\nid = \"d\"\nkind = \"derive\"\ncolumns = { X = \"SibSp +* 1\" }\n\n[model]",
        "show",
        &[],
        2,
        &["steps.d (derive).columns", "not a valid SQL expression"],
    );
}

#[test]
fn text_column_reaching_the_model() {
    case(
        "text",
        "columns = [\"Pclass\", \"Fare\", \"SibSp\"]",
        "columns = [\"Pclass\", \"Fare\", \"Name\"]",
        "replay",
        &[],
        1,
        &["column `Name`", "not numeric", "one_hot"],
    );
}
