//! The plan of `preflight plan` in every format: each renderer calls the helper for its format
//! when a report carries a plan, so the findings (the gates included) render as in `validate`.

use std::fmt::Write;

use preflight_validator::{ExistingState, Mode, Plan};
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

/// A count of the plan: exact, or a bound when the existing data is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Count {
    Exact(u64),
    AtMost(u64),
    AtLeast(u64),
    Unknown,
}

impl Count {
    /// As a table cell: `1,500`, `≤ 1,500`, `≥ 3`, `?`.
    fn cell(self) -> String {
        match self {
            Count::Exact(n) => thousands(n),
            Count::AtMost(n) => format!("≤ {}", thousands(n)),
            Count::AtLeast(n) => format!("≥ {}", thousands(n)),
            Count::Unknown => "?".into(),
        }
    }

    /// As a plain value (JUnit properties): `1500`, `at most 1500`, `unknown`.
    fn plain(self) -> String {
        match self {
            Count::Exact(n) => n.to_string(),
            Count::AtMost(n) => format!("at most {n}"),
            Count::AtLeast(n) => format!("at least {n}"),
            Count::Unknown => "unknown".into(),
        }
    }

    /// As JSON: the number when exact, else null.
    fn json(self) -> Value {
        match self {
            Count::Exact(n) => json!(n),
            _ => Value::Null,
        }
    }
}

/// The counts that depend on the existing data, exact or bounded.
struct Counts {
    added: Count,
    replaced: Count,
    unchanged: Count,
    new: Count,
    collapsed: Count,
    superseded: Count,
    dropped: Count,
    result: Count,
}

fn counts(p: &Plan) -> Counts {
    if p.knows_existing() {
        return Counts {
            added: Count::Exact(p.added),
            replaced: Count::Exact(p.replaced),
            unchanged: Count::Exact(p.unchanged),
            new: Count::Exact(p.new),
            collapsed: Count::Exact(p.collapsed),
            superseded: Count::Exact(p.superseded),
            dropped: Count::Exact(p.dropped),
            result: Count::Exact(p.result_records),
        };
    }
    let interactions = p.identity == "record";
    let distinct = p.batch.distinct;
    Counts {
        added: if interactions {
            Count::Exact(0)
        } else {
            Count::AtMost(distinct)
        },
        replaced: if interactions {
            Count::Exact(0)
        } else {
            Count::Unknown
        },
        unchanged: Count::Unknown,
        new: Count::AtMost(distinct),
        // Interactions also collapse into identical existing records; IDs repeated in the
        // batch are all there is for the ID types.
        collapsed: if interactions {
            Count::AtLeast(p.batch.duplicates)
        } else {
            Count::Exact(p.batch.duplicates)
        },
        superseded: Count::Unknown,
        dropped: Count::Unknown,
        result: match p.result() {
            Some(n) => Count::Exact(n),
            None => Count::Unknown,
        },
    }
}

/// The plan's rows: (label, count, note), in the order every format shows them.
fn rows(p: &Plan) -> Vec<(&'static str, Count, String)> {
    let c = counts(p);
    let known = p.knows_existing();
    let mut rows = Vec::new();
    if p.identity == "record" {
        rows.push((
            "new",
            c.new,
            if known {
                "records the dataset does not hold".to_string()
            } else {
                "the batch's distinct records: those already in the dataset collapse".to_string()
            },
        ));
        rows.push((
            "collapsed",
            c.collapsed,
            if known {
                format!(
                    "{} identical to an existing record, {} repeated in the batch",
                    thousands(p.unchanged),
                    thousands(p.batch.duplicates)
                )
            } else {
                format!(
                    "{} repeated in the batch, and any identical to an existing record",
                    thousands(p.batch.duplicates)
                )
            },
        ));
    } else {
        rows.push(("added", c.added, "IDs the dataset does not hold".into()));
        rows.push(("replaced", c.replaced, "same ID, other values".into()));
        rows.push((
            "unchanged",
            c.unchanged,
            "identical to the stored record".into(),
        ));
        rows.push((
            "collapsed",
            c.collapsed,
            "IDs repeated in the batch; the last occurrence wins".into(),
        ));
    }
    if p.mode == Mode::Full {
        let note = if known {
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
            note
        } else {
            "unknown: whatever bulk data the dataset holds that the batch lacks".to_string()
        };
        rows.push(("dropped", c.dropped, note));
    }
    rows
}

/// The "after the job" value and its note.
fn after_the_job(p: &Plan) -> String {
    match counts(p).result {
        Count::Exact(n) => format!("{} in the dataset", plural(n, "record")),
        _ => format!(
            "unknown: the dataset's records plus at most {}",
            thousands(p.batch.distinct)
        ),
    }
}

/// The existing data's line.
fn existing_line(p: &Plan) -> String {
    match (&p.existing, p.existing_state) {
        (Some(e), _) => format!(
            "{}{}",
            files(e.files.len() as u64, e.records, e.bytes),
            if e.unreadable_lines > 0 {
                format!(
                    "; {} that are not records ignored",
                    plural(e.unreadable_lines, "line")
                )
            } else {
                String::new()
            }
        ),
        (None, ExistingState::Empty) => "none: the dataset holds no bulk data yet".into(),
        (None, _) => "unknown (not given): counts that depend on it are bounds; pass --existing or --existing-from-history to count exactly".into(),
    }
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

/// The `plan` member of the JSON object (contract version 1; fields are only ever added).
///
/// When the existing data is unknown (`existing_data`), the counts that depend on it are null
/// and `new_at_most` bounds the new records.
pub fn json(p: &Plan) -> Value {
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

/// A markdown table (step summaries, pull-request comments).
pub fn markdown(p: &Plan) -> String {
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

/// A one-line summary (the GitHub notice).
pub fn line(p: &Plan) -> String {
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
    prop("existing_data", p.existing_state.as_str().into());
    for (label, n, _) in rows(p) {
        prop(label, n.plain());
    }
    prop("result_records", counts(p).result.plain());
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
