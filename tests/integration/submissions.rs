//! Every shipped recipe's submission, on the cut tables and (in the replay tier, which runs
//! this file too) on the real competition files: it passes the submission checks (`kreplay
//! validate`: header, ids, row count, value types) and two runs write the same bytes. CV is skipped (`validation.scheme=none`): the submission comes from
//! the final fit, which the other tests' CV numbers do not cover.

use crate::common::{kreplay, scratch, stdout};

/// Recipe files (not variants) that write a submission.
fn shipped() -> Vec<(String, String)> {
    let dir = scratch("submissions-list");
    let list: serde_json::Value =
        serde_json::from_str(&stdout(&kreplay(&dir, &["list", "--json"]))).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            let name = r["name"].as_str()?.to_string();
            let competition = r["competition"].as_str()?.to_string();
            (!name.contains(':') && !name.starts_with("examples/")).then_some((name, competition))
        })
        .collect()
}

#[test]
fn every_shipped_submission_validates_and_is_reproducible() {
    let recipes = shipped();
    assert!(
        recipes.len() >= 9,
        "expected the shipped recipes, found {recipes:?}"
    );
    for (name, competition) in recipes {
        let dir = scratch(&format!("submission-{}", name.replace('/', "-")));
        for file in ["a.csv", "b.csv"] {
            stdout(&kreplay(
                &dir,
                &[
                    "replay",
                    &name,
                    "-o",
                    file,
                    "--no-record",
                    "-S",
                    "validation.scheme=none",
                ],
            ));
        }
        let a = std::fs::read(dir.join("a.csv")).unwrap();
        let b = std::fs::read(dir.join("b.csv")).unwrap();
        assert!(a == b, "{name}: two runs wrote different submissions");
        let data = crate::common::mirror().join(&competition);
        let checked = stdout(&kreplay(
            &dir,
            &[
                "validate",
                &competition,
                "a.csv",
                "--data",
                data.to_str().unwrap(),
            ],
        ));
        assert!(!checked.is_empty(), "{name}: validate printed nothing");
    }
}
