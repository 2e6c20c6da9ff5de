//! The charts, drawn with plotters' SVG backend into strings that the page inlines.
//!
//! Each kind of mark has a colour of its own ([`MARK`], [`POINT`]), so a test (or a reader of
//! the SVG) can count a chart's marks: one bar per fold or feature, one point per trial.

use plotters::coord::Shift;
use plotters::prelude::*;

/// The fill of bars (folds, importances): `#1F77B4` in the SVG.
pub const MARK: RGBColor = RGBColor(31, 119, 180);
/// The fill of points (trials, rows): `#FF7F0E` in the SVG.
pub const POINT: RGBColor = RGBColor(255, 127, 14);
/// Reference lines (the published score, the diagonal).
const REFERENCE: RGBColor = RGBColor(214, 39, 40);
const BEST: RGBColor = RGBColor(44, 160, 44);

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// A parallel-coordinates axis: a value as written to its place in [0, 1].
type Scale = Box<dyn Fn(&str) -> f64>;
type Drawn = Result<(), String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// An SVG of `size` drawn by `draw`; a chart that cannot be drawn is a short note instead,
/// never a failed report.
fn svg(size: (u32, u32), draw: impl FnOnce(&Area) -> Drawn) -> String {
    let mut out = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE)
            .map_err(err)
            .and_then(|_| draw(&root))
            .and_then(|_| root.present().map_err(err))
    };
    match drawn {
        Ok(()) => out,
        Err(e) => format!(
            "<p class=\"muted\">(chart not drawn: {})</p>",
            crate::html::escape(&e)
        ),
    }
}

/// A line series' sample in the chart's key.
fn key(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color)
}

/// The chart's key of labelled series, boxed on a light background.
fn draw_key<'a, CT: CoordTranslate>(chart: &mut ChartContext<'a, SVGBackend<'a>, CT>) -> Drawn {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(err)
}

/// A range around `values` (and `extra`), with some room, never empty.
fn span(values: impl Iterator<Item = f64>, pad_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if pad_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let room = ((hi - lo) * 0.08).max(1e-9);
    (lo - room, hi + room)
}

/// Vertical bars, one per value (`labels` under them), from just below the lowest value, with
/// an optional reference line (e.g. the published score).
pub fn bars(values: &[f64], labels: &[String], reference: Option<(f64, &str)>, y: &str) -> String {
    svg((640, 320), |root| {
        let all = values.iter().copied().chain(reference.map(|r| r.0));
        let (lo, hi) = span(all, false);
        let n = values.len().max(1);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(56)
            .build_cartesian_2d((0..n).into_segmented(), lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_desc(y)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(err)?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), lo),
                        (SegmentValue::Exact(i + 1), *v),
                    ],
                    MARK.filled(),
                );
                bar.set_margin(0, 0, 8, 8);
                bar
            }))
            .map_err(err)?;
        if let Some((at, label)) = reference {
            chart
                .draw_series(LineSeries::new(
                    [(SegmentValue::Exact(0), at), (SegmentValue::Last, at)],
                    REFERENCE.stroke_width(2),
                ))
                .map_err(err)?
                .label(label)
                .legend(key(REFERENCE));
            draw_key(&mut chart)?;
        }
        Ok(())
    })
}

/// Horizontal bars, one per (name, value), largest first as given.
pub fn horizontal_bars(items: &[(String, f64)], x: &str) -> String {
    let n = items.len().max(1);
    let height = (60 + 22 * n as u32).max(180);
    svg((640, height), |root| {
        let (lo, hi) = span(items.iter().map(|i| i.1), true);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(180)
            .build_cartesian_2d(lo..hi, (0..n).into_segmented())
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(x)
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                // The first item at the top.
                SegmentValue::CenterOf(i) => n
                    .checked_sub(1 + *i)
                    .and_then(|k| items.get(k))
                    .map(|i| i.0.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(err)?;
        chart
            .draw_series(items.iter().enumerate().map(|(k, (_, v))| {
                let row = n - 1 - k;
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(row)),
                        (*v, SegmentValue::Exact(row + 1)),
                    ],
                    MARK.filled(),
                );
                bar.set_margin(3, 3, 0, 0);
                bar
            }))
            .map_err(err)?;
        Ok(())
    })
}

