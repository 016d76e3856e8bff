//! The json format: one object, a stable contract documented in docs/formats.md, with the plan
//! (`plan`) and the insights (`insights`) of each import when it has them.

use preflight_validator::{Diagnostic, Insights, Plan, Summary};
use serde_json::{json, Value};

use super::view::plan::counts;
use super::Section;

/// Version of the JSON contract; bumped only on incompatible changes.
pub const JSON_VERSION: u32 = 1;

/// One report as the contract describes it; several (datasets of the config file) as
/// `{"version", "tool", "summary", "datasets": [{"name", "schema", "files", "summary", "rules",
/// "diagnostics"}]}`, each dataset shaped like the one-report object.
pub fn render(sections: &[Section<'_>]) -> String {
    if let [s @ Section { name: None, .. }] = sections {
        return one(s);
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
            if let Some(p) = s.plan {
                v["plan"] = plan(p);
            }
            if let Some(ins) = s.insights {
                v["insights"] = insights(ins);
            }
            if let Some(f) = s.fix {
                v["fix"] = f.json();
            }
            if let Some(c) = s.changes {
                v["changes"] = serde_json::to_value(c).unwrap_or_default();
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

/// One import as the one-report object.
fn one(s: &Section<'_>) -> String {
    let report = s.report;
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
    if let Some(p) = s.plan {
        v["plan"] = plan(p);
    }
    if let Some(ins) = s.insights {
        v["insights"] = insights(ins);
    }
    if let Some(f) = s.fix {
        v["fix"] = f.json();
    }
    if let Some(c) = s.changes {
        v["changes"] = serde_json::to_value(c).unwrap_or_default();
    }
    let mut out = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
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
        "fix": d.fix.map(|a| a.as_str()),
        "file": l.file,
        "line": l.line,
        "column": l.column,
        "field": l.field,
        "byte": l.byte,
    })
}

/// The `plan` member of the JSON object (contract version 1; fields are only ever added).
///
/// When the existing data is unknown (`existing_data`), the counts that depend on it are null
/// and `new_at_most` bounds the new records.
pub(super) fn plan(p: &Plan) -> Value {
    let c = counts(p);
    json!({
        "mode": p.mode.api_name(),
        "dataset_type": p.dataset_type.api_name(),
        "identity": p.identity,
        "existing_data": p.existing_state.as_str(),
        "new_at_most": (!p.knows_existing()).then_some(p.batch.distinct),
        "existing": p.existing.as_ref().map(|e| json!({
            "files": e.files.iter().map(|f| json!({
                "path": f.path, "bytes": f.bytes, "records": f.records,
                "unreadable_lines": f.unreadable_lines,
            })).collect::<Vec<_>>(),
            "records": e.records,
            "bytes": e.bytes,
            "unreadable_lines": e.unreadable_lines,
        })),
        "batch": {
            "files": p.batch.files,
            "bytes": p.batch.bytes,
            "records": p.batch.records,
            "distinct": p.batch.distinct,
            "duplicates": p.batch.duplicates,
        },
        "added": c.added.json(),
        "replaced": c.replaced.json(),
        "unchanged": c.unchanged.json(),
        "new": c.new.json(),
        "collapsed": c.collapsed.json(),
        "superseded": c.superseded.json(),
        "dropped": c.dropped.json(),
        "dropped_sample": p.dropped_sample.iter().map(|d| json!({
            "file": d.file, "line": d.line, "id": d.id, "record": d.record,
        })).collect::<Vec<_>>(),
        "result_records": c.result.json(),
        "data_errors": p.data_errors,
        "written": p.written.iter().map(|w| json!({
            "kind": w.kind, "path": w.path.display().to_string(), "records": w.records,
        })).collect::<Vec<_>>(),
    })
}

/// The insights as JSON (the json format's `insights`, sarif's property bag).
pub(super) fn insights(ins: &Insights) -> Value {
    serde_json::to_value(ins).unwrap_or(Value::Null)
}
