//! The json format: one object, a stable contract documented in the README.

use preflight_validator::{Diagnostic, Summary};
use serde_json::{json, Value};

use super::Section;

/// Version of the JSON contract; bumped only on incompatible changes.
pub const JSON_VERSION: u32 = 1;

/// One report as the contract describes it; several (datasets of the config file) as
/// `{"version", "tool", "summary", "datasets": [{"name", "schema", "files", "summary", "rules",
/// "diagnostics"}]}`, each dataset shaped like the one-report object.
pub fn render_sections(sections: &[Section<'_>]) -> String {
    if let [s @ Section { name: None, .. }] = sections {
        return render(s);
    }
    let mut total = Summary::default();
    let datasets: Vec<Value> = sections
        .iter()
        .map(|s| {
            let r = s.report;
            let t = &r.summary;
            total.errors += t.errors;
            total.warnings += t.warnings;
            total.infos += t.infos;
            total.omitted += t.omitted;
            total.files += t.files;
            total.records += t.records;
            total.bytes += t.bytes;
            let mut v = json!({
                "name": s.name,
                "schema": {"dataset_type": r.dataset_type, "domain": r.domain, "source": r.schema},
                "files": r.files,
                "summary": r.summary,
                "rules": r.rules,
                "diagnostics": r.diagnostics.iter().map(diagnostic).collect::<Vec<_>>(),
            });
            if let Some(plan) = s.plan {
                v["plan"] = super::plan::json(plan);
            }
            if let Some(ins) = s.insights {
                v["insights"] = super::insights::json(ins);
            }
            v
        })
        .collect();
    let v = json!({
        "version": JSON_VERSION,
        "tool": {"name": "preflight", "version": env!("CARGO_PKG_VERSION")},
        "summary": total,
        "datasets": datasets,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

pub fn render(section: &Section<'_>) -> String {
    let report = section.report;
    let diagnostics: Vec<Value> = report.diagnostics.iter().map(diagnostic).collect();
    let mut v = json!({
        "version": JSON_VERSION,
        "tool": {"name": "preflight", "version": env!("CARGO_PKG_VERSION")},
        "schema": {"dataset_type": report.dataset_type, "domain": report.domain, "source": report.schema},
        "files": report.files,
        "summary": report.summary,
        "rules": report.rules,
        "diagnostics": diagnostics,
    });
    if let Some(plan) = section.plan {
        v["plan"] = super::plan::json(plan);
    }
    if let Some(ins) = section.insights {
        v["insights"] = super::insights::json(ins);
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// One diagnostic as the contract describes it.
pub fn diagnostic(d: &Diagnostic) -> Value {
    let l = &d.location;
    json!({
        "code": d.rule.code,
        "name": d.rule.name,
        "severity": d.severity.as_str(),
        "message": d.message,
        "help": d.help,
        "file": l.file,
        "line": l.line,
        "column": l.column,
        "field": l.field,
        "byte": l.byte,
    })
}
