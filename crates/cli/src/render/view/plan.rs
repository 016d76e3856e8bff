//! What every format shows of a plan, whatever the format: the counts (exact, or bounds when
//! the existing data is unknown), the rows of the table in their order, and their notes. Each
//! emitter lays them out its own way.

use preflight_validator::{ExistingState, Mode, Plan};
use serde_json::{json, Value};

use super::super::{plural, thousands};

/// "an Items dataset".
pub(in crate::render) fn dataset(p: &Plan) -> String {
    let t = p.dataset_type.api_name();
    let article = if t.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {t} dataset")
}

pub(in crate::render) fn identity(p: &Plan) -> String {
    if p.identity == "record" {
        "all its columns, compared by type".into()
    } else {
        format!("`{}`", p.identity)
    }
}

/// A count of the plan: exact, or a bound when the existing data is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::render) enum Count {
    Exact(u64),
    AtMost(u64),
    AtLeast(u64),
    Unknown,
}

impl Count {
    /// As a table cell: `1,500`, `≤ 1,500`, `≥ 3`, `?`.
    pub(in crate::render) fn cell(self) -> String {
        match self {
            Count::Exact(n) => thousands(n),
            Count::AtMost(n) => format!("≤ {}", thousands(n)),
            Count::AtLeast(n) => format!("≥ {}", thousands(n)),
            Count::Unknown => "?".into(),
        }
    }

    /// As a plain value (JUnit properties): `1500`, `at most 1500`, `unknown`.
    pub(in crate::render) fn plain(self) -> String {
        match self {
            Count::Exact(n) => n.to_string(),
            Count::AtMost(n) => format!("at most {n}"),
            Count::AtLeast(n) => format!("at least {n}"),
            Count::Unknown => "unknown".into(),
        }
    }

    /// As JSON: the number when exact, else null.
    pub(in crate::render) fn json(self) -> Value {
        match self {
            Count::Exact(n) => json!(n),
            _ => Value::Null,
        }
    }
}

/// The counts that depend on the existing data, exact or bounded.
pub(in crate::render) struct Counts {
    pub(in crate::render) added: Count,
    pub(in crate::render) replaced: Count,
    pub(in crate::render) unchanged: Count,
    pub(in crate::render) new: Count,
    pub(in crate::render) collapsed: Count,
    pub(in crate::render) superseded: Count,
    pub(in crate::render) dropped: Count,
    pub(in crate::render) result: Count,
}

pub(in crate::render) fn counts(p: &Plan) -> Counts {
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
pub(in crate::render) fn rows(p: &Plan) -> Vec<(&'static str, Count, String)> {
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
pub(in crate::render) fn after_the_job(p: &Plan) -> String {
    match counts(p).result {
        Count::Exact(n) => format!("{} in the dataset", plural(n, "record")),
        _ => format!(
            "unknown: the dataset's records plus at most {}",
            thousands(p.batch.distinct)
        ),
    }
}

/// The existing data's line.
pub(in crate::render) fn existing_line(p: &Plan) -> String {
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

pub(in crate::render) fn files(n: u64, records: u64, bytes: u64) -> String {
    format!(
        "{} in {} ({})",
        plural(records, "record"),
        plural(n, "file"),
        super::super::human::human_bytes(bytes)
    )
}
