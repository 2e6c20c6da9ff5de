//! What the training target says about the recipe. A recipe carried to another contest keeps
//! its parent's `task` and `[submission] values`; a replay refuses the ones the data
//! contradicts, naming both, before any model is fitted: a binary task on a 7-class target,
//! a multiclass task on fractional values, a mapping that leaves predicted classes unmapped.

use kreplay_recipe::{Recipe, RecipeError, Task};

use crate::steps::label_of;

/// The target's distinct values (missing ones left out), sorted.
fn classes(y: &[f64]) -> Vec<f64> {
    let mut c: Vec<f64> = y.iter().copied().filter(|v| !v.is_nan()).collect();
    c.sort_by(f64::total_cmp);
    c.dedup();
    c
}

/// Up to eight values as labels, then how many more.
fn listed(values: &[f64]) -> String {
    let mut shown: Vec<String> = values.iter().take(8).map(|v| label_of(*v)).collect();
    if values.len() > 8 {
        shown.push(format!("… {} more", values.len() - 8));
    }
    shown.join(", ")
}

/// The first contradiction between the declared task and submission mapping and the training
/// target `y` (after the steps every fold shares, which may map it), if any.
pub fn contradiction(recipe: &Recipe, y: &[f64]) -> Option<RecipeError> {
    let data = &recipe.data;
    let target = &data.target;
    let classes = classes(y);
    let integers = classes.iter().all(|v| v.fract() == 0.0);
    let task = |message: String, fix: &str| {
        Some(
            data.params
                .error("task", message)
                .with_help(format!("{fix}, or check `[data] target`")),
        )
    };
    match data.task {
        Task::Binary if classes.len() != 2 => {
            let fix = if classes.len() < 2 {
                "a classifier needs two classes in the training rows"
            } else if integers {
                "set task = \"multiclass\""
            } else {
                "set task = \"regression\""
            };
            return task(
                format!(
                    "task = \"binary\" but the target `{target}` has {} distinct values in the training rows ({})",
                    classes.len(),
                    listed(&classes)
                ),
                fix,
            );
        }
        Task::Multiclass if !integers => {
            let fraction = classes
                .iter()
                .find(|v| v.fract() != 0.0)
                .copied()
                .unwrap_or_default();
            return task(
                format!(
                    "task = \"multiclass\" but the target `{target}` has values that are not class codes (e.g. {fraction})"
                ),
                "set task = \"regression\"",
            );
        }
        Task::Multiclass if classes.len() < 2 => {
            return task(
                format!("task = \"multiclass\" but the target `{target}` has a single class in the training rows"),
                "a classifier needs two classes",
            );
        }
        _ => {}
    }
    let s = &recipe.submission;
    if data.task.is_classification() && !s.probability && !s.values.is_empty() {
        let unmapped: Vec<f64> = classes
            .iter()
            .copied()
            .filter(|c| !s.values.iter().any(|(k, _)| *k == label_of(*c)))
            .collect();
        if !unmapped.is_empty() {
            let keys: Vec<&str> = s.values.iter().map(|(k, _)| k.as_str()).collect();
            return Some(
                s.params
                    .error(
                        "values",
                        format!(
                            "maps {} but the target `{target}` also has the classes {}, which would be written unmapped",
                            keys.join(", "),
                            listed(&unmapped)
                        ),
                    )
                    .with_help("map every class the target has, or remove `values` to write the class codes"),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use kreplay_recipe::Source;

    use super::*;

    fn recipe(task: &str, submission: &str) -> Recipe {
        let metric = if task == "regression" {
            "rmse"
        } else {
            "accuracy"
        };
        let text = format!(
            r#"
[recipe]
title = "t"
author = "a"
source = "s"
competition = "c"

[data]
id = "Id"
target = "Class"
task = "{task}"

[model]
kind = "decision_tree"

[validation]
scheme = "none"
metric = "{metric}"
{submission}
"#
        );
        let source = Source::new("test.toml", text);
        Recipe::parse(source, "c/t", None, &[], crate::catalog()).unwrap()
    }

    fn message(r: &Recipe, y: &[f64]) -> Option<String> {
        contradiction(r, y).map(|e| format!("{e} / {}", e.help.clone().unwrap_or_default()))
    }

    #[test]
    fn a_declared_task_the_target_contradicts_is_refused_with_the_fix() {
        let binary = recipe("binary", "");
        assert_eq!(message(&binary, &[0.0, 1.0, f64::NAN, 1.0]), None);
        let e = message(&binary, &[1.0, 2.0, 3.0, 7.0]).unwrap();
        assert!(
            e.contains("`Class` has 4 distinct values") && e.contains("(1, 2, 3, 7)"),
            "{e}"
        );
        assert!(e.contains("set task = \"multiclass\""), "{e}");
        let e = message(&binary, &[0.5, 1.25, 3.0]).unwrap();
        assert!(e.contains("set task = \"regression\""), "{e}");
        let e = message(&binary, &[1.0, 1.0]).unwrap();
        assert!(
            e.contains("1 distinct values") && e.contains("two classes"),
            "{e}"
        );

        let multi = recipe("multiclass", "");
        assert_eq!(message(&multi, &[1.0, 2.0, 7.0]), None);
        let e = message(&multi, &[1.0, 62.35]).unwrap();
        assert!(
            e.contains("not class codes (e.g. 62.35)") && e.contains("regression"),
            "{e}"
        );
        assert!(message(&multi, &[4.0, 4.0])
            .unwrap()
            .contains("single class"));

        let regression = recipe("regression", "");
        assert_eq!(message(&regression, &[0.0, 1.0]), None);
    }

    #[test]
    fn a_mapping_must_cover_every_class() {
        let mapped = recipe(
            "multiclass",
            "[submission]\nvalues = { \"1\" = \"one\", \"2\" = \"two\" }",
        );
        assert_eq!(message(&mapped, &[1.0, 2.0, 1.0]), None);
        let e = message(&mapped, &[1.0, 2.0, 3.0, 5.0]).unwrap();
        assert!(
            e.contains("[submission].values") && e.contains("maps 1, 2"),
            "{e}"
        );
        assert!(e.contains("also has the classes 3, 5"), "{e}");
        let probabilities = recipe(
            "binary",
            "[submission]\nprobability = true\nvalues = { \"1\" = \"yes\" }",
        );
        assert_eq!(message(&probabilities, &[0.0, 1.0]), None);
    }
}