/// A confusion matrix: `counts[actual][predicted]`, shaded by count, labelled.
pub fn confusion(classes: &[String], counts: &[Vec<usize>]) -> String {
    let k = classes.len().max(1);
    let side = (120 + 48 * k as u32).min(640);
    svg((side + 60, side), |root| {
        let max = counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((0..k).into_segmented(), (0..k).into_segmented())
            .map_err(err)?;
        let label = |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) => classes.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("predicted")
            .y_desc("actual")
            .x_labels(k)
            .y_labels(k)
            .x_label_formatter(&label)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => k
                    .checked_sub(1 + *i)
                    .and_then(|j| classes.get(j))
                    .cloned()
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(err)?;
        for (a, row) in counts.iter().enumerate() {
            let y = k - 1 - a;
            for (p, &c) in row.iter().enumerate() {
                let shade = 1.0 - 0.85 * c as f64 / max;
                let fill = RGBColor(
                    (31.0 + (255.0 - 31.0) * shade) as u8,
                    (119.0 + (255.0 - 119.0) * shade) as u8,
                    (180.0 + (255.0 - 180.0) * shade) as u8,
                );
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [
                            (SegmentValue::Exact(p), SegmentValue::Exact(y)),
                            (SegmentValue::Exact(p + 1), SegmentValue::Exact(y + 1)),
                        ],
                        fill.filled(),
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        c.to_string(),
                        (SegmentValue::CenterOf(p), SegmentValue::CenterOf(y)),
                        ("sans-serif", 14).into_font(),
                    )))
                    .map_err(err)?;
            }
        }
        Ok(())
    })
}

/// A curve through `points` (e.g. an ROC curve) over [0, 1]², with the diagonal.
pub fn curve(points: &[(f64, f64)], x: &str, y: &str) -> String {
    svg((420, 400), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x)
            .y_desc(y)
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                REFERENCE.mix(0.6).stroke_width(1),
            ))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                MARK.stroke_width(2),
            ))
            .map_err(err)?;
        Ok(())
    })
}

/// A line through (x, y) points on ranges that fit them (a learning curve).
pub fn line(points: &[(f64, f64)], x: &str, y: &str) -> String {
    svg((560, 360), |root| {
        let (xlo, xhi) = span(points.iter().map(|p| p.0), false);
        let (ylo, yhi) = span(points.iter().map(|p| p.1), false);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(xlo..xhi, ylo..yhi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x)
            .y_desc(y)
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                MARK.stroke_width(2),
            ))
            .map_err(err)?;
        Ok(())
    })
}

/// One point per (x, y), with an optional line (`diagonal`: y = x; else y = 0).
pub fn scatter(points: &[(f64, f64)], x: &str, y: &str, diagonal: bool) -> String {
    svg((520, 400), |root| {
        let (xlo, xhi) = span(points.iter().map(|p| p.0), false);
        let (ylo, yhi) = span(points.iter().map(|p| p.1), !diagonal);
        let (xlo, xhi, ylo, yhi) = if diagonal {
            (xlo.min(ylo), xhi.max(yhi), xlo.min(ylo), xhi.max(yhi))
        } else {
            (xlo, xhi, ylo, yhi)
        };
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(xlo..xhi, ylo..yhi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x)
            .y_desc(y)
            .draw()
            .map_err(err)?;
        let line = if diagonal {
            [(xlo, xlo), (xhi, xhi)]
        } else {
            [(xlo, 0.0), (xhi, 0.0)]
        };
        chart
            .draw_series(LineSeries::new(line, REFERENCE.mix(0.6).stroke_width(1)))
            .map_err(err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| Circle::new(*p, 2, POINT.mix(0.6).filled())),
            )
            .map_err(err)?;
        Ok(())
    })
}

/// Each trial's score in the order trials ran (points), and the best so far (a step line).
pub fn trials(scores: &[Option<f64>], higher: bool, y: &str) -> String {
    svg((640, 320), |root| {
        let n = scores.len().max(1) as f64;
        let (lo, hi) = span(scores.iter().flatten().copied(), false);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5..n - 0.5, lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("trial (in the order they ran)")
            .y_desc(y)
            .draw()
            .map_err(err)?;
        let mut best: Option<f64> = None;
        let mut steps = Vec::new();
        for (i, s) in scores.iter().enumerate() {
            if let Some(s) = s {
                let better = best.is_none_or(|b| if higher { *s > b } else { *s < b });
                if better {
                    // A step: the old best up to this trial, then the new one.
                    if let Some(b) = best {
                        steps.push((i as f64, b));
                    }
                    best = Some(*s);
                }
            }
            if let Some(b) = best {
                steps.push((i as f64, b));
            }
        }
        chart
            .draw_series(LineSeries::new(steps, BEST.stroke_width(2)))
            .map_err(err)?
            .label("best so far")
            .legend(key(BEST));
        chart
            .draw_series(
                scores
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| s.map(|s| Circle::new((i as f64, s), 4, POINT.filled()))),
            )
            .map_err(err)?;
        draw_key(&mut chart)?;
        Ok(())
    })
}

