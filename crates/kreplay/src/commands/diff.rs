use std::collections::BTreeMap;

use crate::out;
use crate::report::Result;

use super::load;

/// What changed between two recipes, parameter by parameter (`-` only in the first, `+` only in
/// the second, `~` changed), then the step order if it differs. Like `diff`, it exits 1 when
/// they differ.
pub fn run(a: &str, b: &str, json: bool) -> Result {
    let (ra, rb) = (load(a, &[])?, load(b, &[])?);
    let fa: BTreeMap<String, String> = ra.flat_params().into_iter().collect();
    let fb: BTreeMap<String, String> = rb.flat_params().into_iter().collect();
    let keys: std::collections::BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
    // (change, path, a's value, b's value)
    let mut changes: Vec<(&str, String, Option<String>, Option<String>)> = Vec::new();
    for k in keys {
        let (x, y) = (fa.get(k), fb.get(k));
        let change = match (x, y) {
            (Some(x), Some(y)) if x != y => "changed",
            (Some(_), None) => "removed",
            (None, Some(_)) => "added",
            _ => continue,
        };
        changes.push((change, k.clone(), x.cloned(), y.cloned()));
    }
    let order =
        |r: &kreplay_recipe::Recipe| r.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    let (oa, ob) = (order(&ra), order(&rb));
    let common = |o: &[String], other: &[String]| {
        o.iter()
            .filter(|i| other.contains(i))
            .cloned()
            .collect::<Vec<_>>()
    };
    if common(&oa, &ob) != common(&ob, &oa) {
        changes.push((
            "changed",
            "steps (order)".into(),
            Some(oa.join(", ")),
            Some(ob.join(", ")),
        ));
    }
    if json {
        let rows: Vec<_> = changes
            .iter()
            .map(|(change, path, x, y)| {
                serde_json::json!({"path": path, "change": change, "a": x, "b": y})
            })
            .collect();
        out!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "a": ra.display_name(),
                "b": rb.display_name(),
                "same": changes.is_empty(),
                "changes": rows,
            }))
            .expect("JSON")
        );
    } else if changes.is_empty() {
        out!(
            "no differences: {} and {} replay the same configuration",
            ra.display_name(),
            rb.display_name()
        );
    } else {
        out!("--- a  {}", ra.display_name());
        out!("+++ b  {}", rb.display_name());
        for (change, k, x, y) in &changes {
            let (x, y) = (x.as_deref().unwrap_or(""), y.as_deref().unwrap_or(""));
            match *change {
                "changed" => out!("~ {k:<32} {x} -> {y}"),
                "removed" => out!("- {k:<32} {x}"),
                _ => out!("+ {k:<32} {y}"),
            }
        }
    }
    match changes.is_empty() {
        true => Ok(()),
        false => Err(crate::report::Failure::Answer(1)),
    }
}
