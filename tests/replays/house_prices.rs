//! The published House Prices numbers, replayed from the CLI on the real competition files:
//! Alexandru Papiu's "Regularized Linear Models" (Ridge and nested LassoCV).

use crate::common::{close, feature_names, replay_json, scratch};

const PAPIU: &str = "house-prices-advanced-regression-techniques/papiu-regularized-linear";

/// pandas' default NA strings before 2.0, i.e. without "None".
const PANDAS1_NA: &str = r##"data.na_values=["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null"]"##;

#[test]
fn papiu_ridge_alpha_10() {
    let dir = scratch("papiu-ridge");
    let r = replay_json(&dir, &[&format!("{PAPIU}:ridge"), "--no-submission"]);
    // Python replay (pandas 3.1, scikit-learn 1.9): 0.12731.
    close(
        r["cv_mean"].as_f64().unwrap(),
        0.1273,
        0.001,
        "ridge 5-fold CV",
    );
    close(
        r["cv_mean"].as_f64().unwrap(),
        0.12731,
        0.00001,
        "ridge 5-fold CV",
    );
    assert_eq!(r["folds"].as_array().unwrap().len(), 5);
    // The 79 features (Id and SalePrice are not features) are 36 numeric and 43 text columns;
    // get_dummies turns the text into 251 level columns: 287. pandas >= 2.0 (which the Python
    // replay and kreplay follow) reads MasVnrType's level "None" as missing, so it gets no
    // column; the notebook's re-run, on older pandas, had a MasVnrType_None column: 288.
    let f = feature_names(&r);
    assert_eq!(f.len(), 287);
    assert_eq!(&f[..3], &["MSSubClass", "LotFrontage", "LotArea"]);
    assert!(f.contains(&"MSZoning_C (all)") && f.contains(&"MasVnrType_BrkFace"));
    assert!(!f.contains(&"MasVnrType_None") && !f.contains(&"Id") && !f.contains(&"SalePrice"));
}

#[test]
fn papiu_ridge_on_old_pandas_missing_values_is_the_published_rerun() {
    // With "None" kept as a level (pandas < 2.0, as in the published re-run): 288 columns and
    // the re-run's Ridge minimum, 0.12734.
    let dir = scratch("papiu-pandas1");
    let r = replay_json(
        &dir,
        &[
            &format!("{PAPIU}:ridge"),
            "--no-submission",
            "-S",
            PANDAS1_NA,
        ],
    );
    let f = feature_names(&r);
    assert_eq!(f.len(), 288);
    assert!(f.contains(&"MasVnrType_None"));
    close(
        r["cv_mean"].as_f64().unwrap(),
        0.12734,
        0.00001,
        "ridge CV, pandas < 2",
    );
}

#[test]
fn papiu_lasso_cv_nested_and_its_submission() {
    let dir = scratch("papiu-lasso");
    let a = replay_json(&dir, &[PAPIU, "-o", "a.csv"]);
    // LassoCV re-runs its inner 5-fold CV inside each outer fold. Python replay: 0.12257.
    close(
        a["cv_mean"].as_f64().unwrap(),
        0.1226,
        0.002,
        "nested LassoCV CV",
    );
    close(
        a["cv_mean"].as_f64().unwrap(),
        0.12257,
        0.00001,
        "nested LassoCV CV",
    );
    assert_eq!(feature_names(&a).len(), 287);
    assert_eq!(a["submission"]["rows"], 1459);

    let text = std::fs::read_to_string(dir.join("a.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("Id,SalePrice"));
    let rows: Vec<(u32, f64)> = lines
        .map(|l| {
            let (id, price) = l.split_once(',').unwrap();
            (id.parse().unwrap(), price.parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), 1459);
    assert!(
        rows.iter().map(|r| r.0).eq(1461..=2919),
        "ids in test order"
    );
    assert!(
        rows.iter()
            .all(|(_, p)| p.is_finite() && *p > 10_000.0 && *p < 2_000_000.0),
        "prices are plausible house prices"
    );

    let b = replay_json(&dir, &[PAPIU, "-o", "b.csv"]);
    assert_eq!(a["submission"]["sha256"], b["submission"]["sha256"]);
    assert_eq!(
        std::fs::read(dir.join("a.csv")).unwrap(),
        std::fs::read(dir.join("b.csv")).unwrap(),
        "the submission is byte-identical across runs"
    );
}
