//! Carrying a recipe to another competition (`kreplay new --from <recipe> --competition <c>`):
//! what the new competition's files say the recipe must change.
//!
//! A parent's target, task, metric and submission format describe the parent's contest. Each
//! is read again from the new one: the target and id from its sample submission's header, the
//! task from the target's values (two labels: binary; integer codes: multiclass; other
//! numbers: regression), the metric kept only where it suits that task, the `[submission]`
//! header from the sample, and a value mapping, an inverse transform or probabilities kept
//! only where they fit the new target. Members the model does not use are dropped. What
//! cannot be inferred (a feature column the new data lacks, a model that cannot do the task)
//! is left for the user, located by [`crate::compat`] and the recipe parser.

use std::collections::BTreeSet;
use std::path::Path;

use kreplay_recipe::members::references;
use kreplay_recipe::{Inverse, Metric, Recipe, Task};
use kreplay_submission::validate::{self, column_labels, MAX_CLASSES};

use crate::error::{Result, RunError};

/// What the new competition's files show, read without loading them.
#[derive(Debug, Clone, Default)]
pub struct NewData {
    pub train: Vec<String>,
    /// The test file's header (empty when there is none).
    pub test: Vec<String>,
    /// The sample submission's header, when there is a sample submission.
    pub sample: Option<Vec<String>>,
    /// The target's distinct values as written (`None`: more than a label column has).
    pub labels: Option<Vec<String>>,
}

/// One change to the derived recipe: `path` set to `value` (TOML), or removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    /// `None`: the key is removed.
    pub value: Option<String>,
    pub why: String,
}

impl Change {
    fn set(path: &str, value: String, why: String) -> Change {
        Change {
            path: path.into(),
            value: Some(value),
            why,
        }
    }

    fn remove(path: &str, why: String) -> Change {
        Change {
            path: path.into(),
            value: None,
            why,
        }
    }
}

fn read_error(e: kreplay_submission::SubmissionError, path: &Path) -> RunError {
    RunError::Read {
        path: path.into(),
        message: e.to_string(),
    }
}

/// Reads the headers in `dir` and the values of the target column (the recipe's own when the
/// train file has it, else the sample submission's prediction column).
pub fn read(dir: &Path, recipe: &Recipe) -> Result<NewData> {
    let train_path = dir.join(&recipe.data.train);
    let train = validate::header(&train_path).map_err(|e| read_error(e, &train_path))?;
    let test = match &recipe.data.test {
        Some(name) if dir.join(name).is_file() => {
            validate::header(&dir.join(name)).map_err(|e| read_error(e, &dir.join(name)))?
        }
        _ => Vec::new(),
    };
    let sample = match validate::sample_submission(dir).map_err(|e| read_error(e, dir))? {
        Some(path) => Some(validate::header(&path).map_err(|e| read_error(e, &path))?),
        None => None,
    };
    let mut data = NewData {
        train,
        test,
        sample,
        labels: None,
    };
    let target = target_of(recipe, &data);
    data.labels = column_labels(&train_path, &target);
    Ok(data)
}

/// The target column in the new data: the recipe's when the train file has it, else the
/// sample submission's prediction column when the train file has that.
fn target_of(recipe: &Recipe, data: &NewData) -> String {
    let own = &recipe.data.target;
    if data.train.contains(own) {
        return own.clone();
    }
    match data.sample.as_deref() {
        Some([_, target, ..]) if data.train.contains(target) => target.clone(),
        _ => own.clone(),
    }
}

/// The task the target's values call for; `None` when they do not say (fewer than two).
pub fn task_of(labels: Option<&[String]>) -> Option<Task> {
    let Some(labels) = labels else {
        // More distinct values than any label column: a quantity.
        return Some(Task::Regression);
    };
    let integers = labels.iter().all(|l| l.parse::<i64>().is_ok());
    let numbers = labels.iter().all(|l| l.parse::<f64>().is_ok());
    match labels.len() {
        0 | 1 => None,
        2 => Some(Task::Binary),
        n if integers && n <= MAX_CLASSES => Some(Task::Multiclass),
        _ if numbers => Some(Task::Regression),
        _ => Some(Task::Multiclass),
    }
}

