//! The markdown format (`--format markdown`, and the step summary of `--format github`): a
//! status line, a table of findings per rule and the first findings, for pull-request comments
//! and `$GITHUB_STEP_SUMMARY`. Kept under a byte limit: GitHub rejects step summaries over
//! 1 MiB. Several datasets get a section each, sharing the limit.

use std::fmt::Write;

use preflight_validator::Severity;

use super::{plural, thousands, Section};

/// Budget for the step summary, under GitHub's 1 MiB limit with room for other steps.
pub const STEP_SUMMARY_LIMIT: usize = 900 * 1024;

/// Bytes kept free for the closing notes after the last finding row.
const RESERVE: usize = 400;

pub fn render(sections: &[Section<'_>], limit: usize) -> String {
    let mut out = String::new();
    if let [s @ Section { name: None, .. }] = sections {
        report_section(&mut out, s, "##", limit);
        return out;
    }
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for s in sections {
        errors += s.report.summary.errors;
        warnings += s.report.summary.warnings;
        infos += s.report.summary.infos;
    }
    let _ = writeln!(
        out,
        "## {} preflight: {}, {}, {} info in {}\n",
        status(errors, warnings),
        plural(errors, "error"),
        plural(warnings, "warning"),
        thousands(infos),
        plural(sections.len() as u64, "dataset")
    );
    for (i, s) in sections.iter().enumerate() {
        // Each remaining section gets an equal share of what is left, so the last dataset is
        // never crowded out by the first.
        let left = limit.saturating_sub(out.len());
        let share = left / (sections.len() - i);
        let mut part = String::new();
        let name = s.name.unwrap_or("-");
        let _ = writeln!(part, "### dataset `{name}`\n");
        report_section(&mut part, s, "####", share);
        out.push_str(&part);
    }
    out
}

fn status(errors: u64, warnings: u64) -> &'static str {
    if errors > 0 {
        "❌"
    } else if warnings > 0 {
        "⚠️"
    } else {
        "✅"
    }
}

/// One report, `out` (which may already hold a heading) staying within `limit` bytes.
fn report_section(out: &mut String, section: &Section<'_>, heading: &str, limit: usize) {
    let report = section.report;
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{heading} {} preflight: {}, {}, {} info\n",
        status(s.errors, s.warnings),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        thousands(s.infos)
    );
    let _ = writeln!(
        out,
        "Checked {}, {}.\n",
        plural(s.files, "file"),
        plural(s.records, "record")
    );
    if let Some(plan) = section.plan {
        out.push_str(&super::plan::markdown(plan));
    }
    if let Some(ins) = section.insights {
        out.push_str(&super::insights::markdown(ins));
    }
    if !report.rules.is_empty() {
        out.push_str("| rule | name | severity | findings |\n|---|---|---|---:|\n");
        for c in &report.rules {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                c.code,
                c.name,
                c.severity,
                thousands(c.total)
            );
        }
        out.push('\n');
    }
    if report.diagnostics.is_empty() {
        return;
    }
    out.push_str("| | location | rule | message |\n|---|---|---|---|\n");
    for (listed, d) in report.diagnostics.iter().enumerate() {
        let icon = match d.severity {
            Severity::Error => "❌",
            Severity::Warning => "⚠️",
            Severity::Info => "ℹ️",
        };
        let l = &d.location;
        let place = match (&l.file, l.line) {
            (Some(f), Some(line)) => format!("`{}:{line}`", code_span(f)),
            (Some(f), None) => format!("`{}`", code_span(f)),
            _ => "dataset".into(),
        };
        let row = format!(
            "| {icon} | {place} | {} | {} |\n",
            d.rule.code,
            cell(&d.message)
        );
        if out.len() + row.len() + RESERVE > limit {
            let _ = writeln!(
                out,
                "\n_{} more findings not listed (size limit)._",
                report.diagnostics.len() - listed
            );
            return;
        }
        out.push_str(&row);
    }
    if s.omitted > 0 {
        let _ = writeln!(
            out,
            "\n_{} more findings not shown (per-rule cap; raise `--max-diagnostics`)._",
            thousands(s.omitted)
        );
    }
    out.push('\n');
}

/// A table cell: at most 300 characters, pipes escaped, one line.
fn cell(s: &str) -> String {
    let s: String = s.chars().take(300).collect();
    s.replace('|', "\\|").replace('\n', " ")
}

/// A file name inside a code span in a table: pipes escaped, backticks replaced.
fn code_span(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}
