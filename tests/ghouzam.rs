//! Yassine Ghouzam's Titanic ensemble on the real files: the outlier rule, the 66 features,
//! and the published SVC grid replayed with `kreplay sweep`.

mod common;

use common::{close, feature_names, kreplay, replay_json, scratch, stdout};

const GHOUZAM: &str = "titanic/ghouzam-ensemble";

#[test]
fn ghouzam_features_and_outlier_rows() {
    let dir = scratch("ghouzam-features");
    let r = replay_json(
        &dir,
        &[
            &format!("{GHOUZAM}:svc"),
            "--no-submission",
            "--no-record",
            "-S",
            "validation.scheme=none",
        ],
    );
    // The re-run's shape: 881 rows (10 Tukey outliers dropped) and 66 features; SibSp,
    // Parch, Age, Fare, Sex and Fsize stay numbers, the rest are dummies.
    let features = feature_names(&r);
    assert_eq!(features.len(), 66, "{features:?}");
    for f in [
        "Sex", "Age", "SibSp", "Parch", "Fare", "Fsize", "Title_0", "Em_S", "Cabin_X", "T_X",
        "T_A5", "Pc_3",
    ] {
        assert!(features.contains(&f), "{f} missing from {features:?}");
    }
}

#[test]
fn ghouzam_svc_grid_best_cv() {
    let dir = scratch("ghouzam-svc-grid");
    // The notebook's grid, stratified 10-fold. Labels come from the decision function, so the
    // grid runs without Platt probabilities (which only the soft vote reads).
    let out = stdout(&kreplay(
        &dir,
        &[
            "sweep",
            &format!("{GHOUZAM}:svc"),
            "--json",
            "-S",
            "members.svc.probability=false",
            "-S",
            "members.svc.gamma=0.001,0.01,0.1,1",
            "-S",
            "members.svc.C=1,10,50,100,200,300,1000",
        ],
    ));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let trials = report["trials"].as_array().unwrap();
    assert_eq!(trials.len(), 28);
    let best = trials
        .iter()
        .max_by(|a, b| {
            a["cv_mean"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["cv_mean"].as_f64().unwrap())
        })
        .unwrap();
    // The re-runs' best_score_: 0.83314 and 0.83313; scikit-learn 1.9 on the same features:
    // 0.83313 at C=10, gamma=0.01, which kreplay reproduces cell for cell.
    close(
        best["cv_mean"].as_f64().unwrap(),
        0.833,
        0.005,
        "SVC grid best CV",
    );
    close(
        best["cv_mean"].as_f64().unwrap(),
        0.83313,
        0.0001,
        "SVC grid best CV",
    );
    let overrides = best["overrides"].to_string();
    assert!(
        overrides.contains("members.svc.C=10") && overrides.contains("members.svc.gamma=0.01"),
        "{overrides}"
    );
}

#[test]
fn ghouzam_tuned_members() {
    let dir = scratch("ghouzam-members");
    // The grid-searched models are unseeded in the notebook and its re-runs disagree by up to
    // 0.004 (AdaBoost 0.82406/0.82755, ExtraTrees 0.82974/0.83086, RandomForest
    // 0.83541/0.83428, GBM 0.83201/0.82861): the recipe's tolerance is 0.01 around the
    // andafterall re-run.
    for (member, published) in [
        ("rf", 0.8354),
        ("et", 0.8297),
        ("ada", 0.8241),
        ("gbm", 0.8320),
    ] {
        let r = replay_json(
            &dir,
            &[
                &format!("{GHOUZAM}:{member}"),
                "--no-submission",
                "--no-record",
            ],
        );
        close(r["cv_mean"].as_f64().unwrap(), published, 0.01, member);
    }
}
