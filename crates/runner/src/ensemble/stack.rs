//! Out-of-fold stacking, as the published solutions write it by hand (Serigne's
//! `StackingAveragedModels`, Anisotropic's `get_oof`): each base member is fitted once per
//! inner fold and predicts the held-out rows, which become the meta-model's training input;
//! at test time each base member's input is the mean of its fold models' predictions (not a
//! refit on all rows, unlike sklearn's `StackingRegressor`; `test_input = "refit"` gives that).

use polars::prelude::*;
use rayon::prelude::*;

use kreplay_recipe::{params, Lit, ModelSpec, Scheme, Task, Ty};

use super::{EnsembleDef, Member};
use crate::error::{Context, Result, RunError};
use crate::matrix::{Matrix, Rows};
use crate::models::{frame_rows, seed_or, Model, Prediction, Trained, Training};
use kreplay_core::folds;

kreplay_recipe::named_enum! {
    /// What a base member passes on to the meta member.
    enum BaseOutput {
        Auto = "auto",
        Prediction = "prediction",
        Proba = "proba",
    }
}

kreplay_recipe::named_enum! {
    /// The base members' input to the meta member at test time.
    enum TestInput {
        FoldMean = "fold_mean",
        Refit = "refit",
    }
}

params! {
    struct StackParams {
        members: Vec<String> = required(Ty::StrList, "the base members ([members.<name>])"),
        meta: String = required(Ty::Str, "the meta member, fitted on the base members' out-of-fold predictions"),
        folds: usize = optional(Ty::Int, Lit::Int(5), "inner folds").min(2.0),
        shuffle: bool = optional(Ty::Bool, Lit::Bool(false), "shuffle rows before the inner folds"),
        stratified: bool = optional(Ty::Bool, Lit::Bool(false), "stratify the inner folds by class"),
        seed: Option<usize> = optional(Ty::OptInt, Lit::None, "seed of the inner shuffle (default: recipe.seed)"),
        base_output: BaseOutput = optional(Ty::Choice(BaseOutput::NAMES), Lit::Str("auto"), "what a base member passes on: its prediction (value or hard label) or P(class 1); auto = proba for classification, prediction for regression"),
        test_input: TestInput = optional(Ty::Choice(TestInput::NAMES), Lit::Str("fold_mean"), "test-time base input: mean of the fold models (the notebooks) or a refit on all rows (sklearn)"),
    }
}

pub static STACK: EnsembleDef = EnsembleDef {
    spec: ModelSpec {
        kind: "stack",
        summary: "out-of-fold stacking: base members' fold predictions feed a meta member",
        params: StackParams::SPECS,
        tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
        engine: "kreplay ensemble",
        stand_in: None,
    },
    build: |p, b| {
        let k = StackParams::read(p)?;
        Ok(Box::new(Stack {
            bases: b.members(&k.members)?,
            meta: b.member(&k.meta)?,
            folds: k.folds,
            shuffle: k.shuffle,
            stratified: k.stratified,
            seed: seed_or(k.seed, b.seed()),
            output: k.base_output,
            refit: k.test_input == TestInput::Refit,
            target: b.recipe.data.target.clone(),
        }))
    },
};

struct Stack {
    bases: Vec<Member>,
    meta: Member,
    folds: usize,
    shuffle: bool,
    stratified: bool,
    seed: u64,
    output: BaseOutput,
    refit: bool,
    target: String,
}

/// The meta-model's input column from a base prediction.
fn base_column(p: &Prediction, proba: bool, name: &str) -> Result<Vec<f64>> {
    if !proba {
        return Ok(p.values.clone());
    }
    p.proba.clone().ok_or_else(|| {
        RunError::model(
            "stack",
            format!("member `{name}` gives no probabilities (set base_output = \"prediction\", or probability = true for svm)"),
        )
    })
}

/// The meta-model's input: one column per base member, plus the target when known.
fn meta_input(
    names: &[String],
    columns: &[Vec<f64>],
    target: Option<(&str, &[f64])>,
) -> Result<(DataFrame, Matrix)> {
    let rows = columns.first().map_or(0, Vec::len);
    let mut cols: Vec<Column> = names
        .iter()
        .zip(columns)
        .map(|(n, c)| Column::new(n.as_str().into(), c.clone()))
        .collect();
    if let Some((name, y)) = target {
        cols.push(Column::new(name.into(), y.to_vec()));
    }
    let frame = DataFrame::new(rows, cols).ctx(|| "building the stacking meta input".into())?;
    let mut data = Vec::with_capacity(rows * names.len());
    for i in 0..rows {
        data.extend(columns.iter().map(|c| c[i]));
    }
    let x = Matrix {
        data,
        rows,
        cols: names.len(),
        names: names.to_vec(),
    };
    Ok((frame, x))
}

