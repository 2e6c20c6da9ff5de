//! Sweep values in Hydra's grammar (shared by Hydra, its Optuna sweeper and DVC), expanded into
//! trial configurations:
//!
//! * `a,b,c` — a list;
//! * `range(start, stop[, step])` — stop excluded, as Python's range (floats allowed);
//! * `choice(a, b, ...)` — a list, spelt as a function;
//! * `interval(lo, hi)` — a continuous range, for sampled searches; `int(interval(lo, hi))`
//!   samples the integers from lo to hi, both included (Optuna's `IntDistribution`, which
//!   Hydra's Optuna sweeper maps it to), `tag(log, interval(lo, hi))` samples on a log scale.
//!
//! A trial is a list of `path=value` overrides, so it is checked exactly as `-S` is.

use rand::Rng as _;
use rand::SeedableRng;

use crate::error::{RecipeError, Result};
use crate::path::Override;
use crate::source::Loc;

#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// Finite values, as written (each is read like an `-S` value).
    Values(Vec<String>),
    Interval {
        lo: f64,
        hi: f64,
        int: bool,
        log: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SweepParam {
    pub path: String,
    pub domain: Domain,
    pub text: String,
}

fn err(text: &str, message: impl Into<String>) -> RecipeError {
    RecipeError::new(Loc::Override { text: text.to_string() }, message)
        .with_help("sweep values: a,b,c | range(start,stop[,step]) | choice(a,b) | interval(lo,hi) | int(interval(lo,hi)) | tag(log, interval(lo,hi))")
}

/// Splits on commas outside parentheses, brackets and quotes.
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quote) = (Vec::new(), String::new(), 0i32, None);
    for c in s.chars() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('(' | '[' | '{', None) => depth += 1,
            (')' | ']' | '}', None) => depth -= 1,
            (',', None) if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out
}

/// `name(args)` → (name, args).
fn call(s: &str) -> Option<(&str, &str)> {
    let open = s.find('(')?;
    let name = &s[..open];
    (s.ends_with(')') && !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| (name, &s[open + 1..s.len() - 1]))
}

/// A bound or step of a sweep domain: a finite number (a NaN or infinite bound would give
/// trials of NaN or never end a range).
fn number(text: &str, s: &str) -> Result<f64> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(err(text, format!("`{s}` must be a finite number"))),
        Err(_) => Err(err(text, format!("`{s}` is not a number"))),
    }
}

/// Formats a generated number the way a user would write it (no float noise).
pub fn format_value(v: f64, int: bool) -> String {
    if int {
        format!("{}", v.round() as i64)
    } else {
        // Twelve significant digits (not decimals: a log scale may reach 1e-15).
        let r: f64 = format!("{v:.11e}").parse().unwrap_or(v);
        if r.fract() == 0.0 && r.abs() < 1e15 {
            format!("{r:.1}")
        } else {
            format!("{r}")
        }
    }
}

