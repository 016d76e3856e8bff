//! The markdown format (`--format markdown`, and the step summary of `--format github`): a
//! status line, the plan's table, the insights' tables and histograms, a table of findings per
//! rule and the first findings, for pull-request comments and `$GITHUB_STEP_SUMMARY`. Kept
//! under a byte limit: GitHub rejects step summaries over 1 MiB. Several datasets get a
//! section each, sharing the limit.

use std::fmt::Write;

use preflight_validator::insights::Bar;
use preflight_validator::{ExistingState, Insights, Plan, Severity};

use super::view::insights::{
    column_rows, coverage_rows, distribution_title, examples, histogram, share, time_title,
    use_case_header, use_case_rows,
};
use super::view::plan::{counts, dataset, identity, rows};
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

/// What `fix` changed, as a table of rules with their first lines.
fn fix(f: &super::FixReport, report: &preflight_validator::Report) -> String {
    let mut out = format!("**{}**\n\n", cell(&f.headline()));
    if !f.summary.changes.is_empty() {
        out.push_str("| rule | fix | changes | first lines |\n|---|---|---|---|\n");
        for c in &f.summary.changes {
            let lines: Vec<String> = c.examples.iter().map(super::FixReport::example).collect();
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {} |",
                c.rule.code,
                c.rule.name,
                c.applicability,
                super::FixReport::counts(c),
                cell(&lines.join("<br>"))
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}.\n", cell(&f.records()));
    if let Some(hint) = f.unsafe_hint() {
        let _ = writeln!(out, "{}.\n", cell(&hint));
    }
    if report.summary.errors > 0 {
        let _ = writeln!(
            out,
            "Not importable yet: {} left in the output.\n",
            plural(report.summary.errors, "error")
        );
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
    if let Some(f) = section.fix {
        out.push_str(&fix(f, report));
    }
    if let Some(p) = section.plan {
        out.push_str(&plan(p));
    }
    if let Some(c) = section.changes {
        out.push_str(&crate::changes::markdown(c));
    }
    if let Some(ins) = section.insights {
        out.push_str(&insights(ins));
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
        let message = match super::fix_note(d) {
            Some(note) => format!("{} ({note})", d.message),
            None => d.message.clone(),
        };
        let row = format!(
            "| {icon} | {place} | {} | {} |\n",
            d.rule.code,
            cell(&message)
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

/// The plan's table.
fn plan(p: &Plan) -> String {
    let mut out = format!(
        "**Plan:** {} import into {} (a record is identified by {}).\n\n| | records | |\n|---|---:|---|\n",
        p.mode,
        dataset(p),
        identity(p)
    );
    let cell = |s: &str| s.replace('|', "\\|");
    match (&p.existing, p.existing_state) {
        (Some(e), _) => {
            let _ = writeln!(
                out,
                "| existing data | {} | {} |",
                thousands(e.records),
                plural(e.files.len() as u64, "file")
            );
        }
        (None, ExistingState::Empty) => {
            out.push_str("| existing data | 0 | none: the dataset holds no bulk data yet |\n")
        }
        (None, _) => out.push_str(
            "| existing data | ? | unknown (not given): counts that depend on it are bounds |\n",
        ),
    }
    let _ = writeln!(
        out,
        "| new batch | {} | {} |",
        thousands(p.batch.records),
        plural(p.batch.files, "file")
    );
    for (label, n, note) in rows(p) {
        let _ = writeln!(out, "| {label} | {} | {} |", n.cell(), cell(&note));
    }
    let note = if p.result().is_some() {
        " ".to_string()
    } else {
        format!(
            " the dataset's records plus at most {} ",
            thousands(p.batch.distinct)
        )
    };
    let _ = writeln!(
        out,
        "| **after the job** | **{}** |{note}|\n",
        counts(p).result.cell()
    );
    out
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

/// The insights' tables and histograms.
fn insights(ins: &Insights) -> String {
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

/// A table cell: at most 300 characters, pipes escaped, one line.
fn cell(s: &str) -> String {
    let s: String = s.chars().take(300).collect();
    s.replace('|', "\\|").replace('\n', " ")
}

/// A file name inside a code span in a table: pipes escaped, backticks replaced.
fn code_span(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}
