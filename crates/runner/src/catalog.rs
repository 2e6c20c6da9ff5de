//! The registry of step and model definitions, as the recipe parser sees it.

use std::sync::OnceLock;

use kreplay_recipe::{Catalog, ModelSpec, StepSpec};

pub struct Registry {
    steps: Vec<&'static StepSpec>,
    models: Vec<&'static ModelSpec>,
}

impl Catalog for Registry {
    fn steps(&self) -> &[&'static StepSpec] {
        &self.steps
    }

    fn models(&self) -> &[&'static ModelSpec] {
        &self.models
    }
}

/// Every step and model kind this build of kreplay knows.
pub fn catalog() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry {
        steps: crate::steps::STEPS.iter().map(|d| &d.spec).collect(),
        models: crate::models::kinds()
            .map(|k| k.spec())
            .chain(crate::ensemble::ENSEMBLES.iter().map(|d| &d.spec))
            .collect(),
    })
}

/// What this build runs in place of the libraries `recipe`'s model kinds are named after (its
/// model's and those of the members it reaches): each stand-in's note, once.
pub fn stand_ins(recipe: &kreplay_recipe::Recipe) -> Vec<&'static str> {
    recipe
        .model_kinds()
        .into_iter()
        .filter_map(|kind| catalog().model(kind).and_then(|m| m.stand_in))
        .collect()
}

/// The libraries this build runs for `recipe`'s model kinds (LightGBM, XGBoost), versioned.
pub fn libraries(recipe: &kreplay_recipe::Recipe) -> Vec<String> {
    recipe
        .model_kinds()
        .into_iter()
        .filter_map(crate::models::library_of)
        .collect()
}

/// kreplay's version as a run records it, with the engines that decide its numbers where they
/// are not kreplay's own: "0.1.0; XGBoost 1.7.4 (…/libxgboost.so)", "0.1.0; lightgbm on the
/// forust-ml stand-in".
pub fn tool_version(recipe: &kreplay_recipe::Recipe) -> String {
    let mut parts = vec![env!("CARGO_PKG_VERSION").to_string()];
    parts.extend(libraries(recipe));
    parts.extend(
        recipe
            .model_kinds()
            .into_iter()
            .filter(|kind| catalog().model(kind).is_some_and(|m| m.stand_in.is_some()))
            .map(|kind| format!("{kind} on the forust-ml stand-in")),
    );
    parts.join("; ")
}
