//! The page around the charts: escaping, sections, tables and one inline style sheet. Nothing
//! is fetched and nothing runs: the file reads the same offline, in any browser.

use std::fmt::Write;

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.override { background: #fff4d6; }
.leak { color: #b00020; }
.muted { color: #777; }
figure { margin: 1em 0; }
figcaption { font-size: 0.9em; color: #555; margin-top: 0.3em; }
";

/// An HTML page being written: a title, then sections of text, tables and figures.
pub struct Page {
    body: String,
    title: String,
}

impl Page {
    pub fn new(title: &str) -> Page {
        let mut body = String::new();
        let _ = writeln!(body, "<h1>{}</h1>", escape(title));
        Page {
            body,
            title: title.to_string(),
        }
    }

    /// A line of text under the title or in a section (escaped).
    pub fn para(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p>{}</p>", escape(text));
    }

    /// A line of muted text (escaped).
    pub fn note(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p class=\"muted\">{}</p>", escape(text));
    }

    pub fn section(&mut self, heading: &str) {
        let _ = writeln!(self.body, "<h2>{}</h2>", escape(heading));
    }

    /// A table; every cell is escaped. A cell written `{num}…` is right-aligned (numbers),
    /// a row whose first cell starts with `{override}` is marked as set by an override.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        self.body.push_str("<table>\n<tr>");
        for h in header {
            let _ = write!(self.body, "<th>{}</th>", escape(h));
        }
        self.body.push_str("</tr>\n");
        for row in rows {
            let marked = row.first().is_some_and(|c| c.starts_with(Cell::OVERRIDE));
            self.body.push_str(if marked {
                "<tr class=\"override\">"
            } else {
                "<tr>"
            });
            for cell in row {
                let cell = cell.strip_prefix(Cell::OVERRIDE).unwrap_or(cell);
                match cell.strip_prefix(Cell::NUM) {
                    Some(n) => {
                        let _ = write!(self.body, "<td class=\"num\">{}</td>", escape(n));
                    }
                    None => match cell.strip_prefix(Cell::LEAK) {
                        Some(t) => {
                            let _ = write!(self.body, "<td class=\"leak\">{}</td>", escape(t));
                        }
                        None => {
                            let _ = write!(self.body, "<td>{}</td>", escape(cell));
                        }
                    },
                }
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</table>\n");
    }

    /// A chart: its SVG (made by [`crate::charts`], trusted), an id for tests, a caption.
    pub fn figure(&mut self, id: &str, svg: &str, caption: &str) {
        let _ = writeln!(
            self.body,
            "<figure id=\"{}\">{svg}<figcaption>{}</figcaption></figure>",
            escape(id),
            escape(caption)
        );
    }

    /// The whole document.
    pub fn finish(self) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{}<p class=\"muted\">Written by kreplay {}.</p>\n</body>\n</html>\n",
            escape(&self.title),
            self.body,
            env!("CARGO_PKG_VERSION")
        )
    }
}

/// Markers a table cell may start with.
pub struct Cell;

impl Cell {
    pub const NUM: &'static str = "\u{1}num:";
    pub const OVERRIDE: &'static str = "\u{1}override:";
    pub const LEAK: &'static str = "\u{1}leak:";

    pub fn num(x: f64) -> String {
        format!("{}{}", Cell::NUM, fmt(x))
    }

    pub fn text_num(s: String) -> String {
        format!("{}{s}", Cell::NUM)
    }
}

/// A score as reports show it: four decimals, `-` when missing.
pub fn fmt(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{x:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_recipes_cannot_become_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        let mut page = Page::new("t <b>");
        page.table(&["h"], &[vec!["<i>".into(), Cell::num(0.5)]]);
        let html = page.finish();
        assert!(html.contains("<h1>t &lt;b&gt;</h1>"), "{html}");
        assert!(
            html.contains("<td>&lt;i&gt;</td><td class=\"num\">0.5000</td>"),
            "{html}"
        );
    }
}
