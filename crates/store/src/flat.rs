//! A stored run's resolved parameters as dotted paths (`model.max_depth`, `steps.fare.fit_on`,
//! `validation.k`): the paths `-S` overrides use, so a comparison reads like the command that
//! made the difference. Mirrors `Recipe::flat_params`, which works on a parsed recipe; runs
//! only have the JSON they recorded (the runner's record tests hold the two to each other).

use std::collections::BTreeMap;

use serde_json::Value;

/// Every parameter of `Recipe::resolved_json()` output by dotted path. Steps are keyed by id
/// (`steps.<id>.kind`, `steps.<id>.fit_on`, `steps.<id>.<param>`), the model's parameters sit
/// directly under `model.`. Lists and maps stay one value, as an override would set them.
pub fn flat_params(resolved: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Some(sections) = resolved.as_object() else {
        return out;
    };
    for (section, body) in sections {
        match section.as_str() {
            "steps" => steps("steps", Some(body), &mut out),
            "members" => {
                for (name, m) in body.as_object().into_iter().flatten() {
                    if let Some(kind) = m.get("kind") {
                        out.insert(format!("members.{name}.kind"), kind.clone());
                    }
                    leaves(&format!("members.{name}"), m.get("params"), &mut out);
                    steps(&format!("members.{name}.steps"), m.get("steps"), &mut out);
                }
            }
            "model" => {
                if let Some(kind) = body.get("kind") {
                    out.insert("model.kind".into(), kind.clone());
                }
                leaves("model", body.get("params"), &mut out);
            }
            _ => leaves(section, Some(body), &mut out),
        }
    }
    out
}

/// `prefix.<id>.kind`, `prefix.<id>.fit_on` and `prefix.<id>.<param>` for each step.
fn steps(prefix: &str, body: Option<&Value>, out: &mut BTreeMap<String, Value>) {
    for step in body.and_then(Value::as_array).into_iter().flatten() {
        let Some(id) = step.get("id").and_then(Value::as_str) else {
            continue;
        };
        for key in ["kind", "fit_on"] {
            if let Some(v) = step.get(key) {
                out.insert(format!("{prefix}.{id}.{key}"), v.clone());
            }
        }
        leaves(&format!("{prefix}.{id}"), step.get("params"), out);
    }
}

/// `prefix.name = value` for each entry of a parameter object.
fn leaves(prefix: &str, params: Option<&Value>, out: &mut BTreeMap<String, Value>) {
    if let Some(map) = params.and_then(Value::as_object) {
        for (name, v) in map {
            out.insert(format!("{prefix}.{name}"), v.clone());
        }
    }
}