fn parse_domain(text: &str, value: &str) -> Result<Domain> {
    let items = split_top(value);
    if items.len() > 1 {
        return Ok(Domain::Values(items));
    }
    let Some((name, args)) = call(value) else {
        return Ok(Domain::Values(vec![value.to_string()]));
    };
    let args = split_top(args);
    match name {
        "choice" => Ok(Domain::Values(args)),
        "range" => {
            let nums = args
                .iter()
                .map(|a| number(text, a))
                .collect::<Result<Vec<_>>>()?;
            let (start, stop, step) = match nums.as_slice() {
                [stop] => (0.0, *stop, 1.0),
                [start, stop] => (*start, *stop, 1.0),
                [start, stop, step] => (*start, *stop, *step),
                _ => {
                    return Err(err(
                        text,
                        "range takes (stop), (start, stop) or (start, stop, step)",
                    ))
                }
            };
            if step == 0.0 || (stop - start) / step < 0.0 {
                return Err(err(
                    text,
                    format!("range({start}, {stop}, {step}) is empty"),
                ));
            }
            let int = args.iter().all(|a| !a.contains('.') && !a.contains('e'));
            let n = ((stop - start) / step - 1e-9).ceil().max(0.0) as usize;
            if n > 100_000 {
                return Err(err(
                    text,
                    format!("range gives {n} values; that is too many"),
                ));
            }
            Ok(Domain::Values(
                (0..n)
                    .map(|i| format_value(start + i as f64 * step, int))
                    .collect(),
            ))
        }
        "interval" => match args.as_slice() {
            [lo, hi] => {
                let (lo, hi) = (number(text, lo)?, number(text, hi)?);
                if lo >= hi {
                    return Err(err(text, "interval(lo, hi) needs lo < hi"));
                }
                Ok(Domain::Interval {
                    lo,
                    hi,
                    int: false,
                    log: false,
                })
            }
            _ => Err(err(text, "interval takes (lo, hi)")),
        },
        "int" => match parse_domain(text, args.join(",").as_str())? {
            Domain::Interval { lo, hi, log, .. } => Ok(Domain::Interval {
                lo,
                hi,
                int: true,
                log,
            }),
            _ => Err(err(text, "int(...) wraps an interval(lo, hi)")),
        },
        "tag" => match args.as_slice() {
            [tags @ .., inner] => {
                let log = tags.iter().any(|t| t == "log");
                match parse_domain(text, inner)? {
                    Domain::Interval { lo, hi, int, .. } => {
                        if log && lo <= 0.0 {
                            return Err(err(text, "a log-scale interval needs lo > 0"));
                        }
                        Ok(Domain::Interval { lo, hi, int, log })
                    }
                    values => Ok(values),
                }
            }
            _ => Err(err(text, "tag takes (tag, ..., domain)")),
        },
        _ => Ok(Domain::Values(vec![value.to_string()])),
    }
}

impl SweepParam {
    /// Parses `path=domain`.
    pub fn parse(text: &str) -> Result<SweepParam> {
        let (path, value) = text
            .split_once('=')
            .ok_or_else(|| err(text, "a sweep parameter is written `path=values`"))?;
        Ok(SweepParam {
            path: path.trim().to_string(),
            domain: parse_domain(text, value.trim())?,
            text: text.to_string(),
        })
    }

    fn at(&self, value: &str) -> Result<Override> {
        Override::parse(&format!("{}={value}", self.path))
    }

    pub fn sample(&self, rng: &mut rand_chacha::ChaCha8Rng) -> String {
        match &self.domain {
            Domain::Values(v) => v[rng.gen_range(0..v.len())].clone(),
            Domain::Interval { lo, hi, int, log } => {
                let u: f64 = rng.gen();
                let (a, b) = bounds(*lo, *hi, *int, *log);
                let x = from_space(a + u * (b - a), *log);
                format_value(snap(x, *lo, *hi, *int), *int)
            }
        }
    }
}

/// The sampling space of an interval: its bounds, in log space for a log scale; an integer
/// interval reaches half a step beyond each end, so that rounding gives every integer from
/// `lo` to `hi` the same share (as Optuna samples integers).
pub fn bounds(lo: f64, hi: f64, int: bool, log: bool) -> (f64, f64) {
    let (lo, hi) = if int { (lo - 0.5, hi + 0.5) } else { (lo, hi) };
    // A log scale cannot start at or below zero; an integer one starts half a step above.
    let lo = if log && lo <= 0.0 { lo + 0.5 } else { lo };
    (to_space(lo, log), to_space(hi, log))
}

pub fn to_space(x: f64, log: bool) -> f64 {
    if log {
        x.ln()
    } else {
        x
    }
}

pub fn from_space(x: f64, log: bool) -> f64 {
    if log {
        x.exp()
    } else {
        x
    }
}

/// A sampled value as the parameter takes it: the nearest integer within [lo, hi] for an
/// integer interval.
pub fn snap(x: f64, lo: f64, hi: f64, int: bool) -> f64 {
    if int {
        // Bounds that are not integers admit the integers between them.
        x.round().clamp(lo.ceil(), hi.floor().max(lo.ceil()))
    } else {
        x.clamp(lo, hi)
    }
}

/// The search methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Grid,
    Random,
}

