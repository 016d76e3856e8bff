//! What every format shows of the insights, whatever the format: the rows of its tables, the
//! titles of its histograms, its figures as people write them, and text bars and tables (the
//! human format draws them, markdown puts them in code blocks). Each emitter lays them out its
//! own way.

use std::fmt::Write;

use preflight_validator::insights::{Bar, Coverage, Distribution};
use preflight_validator::Insights;

use super::super::{plural, thousands};

/// Width of the longest text bar, in characters.
const BAR_WIDTH: usize = 30;

pub(in crate::render) fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p > 0.0 && p < 0.1 {
        "<0.1%".into()
    } else {
        format!("{p:.1}%")
    }
}

pub(in crate::render) fn share(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A number as people write it: no trailing `.0`, at most 2 decimals.
pub(in crate::render) fn num(x: f64) -> String {
    if x.abs() >= 1e15 || !x.is_finite() {
        return format!("{x}");
    }
    let s = format!("{:.2}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = frac.trim_end_matches('0');
    let sign = if x < 0.0 && s != "0.00" { "-" } else { "" };
    let int = thousands(int.parse().unwrap_or(0));
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// A bar of `count` out of `max`, in eighths of a character.
pub(in crate::render) fn text_bar(count: u64, max: u64) -> String {
    if max == 0 || count == 0 {
        return String::new();
    }
    let eighths = ((count as f64 / max as f64) * (BAR_WIDTH * 8) as f64).round() as usize;
    let eighths = eighths.max(1);
    let mut s = "█".repeat(eighths / 8);
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    s.push_str(PARTS[eighths % 8]);
    s
}

/// Rows of a left-aligned text table (the last column may be free text).
pub(in crate::render) fn table(out: &mut String, indent: &str, rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
        let mut line = indent.to_string();
        for (c, cell) in r.iter().enumerate() {
            if c + 1 == r.len() {
                line.push_str(cell);
            } else {
                let pad = widths[c] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

pub(in crate::render) fn histogram(out: &mut String, indent: &str, bars: &[Bar]) {
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0);
    let rows: Vec<Vec<String>> = bars
        .iter()
        .map(|b| vec![b.label.clone(), thousands(b.count), text_bar(b.count, max)])
        .collect();
    table(out, indent, &rows);
}

pub(in crate::render) fn column_rows(ins: &Insights) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "column".to_string(),
        "kind".into(),
        "complete".into(),
        "distinct".into(),
        "figures".into(),
    ]];
    for c in &ins.columns {
        let more = if c.more { ">" } else { "" };
        let distinct = c
            .distinct
            .map_or("–".into(), |d| format!("{more}{}", thousands(d)));
        let mut figures = String::new();
        if let Some(n) = &c.numeric {
            figures = format!(
                "min {} · Q1 {} · median {} · Q3 {} · max {}",
                num(n.min),
                num(n.q1),
                num(n.median),
                num(n.q3),
                num(n.max)
            );
            if n.outliers > 0 {
                figures.push_str(&format!(" · {} outliers", thousands(n.outliers)));
            }
        } else if let Some(cats) = c.categories {
            let top: Vec<String> = c
                .top
                .iter()
                .take(3)
                .map(|b| format!("{} {}", b.label, thousands(b.count)))
                .collect();
            figures = format!(
                "{more}{}: {}",
                plural(cats, "category").replace("categorys", "categories"),
                top.join(", ")
            );
        }
        rows.push(vec![
            c.name.clone(),
            c.kind.clone(),
            share(c.completeness),
            distinct,
            figures,
        ]);
    }
    rows
}

pub(in crate::render) fn distribution_title(d: &Distribution) -> String {
    format!(
        "interactions per {} ({} IDs; min {}, median {}, mean {}, max {})",
        d.field,
        thousands(d.ids),
        thousands(d.min),
        num(d.median),
        num(d.mean),
        thousands(d.max)
    )
}

pub(in crate::render) fn time_title(ins: &Insights) -> String {
    let unit = ins.time_unit.as_deref().unwrap_or("day");
    match ins.time_range {
        Some((a, b)) => format!(
            "interactions per {unit} ({} to {})",
            day(a.div_euclid(86_400)),
            day(b.div_euclid(86_400))
        ),
        None => format!("interactions per {unit}"),
    }
}

pub(in crate::render) fn day(days: i64) -> String {
    preflight_validator::insights::day_label(days)
}

pub(in crate::render) fn coverage_rows(cov: &[Coverage]) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "ID".to_string(),
        "in".into(),
        "interaction IDs".into(),
        "missing from dataset".into(),
        "their interactions".into(),
        "dataset IDs".into(),
        "without interactions".into(),
        "match only after trim/case".into(),
    ]];
    for c in cov {
        rows.push(vec![
            c.field.clone(),
            c.dataset.clone(),
            thousands(c.interaction_ids),
            format!(
                "{} ({})",
                thousands(c.missing_ids),
                pct(c.missing_ids, c.interaction_ids)
            ),
            format!(
                "{} ({})",
                thousands(c.missing_interactions),
                pct(c.missing_interactions, c.interactions)
            ),
            thousands(c.dataset_ids),
            format!(
                "{} ({})",
                thousands(c.without_interactions),
                pct(c.without_interactions, c.dataset_ids)
            ),
            thousands(c.near_ids),
        ]);
    }
    rows
}

pub(in crate::render) fn examples(c: &Coverage) -> Option<String> {
    if c.examples.is_empty() {
        return None;
    }
    let e: Vec<String> = c
        .examples
        .iter()
        .map(|(a, b)| format!("`{a}` vs `{b}`"))
        .collect();
    Some(format!(
        "{} near matches (interactions vs {}): {}",
        c.field,
        c.dataset,
        e.join(", ")
    ))
}

pub(in crate::render) fn use_case_header() -> Vec<String> {
    ["use case", "needs 1,000 of", "events", ""]
        .map(String::from)
        .to_vec()
}

/// A row per use case: its name, the event type it needs, the events, and `marks[0]` when it
/// has its 1,000 events, else `marks[1]`.
pub(in crate::render) fn use_case_rows(ins: &Insights, marks: [&str; 2]) -> Vec<Vec<String>> {
    ins.use_cases
        .iter()
        .map(|u| {
            vec![
                u.name.clone(),
                u.event_type.clone().unwrap_or_else(|| "any type".into()),
                thousands(u.events),
                marks[usize::from(!u.ok)].into(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_dates() {
        assert_eq!(text_bar(0, 10), "");
        assert_eq!(text_bar(10, 10), "█".repeat(30));
        assert_eq!(text_bar(1, 1000), "▏");
        assert_eq!(num(16170.5), "16,170.5");
        assert_eq!(num(-2.0), "-2");
        assert_eq!(num(0.333), "0.33");
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(19_782), "2024-02-29");
    }
}
