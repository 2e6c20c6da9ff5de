//! Finding recipes by name: a path to a file, a recipe folder on disk (`$KREPLAY_RECIPES`,
//! `./recipes`), or the recipes shipped inside the binary (which embeds them and hands them
//! over as [`Library::shipped`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{suggestion, RecipeError, Result};
use crate::source::{Loc, Source};

/// A recipe reference: `competition/name`, optionally `:variant`, or a path to a `.toml` file.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipeRef {
    pub name: String,
    pub variant: Option<String>,
}

impl RecipeRef {
    pub fn parse(text: &str) -> RecipeRef {
        // A Windows drive letter or a path never has its variant after a slash.
        match text.rsplit_once(':') {
            Some((name, variant))
                if !variant.contains('/') && !variant.is_empty() && !name.is_empty() =>
            {
                RecipeRef {
                    name: name.to_string(),
                    variant: Some(variant.to_string()),
                }
            }
            _ => RecipeRef {
                name: text.to_string(),
                variant: None,
            },
        }
    }
}

/// Where recipes are looked up, in order.
pub struct Library {
    pub dirs: Vec<PathBuf>,
    /// Recipes built into the program, `(competition/name, text)`: looked up after `dirs`.
    pub shipped: &'static [(&'static str, &'static str)],
}

impl Library {
    /// `$KREPLAY_RECIPES` (colon-separated folders), then `./recipes`, then `shipped`.
    pub fn from_env(shipped: &'static [(&'static str, &'static str)]) -> Library {
        let mut dirs: Vec<PathBuf> = std::env::var_os("KREPLAY_RECIPES")
            .map(|v| std::env::split_paths(&v).collect())
            .unwrap_or_default();
        dirs.push(PathBuf::from("recipes"));
        Library { dirs, shipped }
    }

    /// Only the recipes in `dir` (tests and benchmarks read the source tree's `recipes/`).
    pub fn in_dir(dir: impl Into<PathBuf>) -> Library {
        Library {
            dirs: vec![dir.into()],
            shipped: &[],
        }
    }

    /// The recipe's text and its display name (`competition/name`).
    pub fn load(&self, name: &str) -> Result<(Arc<Source>, String)> {
        let path = Path::new(name);
        if name.ends_with(".toml") || path.is_file() {
            let text = std::fs::read_to_string(path).map_err(|e| {
                RecipeError::new(Loc::Unknown, format!("cannot read recipe {name}: {e}"))
            })?;
            return Ok((Source::new(name, text), display_name(path)));
        }
        for dir in &self.dirs {
            let file = dir.join(format!("{name}.toml"));
            if file.is_file() {
                let text = std::fs::read_to_string(&file).map_err(|e| {
                    RecipeError::new(
                        Loc::Unknown,
                        format!("cannot read recipe {}: {e}", file.display()),
                    )
                })?;
                return Ok((
                    Source::new(file.display().to_string(), text),
                    name.to_string(),
                ));
            }
        }
        if let Some((n, text)) = self.shipped.iter().find(|(n, _)| *n == name) {
            return Ok((
                Source::new(format!("<built-in>/{n}.toml"), *text),
                n.to_string(),
            ));
        }
        let all = self.names();
        let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
        // A unique prefix names its recipe (`titanic/milla`), as cargo takes unique prefixes.
        let prefixed: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !name.is_empty() && n.starts_with(name))
            .collect();
        match prefixed.as_slice() {
            [one] => return self.load(one),
            [_, _, ..] => {
                return Err(RecipeError::new(
                    Loc::Unknown,
                    format!("`{name}` names several recipes"),
                )
                .with_help(format!("one of: {}", prefixed.join(", "))))
            }
            [] => {}
        }
        Err(
            RecipeError::new(Loc::Unknown, format!("no recipe named `{name}`"))
                .with_help(format!("{} (see `kreplay list`)", suggestion(name, &names))),
        )
    }

    /// Every recipe name available, with where it comes from; the first source of a name wins.
    pub fn names(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for dir in &self.dirs {
            let mut found = Vec::new();
            walk(dir, "", &mut found);
            for (n, p) in found {
                if !out.iter().any(|(o, _)| *o == n) {
                    out.push((n, p));
                }
            }
        }
        for (n, _) in self.shipped {
            if !out.iter().any(|(o, _)| o == n) {
                out.push((n.to_string(), format!("<built-in>/{n}.toml")));
            }
        }
        out.sort();
        out
    }
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            walk(&path, &format!("{prefix}{name}/"), out);
        } else if let Some(stem) = name.strip_suffix(".toml") {
            out.push((format!("{prefix}{stem}"), path.display().to_string()));
        }
    }
}

/// `competition/name` from a path like `recipes/titanic/gender.toml`.
fn display_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    match path.parent().and_then(|p| p.file_name()) {
        Some(parent) => format!("{}/{stem}", parent.to_string_lossy()),
        None => stem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_off_variants() {
        assert_eq!(
            RecipeRef::parse("titanic/sehgal:knn").variant.as_deref(),
            Some("knn")
        );
        assert_eq!(RecipeRef::parse("titanic/sehgal").variant, None);
        assert_eq!(
            RecipeRef::parse("recipes/titanic/x.toml").name,
            "recipes/titanic/x.toml"
        );
    }
}