/// A parameter's values (`x`, numbers or categories) against the trials' scores.
pub fn against(values: &[String], scores: &[Option<f64>], param: &str, y: &str) -> String {
    let numbers: Option<Vec<f64>> = values.iter().map(|v| v.parse::<f64>().ok()).collect();
    svg((420, 300), |root| {
        let (lo, hi) = span(scores.iter().flatten().copied(), false);
        match &numbers {
            Some(xs) => {
                let (xlo, xhi) = span(xs.iter().copied(), false);
                let mut chart = ChartBuilder::on(root)
                    .margin(12)
                    .x_label_area_size(36)
                    .y_label_area_size(56)
                    .build_cartesian_2d(xlo..xhi, lo..hi)
                    .map_err(err)?;
                chart
                    .configure_mesh()
                    .x_desc(param)
                    .y_desc(y)
                    .draw()
                    .map_err(err)?;
                chart
                    .draw_series(
                        xs.iter().zip(scores).filter_map(|(x, s)| {
                            s.map(|s| Circle::new((*x, s), 4, POINT.filled()))
                        }),
                    )
                    .map_err(err)?;
            }
            None => {
                let mut levels: Vec<&String> = Vec::new();
                for v in values {
                    if !levels.contains(&v) {
                        levels.push(v);
                    }
                }
                let m = levels.len().max(1);
                let mut chart = ChartBuilder::on(root)
                    .margin(12)
                    .x_label_area_size(36)
                    .y_label_area_size(56)
                    .build_cartesian_2d((0..m).into_segmented(), lo..hi)
                    .map_err(err)?;
                chart
                    .configure_mesh()
                    .disable_x_mesh()
                    .x_desc(param)
                    .y_desc(y)
                    .x_label_formatter(&|v| match v {
                        SegmentValue::CenterOf(i) => {
                            levels.get(*i).map(|l| l.to_string()).unwrap_or_default()
                        }
                        _ => String::new(),
                    })
                    .draw()
                    .map_err(err)?;
                chart
                    .draw_series(values.iter().zip(scores).filter_map(|(v, s)| {
                        let at = levels.iter().position(|l| *l == v)?;
                        s.map(|s| Circle::new((SegmentValue::CenterOf(at), s), 4, POINT.filled()))
                    }))
                    .map_err(err)?;
            }
        }
        Ok(())
    })
}

/// Parallel coordinates: one axis per parameter (values scaled to the axis, categories
/// spread evenly), one line per trial, darker for better scores.
pub fn parallel(params: &[String], rows: &[(Vec<String>, f64)], higher: bool) -> String {
    let k = params.len().max(2);
    svg((160 * k as u32, 340), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(24)
            .margin_top(36)
            .build_cartesian_2d(-0.1..(k - 1) as f64 + 0.1, -0.05..1.05)
            .map_err(err)?;
        // Each axis maps its values to [0, 1], and names the values at its ticks.
        let mut ticks: Vec<Vec<(f64, String)>> = Vec::new();
        let scale: Vec<Scale> = (0..params.len())
            .map(|j| {
                let values: Vec<&str> = rows.iter().map(|r| r.0[j].as_str()).collect();
                let numbers: Option<Vec<f64>> =
                    values.iter().map(|v| v.parse::<f64>().ok()).collect();
                match numbers {
                    Some(xs) => {
                        let (lo, hi) = xs
                            .iter()
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                                (a.min(*x), b.max(*x))
                            });
                        let width = (hi - lo).max(1e-12);
                        ticks.push(vec![(0.0, format!("{lo}")), (1.0, format!("{hi}"))]);
                        Box::new(move |v: &str| v.parse::<f64>().map_or(0.5, |x| (x - lo) / width))
                            as Box<dyn Fn(&str) -> f64>
                    }
                    None => {
                        let mut levels: Vec<String> = Vec::new();
                        for v in values {
                            if !levels.iter().any(|l| l == v) {
                                levels.push(v.to_string());
                            }
                        }
                        let m = (levels.len().max(2) - 1) as f64;
                        ticks.push(
                            levels
                                .iter()
                                .enumerate()
                                .map(|(i, l)| (i as f64 / m, l.clone()))
                                .collect(),
                        );
                        Box::new(move |v: &str| {
                            levels.iter().position(|l| l == v).unwrap_or(0) as f64 / m
                        })
                    }
                }
            })
            .collect();
        let (lo, hi) = span(rows.iter().map(|r| r.1), false);
        for (values, score) in rows {
            let t = ((score - lo) / (hi - lo)).clamp(0.0, 1.0);
            let t = if higher { t } else { 1.0 - t };
            let line: Vec<(f64, f64)> = values
                .iter()
                .enumerate()
                .map(|(j, v)| (j as f64, scale[j](v)))
                .collect();
            chart
                .draw_series(LineSeries::new(
                    line,
                    MARK.mix(0.15 + 0.85 * t).stroke_width(2),
                ))
                .map_err(err)?;
        }
        for (j, p) in params.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    [(j as f64, 0.0), (j as f64, 1.0)],
                    BLACK.stroke_width(1),
                ))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    p.clone(),
                    (j as f64 - 0.08, 1.05),
                    ("sans-serif", 13).into_font(),
                )))
                .map_err(err)?;
            for (at, text) in ticks.get(j).into_iter().flatten() {
                chart
                    .draw_series(std::iter::once(Text::new(
                        text.clone(),
                        (j as f64 + 0.02, *at),
                        ("sans-serif", 11).into_font(),
                    )))
                    .map_err(err)?;
            }
        }
        Ok(())
    })
}
