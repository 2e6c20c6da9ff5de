//! Recipe errors: always located (file:line:col or the override), with a hint of what is allowed.

use std::fmt;

use crate::source::Loc;

pub type Result<T, E = RecipeError> = std::result::Result<T, E>;

/// A problem with a recipe, pointing at the key or value at fault.
#[derive(Debug, Clone, thiserror::Error)]
pub struct RecipeError {
    pub loc: Loc,
    pub message: String,
    pub help: Option<String>,
}

impl RecipeError {
    pub fn new(loc: Loc, message: impl Into<String>) -> Self {
        RecipeError {
            loc,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The error in cargo's style: message, location, the offending line with a caret, help.
    pub fn render(&self) -> String {
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
