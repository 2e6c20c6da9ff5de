use std::collections::BTreeMap;

use crate::out;
use crate::report::Result;

use super::load;

/// What changed between two recipes, parameter by parameter (`-` only in the first, `+` only in
/// the second, `~` changed), then the step order if it differs.
pub fn run(a: &str, b: &str) -> Result {
    let (ra, rb) = (load(a, &[])?, load(b, &[])?);
    let fa: BTreeMap<String, String> = ra.flat_params().into_iter().collect();
    let fb: BTreeMap<String, String> = rb.flat_params().into_iter().collect();
    let mut changes = 0;
    let keys: std::collections::BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
    for k in keys {
        match (fa.get(k), fb.get(k)) {
            (Some(x), Some(y)) if x != y => out!("~ {k:<32} {x} -> {y}"),
            (Some(x), None) => out!("- {k:<32} {x}"),
            (None, Some(y)) => out!("+ {k:<32} {y}"),
            _ => continue,
        }
        changes += 1;
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
        out!(
            "~ {:<32} {} -> {}",
            "steps (order)",
            oa.join(", "),
            ob.join(", ")
        );
        changes += 1;
    }
    if changes == 0 {
        out!(
            "no differences: {} and {} replay the same configuration",
            ra.display_name(),
            rb.display_name()
        );
    }
    Ok(())
}