impl Model for Stack {
    fn reads_frame(&self) -> bool {
        self.bases.iter().any(|m| m.reads_frame())
    }

    fn fit(&self, t: &Training) -> Result<Box<dyn Trained>> {
        let proba = match self.output {
            BaseOutput::Proba => true,
            BaseOutput::Prediction => false,
            BaseOutput::Auto => t.task.is_classification(),
        };
        let scheme = Scheme::KFold {
            k: self.folds,
            shuffle: self.shuffle,
            stratified: self.stratified,
            seed: self.seed,
        };
        if let Some((_, message)) = folds::problem(&scheme, t.y) {
            return Err(RunError::model("stack", format!("its folds: {message}")));
        }
        let splits = folds::splits(&scheme, t.y);
        let jobs: Vec<(usize, usize)> = (0..self.bases.len())
            .flat_map(|b| (0..splits.len()).map(move |f| (b, f)))
            .collect();
        // The inner folds are rows of one matrix (an outer fold's rows, copied once).
        let x = t.x.matrix();
        // Every (base, fold) fit is independent and seeded by its member: run them all at once.
        let fitted = jobs
            .par_iter()
            .map(|&(b, f)| -> Result<(Box<dyn Trained>, Vec<f64>)> {
                let s = &splits[f];
                let rows = |idx: &[usize]| frame_rows(&self.bases[b], t.frame, idx);
                let frame = rows(&s.train)?;
                let y: Vec<f64> = s.train.iter().map(|&i| t.y[i]).collect();
                let model = self.bases[b].fit(&Training {
                    frame: &frame,
                    x: Rows::of(&x, &s.train),
                    y: &y,
                    task: t.task,
                })?;
                let valid = rows(&s.valid)?;
                let pred = model.predict(&valid, &x.take(&s.valid))?;
                Ok((model, base_column(&pred, proba, &self.bases[b].name)?))
            })
            .collect::<Result<Vec<_>>>()?;
        let names: Vec<String> = self.bases.iter().map(|m| m.name.clone()).collect();
        let mut oof = vec![vec![f64::NAN; t.y.len()]; self.bases.len()];
        let mut fold_models: Vec<Vec<Box<dyn Trained>>> =
            (0..self.bases.len()).map(|_| Vec::new()).collect();
        for ((b, f), (model, column)) in jobs.iter().zip(fitted) {
            for (&row, v) in splits[*f].valid.iter().zip(column) {
                oof[*b][row] = v;
            }
            fold_models[*b].push(model);
        }
        let test_models = if self.refit {
            self.bases
                .par_iter()
                .map(|m| Ok(vec![m.fit(t)?]))
                .collect::<Result<Vec<_>>>()?
        } else {
            fold_models
        };
        let (frame, x) = meta_input(&names, &oof, Some((&self.target, t.y)))?;
        let meta = self.meta.fit(&Training {
            frame: &frame,
            x: Rows::all(&x),
            y: t.y,
            task: t.task,
        })?;
        Ok(Box::new(TrainedStack {
            names,
            test_models,
            meta,
            proba,
        }))
    }
}

struct TrainedStack {
    names: Vec<String>,
    test_models: Vec<Vec<Box<dyn Trained>>>,
    meta: Box<dyn Trained>,
    proba: bool,
}

impl Trained for TrainedStack {
    fn predict(&self, frame: &DataFrame, x: &Matrix) -> Result<Prediction> {
        let columns = self
            .test_models
            .par_iter()
            .zip(&self.names)
            .map(|(models, name)| -> Result<Vec<f64>> {
                let mut acc = vec![0.0; x.rows];
                for m in models {
                    let column = base_column(&m.predict(frame, x)?, self.proba, name)?;
                    for (a, v) in acc.iter_mut().zip(column) {
                        *a += v;
                    }
                }
                Ok(acc.into_iter().map(|a| a / models.len() as f64).collect())
            })
            .collect::<Result<Vec<_>>>()?;
        let (meta_frame, meta_x) = meta_input(&self.names, &columns, None)?;
        self.meta.predict(&meta_frame, &meta_x)
    }
}
