//! `kreplay validate`: bad submissions are rejected locally with the exact reason, row and id.

use std::path::Path;

use crate::common::{kreplay, mirror, scratch};

fn sample(competition: &str, file: &str) -> Vec<String> {
    std::fs::read_to_string(mirror().join(competition).join(file))
        .unwrap()
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect()
}

fn check(dir: &Path, competition: &str, lines: &[String]) -> (bool, String) {
    let file = dir.join("sub.csv");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = kreplay(dir, &["validate", competition, file.to_str().unwrap()]);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn with(mut lines: Vec<String>, row: usize, text: &str) -> Vec<String> {
    lines[row - 1] = text.to_string();
    lines
}

#[test]
fn valid_submissions_pass() {
    let dir = scratch("validate-ok");
    for (c, f) in [
        ("titanic", "gender_submission.csv"),
        ("spaceship-titanic", "sample_submission.csv"),
        (
            "house-prices-advanced-regression-techniques",
            "sample_submission.csv",
        ),
        ("bike-sharing-demand", "sampleSubmission.csv"),
    ] {
        let (ok, err) = check(&dir, c, &sample(c, f));
        assert!(ok, "{c}: {err}");
    }
    let replayed =
        crate::common::replay_json(&dir, &["titanic/milla-decision-tree", "-o", "milla.csv"]);
    assert_eq!(
        replayed["submission"]["rows"],
        sample("titanic", "gender_submission.csv").len() - 1
    );
    let out = kreplay(&dir, &["validate", "titanic", "milla.csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_dozen_kinds_of_bad_submission() {
    let dir = scratch("validate-bad");
    let titanic = sample("titanic", "gender_submission.csv");
    let house = sample(
        "house-prices-advanced-regression-techniques",
        "sample_submission.csv",
    );
    let space = sample("spaceship-titanic", "sample_submission.csv");
    let bike = sample("bike-sharing-demand", "sampleSubmission.csv");
    let mut cases: Vec<(&str, &str, Vec<String>, &[&str])> = vec![
        ("empty", "titanic", vec![], &["the file is empty"]),
        (
            "header names",
            "titanic",
            with(titanic.clone(), 1, "PassengerId,Survive"),
            &["row 1", "wrong header", "PassengerId,Survived"],
        ),
        (
            "column order",
            "titanic",
            with(titanic.clone(), 1, "Survived,PassengerId"),
            &["wrong header"],
        ),
        (
            "field count",
            "titanic",
            with(titanic.clone(), 3, "893,0,1"),
            &[
                "row 3 (id 893)",
                "wrong number of fields: expected 2, found 3",
            ],
        ),
        (
            "duplicate id",
            "titanic",
            with(titanic.clone(), 3, "892,0"),
            &[
                "row 3 (id 892): duplicate id",
                "missing ids: 1 test id(s) have no row, first 893",
            ],
        ),
        (
            "unknown id",
            "titanic",
            with(titanic.clone(), 4, "5000,1"),
            &["row 4 (id 5000): id not in the test set"],
        ),
        (
            "empty prediction",
            "titanic",
            with(titanic.clone(), 10, "900,"),
            &["row 10 (id 900): missing prediction"],
        ),
        (
            "bad label",
            "titanic",
            with(titanic.clone(), 2, "892,2"),
            &["row 2 (id 892): invalid label: \"2\" is not one of 0, 1"],
        ),
        (
            "bool label case",
            "spaceship-titanic",
            with(space.clone(), 2, "0013_01,false"),
            &["row 2 (id 0013_01)", "is not one of True, False"],
        ),
        (
            "not a number",
            "house-prices-advanced-regression-techniques",
            with(house.clone(), 5, "1464,abc"),
            &["row 5 (id 1464): not a number"],
        ),
        (
            "NaN",
            "house-prices-advanced-regression-techniques",
            with(house.clone(), 6, "1465,NaN"),
            &["row 6 (id 1465): not a finite number"],
        ),
        (
            "infinity",
            "house-prices-advanced-regression-techniques",
            with(house, 7, "1466,inf"),
            &["row 7 (id 1466): not a finite number"],
        ),
        (
            "negative count",
            "bike-sharing-demand",
            with(bike, 2, "2011-01-20 00:00:00,-3"),
            &["row 2 (id 2011-01-20 00:00:00): negative value: -3"],
        ),
    ];
    let rows = titanic.len() - 1;
    let missing = [
        "missing ids: 19".to_string(),
        format!("wrong row count: expected {rows} rows, found {}", rows - 19),
    ];
    let missing: Vec<&str> = missing.iter().map(String::as_str).collect();
    cases.push((
        "missing rows",
        "titanic",
        titanic[..rows - 18].to_vec(),
        &missing,
    ));
    for (name, competition, lines, expect) in cases {
        let (ok, err) = check(&dir, competition, &lines);
        assert!(!ok, "{name}: accepted");
        for e in expect {
            assert!(err.contains(e), "{name}: {e:?} not in:\n{err}");
        }
        assert!(err.contains("not uploaded"), "{name}: {err}");
    }
}

/// Item 10: a tab- or semicolon-separated file panicked (index out of bounds at `fields[1]`)
/// and a stray quote (`892,0"`) was accepted; each is now a clean error naming the row, with
/// a failing exit status and no panic. Item 16: an id with control characters is shown
/// escaped, never raw.
#[test]
fn a_tab_or_semicolon_file_or_a_stray_quote_is_a_clean_error() {
    let dir = scratch("validate-csv");
    let titanic = sample("titanic", "gender_submission.csv");
    let separated =
        |sep: &str| -> Vec<String> { titanic.iter().map(|l| l.replace(',', sep)).collect() };
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        (
            "tabs",
            separated("\t"),
            "row 1: the file is tab-separated; a submission is comma-separated",
        ),
        (
            "semicolons",
            separated(";"),
            "row 1: the file is semicolon-separated; a submission is comma-separated",
        ),
        (
            "stray quote",
            with(titanic.clone(), 2, "892,0\""),
            "row 2: bad CSV: field 2 has a quote inside it",
        ),
        (
            "unterminated quote",
            with(titanic.clone(), 3, "893,\"1"),
            "row 3: bad CSV: field 2 opens a quote that is never closed",
        ),
        (
            "control characters",
            with(titanic.clone(), 4, "89\u{1b}[2J4,0"),
            "row 4 (id 89\\u{1b}[2J4): id not in the test set",
        ),
    ];
    for (name, lines, expect) in cases {
        let file = dir.join("sub.csv");
        std::fs::write(&file, lines.join("\n")).unwrap();
        let out = kreplay(&dir, &["validate", "titanic", file.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: accepted");
        // A panic exits with 101; a refused submission with the usual error status.
        assert!(
            out.status.code().is_some_and(|c| c != 101),
            "{name}: {:?}\n{err}",
            out.status
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(!err.contains('\u{1b}'), "{name}: raw escape in {err:?}");
        assert!(err.contains(expect), "{name}: {expect:?} not in:\n{err}");
        assert!(err.contains("not uploaded"), "{name}: {err}");
    }
}

#[test]
fn integer_classes_are_labels_not_numbers() {
    // A 7-class target (1-7) with an all-`1` sample submission: `6.0`, `62.35` and `8` are
    // refused, each with its row; the class codes pass. Bike sharing's integer counts (far
    // more than a class column has, and a sample of `0`) stay numbers.
    let dir = scratch("validate-classes");
    let c = "synthetic-cover-type";
    let good: Vec<String> = sample(c, "sample_submission.csv")
        .into_iter()
        .enumerate()
        .map(|(i, l)| match i {
            0 => l,
            _ => format!("{},{}", l.split(',').next().unwrap(), 1 + i % 7),
        })
        .collect();
    let (ok, err) = check(&dir, c, &good);
    assert!(ok, "{err}");
    for (bad, why) in [
        (
            "6.0",
            "invalid label: \"6.0\" is not one of 1, 2, 3, 4, 5, 6, 7",
        ),
        ("62.35", "invalid label: \"62.35\""),
        ("8", "invalid label: \"8\""),
    ] {
        let id = good[3].split(',').next().unwrap().to_string();
        let (ok, err) = check(&dir, c, &with(good.clone(), 4, &format!("{id},{bad}")));
        assert!(!ok, "{bad} passed");
        assert!(err.contains(&format!("row 4 (id {id}): {why}")), "{err}");
        assert!(!err.contains("missing ids"), "{err}");
    }
    let bike = sample("bike-sharing-demand", "sampleSubmission.csv");
    let id = bike[1].split(',').next().unwrap().to_string();
    let (ok, err) = check(
        &dir,
        "bike-sharing-demand",
        &with(bike.clone(), 2, &format!("{id},62.35")),
    );
    assert!(ok, "{err}");
}
