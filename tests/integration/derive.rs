//! Derived recipes: `kreplay new --from` (with a column check against another competition)
//! and `kreplay diff`.

use crate::common::{kreplay, scratch, stdout};

#[test]
fn new_from_titanic_against_spaceship_lists_missing_columns() {
    let dir = scratch("new-spaceship");
    let text = stdout(&kreplay(
        &dir,
        &[
            "new",
            "mine.toml",
            "--from",
            "titanic/milla-decision-tree",
            "--competition",
            "spaceship-titanic",
        ],
    ));
    for expected in [
        "data.target",
        "`Survived`",
        "steps.fare.columns",
        "`Fare`",
        "`SibSp`",
        "steps.sex.column",
        "`Sex`",
        "mine.toml:",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    for present in ["`Name`", "`Age`", "`Cabin`", "`PassengerId`"] {
        assert!(
            !text.contains(present),
            "{present} is in spaceship's train.csv:\n{text}"
        );
    }
    let written = std::fs::read_to_string(dir.join("mine.toml")).unwrap();
    assert!(
        written.contains("parent = \"titanic/milla-decision-tree\"")
            && written.contains("competition = \"spaceship-titanic\"")
    );
    // It is a recipe: show reads it.
    stdout(&kreplay(&dir, &["show", "mine.toml"]));
    // And nothing the user had is overwritten.
    let again = kreplay(&dir, &["new", "mine.toml", "--from", "titanic/gender"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn new_copy_replays_like_its_parent() {
    let dir = scratch("new-copy");
    stdout(&kreplay(
        &dir,
        &["new", "copy.toml", "--from", "titanic/sehgal:knn"],
    ));
    let copy = crate::common::replay_json(&dir, &["copy.toml", "--no-submission"]);
    let parent = crate::common::replay_json(&dir, &["titanic/sehgal:knn", "--no-submission"]);
    assert_eq!(copy["train"], parent["train"]);
    let out = kreplay(&dir, &["diff", "copy.toml", "titanic/sehgal:knn"]);
    let same = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        same.lines()
            .skip(2)
            .all(|l| l.contains("recipe.notes") || l.contains("recipe.parent")),
        "{same}"
    );
}

#[test]
fn diff_shows_changed_added_and_removed_parameters() {
    let dir = scratch("diff");
    let out = kreplay(&dir, &["diff", "titanic/sehgal", "titanic/sehgal:knn"]);
    assert_eq!(out.status.code(), Some(1), "recipes that differ exit 1");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("~ model.kind") && text.contains("random_forest -> knn"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("+ model.n_neighbors") && l.ends_with('3')),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("- model.n_estimators")),
        "{text}"
    );
    assert!(!text.contains("steps."), "steps are the same:\n{text}");
    let text = stdout(&kreplay(
        &dir,
        &["diff", "titanic/gender", "titanic/gender"],
    ));
    assert!(text.contains("no differences"), "{text}");
}

/// `kreplay new --from <recipe> --competition synthetic-cover-type` (a 7-class table no
/// recipe covers): the parent's target, id, task, metric and submission format are read again
/// from the new data; what cannot be inferred is listed, every problem at once.
fn carry(dir: &std::path::Path, file: &str, parent: &str) -> String {
    stdout(&kreplay(
        dir,
        &[
            "new",
            file,
            "--from",
            parent,
            "--competition",
            "synthetic-cover-type",
        ],
    ))
}

#[test]
fn a_binary_forest_carried_to_seven_classes_writes_integer_classes() {
    let dir = scratch("carry-tutorial");
    let text = carry(&dir, "forest.toml", "titanic/tutorial-random-forest");
    for expected in [
        "data.target = \"Cover_Type\"",
        "data.id = \"Id\"",
        "data.task = \"multiclass\"",
        "7 distinct values (1, 2, 3, 4, 5, 6, 7)",
        "submission.columns = [\"Id\", \"Cover_Type\"]",
        "5 problem(s) left",
        "steps.features.columns reads `Pclass`",
        "steps.sex.columns reads `Sex`",
        "forest.toml:",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    let written = std::fs::read_to_string(dir.join("forest.toml")).unwrap();
    // The parent's notes and published score are provenance under [parent], not this recipe's.
    assert!(written.contains("[parent]") && written.contains("[[parent.published]]"));
    assert!(written.contains("notes = \"Copied from titanic/tutorial-random-forest"));
    let shown = stdout(&kreplay(&dir, &["show", "forest.toml"]));
    assert!(!shown.contains("0.77511"), "{shown}");
    // The user picks the new features; the recipe then replays and writes class codes that
    // the competition's validator accepts.
    let edited = written
        .replace(
            "\"Pclass\",\n    \"Sex\",\n    \"SibSp\",\n    \"Parch\",",
            "\"Elevation\",\n    \"Slope\",\n    \"Wilderness_Area1\",",
        )
        .replace(
            "[[steps]]\nid = \"sex\"\nkind = \"one_hot\"\ncolumns = \"Sex\"\nfit_on = \"each\"\n",
            "",
        );
    assert_ne!(edited, written);
    std::fs::write(dir.join("forest.toml"), edited).unwrap();
    stdout(&kreplay(
        &dir,
        &["replay", "forest.toml", "-o", "sub.csv", "--no-record"],
    ));
    let sub = std::fs::read_to_string(dir.join("sub.csv")).unwrap();
    let mut lines = sub.lines();
    assert_eq!(lines.next(), Some("Id,Cover_Type"));
    let classes: std::collections::BTreeSet<&str> =
        lines.map(|l| l.split(',').nth(1).unwrap()).collect();
    assert!(classes.len() > 2, "{classes:?}");
    assert!(
        classes
            .iter()
            .all(|c| ["1", "2", "3", "4", "5", "6", "7"].contains(c)),
        "{classes:?}"
    );
    stdout(&kreplay(
        &dir,
        &["validate", "synthetic-cover-type", "sub.csv"],
    ));
}

#[test]
fn a_boolean_mapping_and_a_regression_inverse_do_not_survive_the_carry() {
    let dir = scratch("carry-mappings");
    let text = carry(&dir, "lgbm.toml", "spaceship-titanic/dantas-lgbm");
    assert!(
        text.contains("submission.values removed")
            && text.contains("writes False, True but the target `Cover_Type` has 1, 2, 3"),
        "{text}"
    );
    assert!(text.contains("steps.knn.columns reads `Age`"), "{text}");
    let text = carry(
        &dir,
        "linear.toml",
        "house-prices-advanced-regression-techniques/papiu-regularized-linear",
    );
    for expected in [
        "submission.inverse removed",
        "validation.metric = \"accuracy\"",
        "set it back to \"regression\"",
        // What cannot be inferred, every problem at once, located in the new file.
        "2 problem(s) left",
        "linear.toml:",
        "model `lasso_cv` cannot do a multiclass task",
        "steps.log_target.columns reads `SalePrice`",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    // Every member that cannot do the new task is named, not only the first; the member the
    // model does not use is dropped rather than reported.
    let text = carry(
        &dir,
        "stack.toml",
        "house-prices-advanced-regression-techniques/serigne-stacked-regressions",
    );
    assert!(
        text.contains("members.averaged removed  (the model does not use it)"),
        "{text}"
    );
    let refused = text
        .lines()
        .filter(|l| l.contains("cannot do a multiclass task"))
        .count();
    assert!(refused >= 3, "{text}");
    for member in ["members.lasso", "members.enet", "members.krr"] {
        assert!(text.contains(member), "{member} missing:\n{text}");
    }
}

#[test]
fn a_replay_never_writes_a_submission_the_validator_refuses() {
    let dir = scratch("carry-refused");
    carry(&dir, "forest.toml", "titanic/tutorial-random-forest");
    let text = std::fs::read_to_string(dir.join("forest.toml")).unwrap();
    let start = text.find("[[steps]]").unwrap();
    let end = text.find("[model]").unwrap();
    let text = format!("{}{}", &text[..start], &text[end..]);
    std::fs::write(dir.join("forest.toml"), &text).unwrap();
    // The parent's header, which the competition's sample submission contradicts.
    let out = kreplay(
        &dir,
        &[
            "replay",
            "forest.toml",
            "-S",
            "submission.columns=[\"Id\", \"Survived\"]",
            "-o",
            "sub.csv",
            "--no-record",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("sub.csv was not written") && err.contains("wrong header"),
        "{err}"
    );
    assert!(!dir.join("sub.csv").exists());

    // A regression declared on class codes writes its quantities, with a warning that the
    // competition reads its values as classes.
    carry(
        &dir,
        "linear.toml",
        "house-prices-advanced-regression-techniques/papiu-regularized-linear",
    );
    let text = std::fs::read_to_string(dir.join("linear.toml")).unwrap();
    let start = text.find("[[steps]]").unwrap();
    let end = text.find("[model]").unwrap();
    let text = format!("{}{}", &text[..start], &text[end..])
        .replace("task = \"multiclass\"", "task = \"regression\"")
        .replace("metric = \"accuracy\"", "metric = \"rmse\"");
    std::fs::write(dir.join("linear.toml"), text).unwrap();
    let out = kreplay(
        &dir,
        &["replay", "linear.toml", "-o", "sub.csv", "--no-record"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: sub.csv holds quantities")
            && err.contains("one of 1, 2, 3, 4, 5, 6, 7"),
        "{err}"
    );
}
