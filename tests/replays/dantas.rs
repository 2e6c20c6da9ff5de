//! Fernando Dantas' Spaceship Titanic LightGBM on the real files: rows without a deck
//! dropped, kNN imputation and target encoding fitted on the notebook's 75% part, holdout
//! accuracy against the published 0.8112.

use crate::common::{close, feature_names, replay_json, scratch};

#[test]
fn dantas_holdout_accuracy_and_submission() {
    let dir = scratch("dantas");
    let r = replay_json(
        &dir,
        &[
            "spaceship-titanic/dantas-lgbm",
            "-o",
            "s.csv",
            "--no-record",
        ],
    );
    // LightGBM itself (`--features lightgbm`) gives the notebook's 0.8112; the forust stand-in
    // (LightGBM's bins and leaf rules, its own float sums) is held to the recipe's stated 0.01.
    let tolerance = if cfg!(feature = "lightgbm") {
        0.00005
    } else {
        0.01
    };
    close(
        r["cv_mean"].as_f64().unwrap(),
        0.8112,
        tolerance,
        "holdout accuracy",
    );
    let features = feature_names(&r);
    assert_eq!(
        features,
        [
            "Age",
            "RoomService",
            "FoodCourt",
            "ShoppingMall",
            "Spa",
            "VRDeck",
            "HomePlanet",
            "CryoSleep",
            "cabin_code",
            "cabin_sector",
            "Destination",
            "VIP"
        ]
    );
    let text = std::fs::read_to_string(dir.join("s.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("PassengerId,Transported"));
    let values: Vec<&str> = lines.map(|l| l.split_once(',').unwrap().1).collect();
    assert_eq!(values.len(), 4277, "test rows are never dropped");
    assert!(values.iter().all(|v| *v == "True" || *v == "False"));
}
