//! The github format: workflow commands that GitHub Actions turns into annotations, a notice
//! with the plan and one with the insights, and the markdown step summary appended to
//! `$GITHUB_STEP_SUMMARY`. GitHub shows at most 10 annotations per severity per step, so we
//! print 10 of each and a notice with the count of the rest (the step summary lists more).

use std::fmt::Write;
use std::io::Write as _;

use preflight_validator::{Insights, Plan, Report, Severity};

use super::view::insights::pct;
use super::view::plan::{dataset, rows};
use super::{plural, thousands, Section};

/// Annotations per severity that GitHub displays for one step.
pub const PER_SEVERITY: usize = 10;

pub fn render(sections: &[Section<'_>]) -> String {
    let mut out = String::new();
    for f in sections.iter().filter_map(|s| s.fix) {
        let mut msg = f.headline();
        for c in &f.summary.changes {
            msg.push_str(&format!(
                "\n{} {} ({}): {}",
                c.rule.code,
                c.rule.name,
                c.applicability,
                super::FixReport::counts(c)
            ));
            for e in &c.examples {
                msg.push_str(&format!("\n  {}", super::FixReport::example(e)));
            }
        }
        msg.push_str(&format!("\n{}", f.records()));
        if let Some(hint) = f.unsafe_hint() {
            msg.push_str(&format!("\n{hint}"));
        }
        let _ = writeln!(
            out,
            "::notice file={},title=preflight fix::{}",
            escape_property(&f.input),
            escape_data(&msg)
        );
    }
    let mut shown = [0usize; 3];
    for d in sections.iter().flat_map(|s| &s.report.diagnostics) {
        let (idx, cmd) = match d.severity {
            Severity::Error => (0, "error"),
            Severity::Warning => (1, "warning"),
            Severity::Info => (2, "notice"),
        };
        if shown[idx] >= PER_SEVERITY {
            continue;
        }
        shown[idx] += 1;
        let mut props = Vec::new();
        let l = &d.location;
        if let Some(f) = &l.file {
            props.push(format!("file={}", escape_property(f)));
            if let Some(line) = l.line {
                props.push(format!("line={line}"));
                if let Some(s) = &d.snippet {
                    props.push(format!("col={}", s.line_col));
                }
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.rule.code, d.rule.name))
        ));
        let mut msg = d.message.clone();
        if let Some(field) = &l.field {
            msg = format!("{msg} [{field}]");
        }
        if let Some(h) = &d.help {
            msg = format!("{msg}\nhelp: {h}");
        }
        if let Some(note) = super::fix_note(d) {
            msg = format!("{msg}\n{note}");
        }
        let _ = writeln!(out, "::{cmd} {}::{}", props.join(","), escape_data(&msg));
    }
    let total = |f: fn(&Report) -> u64| sections.iter().map(|s| f(s.report)).sum::<u64>();
    let rest = |total: u64, n: usize| total.saturating_sub(n as u64);
    let (re, rw, ri) = (
        rest(total(|r| r.summary.errors), shown[0]),
        rest(total(|r| r.summary.warnings), shown[1]),
        rest(total(|r| r.summary.infos), shown[2]),
    );
    if re + rw + ri > 0 {
        let _ = writeln!(
            out,
            "::notice title=preflight::{}",
            escape_data(&format!(
                "{} more finding(s) not annotated ({}, {}, {} info); see the step summary or run with --format human",
                re + rw + ri,
                plural(re, "error"),
                plural(rw, "warning"),
                ri
            ))
        );
    }
    for section in sections {
        let s = &section.report.summary;
        let name = section.name.map(|n| format!(" [{n}]")).unwrap_or_default();
        if let Some(p) = section.plan {
            let _ = writeln!(
                out,
                "::notice title=preflight plan{}::{}",
                escape_property(&name),
                escape_data(&plan_line(p))
            );
        }
        if let Some(ins) = section.insights {
            let _ = writeln!(
                out,
                "::notice title=preflight insights{}::{}",
                escape_property(&name),
                escape_data(&insights_line(ins))
            );
        }
        let _ = writeln!(
            out,
            "preflight{name}: {}, {}, {} info in {}, {}",
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            s.infos,
            plural(s.files, "file"),
            plural(s.records, "record")
        );
    }
    out
}

/// The plan in one line (its notice).
fn plan_line(p: &Plan) -> String {
    let shown: Vec<String> = rows(p)
        .iter()
        .map(|(label, n, _)| format!("{} {label}", n.cell()))
        .collect();
    format!(
        "{} import into {}: {} in the batch ({}); {} after the job{}",
        p.mode,
        dataset(p),
        plural(p.batch.records, "record"),
        shown.join(", "),
        match p.result() {
            Some(n) => plural(n, "record"),
            None => "unknown".to_string(),
        },
        if p.knows_existing() {
            ""
        } else {
            " (the existing data is unknown)"
        }
    )
}

/// The insights in one line (their notice).
fn insights_line(ins: &Insights) -> String {
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

/// Appends the markdown summary to `$GITHUB_STEP_SUMMARY`, when it is set.
pub fn write_step_summary(sections: &[Section<'_>]) -> anyhow::Result<()> {
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
        let md = super::markdown::render(sections, super::markdown::STEP_SUMMARY_LIMIT);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        f.write_all(md.as_bytes())?;
    }
    Ok(())
}

/// Escapes a workflow command's message (as GitHub's toolkit does).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("a%b\nc\r"), "a%25b%0Ac%0D");
        assert_eq!(escape_property("x:y,z"), "x%3Ay%2Cz");
    }
}