/// `s` as a TOML basic string (control characters as `\uXXXX`, which TOML reads).
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Everything the new data says `recipe` must change, in the order of the recipe's sections.
pub fn changes(recipe: &Recipe, data: &NewData) -> Vec<Change> {
    let mut out = Vec::new();
    let d = &recipe.data;
    let target = target_of(recipe, data);
    if target != d.target {
        out.push(Change::set(
            "data.target",
            toml_str(&target),
            format!(
                "the train file has no `{}`; the sample submission predicts `{target}`",
                d.target
            ),
        ));
    }
    let id_columns = if data.test.is_empty() {
        &data.train
    } else {
        &data.test
    };
    if !id_columns.contains(&d.id) {
        if let Some(id) = data
            .sample
            .as_deref()
            .and_then(|s| s.first())
            .filter(|id| id_columns.contains(id))
        {
            out.push(Change::set(
                "data.id",
                toml_str(id),
                format!(
                    "the test file has no `{}`; the sample submission's ids are `{id}`",
                    d.id
                ),
            ));
        }
    }
    let labels = data.labels.as_deref();
    let shown = |labels: &[String]| {
        let mut sorted: Vec<&str> = labels.iter().map(String::as_str).collect();
        let number = |l: &str| l.parse::<f64>().unwrap_or(f64::NAN);
        sorted.sort_by(|a, b| number(a).total_cmp(&number(b)).then(a.cmp(b)));
        let mut l: Vec<&str> = sorted.into_iter().take(8).collect();
        if labels.len() > 8 {
            l.push("…");
        }
        l.join(", ")
    };
    let task = task_of(labels).unwrap_or(d.task);
    if task != d.task {
        let what = match labels {
            Some(l) => format!("{} distinct values ({})", l.len(), shown(l)),
            None => "more distinct values than a class column has".into(),
        };
        let back = if task == Task::Multiclass && d.task == Task::Regression {
            "; set it back to \"regression\" if the codes are a quantity"
        } else {
            ""
        };
        out.push(Change::set(
            "data.task",
            toml_str(task.name()),
            format!("the target `{target}` has {what}{back}"),
        ));
    }
    let v = &recipe.validation;
    if !v.metric.suits(task) {
        let metric = if task.is_classification() {
            Metric::Accuracy
        } else {
            Metric::Rmse
        };
        out.push(Change::set(
            "validation.metric",
            toml_str(metric.name()),
            format!(
                "`{}` does not score a {} task; use the competition's metric if it is another",
                v.metric,
                task.name()
            ),
        ));
    }
    if !task.is_classification() && v.params.bool("stratified").unwrap_or(false) {
        out.push(Change::set(
            "validation.stratified",
            "false".into(),
            "stratified splits need classes; the target is a quantity".into(),
        ));
    }
    let s = &recipe.submission;
    let columns = data.sample.as_deref().filter(|c| c.len() >= 2);
    if let Some(columns) = columns.filter(|c| *c != s.columns.as_slice()) {
        let list: Vec<String> = columns
            .iter()
            .take(2)
            .map(|c| toml_str(c))
            .collect::<Vec<_>>();
        out.push(Change::set(
            "submission.columns",
            format!("[{}]", list.join(", ")),
            format!(
                "the sample submission's header is {}, not {}",
                columns.join(","),
                s.columns.join(",")
            ),
        ));
    }
    if !s.values.is_empty() {
        let written: BTreeSet<&str> = s.values.iter().map(|(_, v)| v.as_str()).collect();
        let fits = task.is_classification()
            && labels.is_some_and(|l| l.iter().all(|l| written.contains(l.as_str())));
        if !fits {
            out.push(Change::remove(
                "submission.values",
                format!(
                    "it writes {} but the target `{target}` has {}",
                    written.into_iter().collect::<Vec<_>>().join(", "),
                    labels.map_or("numbers".into(), shown)
                ),
            ));
        }
    }
    if task.is_classification() && s.inverse != Inverse::None {
        out.push(Change::remove(
            "submission.inverse",
            format!(
                "`{}` undoes a transform of a quantity; class labels are written as they are",
                s.inverse
            ),
        ));
    }
    if task.is_classification() && s.params.get("clip_min").is_some_and(|p| p.explicit) {
        out.push(Change::remove(
            "submission.clip_min",
            "a bound on predicted quantities; class labels are written as they are".into(),
        ));
    }
    if s.probability && task != Task::Binary {
        out.push(Change::remove(
            "submission.probability",
            format!(
                "one probability per row needs a binary task, not {}",
                task.name()
            ),
        ));
    }
    for name in unused_members(recipe) {
        out.push(Change::remove(
            &format!("members.{name}"),
            "the model does not use it".into(),
        ));
    }
    out
}

/// Members no path from the model reaches.
fn unused_members(recipe: &Recipe) -> Vec<String> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut todo = references(&recipe.model);
    while let Some(name) = todo.pop() {
        if used.insert(name.clone()) {
            if let Some(m) = recipe.members.iter().find(|m| m.name == name) {
                todo.extend(references(&m.model));
            }
        }
    }
    recipe
        .members
        .iter()
        .filter(|m| !used.contains(&m.name))
        .map(|m| m.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn the_task_follows_the_targets_values() {
        assert_eq!(task_of(Some(&labels(&["0", "1"]))), Some(Task::Binary));
        assert_eq!(
            task_of(Some(&labels(&["True", "False"]))),
            Some(Task::Binary)
        );
        let seven = labels(&["1", "2", "3", "4", "5", "6", "7"]);
        assert_eq!(task_of(Some(&seven)), Some(Task::Multiclass));
        assert_eq!(
            task_of(Some(&labels(&["a", "b", "c"]))),
            Some(Task::Multiclass)
        );
        assert_eq!(
            task_of(Some(&labels(&["1.5", "2", "3.25"]))),
            Some(Task::Regression)
        );
        let many: Vec<String> = (0..=MAX_CLASSES).map(|i| i.to_string()).collect();
        assert_eq!(task_of(Some(&many)), Some(Task::Regression));
        assert_eq!(task_of(None), Some(Task::Regression));
        assert_eq!(task_of(Some(&labels(&["4"]))), None);
    }

    #[test]
    fn names_are_written_as_toml_strings() {
        let name = "a\"b\\c\u{1b}e\u{301}";
        assert_eq!(toml_str("Cover_Type"), "\"Cover_Type\"");
        assert_eq!(toml_str(name), "\"a\\\"b\\\\c\\u001Be\u{301}\"");
        // The recipe parser reads it back as the same name.
        let o =
            kreplay_recipe::Override::parse(&format!("data.target={}", toml_str(name))).unwrap();
        assert_eq!(o.value.as_str(), Some(name));
    }
}
