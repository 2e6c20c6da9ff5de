//! Fuzz targets for what kreplay reads from other people: recipes (with `-S` overrides and
//! sweep domains) and submission files. Each is a proptest property over mutations of a seed
//! corpus kept in the repository (`fuzz/corpus/`, plus every recipe under `recipes/`): byte
//! flips, hostile tokens inserted, ranges deleted or repeated, lines spliced from another
//! seed. The property is that nothing panics: every input is either accepted or refused with
//! an error. (cargo-fuzz needs a nightly toolchain, which this project's machines do not have.)
//!
//! They are `#[ignore]`d: `bench/fuzz.sh` runs them for a bounded number of cases,
//! with `KREPLAY_FUZZ_CASES` inputs per target; proptest keeps any failing input, shrunk,
//! under `proptest-regressions/`, and replays those first on every later run.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use kreplay_recipe::path::Override;
use kreplay_recipe::source::Source;
use kreplay_recipe::sweep::SweepParam;
use kreplay_recipe::Recipe;
use kreplay_runner::catalog::catalog;
use kreplay_submission::validate::{check, Expectation, Report, Values};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

/// What a mutation may insert: the syntax of TOML, SQL and CSV, kreplay's own names, and
/// values that have broken parsers before (NaN, huge numbers, paths, control characters).
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "\"\"\"",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    ".",
    "\n",
    "\r\n",
    "\t",
    "#",
    "\0",
    "\u{1b}[2J",
    "\u{202e}",
    "\u{feff}",
    "é",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "1e308",
    "-1",
    "0",
    "4294967297",
    "18446744073709551616",
    "true",
    "\"\"",
    "..",
    "../",
    "/",
    "\\",
    "C:",
    "steps",
    "model",
    "data",
    "validation",
    "submission",
    "variants",
    "members",
    "published",
    "[[steps]]",
    "[model]",
    "[data]",
    "kind",
    "id",
    "columns",
    "k",
    "scheme",
    "kfold",
    "holdout",
    "metric",
    "task",
    "multiclass",
    "regression",
    "derive",
    "drop_rows",
    "bin",
    "edges",
    "fill",
    "rule",
    "expr",
    "random_forest",
    "stack",
    "vote",
    "n_estimators",
    "max_depth",
    "seed",
    "competition",
    "train",
    "test",
    "target",
    "CASE WHEN",
    "THEN",
    "ELSE",
    "END",
    " AND ",
    " OR ",
    " + ",
    "(",
    ")",
    "IN (",
    "NULL",
    "'a'",
    "PassengerId",
    "Survived",
    "0.5",
    "0,1",
    ";",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replaces one byte with another.
    Flip(Index, u8),
    /// Inserts a token at a position.
    Insert(Index, Index),
    /// Deletes up to 64 bytes.
    Delete(Index, u8),
    /// Repeats a range of up to 256 bytes up to 50 times.
    Repeat(Index, u8, u8),
    /// Inserts a line of another seed.
    Splice(Index, Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<Index>(), 1..64u8).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), 1..=255u8, 2..50u8).prop_map(|(i, n, r)| Mutation::Repeat(i, n, r)),
        (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(i, s, l)| Mutation::Splice(i, s, l)),
    ]
}

