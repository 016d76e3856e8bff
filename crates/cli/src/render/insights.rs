//! The insights of `preflight insights` (and `validate --insights`) in every format: compact
//! tables and text histograms for the terminal and markdown, a JSON value for json and sarif,
//! a one-line notice for GitHub, and one self-contained HTML page with inline SVG charts.

use std::fmt::Write;

use preflight_validator::insights::{Bar, Coverage, Distribution};
use preflight_validator::{Insights, Report, Severity};
use serde_json::Value;

use super::{plural, thousands, Section};

/// Width of the longest text bar, in characters.
const BAR_WIDTH: usize = 30;

fn pct(part: u64, whole: u64) -> String {
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

fn share(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A number as people write it: no trailing `.0`, at most 2 decimals.
fn num(x: f64) -> String {
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
fn text_bar(count: u64, max: u64) -> String {
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
fn table(out: &mut String, indent: &str, rows: &[Vec<String>]) {
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

fn histogram(out: &mut String, indent: &str, bars: &[Bar]) {
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0);
    let rows: Vec<Vec<String>> = bars
        .iter()
        .map(|b| vec![b.label.clone(), thousands(b.count), text_bar(b.count, max)])
        .collect();
    table(out, indent, &rows);
}

fn column_rows(ins: &Insights) -> Vec<Vec<String>> {
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

fn distribution_title(d: &Distribution) -> String {
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

fn time_title(ins: &Insights) -> String {
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

fn day(days: i64) -> String {
    preflight_validator::insights::day_label(days)
}

fn coverage_rows(cov: &[Coverage]) -> Vec<Vec<String>> {
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

fn examples(c: &Coverage) -> Option<String> {
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

/// The human format's insight tables and histograms.
pub fn human(out: &mut String, ins: &Insights) {
    let ty = ins.dataset_type.as_deref().unwrap_or("dataset");
    let _ = writeln!(out, "Insights: {ty}, {}", plural(ins.records, "record"));
    if let Some(v) = &ins.validation {
        let _ = writeln!(
            out,
            "  (validation also found {}, {} and {} info: run `preflight validate` to see them)",
            plural(v.errors, "error"),
            plural(v.warnings, "warning"),
            thousands(v.infos)
        );
    }
    if ins.columns.is_empty() {
        return;
    }
    out.push('\n');
    table(out, "  ", &column_rows(ins));
    if !ins.event_types.is_empty() {
        let _ = writeln!(out, "\n  event types");
        let max = ins.event_types.iter().map(|e| e.count).max().unwrap_or(0);
        let rows: Vec<Vec<String>> = ins
            .event_types
            .iter()
            .map(|e| {
                vec![
                    e.event_type.clone(),
                    thousands(e.count),
                    share(e.share),
                    text_bar(e.count, max),
                ]
            })
            .collect();
        table(out, "    ", &rows);
    }
    if !ins.use_cases.is_empty() {
        let _ = writeln!(
            out,
            "\n  use cases (1,000 events of the required type each)"
        );
        table(out, "    ", &use_case_rows(ins, ["ok", "too few"]));
    }
    for d in &ins.distributions {
        let _ = writeln!(out, "\n  {}", distribution_title(d));
        histogram(out, "    ", &d.bars);
    }
    if !ins.over_time.is_empty() {
        let _ = writeln!(out, "\n  {}", time_title(ins));
        histogram(out, "    ", &ins.over_time);
    }
    if let Some(w) = &ins.window {
        let _ = writeln!(
            out,
            "\n  window: {}; {} records are from before {}",
            w.what,
            thousands(w.older),
            w.start_day
        );
    }
    if !ins.coverage.is_empty() {
        let _ = writeln!(out, "\n  coverage");
        table(out, "    ", &coverage_rows(&ins.coverage));
        for c in &ins.coverage {
            if let Some(e) = examples(c) {
                let _ = writeln!(out, "    {e}");
            }
        }
    }
    out.push('\n');
}

fn md_table(out: &mut String, rows: &[Vec<String>], right: &[usize]) {
    let Some(head) = rows.first() else { return };
    let cell = |s: &str| s.replace('|', "\\|");
    let _ = writeln!(
        out,
        "| {} |",
        head.iter().map(|s| cell(s)).collect::<Vec<_>>().join(" | ")
    );
    let align: Vec<&str> = (0..head.len())
        .map(|i| if right.contains(&i) { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "|{}|", align.join("|"));
    for r in &rows[1..] {
        let _ = writeln!(
            out,
            "| {} |",
            r.iter().map(|s| cell(s)).collect::<Vec<_>>().join(" | ")
        );
    }
    out.push('\n');
}

fn md_histogram(out: &mut String, title: &str, bars: &[Bar]) {
    let _ = writeln!(out, "**{title}**\n\n```text");
    histogram(out, "", bars);
    out.push_str("```\n\n");
}

/// The markdown format's insight tables and histograms.
pub fn markdown(ins: &Insights) -> String {
    let mut out = String::new();
    let ty = ins.dataset_type.as_deref().unwrap_or("dataset");
    let _ = writeln!(
        out,
        "**Insights: {ty}, {}**\n",
        plural(ins.records, "record")
    );
    if let Some(v) = &ins.validation {
        let _ = writeln!(
            out,
            "Validation also found {}, {} and {} info: run `preflight validate` to see them.\n",
            plural(v.errors, "error"),
            plural(v.warnings, "warning"),
            thousands(v.infos)
        );
    }
    if ins.columns.is_empty() {
        return out;
    }
    md_table(&mut out, &column_rows(ins), &[2, 3]);
    if !ins.event_types.is_empty() {
        let mut rows = vec![vec![
            "event type".to_string(),
            "records".into(),
            "share".into(),
        ]];
        rows.extend(
            ins.event_types
                .iter()
                .map(|e| vec![e.event_type.clone(), thousands(e.count), share(e.share)]),
        );
        md_table(&mut out, &rows, &[1, 2]);
    }
    if !ins.use_cases.is_empty() {
        let mut rows = vec![use_case_header()];
        rows.extend(use_case_rows(ins, ["✅", "❌"]));
        md_table(&mut out, &rows, &[2]);
    }
    for d in &ins.distributions {
        md_histogram(&mut out, &distribution_title(d), &d.bars);
    }
    if !ins.over_time.is_empty() {
        md_histogram(&mut out, &time_title(ins), &ins.over_time);
    }
    if let Some(w) = &ins.window {
        let _ = writeln!(
            out,
            "Window: {}; {} records are from before {}.\n",
            w.what,
            thousands(w.older),
            w.start_day
        );
    }
    if !ins.coverage.is_empty() {
        md_table(&mut out, &coverage_rows(&ins.coverage), &[2, 3, 4, 5, 6, 7]);
        for c in &ins.coverage {
            if let Some(e) = examples(c) {
                let _ = writeln!(out, "{e}\n");
            }
        }
    }
    out
}

/// The insights as JSON (the json format's `insights`, sarif's property bag).
pub fn json(ins: &Insights) -> Value {
    serde_json::to_value(ins).unwrap_or(Value::Null)
}

/// One line for a GitHub notice.
pub fn line(ins: &Insights) -> String {
    let mut s = format!(
        "{} {}",
        plural(ins.records, "record"),
        ins.dataset_type.as_deref().unwrap_or("")
    );
    for c in &ins.coverage {
        s.push_str(&format!(
            "; {} {} missing from {} ({}), {} without interactions ({}), {} match only after trim/case",
            thousands(c.missing_ids),
            c.field,
            c.dataset,
            pct(c.missing_ids, c.interaction_ids),
            thousands(c.without_interactions),
            pct(c.without_interactions, c.dataset_ids),
            thousands(c.near_ids)
        ));
    }
    s
}

fn html_esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart as inline SVG: one labelled bar per entry.
fn svg_bars(title: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let row = 22;
    let (label_w, bar_w, value_w) = (150, 520, 110);
    let height = bars.len() * row + 10;
    let mut s = format!(
        "<figure><figcaption>{}</figcaption><svg class=\"chart\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\">",
        html_esc(title),
        html_esc(title),
        label_w + bar_w + value_w,
        label_w + bar_w + value_w
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i * row + 5;
        let w = (b.count as f64 / max as f64 * bar_w as f64).round() as usize;
        let w = if b.count > 0 { w.max(1) } else { 0 };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"bar\" x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{}\"><title>{}: {}</title></rect><text x=\"{}\" y=\"{}\">{}</text>",
            label_w - 8,
            y + 15,
            html_esc(&b.label),
            row - 6,
            html_esc(&b.label),
            thousands(b.count),
            label_w + w + 6,
            y + 15,
            thousands(b.count)
        );
    }
    s.push_str("</svg></figure>\n");
    s
}

fn html_table(rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table>");
    for (i, r) in rows.iter().enumerate() {
        s.push_str("<tr>");
        for c in r {
            if i == 0 {
                let _ = write!(s, "<th>{}</th>", html_esc(c));
            } else {
                let _ = write!(s, "<td>{}</td>", html_esc(c));
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>\n");
    s
}

const CSS: &str = "body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#1f2328;padding:0 16px}\
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:32px}h3{font-size:15px}\
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}th{background:#f6f8fa}\
figure{margin:8px 0 16px}figcaption{font-weight:600;margin-bottom:4px}svg.chart text{font-size:12px;fill:#1f2328}rect.bar{fill:#0969da}\
.error{color:#cf222e}.warning{color:#9a6700}.info{color:#0969da}ul.findings li{margin:4px 0}.help{color:#57606a}";

/// Counts the charts that rendered with a size into `body[data-charts]`, so that a headless
/// browser test can tell a laid-out page from markup alone. The page does not need it.
const CHECK: &str = "<script>document.body.dataset.charts=[...document.querySelectorAll('svg.chart')].filter(s=>s.getBBox().width>0).length;</script>";

/// One self-contained HTML page: every dataset's findings, tables and charts (inline SVG; no
/// script, no external resource).
pub fn html(sections: &[Section<'_>]) -> String {
    let mut body = String::new();
    for s in sections {
        let r: &Report = s.report;
        let ty = r.dataset_type.as_deref().unwrap_or("dataset");
        let name = s.name.map_or(ty.to_string(), |n| format!("{n} ({ty})"));
        let _ = writeln!(body, "<h2>{}</h2>", html_esc(&name));
        let sm = &r.summary;
        let files: Vec<String> = r.files.iter().map(|f| html_esc(&f.path)).collect();
        let _ = writeln!(
            body,
            "<p>{} in {}: {}. {}, {}, {} info.</p>",
            plural(sm.records, "record"),
            plural(sm.files, "file"),
            files.join(", "),
            plural(sm.errors, "error"),
            plural(sm.warnings, "warning"),
            thousands(sm.infos)
        );
        if !r.diagnostics.is_empty() {
            body.push_str("<ul class=\"findings\">");
            for d in &r.diagnostics {
                let class = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "info",
                };
                let help = d
                    .help
                    .as_deref()
                    .map(|h| format!("<br><span class=\"help\">help: {}</span>", html_esc(h)))
                    .unwrap_or_default();
                let _ = write!(
                    body,
                    "<li><b class=\"{class}\">{}[{}]</b> {} <i>({})</i>{help}</li>",
                    d.severity,
                    d.rule.code,
                    html_esc(&d.message),
                    d.rule.name
                );
            }
            body.push_str("</ul>\n");
        }
        let Some(ins) = s.insights else { continue };
        if let Some(v) = &ins.validation {
            let _ = writeln!(
                body,
                "<p>Validation also found {}, {} and {} info: run <code>preflight validate</code> to see them.</p>",
                plural(v.errors, "error"),
                plural(v.warnings, "warning"),
                thousands(v.infos)
            );
        }
        if !ins.columns.is_empty() {
            body.push_str("<h3>Columns</h3>");
            body.push_str(&html_table(&column_rows(ins)));
        }
        if !ins.event_types.is_empty() {
            let bars: Vec<Bar> = ins
                .event_types
                .iter()
                .map(|e| Bar {
                    label: e.event_type.clone(),
                    count: e.count,
                })
                .collect();
            body.push_str(&svg_bars("Interactions per event type", &bars));
        }
        if !ins.use_cases.is_empty() {
            let mut rows = vec![use_case_header()];
            rows.extend(use_case_rows(ins, ["ok", "too few"]));
            body.push_str(&html_table(&rows));
        }
        for d in &ins.distributions {
            body.push_str(&svg_bars(&distribution_title(d), &d.bars));
        }
        if !ins.over_time.is_empty() {
            body.push_str(&svg_bars(&time_title(ins), &ins.over_time));
        }
        if let Some(w) = &ins.window {
            let _ = writeln!(
                body,
                "<p>Window: {}; {} records are from before {}.</p>",
                html_esc(&w.what),
                thousands(w.older),
                w.start_day
            );
        }
        if !ins.coverage.is_empty() {
            body.push_str("<h3>Coverage</h3>");
            body.push_str(&html_table(&coverage_rows(&ins.coverage)));
            for c in &ins.coverage {
                if let Some(e) = examples(c) {
                    let _ = writeln!(body, "<p>{}</p>", html_esc(&e));
                }
            }
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>preflight insights</title><style>{CSS}</style></head>\n<body><h1>preflight insights</h1>\n{body}<p class=\"help\">preflight {}</p>{CHECK}</body></html>\n",
        env!("CARGO_PKG_VERSION")
    )
}

fn use_case_header() -> Vec<String> {
    ["use case", "needs 1,000 of", "events", ""]
        .map(String::from)
        .to_vec()
}

/// A row per use case: its name, the event type it needs, the events, and `marks[0]` when it
/// has its 1,000 events, else `marks[1]`.
fn use_case_rows(ins: &Insights, marks: [&str; 2]) -> Vec<Vec<String>> {
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
        assert_eq!(html_esc("<a&\">"), "&lt;a&amp;&quot;&gt;");
    }
}
