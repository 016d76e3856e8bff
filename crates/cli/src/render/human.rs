//! The human format: each finding with its source line and a caret under the value, the plan's
//! table and the insights' tables and histograms, then a summary. Colours only when asked for.

use std::fmt::Write;

use preflight_validator::{Diagnostic, Insights, Plan, Report, Severity};

use super::view::insights::{
    column_rows, coverage_rows, distribution_title, examples, histogram, share, table, text_bar,
    time_title, use_case_rows,
};
use super::view::plan::{after_the_job, dataset, existing_line, files, identity, rows};
use super::{plural, thousands, FixReport, Section};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn sev(&self, sev: Severity, s: &str) -> String {
        self.wrap(
            match sev {
                Severity::Error => "1;31",
                Severity::Warning => "1;33",
                Severity::Info => "1;36",
            },
            s,
        )
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2;34", s)
    }
}

/// Renders every section: one report as before, several under a heading per dataset, then the
/// totals.
pub fn render(sections: &[Section<'_>], color: bool) -> String {
    if let [s @ Section { name: None, .. }] = sections {
        return section(s, color);
    }
    let p = Paint { on: color };
    let mut out = String::new();
    if sections.is_empty() {
        out.push_str("No dataset to check.\n");
        return out;
    }
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for s in sections {
        let title = format!("dataset `{}`", s.name.unwrap_or("-"));
        let _ = writeln!(out, "{}\n", p.bold(&format!("── {title} ──")));
        out.push_str(&section(s, color));
        out.push('\n');
        errors += s.report.summary.errors;
        warnings += s.report.summary.warnings;
        infos += s.report.summary.infos;
    }
    let _ = writeln!(
        out,
        "{}: {}, {}, {} info.",
        plural(sections.len() as u64, "dataset"),
        plural(errors, "error"),
        plural(warnings, "warning"),
        thousands(infos)
    );
    out
}

/// One import: its findings, its plan, its insights, its summary.
fn section(s: &Section<'_>, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    if let Some(f) = s.fix {
        fix(&mut out, f, s.report, &p);
    }
    for d in &s.report.diagnostics {
        diagnostic(&mut out, d, &p);
    }
    if let Some(table) = s.plan {
        plan(&mut out, table);
    }
    if let Some(c) = s.changes {
        out.push_str(&crate::changes::human(c));
    }
    if let Some(ins) = s.insights {
        insights(&mut out, ins);
    }
    summary(&mut out, s.report, &p);
    out
}

/// What `fix` changed: per rule, its counts and first lines; the records; then whether the
/// output is importable (its remaining findings follow).
fn fix(out: &mut String, f: &FixReport, report: &Report, p: &Paint) {
    let _ = writeln!(out, "{}", p.bold(&f.headline()));
    for c in &f.summary.changes {
        let _ = writeln!(
            out,
            "  {} {} ({}): {}",
            p.bold(c.rule.code),
            c.rule.name,
            c.applicability,
            FixReport::counts(c)
        );
        for e in &c.examples {
            let _ = writeln!(out, "    {}", p.dim(&FixReport::example(e)));
        }
    }
    let _ = writeln!(out, "  {}", f.records());
    if let Some(hint) = f.unsafe_hint() {
        let _ = writeln!(out, "  {hint}");
    }
    let remaining = report.summary.errors + report.summary.warnings + report.summary.infos;
    if report.summary.errors > 0 {
        let _ = writeln!(
            out,
            "  {} {} left in the output (below): it is not importable yet",
            p.sev(Severity::Error, "not importable:"),
            plural(report.summary.errors, "error")
        );
    } else if remaining > 0 {
        let _ = writeln!(
            out,
            "  {} left in the output (below)",
            plural(remaining, "finding")
        );
    }
    out.push('\n');
}

