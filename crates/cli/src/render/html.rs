//! The insights as one self-contained HTML page (`--html FILE`): every dataset's findings,
//! tables and charts (inline SVG; no script, no external resource). Not an output format: it is
//! written beside the chosen one.

use std::fmt::Write;

use preflight_validator::insights::Bar;
use preflight_validator::{Report, Severity};

use super::view::insights::{
    column_rows, coverage_rows, distribution_title, examples, time_title, use_case_header,
    use_case_rows,
};
use super::{plural, thousands, Section};

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
pub fn render(sections: &[Section<'_>]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(html_esc("<a&\">"), "&lt;a&amp;&quot;&gt;");
    }
}
