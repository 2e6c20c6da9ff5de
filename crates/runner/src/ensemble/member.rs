//! One member: its own feature steps, fitted on the rows the member is fitted on, then its model.

use polars::prelude::DataFrame;

use kreplay_recipe::{params, MemberDecl, ModelSpec, Task, Ty};

use super::{build, Builder, EnsembleDef};
use crate::error::Result;
use crate::matrix::{matrix_of, Matrix, Rows};
use crate::models::{Model, Prediction, Trained, Training};
use crate::pipeline::{FittedPipeline, Pipeline};

params! {
    struct MemberParams {
        member: String = required(Ty::Str, "the member's name ([members.<name>])"),
    }
}

pub static MEMBER: EnsembleDef = EnsembleDef {
    spec: ModelSpec {
        kind: "member",
        summary: "one member's sub-pipeline (its steps and model) as the recipe's model",
        params: MemberParams::SPECS,
        tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
        engine: "kreplay ensemble",
        stand_in: None,
    },
    build: |p, b| Ok(Box::new(b.member(&MemberParams::read(p)?.member)?)),
};

pub struct Member {
    pub name: String,
    steps: Option<Pipeline>,
    model: Box<dyn Model>,
    id: String,
    target: String,
}

impl Member {
    pub fn build(decl: &MemberDecl, b: &Builder) -> Result<Member> {
        let r = b.recipe;
        let steps = if decl.steps.is_empty() {
            None
        } else {
            Some(Pipeline::from_decls(
                &decl.steps,
                &r.data.id,
                &r.data.target,
                r.seed,
            )?)
        };
        Ok(Member {
            name: decl.name.clone(),
            steps,
            model: build(&decl.model, r)?,
            id: r.data.id.clone(),
            target: r.data.target.clone(),
        })
    }

    fn features(&self, frame: &DataFrame) -> Vec<String> {
        frame
            .get_column_names()
            .into_iter()
            .filter(|n| n.as_str() != self.id && n.as_str() != self.target)
            .map(|n| n.to_string())
            .collect()
    }
}

impl Model for Member {
    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let Some(steps) = &self.steps else {
            return Ok(Box::new(TrainedMember {
                steps: None,
                inner: self.model.fit(t)?,
            }));
        };
        let (fitted, frame) = steps.fit(t.frame.clone())?;
        let features = self.features(&frame);
        let x = matrix_of(&frame, &features, &format!("member {} input", self.name))?;
        let inner = self.model.fit(&Training {
            frame: &frame,
            x: Rows::all(&x),
            y: t.y,
            task: t.task,
        })?;
        Ok(Box::new(TrainedMember {
            steps: Some((fitted, features, self.name.clone())),
            inner,
        }))
    }

    fn reads_features(&self) -> bool {
        self.steps.is_some() || self.model.reads_features()
    }

    fn reads_frame(&self) -> bool {
        self.steps.is_some() || self.model.reads_frame()
    }
}

struct TrainedMember {
    steps: Option<(FittedPipeline, Vec<String>, String)>,
    inner: Box<dyn Trained>,
}

impl Trained for TrainedMember {
    fn predict(&self, frame: &DataFrame, x: &Matrix) -> Result<Prediction> {
        let Some((steps, features, name)) = &self.steps else {
            return self.inner.predict(frame, x);
        };
        let frame = steps.apply(frame.clone(), false)?;
        let x = matrix_of(&frame, features, &format!("member {name} input"))?;
        self.inner.predict(&frame, &x)
    }

    // A member with steps of its own reads other columns than the matrix it is given: what
    // its model says of its columns is not about the run's features.
    fn explain(&self) -> Option<crate::models::Explanation> {
        self.steps.is_none().then(|| self.inner.explain()).flatten()
    }

    fn stages(&self) -> Option<usize> {
        self.steps.is_none().then(|| self.inner.stages()).flatten()
    }

    fn staged(&self, x: &Matrix, stages: &[usize]) -> Option<Vec<Prediction>> {
        self.steps
            .is_none()
            .then(|| self.inner.staged(x, stages))
            .flatten()
    }
}
