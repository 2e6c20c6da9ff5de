//! Same recipe, same data, same submission bytes, whatever the thread count: the seeded tree
//! ensembles draw their seeds before any tree grows and collect trees and folds in order, and
//! the boosted trees' parallel sums are per feature; one thread and two must agree to the byte.

use crate::common::scratch;

fn submission_with_threads(dir: &std::path::Path, recipe: &[&str], threads: usize) -> Vec<u8> {
    let sub = dir.join(format!("sub-{threads}.csv"));
    let mut args = vec!["replay", "--no-record", "-o", sub.to_str().unwrap()];
    args.extend_from_slice(recipe);
    let out = crate::common::command(dir, &args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("kreplay runs");
    assert!(
        out.status.success(),
        "{recipe:?} with {threads} threads: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(&sub).unwrap()
}

fn same_bytes_on_one_and_two_threads(name: &str, recipe: &[&str]) {
    let dir = scratch(name);
    let one = submission_with_threads(&dir, recipe, 1);
    let two = submission_with_threads(&dir, recipe, 2);
    assert!(!one.is_empty());
    assert!(
        one == two,
        "{recipe:?}: the submission depends on the thread count"
    );
    // and a second run on two threads is the same again
    assert!(two == submission_with_threads(&dir, recipe, 2));
}

#[test]
fn seeded_forest_submission_is_the_same_on_one_and_two_threads() {
    same_bytes_on_one_and_two_threads("det-forest", &["titanic/zlatankr-random-forest"]);
}

#[test]
fn vote_of_trees_boosting_and_svc_is_the_same_on_one_and_two_threads() {
    same_bytes_on_one_and_two_threads("det-vote", &["titanic/ghouzam-ensemble"]);
}

#[test]
fn boosted_regression_trees_are_the_same_on_one_and_two_threads() {
    // 300 of the recipe's 4000 stages, with the huber loss: its trees are searched on
    // per-value sums (models::cart::binned), and a node's sums run on both cores.
    same_bytes_on_one_and_two_threads(
        "det-gbm",
        &[
            "bike-sharing-demand/srinivasan-ensemble",
            "-S",
            "model.n_estimators=300",
            "-S",
            "model.loss=huber",
        ],
    );
}