/// Expands sweep parameters into trials (each a list of overrides), in a fixed order.
pub fn expand(
    params: &[SweepParam],
    method: Method,
    trials: Option<usize>,
    seed: u64,
) -> Result<Vec<Vec<Override>>> {
    match method {
        Method::Grid => {
            let mut lists = Vec::new();
            for p in params {
                match &p.domain {
                    Domain::Values(v) => lists.push(v.clone()),
                    Domain::Interval { .. } => {
                        return Err(err(
                            &p.text,
                            "a grid needs finite values; use --method random for intervals",
                        ))
                    }
                }
            }
            let total: usize = lists.iter().map(Vec::len).product();
            if total > 100_000 {
                return Err(err(
                    &params[0].text,
                    format!("the grid has {total} configurations; that is too many"),
                ));
            }
            let mut out = Vec::with_capacity(total);
            for i in 0..total {
                let mut rest = i;
                let mut trial = Vec::with_capacity(params.len());
                // The last parameter varies fastest, as in Hydra's multirun.
                let mut picks = vec![0; params.len()];
                for (k, list) in lists.iter().enumerate().rev() {
                    picks[k] = rest % list.len();
                    rest /= list.len();
                }
                for (k, p) in params.iter().enumerate() {
                    trial.push(p.at(&lists[k][picks[k]])?);
                }
                out.push(trial);
            }
            Ok(out)
        }
        Method::Random => {
            let n = trials.unwrap_or(10);
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            (0..n)
                .map(|_| params.iter().map(|p| p.at(&p.sample(&mut rng))).collect())
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        match SweepParam::parse(text).unwrap().domain {
            Domain::Values(v) => v,
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn grammar() {
        assert_eq!(values("model.max_depth=3,5,7"), ["3", "5", "7"]);
        assert_eq!(values("a=range(3)"), ["0", "1", "2"]);
        assert_eq!(
            values("a=range(0.02,0.1,0.02)"),
            ["0.02", "0.04", "0.06", "0.08"]
        );
        assert_eq!(values("a=choice(gini, entropy)"), ["gini", "entropy"]);
        assert_eq!(values("a=[1,2],[3]"), ["[1,2]", "[3]"]);
        assert_eq!(
            SweepParam::parse("a=tag(log, int(interval(1, 100)))")
                .unwrap()
                .domain,
            Domain::Interval {
                lo: 1.0,
                hi: 100.0,
                int: true,
                log: true
            }
        );
        assert!(SweepParam::parse("a=range(1,5,0)").is_err());
        assert!(SweepParam::parse("a=interval(5,1)").is_err());
    }

    #[test]
    fn bounds_must_be_finite() {
        for bad in [
            "a=interval(nan, 1)",
            "a=interval(0, inf)",
            "a=range(0, NaN)",
            "a=range(0, 10, inf)",
        ] {
            let e = SweepParam::parse(bad).unwrap_err().to_string();
            assert!(e.contains("finite"), "{bad}: {e}");
        }
    }

    #[test]
    fn grid_is_the_product_with_the_last_fastest() {
        let ps = [
            SweepParam::parse("a=1,2").unwrap(),
            SweepParam::parse("b=x,y,z").unwrap(),
        ];
        let t = expand(&ps, Method::Grid, None, 0).unwrap();
        assert_eq!(t.len(), 6);
        let text: Vec<String> = t[1].iter().map(|o| o.text.clone()).collect();
        assert_eq!(text, ["a=1", "b=y"]);
        assert!(expand(
            &[SweepParam::parse("a=interval(0,1)").unwrap()],
            Method::Grid,
            None,
            0
        )
        .is_err());
    }

    #[test]
    fn random_is_seeded_and_stays_in_bounds() {
        let ps = [
            SweepParam::parse("a=tag(log, interval(0.001, 1))").unwrap(),
            SweepParam::parse("b=int(interval(2, 5))").unwrap(),
        ];
        let a = expand(&ps, Method::Random, Some(20), 7).unwrap();
        assert_eq!(a, expand(&ps, Method::Random, Some(20), 7).unwrap());
        for t in &a {
            let x: f64 = t[0].text.split_once('=').unwrap().1.parse().unwrap();
            assert!((0.001..=1.0).contains(&x));
            let k: i64 = t[1].text.split_once('=').unwrap().1.parse().unwrap();
            assert!((2..=5).contains(&k), "{k}");
        }
        // Both ends are drawn, each about as often as the integers between them.
        let b = [SweepParam::parse("b=int(interval(2, 5))").unwrap()];
        let drawn = expand(&b, Method::Random, Some(400), 3).unwrap();
        for k in 2..=5 {
            let n = drawn
                .iter()
                .filter(|t| t[0].text == format!("b={k}"))
                .count();
            assert!((70..=130).contains(&n), "{k} drawn {n} times of 400");
        }
    }
}
