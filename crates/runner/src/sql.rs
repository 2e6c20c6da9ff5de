//! SQL expressions from recipes (`derive` columns, `drop_rows` conditions, the `rule` model),
//! bounded before polars parses them.
//!
//! polars and sqlparser turn `a + b + c + ...` into a tree as deep as the chain is long, and
//! every later pass over it (conversion, optimisation, evaluation, even dropping it) recurses
//! that deep: a derive of 5,000 `+` terms overflowed the stack and 2,000 `OR` terms took a
//! minute. A recipe is passed around like any file, so its expressions are bounded first, by
//! a lexical scan that skips string literals and quoted names. The bounds are far above what
//! published notebooks write (their longest conditions have a dozen terms).

use polars::prelude::Expr;

/// The longest expression, in bytes.
pub const MAX_BYTES: usize = 16 * 1024;
/// The most binary operators and keywords that chain terms (`+`, `AND`, `WHEN`, ...).
pub const MAX_OPERATORS: usize = 100;
/// The deepest nesting of parentheses and `CASE ... END`.
pub const MAX_DEPTH: usize = 32;

/// The stack the parse runs on: sqlparser and polars recurse once per operator, and a debug
/// build's frames are large, so a thread's default 2 MiB does not hold [`MAX_OPERATORS`].
const PARSE_STACK_BYTES: usize = 64 << 20;

/// Parses `sql` into a polars expression, or says why it cannot be one.
pub fn parse(sql: &str) -> Result<Expr, String> {
    check_size(sql)?;
    let parsed = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("sql-parse".into())
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, || {
                polars::sql::sql_expr(sql).map_err(|e| e.to_string())
            })
            .map_err(|e| format!("cannot start the SQL parser: {e}"))?
            .join()
            .map_err(|_| "the SQL parser failed on this expression".to_string())?
    });
    parsed.map_err(|e| format!("not a valid SQL expression: {e}"))
}

/// Whether `sql` is within the bounds; the message names the bound and how to stay within it.
pub fn check_size(sql: &str) -> Result<(), String> {
    if sql.len() > MAX_BYTES {
        return Err(format!(
            "the expression is {} bytes long, more than the {MAX_BYTES} accepted; \
             split it into several derive columns",
            sql.len()
        ));
    }
    let shape = scan(sql)?;
    if shape.operators > MAX_OPERATORS {
        return Err(format!(
            "the expression chains {} operators, more than the {MAX_OPERATORS} accepted; \
             split it into several derive columns, or write a long OR of equalities as \
             `column IN (a, b, ...)`",
            shape.operators
        ));
    }
    if shape.depth > MAX_DEPTH {
        return Err(format!(
            "the expression nests parentheses and CASE ... END {} deep, more than the \
             {MAX_DEPTH} accepted; split it into several derive columns",
            shape.depth
        ));
    }
    Ok(())
}

#[derive(Debug, Default, PartialEq)]
struct Shape {
    operators: usize,
    depth: usize,
}

/// Counts operators and nesting outside string literals (`'...'`) and quoted names
/// (`"..."`, where a doubled quote stands for itself).
fn scan(sql: &str) -> Result<Shape, String> {
    let mut shape = Shape::default();
    let mut depth = 0usize;
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' | b'"' => {
                let end = closing(bytes, i)
                    .ok_or_else(|| format!("the quote at byte {} is never closed", i + 1))?;
                i = end + 1;
                continue;
            }
            b'(' => {
                depth += 1;
                shape.depth = shape.depth.max(depth);
            }
            b')' => depth = depth.saturating_sub(1),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'=' | b'<' | b'>' | b'|' | b'!' => {
                // `<=`, `<>`, `||` and `!=` are one operator.
                let next = bytes.get(i + 1).copied();
                if matches!(
                    (b, next),
                    (b'<', Some(b'=' | b'>'))
                        | (b'>', Some(b'='))
                        | (b'|', Some(b'|'))
                        | (b'!', Some(b'='))
                ) {
                    i += 1;
                }
                shape.operators += 1;
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &sql[start..i];
                if ["AND", "OR", "NOT", "WHEN", "LIKE", "IS", "IN", "BETWEEN"]
                    .iter()
                    .any(|k| word.eq_ignore_ascii_case(k))
                {
                    shape.operators += 1;
                } else if word.eq_ignore_ascii_case("CASE") {
                    depth += 1;
                    shape.depth = shape.depth.max(depth);
                } else if word.eq_ignore_ascii_case("END") {
                    depth = depth.saturating_sub(1);
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(shape)
}

/// The index of the quote closing the one at `open` (a doubled quote stands for itself).
fn closing(bytes: &[u8], open: usize) -> Option<usize> {
    let quote = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(op: &str, n: usize) -> String {
        (0..n)
            .map(|i| format!("\"c{i}\" = {i}"))
            .collect::<Vec<_>>()
            .join(&format!(" {op} "))
    }

    #[test]
    fn counts_operators_and_nesting_outside_literals() {
        let s = scan("CASE WHEN Sex = 'a + b OR c' THEN (1 + (2)) ELSE 0 END").unwrap();
        assert_eq!(
            s,
            Shape {
                operators: 3,
                depth: 3
            }
        );
        assert_eq!(scan(r#""a""b" <= 3 || 'it''s'"#).unwrap().operators, 2);
        assert!(scan("'never closed").unwrap_err().contains("byte 1"));
    }

    #[test]
    fn long_chains_are_refused_before_polars_sees_them() {
        // 5,000 terms overflowed the stack inside polars before this bound.
        for op in ["OR", "AND", "+"] {
            let err = parse(&chain(op, 500)).map(|_| ()).unwrap_err();
            assert!(err.contains("operators"), "{op}: {err}");
        }
        let deep = format!("{}1{}", "(".repeat(40), ")".repeat(40));
        assert!(parse(&deep).map(|_| ()).unwrap_err().contains("nests"));
        let long = format!("'{}'", "x".repeat(MAX_BYTES));
        assert!(parse(&long).map(|_| ()).unwrap_err().contains("bytes long"));
    }

    #[test]
    fn expressions_within_the_bounds_parse() {
        // A chain of equalities counts two operators per term.
        assert!(parse(&chain("OR", MAX_OPERATORS / 2)).is_ok());
        assert!(parse("CASE WHEN Sex = 'female' THEN 1 ELSE 0 END").is_ok());
        assert!(parse("x IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)").is_ok());
    }
}
