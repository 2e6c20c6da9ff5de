//! k-nearest neighbours. linfa-nn offers only the index, not the classifier, so the vote is ours:
//! brute-force distances, neighbours ordered by (distance, training row) so ties are stable,
//! uniform or distance weights, vote ties to the smallest label (sklearn's argmax).

use rayon::prelude::*;

use kreplay_recipe::{params, Lit, ModelSpec, Task, Ty};

use super::{Classes, Model, ModelDef, Prediction, Trained, Training};
use crate::error::{Error, Result};
use crate::matrix::Matrix;

kreplay_recipe::named_enum! {
    /// How neighbours' votes are weighted.
    pub enum Weights {
        Uniform = "uniform",
        Distance = "distance",
    }
}

params! {
    /// k-nearest neighbours' parameters.
    pub struct KnnParams {
        n_neighbors: usize = optional(Ty::Int, Lit::Int(5), "neighbours that vote").min(1.0),
        weights: Weights = optional(
            Ty::Choice(Weights::NAMES),
            Lit::Str("uniform"),
            "equal votes, or votes weighted by 1/distance",
        ),
        p: usize = optional(
            Ty::Int,
            Lit::Int(2),
            "Minkowski power: 1 Manhattan, 2 Euclidean",
        )
        .min(1.0),
    }
}

pub static KNN: ModelDef = ModelDef {
    spec: ModelSpec {
        kind: "knn",
        summary: "k-nearest neighbours (sklearn KNeighborsClassifier/Regressor)",
        params: KnnParams::SPECS,
        tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
        engine: "kreplay brute force (linfa-nn has no classifier)",
        stand_in: None,
    },
    build: |p, _| {
        let p = KnnParams::read(p)?;
        Ok(Box::new(Knn {
            k: p.n_neighbors,
            distance_weights: p.weights == Weights::Distance,
            p: p.p as i32,
        }))
    },
};

#[derive(Clone)]
struct Knn {
    k: usize,
    distance_weights: bool,
    p: i32,
}

struct TrainedKnn {
    knn: Knn,
    x: Matrix,
    y: Vec<f64>,
    classes: Option<Classes>,
}

impl Model for Knn {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        // One contiguous matrix for the solver: a fold's rows are copied here, once.
        let x = t.x.matrix();
        if self.k > x.rows {
            return Err(Error::model(
                "knn",
                format!("n_neighbors = {} but only {} training rows", self.k, x.rows),
            ));
        }
        let classes = if t.task.is_classification() {
            Some(Classes::new(t.y, "knn")?)
        } else {
            None
        };
        Ok(Box::new(TrainedKnn {
            knn: self.clone(),
            x: x.clone().into_owned(),
            y: t.y.to_vec(),
            classes,
        }))
    }
}

impl TrainedKnn {
    fn distance(&self, a: &[f64], b: &[f64]) -> f64 {
        let s: f64 = a
            .iter()
            .zip(b)
            .map(|(u, v)| (u - v).abs().powi(self.knn.p))
            .sum();
        s.powf(1.0 / self.knn.p as f64)
    }

    /// (label or value, proba row) for one query.
    fn query(&self, q: &[f64]) -> (f64, Vec<f64>) {
        let mut d: Vec<(f64, usize)> = (0..self.x.rows)
            .map(|i| (self.distance(q, self.x.row(i)), i))
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let nearest = &d[..self.knn.k];
        let weights: Vec<f64> = if self.knn.distance_weights {
            // sklearn: exact matches take all the weight.
            if nearest.iter().any(|(dist, _)| *dist == 0.0) {
                nearest
                    .iter()
                    .map(|(dist, _)| f64::from(*dist == 0.0))
                    .collect()
            } else {
                nearest.iter().map(|(dist, _)| 1.0 / dist).collect()
            }
        } else {
            vec![1.0; nearest.len()]
        };
        let total: f64 = weights.iter().sum();
        match &self.classes {
            Some(c) => {
                let mut votes = vec![0.0; c.labels.len()];
                for ((_, i), w) in nearest.iter().zip(&weights) {
                    votes[c.index[*i]] += w;
                }
                votes.iter_mut().for_each(|v| *v /= total);
                (c.argmax(&votes), votes)
            }
            None => {
                let v = nearest
                    .iter()
                    .zip(&weights)
                    .map(|((_, i), w)| w * self.y[*i])
                    .sum::<f64>()
                    / total;
                (v, Vec::new())
            }
        }
    }
}

impl Trained for TrainedKnn {
    fn predict(&self, x: &Matrix) -> Result<Prediction> {
        let out: Vec<(f64, Vec<f64>)> = (0..x.rows)
            .into_par_iter()
            .map(|i| self.query(x.row(i)))
            .collect();
        let (values, probas): (Vec<f64>, Vec<Vec<f64>>) = out.into_iter().unzip();
        let proba = self
            .classes
            .as_ref()
            .and_then(|c| c.positive_proba(&probas));
        Ok(Prediction { values, proba })
    }
}
