//! The json format: one object, a stable contract documented in the README.

use preflight_validator::{Diagnostic, Report};
use serde_json::{json, Value};

/// Version of the JSON contract; bumped only on incompatible changes.
pub const JSON_VERSION: u32 = 1;

pub fn render(report: &Report) -> String {
    let diagnostics: Vec<Value> = report.diagnostics.iter().map(diagnostic).collect();
    let v = json!({
        "version": JSON_VERSION,
        "tool": {"name": "preflight", "version": env!("CARGO_PKG_VERSION")},
        "schema": {"dataset_type": report.dataset_type, "domain": report.domain, "source": report.schema},
        "files": report.files,
        "summary": report.summary,
        "rules": report.rules,
        "diagnostics": diagnostics,
    });
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
