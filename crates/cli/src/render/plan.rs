//! The plan of `preflight plan` in every format: each renderer calls the helper for its format
//! when a report carries a plan, so the findings (the gates included) render as in `validate`.

use std::fmt::Write;

use preflight_validator::{Mode, Plan};
use serde_json::{json, Value};

use super::{plural, thousands};

/// "an Items dataset".
fn dataset(p: &Plan) -> String {
    let t = p.dataset_type.api_name();
    let article = if t.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {t} dataset")
}

fn identity(p: &Plan) -> String {
    if p.identity == "record" {
        "all its columns, compared by type".into()
    } else {
        format!("`{}`", p.identity)
    }
}

/// The plan's rows: (label, count, note), in the order every format shows them.
fn rows(p: &Plan) -> Vec<(&'static str, u64, String)> {
    let mut rows = Vec::new();
    if p.identity == "record" {
        rows.push((
            "new",
            p.new,
            "records the dataset does not hold".to_string(),
        ));
        rows.push((
            "collapsed",
            p.collapsed,
            format!(
                "{} identical to an existing record, {} repeated in the batch",
                thousands(p.unchanged),
                thousands(p.batch.duplicates)
            ),
        ));
    } else {
        rows.push(("added", p.added, "IDs the dataset does not hold".into()));
        rows.push(("replaced", p.replaced, "same ID, other values".into()));
        rows.push((
            "unchanged",
            p.unchanged,
            "identical to the stored record".into(),
        ));
        rows.push((
            "collapsed",
            p.collapsed,
            "IDs repeated in the batch; the last occurrence wins".into(),
        ));
    }
    if p.mode == Mode::Full {
        let first: Vec<String> = p
            .dropped_sample
            .iter()
            .take(5)
            .map(|d| {
                let what = d.id.clone().unwrap_or_else(|| d.record.clone());
                format!("`{what}` ({}:{})", d.file, d.line)
            })
            .collect();
        let mut note = "existing records the batch lacks".to_string();
        if !first.is_empty() {
            note.push_str(&format!(": {}", first.join(", ")));
            if p.dropped > first.len() as u64 {
                note.push_str(", …");
            }
        }
        rows.push(("dropped", p.dropped, note));
    }
    rows
}

fn files(n: u64, records: u64, bytes: u64) -> String {
    format!(
        "{} in {} ({})",
        plural(records, "record"),
        plural(n, "file"),
        super::human::human_bytes(bytes)
    )
}

/// The human table, after the findings.
pub fn human(out: &mut String, p: &Plan) {
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
    match &p.existing {
        Some(e) => {
            let _ = writeln!(
                out,
                "  existing data  {}{}",
                files(e.files.len() as u64, e.records, e.bytes),
                if e.unreadable_lines > 0 {
                    format!(
                        "; {} that are not records ignored",
                        plural(e.unreadable_lines, "line")
                    )
                } else {
                    String::new()
                }
            );
        }
        None => {
            let _ = writeln!(out, "  existing data  none given");
        }
    }
    let _ = writeln!(
        out,
        "  new batch      {}",
        files(p.batch.files, p.batch.records, p.batch.bytes)
    );
    let width = rows(p)
        .iter()
        .map(|(_, n, _)| thousands(*n).len())
        .max()
        .unwrap_or(1);
    for (label, n, note) in rows(p) {
        let _ = writeln!(out, "    {label:<11}{:>width$}  {note}", thousands(n));
    }
    let _ = writeln!(
        out,
        "  after the job  {} in the dataset",
        plural(p.result_records, "record")
    );
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

/// The `plan` member of the JSON object (contract version 1; fields are only ever added).
pub fn json(p: &Plan) -> Value {
    json!({
        "mode": p.mode.api_name(),
        "dataset_type": p.dataset_type.api_name(),
        "identity": p.identity,
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
        "added": p.added,
        "replaced": p.replaced,
        "unchanged": p.unchanged,
        "new": p.new,
        "collapsed": p.collapsed,
        "superseded": p.superseded,
        "dropped": p.dropped,
        "dropped_sample": p.dropped_sample.iter().map(|d| json!({
            "file": d.file, "line": d.line, "id": d.id, "record": d.record,
        })).collect::<Vec<_>>(),
        "result_records": p.result_records,
        "data_errors": p.data_errors,
        "written": p.written.iter().map(|w| json!({
            "kind": w.kind, "path": w.path.display().to_string(), "records": w.records,
        })).collect::<Vec<_>>(),
    })
}

/// A markdown table (step summaries, pull-request comments).
pub fn markdown(p: &Plan) -> String {
    let mut out = format!(
        "**Plan:** {} import into {} (a record is identified by {}).\n\n| | records | |\n|---|---:|---|\n",
        p.mode,
        dataset(p),
        identity(p)
    );
    let cell = |s: &str| s.replace('|', "\\|");
    match &p.existing {
        Some(e) => {
            let _ = writeln!(
                out,
                "| existing data | {} | {} |",
                thousands(e.records),
                plural(e.files.len() as u64, "file")
            );
        }
        None => out.push_str("| existing data | – | none given |\n"),
    }
    let _ = writeln!(
        out,
        "| new batch | {} | {} |",
        thousands(p.batch.records),
        plural(p.batch.files, "file")
    );
    for (label, n, note) in rows(p) {
        let _ = writeln!(out, "| {label} | {} | {} |", thousands(n), cell(&note));
    }
    let _ = writeln!(
        out,
        "| **after the job** | **{}** | |\n",
        thousands(p.result_records)
    );
    out
}

/// A one-line summary (the GitHub notice).
pub fn line(p: &Plan) -> String {
    let counts: Vec<String> = rows(p)
        .iter()
        .map(|(label, n, _)| format!("{} {label}", thousands(*n)))
        .collect();
    format!(
        "{} import into {}: {} in the batch ({}); {} after the job",
        p.mode,
        dataset(p),
        plural(p.batch.records, "record"),
        counts.join(", "),
        plural(p.result_records, "record")
    )
}

/// A JUnit test suite `plan` with the counts as properties and the table as output; it fails
/// when the import would fail (the gates' findings are in the `dataset` suite).
pub fn junit_suite(p: &Plan, prefix: &str, failed: bool) -> String {
    let mut props = String::new();
    let mut prop = |k: &str, v: String| {
        let _ = writeln!(
            props,
            "      <property name=\"{k}\" value=\"{}\"/>",
            super::junit::esc(&v)
        );
    };
    prop("mode", p.mode.api_name().into());
    prop("dataset_type", p.dataset_type.api_name().into());
    prop("batch_records", p.batch.records.to_string());
    for (label, n, _) in rows(p) {
        prop(label, n.to_string());
    }
    prop("result_records", p.result_records.to_string());
    let mut table = String::new();
    human(&mut table, p);
    let body = if failed {
        format!(
            "      <failure type=\"plan\" message=\"the import job would fail\">{}</failure>\n",
            super::junit::esc(&table)
        )
    } else {
        format!(
            "      <system-out>{}</system-out>\n",
            super::junit::esc(&table)
        )
    };
    format!(
        "  <testsuite name=\"{}plan\" tests=\"1\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n    <properties>\n{props}    </properties>\n    <testcase classname=\"{}plan\" name=\"{} import\">\n{body}    </testcase>\n  </testsuite>\n",
        super::junit::esc(prefix),
        u8::from(failed),
        super::junit::esc(prefix),
        p.mode
    )
}