fn diagnostic(out: &mut String, d: &Diagnostic, p: &Paint) {
    let head = format!("{}[{}]", d.severity, d.rule.code);
    let _ = writeln!(
        out,
        "{}: {} {}",
        p.sev(d.severity, &head),
        p.bold(&d.message),
        p.dim(&format!("({})", d.rule.name))
    );
    let loc = &d.location;
    let width = loc.line.map_or(1, |l| l.to_string().len());
    if let Some(file) = &loc.file {
        let mut place = file.clone();
        if let Some(line) = loc.line {
            place.push_str(&format!(":{line}"));
            if let Some(s) = &d.snippet {
                place.push_str(&format!(":{}", s.line_col));
            }
        }
        let mut extra = Vec::new();
        if let Some(c) = loc.column {
            extra.push(format!("column {c}"));
        }
        if let Some(f) = &loc.field {
            extra.push(f.clone());
        }
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" ({})", extra.join(", "))
        };
        let _ = writeln!(out, "{}{} {place}{extra}", " ".repeat(width), p.dim("-->"));
    }
    if let (Some(line), Some(s)) = (loc.line, &d.snippet) {
        let bar = p.dim("|");
        let text = format!(
            "{}{}{}",
            if s.cut_left { "…" } else { "" },
            s.text,
            if s.cut_right { "…" } else { "" }
        );
        let offset = s.start + usize::from(s.cut_left);
        let _ = writeln!(out, "{} {bar}", " ".repeat(width));
        let _ = writeln!(out, "{} {bar} {text}", p.dim(&line.to_string()));
        let _ = writeln!(
            out,
            "{} {bar} {}{}",
            " ".repeat(width),
            " ".repeat(offset),
            p.sev(d.severity, &"^".repeat(s.len.min(120)))
        );
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{} {} {help}", " ".repeat(width), p.bold("= help:"));
    }
    if let Some(note) = super::fix_note(d) {
        let _ = writeln!(out, "{} {} {note}", " ".repeat(width), p.bold("= note:"));
    }
    out.push('\n');
}

fn summary(out: &mut String, r: &Report, p: &Paint) {
    let s = &r.summary;
    if s.files > 0 {
        let mut against = String::new();
        if let Some(t) = &r.dataset_type {
            against = format!(" against the {t} schema");
            if let Some(d) = &r.domain {
                against.push_str(&format!(" ({d})"));
            }
            if let Some(src) = &r.schema {
                against.push_str(&format!(" from {src}"));
            }
        }
        let _ = writeln!(
            out,
            "Checked {}, {} ({}){against}.",
            plural(s.files, "file"),
            plural(s.records, "record"),
            human_bytes(s.bytes)
        );
    } else if let Some(src) = &r.schema {
        let _ = writeln!(
            out,
            "Checked the schema {src}{}.",
            r.dataset_type
                .as_ref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default()
        );
    }
    if s.errors + s.warnings + s.infos == 0 {
        let _ = writeln!(out, "{}", p.wrap("1;32", "No problems found."));
        return;
    }
    let mut parts = Vec::new();
    if s.errors > 0 {
        parts.push(p.sev(Severity::Error, &plural(s.errors, "error")));
    }
    if s.warnings > 0 {
        parts.push(p.sev(Severity::Warning, &plural(s.warnings, "warning")));
    }
    if s.infos > 0 {
        parts.push(p.sev(Severity::Info, &format!("{} info", thousands(s.infos))));
    }
    let _ = writeln!(out, "Found {}.", parts.join(", "));
    if s.omitted > 0 {
        let hidden: Vec<String> = r
            .rules
            .iter()
            .filter(|c| c.total > c.shown)
            .map(|c| format!("{} ×{}", c.code, thousands(c.total - c.shown)))
            .collect();
        let _ = writeln!(
            out,
            "{} more not shown ({}); raise --max-diagnostics to see them.",
            thousands(s.omitted),
            hidden.join(", ")
        );
    }
}

/// The plan's table, after the findings.
pub(super) fn plan(out: &mut String, p: &Plan) {
    let _ = writeln!(
        out,
        "Plan: {} import into {} (a record is identified by {}).",
        p.mode,
        dataset(p),
        identity(p)
    );
    if p.data_errors > 0 {
        let _ = writeln!(
            out,
            "  The new data has {}: the import job would fail. The plan counts only its {} well-formed {}.",
            plural(p.data_errors, "error"),
            thousands(p.batch.records),
            if p.batch.records == 1 { "record" } else { "records" }
        );
    }
    let _ = writeln!(out, "  existing data  {}", existing_line(p));
    let _ = writeln!(
        out,
        "  new batch      {}",
        files(p.batch.files, p.batch.records, p.batch.bytes)
    );
    let width = rows(p)
        .iter()
        .map(|(_, n, _)| n.cell().chars().count())
        .max()
        .unwrap_or(1);
    for (label, n, note) in rows(p) {
        let _ = writeln!(out, "    {label:<11}{:>width$}  {note}", n.cell());
    }
    let _ = writeln!(out, "  after the job  {}", after_the_job(p));
    for w in &p.written {
        let _ = writeln!(
            out,
            "  wrote          {} ({}, {})",
            w.path.display(),
            w.kind,
            plural(w.records, "record")
        );
    }
    out.push('\n');
}

/// The insights' tables and histograms, after the findings (and the plan).
fn insights(out: &mut String, ins: &Insights) {
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

/// Bytes in binary units (`41.7 KiB`).
pub(crate) fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