fn apply(seed: &[u8], mutations: &[Mutation], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for m in mutations {
        let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
        match m {
            Mutation::Flip(i, byte) if !b.is_empty() => {
                let i = i.index(b.len());
                b[i] = *byte;
            }
            Mutation::Flip(..) => {}
            Mutation::Insert(i, t) => {
                let pos = at(i, b.len());
                let token = TOKENS[t.index(TOKENS.len())].as_bytes();
                b.splice(pos..pos, token.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let pos = at(i, b.len()).min(b.len());
                let end = (pos + *n as usize).min(b.len());
                b.drain(pos..end);
            }
            Mutation::Repeat(i, n, r) => {
                let pos = at(i, b.len()).min(b.len());
                let end = (pos + *n as usize).min(b.len());
                let piece = b[pos..end].to_vec();
                for _ in 1..*r {
                    b.splice(end..end, piece.iter().copied());
                }
            }
            Mutation::Splice(i, s, l) => {
                let other = &corpus[s.index(corpus.len())];
                let lines: Vec<&[u8]> = other.split(|&c| c == b'\n').collect();
                let line = lines[l.index(lines.len())];
                let pos = at(i, b.len()).min(b.len());
                let mut piece = line.to_vec();
                piece.push(b'\n');
                b.splice(pos..pos, piece);
            }
        }
    }
    b
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` whose name ends with `ext`, sorted.
fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.to_string_lossy().ends_with(ext) {
            out.push(p);
        }
    }
}

fn corpus(dirs: &[&str], ext: &str) -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    for d in dirs {
        files(&repo().join(d), ext, &mut paths);
    }
    paths.sort();
    let seeds: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(!seeds.is_empty(), "no {ext} seeds under {dirs:?}");
    seeds
}

fn recipes() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| corpus(&["fuzz/corpus/recipe", "recipes"], ".toml"))
}

fn submissions() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| corpus(&["fuzz/corpus/submission"], ".csv"))
}

fn lines(name: &str) -> Vec<String> {
    let path = repo().join("fuzz/corpus").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

fn config() -> Config {
    let cases = std::env::var("KREPLAY_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(2_000);
    Config {
        cases,
        // Parsers can take their time on a big input; shrinking a failure may not.
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

/// Parses a recipe as `kreplay show` and `replay` do before reading data: the TOML, the
/// schema, the overrides, and every step's and the model's constructor.
fn parse_recipe(text: &str, overrides: &[String]) {
    let parsed: Result<Vec<Override>, _> = overrides.iter().map(|o| Override::parse(o)).collect();
    let Ok(overrides) = parsed else { return };
    let source = Source::new("fuzz.toml", text);
    if let Ok(recipe) = Recipe::parse(source, "fuzz", None, &overrides, catalog()) {
        let _ = kreplay_runner::replay::check(&recipe);
        // Every variant too: each is a recipe of its own.
        for v in recipe.variants.clone() {
            let source = Source::new("fuzz.toml", text);
            if let Ok(r) = Recipe::parse(source, "fuzz", Some(&v), &overrides, catalog()) {
                let _ = kreplay_runner::replay::check(&r);
            }
        }
    }
}

fn titanic_like(values: Values) -> Expectation {
    Expectation {
        columns: vec!["PassengerId".into(), "Survived".into()],
        ids: (892..=1309).map(|i| i.to_string()).collect(),
        values,
        reference: PathBuf::from("sample_submission.csv"),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    #[ignore = "a fuzz target: bench/fuzz.sh runs it"]
    fn fuzz_recipe_parser(
        seed in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 0..12),
        set in prop::collection::vec((any::<Index>(), any::<Index>()), 0..3),
    ) {
        let corpus = recipes();
        let bytes = apply(&corpus[seed.index(corpus.len())], &mutations, corpus);
        let overrides_seen = lines("overrides.txt");
        let overrides: Vec<String> = set
            .iter()
            .map(|(o, t)| {
                let base = &overrides_seen[o.index(overrides_seen.len())];
                let token = TOKENS[t.index(TOKENS.len())];
                let cut = t.index(base.len() + 1);
                let cut = (0..=cut).rev().find(|&c| base.is_char_boundary(c)).unwrap_or(0);
                format!("{}{token}{}", &base[..cut], &base[cut..])
            })
            .collect();
        parse_recipe(&String::from_utf8_lossy(&bytes), &overrides);
        for o in &overrides {
            let _ = SweepParam::parse(o);
        }
    }

    #[test]
    #[ignore = "a fuzz target: bench/fuzz.sh runs it"]
    fn fuzz_submission_validator(
        seed in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 0..12),
    ) {
        let corpus = submissions();
        let bytes = apply(&corpus[seed.index(corpus.len())], &mutations, corpus);
        for values in [
            Values::Labels(vec!["0".into(), "1".into()]),
            Values::Probability,
            Values::NonNegative,
        ] {
            let exp = titanic_like(values);
            for report in [Report::First, Report::EveryKind] {
                let _ = check(Cursor::new(&bytes), &exp, report);
            }
        }
    }
}

#[test]
fn the_corpus_is_accepted_or_refused_without_panicking() {
    // The seeds themselves, so a broken corpus shows up in the ordinary test run.
    for seed in recipes() {
        parse_recipe(&String::from_utf8_lossy(seed), &[]);
    }
    let exp = titanic_like(Values::Labels(vec!["0".into(), "1".into()]));
    for seed in submissions() {
        let _ = check(Cursor::new(seed), &exp, Report::EveryKind);
    }
    for o in lines("overrides.txt") {
        let _ = Override::parse(&o).map(|_| ());
        let _ = SweepParam::parse(&o).map(|_| ());
    }
    let _: Arc<Source> = Source::new("empty.toml", "");
}
