//! Finding and loading a competition's files.
//!
//! CSV cells are read as missing the way `pd.read_csv` reads them (every published notebook
//! loads its data with pandas): empty cells and pandas' default NA strings, unless the recipe
//! lists its own (`[data] na_values`, which replaces the defaults, e.g. to drop "None" as
//! pandas < 2.0 did). This matters: House Prices writes "NA" for "no alley",
//! "no basement" and also for truly missing numbers, so without it `LotFrontage` would be text.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use sha2::{Digest, Sha256};

use kreplay_recipe::Recipe;

use crate::error::{Context, Result, RunError};

/// The frames a replay reads, and the sha256 of each file they came from.
pub struct CompetitionData {
    pub train: DataFrame,
    pub test: Option<DataFrame>,
    /// (file name, sha256) for run records.
    pub files: Vec<(String, String)>,
    pub dir: Option<PathBuf>,
}

/// Where a competition's files are: `--data DIR`, then `$KREPLAY_MIRROR/<competition>`, then the
/// fetch cache. The first that exists wins; none is an error saying how to get the data.
pub fn locate(
    competition: &str,
    explicit: Option<&Path>,
    mirror: Option<&Path>,
    cache: &Path,
) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        if dir.is_dir() {
            return Ok(dir.to_path_buf());
        }
        return Err(RunError::DataMissing {
            competition: competition.into(),
            looked: dir.display().to_string(),
            help: "--data must name a folder holding the competition's CSV files".into(),
        });
    }
    let mut looked = Vec::new();
    let candidates = mirror
        .map(|m| m.join(competition))
        .into_iter()
        .chain([cache.join(competition)]);
    for dir in candidates {
        if dir.is_dir() {
            return Ok(dir);
        }
        looked.push(dir.display().to_string());
    }
    Err(RunError::DataMissing {
        competition: competition.into(),
        looked: looked.join(", "),
        help: format!(
            "run `kreplay fetch {competition}` (needs a Kaggle account), import files you have with `kreplay fetch {competition} --from DIR`, or pass `--data DIR`"
        ),
    })
}

pub fn sha256_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| RunError::Read {
        path: path.into(),
        message: e.to_string(),
    })?;
    Ok(kreplay_recipe::recipe::hex(&Sha256::digest(&bytes)))
}

/// pandas' default `na_values` (pandas >= 2.0, which added "None"; the empty cell is always
/// missing in polars too).
pub const PANDAS_NA: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// Reads a CSV with a header; cells equal to one of `na_values` (pandas' defaults when `None`)
/// are missing.
pub fn read_csv(path: &Path, na_values: Option<&[String]>) -> Result<DataFrame> {
    if !path.is_file() {
        return Err(RunError::Read {
            path: path.into(),
            message: "no such file".into(),
        });
    }
    let na: Vec<PlSmallStr> = match na_values {
        Some(list) => list.iter().map(|s| s.as_str().into()).collect(),
        None => PANDAS_NA.iter().map(|s| (*s).into()).collect(),
    };
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(None)
        .map_parse_options(|o| o.with_null_values(Some(NullValues::AllColumns(na.clone()))))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|r| r.finish())
        .map_err(|e| RunError::Read {
            path: path.into(),
            message: e.to_string(),
        })
}

/// Loads the recipe's data from `dir` (or its built-in data set) and checks the id and target.
pub fn load(recipe: &Recipe, dir: Option<&Path>) -> Result<CompetitionData> {
    let d = &recipe.data;
    let data = if let Some(name) = &d.builtin {
        builtin(name)?
    } else {
        let dir = dir.ok_or_else(|| RunError::data("data", "no data folder given"))?;
        let train_path = dir.join(&d.train);
        let mut files = vec![(d.train.clone(), sha256_file(&train_path)?)];
        let train = read_csv(&train_path, d.na_values.as_deref())?;
        let test = match &d.test {
            Some(t) => {
                let p = dir.join(t);
                files.push((t.clone(), sha256_file(&p)?));
                Some(read_csv(&p, d.na_values.as_deref())?)
            }
            None => None,
        };
        CompetitionData {
            train,
            test,
            files,
            dir: Some(dir.to_path_buf()),
        }
    };
    let file = |f: &str| format!("{} ([data] in {})", f, recipe.source.name);
    crate::steps::column(&data.train, &d.target, &file(&d.train))?;
    crate::steps::column(&data.train, &d.id, &file(&d.train))?;
    if let Some(test) = &data.test {
        crate::steps::column(test, &d.id, &file(d.test.as_deref().unwrap_or("test")))?;
    }
    Ok(data)
}

/// Data sets shipped inside kreplay, for the example that runs with no account and no network.
fn builtin(name: &str) -> Result<CompetitionData> {
    match name {
        "winequality" => {
            // Red wine quality (UCI; also a Kaggle data set), shipped inside linfa-datasets.
            let ds = linfa_datasets::winequality();
            let names = ds.feature_names();
            let (n, p) = ds.records().dim();
            let mut columns: Vec<Column> =
                vec![Column::new("id".into(), (1..=n as i64).collect::<Vec<_>>())];
            for (j, name) in names.iter().enumerate().take(p) {
                let values: Vec<f64> = ds.records().column(j).to_vec();
                columns.push(Column::new(name.as_str().into(), values));
            }
            let quality: Vec<i64> = ds.targets().iter().map(|v| *v as i64).collect();
            columns.push(Column::new("quality".into(), quality));
            let train =
                DataFrame::new(n, columns).ctx(|| "building the winequality frame".into())?;
            Ok(CompetitionData {
                train,
                test: None,
                files: vec![("linfa-datasets:winequality".into(), String::new())],
                dir: None,
            })
        }
        other => Err(RunError::data(
            "data.builtin",
            format!("unknown built-in data set `{other}`"),
        )),
    }
}
