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
