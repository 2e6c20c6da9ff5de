//! Recipe errors: always located (file:line:col or the override), with a hint of what is allowed.

use std::fmt;

use crate::source::Loc;

pub type Result<T, E = RecipeError> = std::result::Result<T, E>;

/// At most this many problems are shown for one recipe; the rest are counted.
pub const MAX_SHOWN_ERRORS: usize = 20;

/// A problem with a recipe, pointing at the key or value at fault; and the other problems
/// found in the same pass ([`RecipeError::all`], [`RecipeError::into_list`]), so that one run
/// reports them all, as rustc does.
#[derive(Debug, Clone, thiserror::Error)]
pub struct RecipeError {
    pub loc: Loc,
    pub message: String,
    pub help: Option<String>,
    /// Further problems of the same recipe, in the order they were found (boxed: most errors
    /// have none, and every `Result` of the crate carries this type).
    also: Option<Box<More>>,
}

/// The further problems of a [`RecipeError`].
#[derive(Debug, Clone)]
struct More(Vec<RecipeError>);

impl RecipeError {
    pub fn new(loc: Loc, message: impl Into<String>) -> Self {
        RecipeError {
            loc,
            message: message.into(),
            help: None,
            also: None,
        }
    }

    /// Every problem in `errors` as one error (the first, carrying the others); `None` when
    /// there is none.
    pub fn all(errors: Vec<RecipeError>) -> Option<RecipeError> {
        let mut flat = errors.into_iter().flat_map(RecipeError::into_list);
        let mut first = flat.next()?;
        let also: Vec<RecipeError> = flat.collect();
        first.also = (!also.is_empty()).then(|| Box::new(More(also)));
        Some(first)
    }

    /// This problem and the others found with it, each on its own.
    pub fn into_list(mut self) -> Vec<RecipeError> {
        let also = self.also.take().map_or_else(Vec::new, |b| b.0);
        let mut out = vec![self];
        out.extend(also.into_iter().flat_map(RecipeError::into_list));
        out
    }

    /// How many problems this error holds.
    pub fn count(&self) -> usize {
        1 + self
            .also
            .iter()
            .flat_map(|b| b.0.iter())
            .map(RecipeError::count)
            .sum::<usize>()
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The error in cargo's style: message, location, the offending line with a caret, help;
    /// then the other problems found with it, the same way, and how many there were.
    pub fn render(&self) -> String {
        let list = self.clone().into_list();
        let shown: Vec<String> = list
            .iter()
            .take(MAX_SHOWN_ERRORS)
            .map(RecipeError::render_one)
            .collect();
        let mut out = shown.join("\n\nerror: ");
        if list.len() > MAX_SHOWN_ERRORS {
            out.push_str(&format!(
                "\n\n... and {} more problems not shown",
                list.len() - MAX_SHOWN_ERRORS
            ));
        }
        if list.len() > 1 {
            out.push_str(&format!(
                "\n\nerror: the recipe has {} problems; all are listed above",
                list.len()
            ));
        }
        out
    }

    fn render_one(&self) -> String {
        let mut out = format!("{}\n  --> {}", self.message, self.loc);
        let caret = self.loc.caret();
        if !caret.is_empty() {
            out.push('\n');
            out.push_str(&caret);
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("\n  = help: {help}"));
        }
        out
    }
}

impl fmt::Display for RecipeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        if self.also.is_some() {
            let n = self.count() - 1;
            write!(
                f,
                " (and {n} more problem{})",
                if n == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

/// The closest candidate by edit distance, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| {
            let len = c.chars().count().max(word.chars().count());
            *d <= if len >= 4 { (len / 3).max(2) } else { 1 }
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// "did you mean `x`? allowed: a, b, c" or just the allowed list.
pub fn suggestion(word: &str, candidates: &[&str]) -> String {
    let allowed = candidates
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match did_you_mean(word, candidates.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? allowed: {allowed}"),
        None => format!("allowed: {allowed}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(
            did_you_mean("max_dept", ["max_depth", "criterion"]),
            Some("max_depth")
        );
        assert_eq!(did_you_mean("colour", ["max_depth", "criterion"]), None);
        assert_eq!(did_you_mean("Nme", ["Name", "Sex"]), Some("Name"));
    }
}
