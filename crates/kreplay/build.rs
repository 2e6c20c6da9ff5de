//! Embeds the shipped recipes (`recipes/**/*.toml`, `examples/*.toml` at the workspace root) so
//! the binary can replay them from anywhere, without the source tree. The binary embeds them,
//! not the recipe crate, so editing a recipe rebuilds only the binary.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            collect(&path, &format!("{prefix}{name}/"), out);
        } else if let Some(stem) = name.strip_suffix(".toml") {
            out.push((format!("{prefix}{stem}"), path.canonicalize().unwrap()));
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    collect(&root.join("recipes"), "", &mut found);
    collect(&root.join("examples"), "examples/", &mut found);
    println!("cargo:rerun-if-changed={}", root.join("recipes").display());
    println!("cargo:rerun-if-changed={}", root.join("examples").display());
    let mut code = String::from("pub static SHIPPED: &[(&str, &str)] = &[\n");
    for (name, path) in &found {
        println!("cargo:rerun-if-changed={}", path.display());
        code.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("embedded.rs");
    fs::write(out, code).unwrap();
}
