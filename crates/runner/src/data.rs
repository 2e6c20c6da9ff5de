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
    let read = |infer_rows: Option<usize>| read_inferring(path, &na, infer_rows);
    let failed = |e: PolarsError| RunError::Read {
        path: path.into(),
        message: e.to_string(),
    };
    // Types from the first rows, as the whole file would give them (pandas looks at every
    // row): a later cell the type cannot hold makes the reader fail, and the file is read
    // again inferring from every row; a column empty in the first rows is typed from all.
    match read(Some(INFER_ROWS)) {
        Ok(df) => settle_empty_starts(df).map_err(failed),
        Err(_) => read(None).map_err(failed),
    }
}

/// The file with `na` as missing, its types inferred from `infer_rows` rows (all: `None`).
fn read_inferring(
    path: &Path,
    na: &[PlSmallStr],
    infer_rows: Option<usize>,
) -> PolarsResult<DataFrame> {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(infer_rows)
        .map_parse_options(|o| o.with_null_values(Some(NullValues::AllColumns(na.to_vec()))))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|r| r.finish())
}

/// Rows the column types are inferred from before the whole file is parsed: inferring from
/// every row was half the time of reading 10,000,000 rows.
const INFER_ROWS: usize = 10_000;

/// Columns that were missing in every one of the first [`INFER_ROWS`] rows were read as text;
/// each becomes what every-row inference makes of its values: integers, else floats, else
/// booleans (`true`/`false` in any case), else text.
fn settle_empty_starts(mut df: DataFrame) -> PolarsResult<DataFrame> {
    if df.height() <= INFER_ROWS {
        return Ok(df);
    }
    let names: Vec<PlSmallStr> = df
        .columns()
        .iter()
        .filter(|c| {
            c.dtype() == &DataType::String && c.slice(0, INFER_ROWS).null_count() == INFER_ROWS
        })
        .map(|c| c.name().clone())
        .collect();
    for name in names {
        let column = df.column(&name)?.clone();
        let missing = column.null_count();
        let typed = [DataType::Int64, DataType::Float64]
            .iter()
            .filter_map(|t| column.cast(t).ok())
            .find(|c| c.null_count() == missing)
            .or_else(|| booleans(&column, missing));
        if let Some(typed) = typed {
            df.replace(&name, typed)?;
        }
    }
    Ok(df)
}

/// A text column whose every value is `true` or `false` (any case), as booleans.
fn booleans(column: &Column, missing: usize) -> Option<Column> {
    let text = column.str().ok()?;
    let values: BooleanChunked = text
        .iter()
        .map(|v| match v?.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })
        .collect();
    (values.null_count() == missing).then(|| values.with_name(column.name().clone()).into_column())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The same frame as inferring every row would give.
    fn every_row(path: &Path) -> DataFrame {
        let na: Vec<PlSmallStr> = PANDAS_NA.iter().map(|s| (*s).into()).collect();
        read_inferring(path, &na, None).unwrap()
    }

    #[test]
    fn types_are_what_every_row_says_even_when_late_rows_disagree() {
        let dir = std::env::temp_dir().join(format!("kreplay-infer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("late.csv");
        let mut text = String::from(
            "id,late_int,late_float,late_bool,late_text,int_then_float,int_then_text,never\n",
        );
        for i in 0..INFER_ROWS + 5 {
            let late = i >= INFER_ROWS;
            let cell = |v: &str| if late { v.to_string() } else { String::new() };
            let turn = |v: &str| if late { v.to_string() } else { i.to_string() };
            text.push_str(&format!(
                "{i},{},{},{},{},{},{},\n",
                cell("3"),
                cell("2.5"),
                cell(if i % 2 == 0 { "True" } else { "false" }),
                cell("x"),
                turn("1.5"),
                turn("abc"),
            ));
        }
        std::fs::write(&path, text).unwrap();
        let ours = read_csv(&path, None).unwrap();
        let all = every_row(&path);
        assert_eq!(ours.schema(), all.schema());
        assert!(ours.equals_missing(&all));
        let dtype = |c: &str| ours.column(c).unwrap().dtype().clone();
        assert_eq!(dtype("late_int"), DataType::Int64);
        assert_eq!(dtype("late_float"), DataType::Float64);
        assert_eq!(dtype("late_bool"), DataType::Boolean);
        assert_eq!(dtype("int_then_float"), DataType::Float64);
        assert_eq!(dtype("int_then_text"), DataType::String);
        std::fs::remove_dir_all(&dir).ok();
    }
}
