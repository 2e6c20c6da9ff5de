//! Tables as a terminal shows them: columns padded to their widest cell, and the whole cut to
//! the terminal's width (the widest shrinkable column loses characters first, ending in `…`)
//! unless `--wide` is given or the output is not a terminal (a pipe or a file gets every
//! character). The header is bold where colour is on (`--color`, `NO_COLOR`).

use std::borrow::Cow;

use console::{pad_str, style, truncate_str, Alignment, Term};

use crate::report;
use kreplay_recipe::names::escape_control;

/// A column: its header, its alignment, and whether it may be cut to fit.
pub struct Column {
    pub header: Cow<'static, str>,
    pub right: bool,
    pub shrink: bool,
}

impl Column {
    pub const fn left(header: &'static str) -> Column {
        Column {
            header: Cow::Borrowed(header),
            right: false,
            shrink: false,
        }
    }

    pub const fn right(header: &'static str) -> Column {
        Column {
            header: Cow::Borrowed(header),
            right: true,
            shrink: false,
        }
    }

    /// A column that gives up characters first when the table is too wide.
    pub const fn shrinking(header: &'static str) -> Column {
        Column {
            header: Cow::Borrowed(header),
            right: false,
            shrink: true,
        }
    }

    /// A left-aligned column named at run time (a swept parameter's path) that may shrink.
    pub fn named(header: String) -> Column {
        Column {
            header: Cow::Owned(header),
            right: false,
            shrink: true,
        }
    }
}

/// Columns narrower than this are never cut further.
const MIN_WIDTH: usize = 8;
const GAP: &str = "  ";

/// The width to fit: the terminal's, or none (`wide`, or not a terminal).
fn limit(wide: bool) -> Option<usize> {
    let term = Term::stdout();
    (!wide && term.is_term())
        .then(|| term.size_checked().map(|(_, cols)| cols as usize))
        .flatten()
}

/// The widths of `columns` for `cells` (escaped text), cut to `limit` if any.
fn widths(columns: &[Column], cells: &[Vec<String>], limit: Option<usize>) -> Vec<usize> {
    let mut widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(j, c)| {
            cells
                .iter()
                .filter_map(|r| r.get(j))
                .map(|s| console::measure_text_width(s))
                .chain([console::measure_text_width(&escape_control(&c.header))])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let Some(limit) = limit else {
        return widths;
    };
    let total = |w: &[usize]| 2 + w.iter().sum::<usize>() + GAP.len() * w.len().saturating_sub(1);
    while total(&widths) > limit {
        let widest = (0..columns.len())
            .filter(|&j| columns[j].shrink && widths[j] > MIN_WIDTH)
            .max_by_key(|&j| widths[j]);
        match widest {
            Some(j) => widths[j] -= 1,
            None => break,
        }
    }
    widths
}

/// Prints the table; cells are text from outside (recipes, run records) and are escaped.
pub fn print(columns: &[Column], rows: &[Vec<String>], wide: bool) {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| escape_control(c).into_owned()).collect())
        .collect();
    let widths = widths(columns, &cells, limit(wide));
    let line = |texts: Vec<String>| {
        let joined = texts.join(GAP);
        report::out_trusted(&format!("  {}", joined.trim_end()));
    };
    let header = columns
        .iter()
        .zip(&widths)
        .map(|(c, w)| {
            let header = escape_control(&c.header);
            let cut = truncate_str(&header, *w, "…");
            let padded = pad_str(&cut, *w, align(c), None).into_owned();
            style(padded).bold().to_string()
        })
        .collect();
    line(header);
    for row in &cells {
        let texts = columns
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(j, (c, w))| {
                let cell = row.get(j).map_or("", String::as_str);
                let cut = truncate_str(cell, *w, "…");
                pad_str(&cut, *w, align(c), None).into_owned()
            })
            .collect();
        line(texts);
    }
}

fn align(c: &Column) -> Alignment {
    if c.right {
        Alignment::Right
    } else {
        Alignment::Left
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_shrinkable_column_gives_way_first() {
        let columns = [
            Column::right("id"),
            Column::shrinking("recipe"),
            Column::shrinking("overrides"),
        ];
        let cells = vec![vec![
            "#1".to_string(),
            "titanic/milla-decision-tree".to_string(),
            "model.max_depth=5 model.criterion=entropy".to_string(),
        ]];
        assert_eq!(widths(&columns, &cells, None), [2, 27, 41]);
        // 2 + (2 + 27 + 41) + 2 * 2 = 76 wide: 60 takes 14 from the overrides, then one each.
        let cut = widths(&columns, &cells, Some(60));
        assert_eq!(cut, [2, 26, 26]);
        assert!(2 + cut.iter().sum::<usize>() + 4 <= 60);
        // Never below the minimum, even if the table stays wider.
        assert_eq!(widths(&columns, &cells, Some(10)), [2, 8, 8]);
    }
}
