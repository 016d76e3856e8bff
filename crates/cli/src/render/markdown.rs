//! A markdown summary (for `$GITHUB_STEP_SUMMARY` and pull-request comments), kept under a
//! byte limit: GitHub rejects step summaries over 1 MiB.

use std::fmt::Write;

use preflight_validator::{Report, Severity};

use super::{plural, thousands};

/// Budget for the step summary, under GitHub's 1 MiB limit with room for other steps.
pub const STEP_SUMMARY_LIMIT: usize = 900 * 1024;

pub fn render(report: &Report, limit: usize) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let status = if s.errors > 0 {
        "❌"
    } else if s.warnings > 0 {
        "⚠️"
    } else {
        "✅"
    };
    let _ = writeln!(
        out,
        "## {status} preflight: {}, {}, {} info\n",
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
        return out;
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
            (Some(f), Some(line)) => format!("`{f}:{line}`"),
            (Some(f), None) => format!("`{f}`"),
            _ => "dataset".into(),
        };
        let row = format!(
            "| {icon} | {place} | {} | {} |\n",
            d.rule.code,
            cell(&d.message)
        );
        if out.len() + row.len() + 200 > limit {
            let _ = writeln!(
                out,
                "\n_{} more findings not listed (size limit)._",
                report.diagnostics.len() - listed
            );
            return out;
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
    out
}

fn cell(s: &str) -> String {
    let s: String = s.chars().take(300).collect();
    s.replace('|', "\\|").replace('\n', " ")
}
