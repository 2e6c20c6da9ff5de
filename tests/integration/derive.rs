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
    let same = stdout(&kreplay(&dir, &["diff", "copy.toml", "titanic/sehgal:knn"]));
    assert!(
        same.lines()
            .all(|l| l.contains("recipe.notes") || l.contains("recipe.parent")),
        "{same}"
    );
}

#[test]
fn diff_shows_changed_added_and_removed_parameters() {
    let dir = scratch("diff");
    let text = stdout(&kreplay(
        &dir,
        &["diff", "titanic/sehgal", "titanic/sehgal:knn"],
    ));
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
