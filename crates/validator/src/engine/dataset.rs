//! Dataset-level facts from the same single pass: per-block accumulators, merged in block
//! order, and the checks that run once every file has been read.
//!
//! State per distinct key is a 64-bit xxh3 hash (plus a count or first line), never an owned
//! string: interactions per user (12 bytes per user), IDs seen (16 bytes per ID: hash and first
//! line), interaction fingerprints (8 bytes per distinct record).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use super::plan::ColPlan;
use crate::diagnostic::{make_snippet, quote_value, Diagnostic, Location};
use crate::dialect::{split_line, Fields};
use crate::report::Collector;
use crate::rules;
use crate::schema::{spec, DatasetType, Domain};

/// A hasher for keys that already are uniform 64-bit hashes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(crate) type HashKeyed<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;
type HashKeySet = HashSet<u64, BuildHasherDefault<IdentityHasher>>;

/// Distinct event types tracked before the rest are only counted.
const MAX_EVENT_TYPES: usize = 10_000;

/// One record's key, in block order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowKey {
    pub hash: u64,
    pub local_line: u64,
    pub line_start: u64,
}

/// Per-block accumulators.
#[derive(Debug)]
pub(crate) struct BlockAcc {
    /// Interactions: record fingerprints; items/users/actions: ID hashes.
    pub rows: Vec<RowKey>,
    pub users: HashKeyed<u32>,
    pub event_types: HashMap<Vec<u8>, u64>,
    pub event_types_overflow: u64,
    pub ts_min: i64,
    pub ts_max: i64,
    pub ts_count: u64,
}

impl Default for BlockAcc {
    fn default() -> Self {
        BlockAcc {
            rows: Vec::new(),
            users: HashKeyed::default(),
            event_types: HashMap::new(),
            event_types_overflow: 0,
            ts_min: i64::MAX,
            ts_max: i64::MIN,
            ts_count: 0,
        }
    }
}

impl BlockAcc {
    #[inline]
    pub fn add_event_type(&mut self, v: &[u8]) {
        if let Some(n) = self.event_types.get_mut(v) {
            *n += 1;
        } else if self.event_types.len() < MAX_EVENT_TYPES {
            self.event_types.insert(v.to_vec(), 1);
        } else {
            self.event_types_overflow += 1;
        }
    }
}

/// The accumulators of the whole import.
#[derive(Debug)]
pub(crate) struct DatasetAcc {
    pub dataset_type: Option<DatasetType>,
    pub domain: Option<Domain>,
    pub records: u64,
    pub users: HashKeyed<u32>,
    /// ID hash → (file index << 48 | line).
    ids: HashKeyed<u64>,
    fingerprints: HashKeySet,
    pub event_types: HashMap<Vec<u8>, u64>,
    pub event_types_overflow: u64,
    pub ts_min: i64,
    pub ts_max: i64,
    pub ts_count: u64,
    /// Optional (non-reserved) metadata columns of the interactions schema.
    pub optional_metadata: usize,
    duplicates: u64,
}

impl DatasetAcc {
    pub fn new(dataset_type: Option<DatasetType>, domain: Option<Domain>) -> Self {
        DatasetAcc {
            dataset_type,
            domain,
            records: 0,
            users: HashKeyed::default(),
            ids: HashKeyed::default(),
            fingerprints: HashKeySet::default(),
            event_types: HashMap::new(),
            event_types_overflow: 0,
            ts_min: i64::MAX,
            ts_max: i64::MIN,
            ts_count: 0,
            optional_metadata: 0,
            duplicates: 0,
        }
    }

    /// Merges a block (in file order). `first_line` is the absolute line of the block's first
    /// line; `buf` is the block, used to quote the value of a duplicate that will be reported.
    #[expect(clippy::too_many_arguments, reason = "merge state")]
    pub fn merge(
        &mut self,
        acc: BlockAcc,
        file_idx: usize,
        file: &str,
        plan: &[ColPlan],
        id_col: Option<usize>,
        first_line: u64,
        buf: &[u8],
        offset: u64,
        collector: &mut Collector,
    ) {
        for (k, v) in acc.users {
            *self.users.entry(k).or_insert(0) += v;
        }
        for (k, v) in acc.event_types {
            if let Some(n) = self.event_types.get_mut(&k) {
                *n += v;
            } else if self.event_types.len() < MAX_EVENT_TYPES {
                self.event_types.insert(k, v);
            } else {
                self.event_types_overflow += v;
            }
        }
        self.event_types_overflow += acc.event_types_overflow;
        self.ts_min = self.ts_min.min(acc.ts_min);
        self.ts_max = self.ts_max.max(acc.ts_max);
        self.ts_count += acc.ts_count;

        let interactions = self.dataset_type.is_some_and(DatasetType::is_interactions);
        let mut fields = Fields::default();
        for row in acc.rows {
            let line = first_line + row.local_line;
            if interactions {
                if self.fingerprints.insert(row.hash) {
                    continue;
                }
                self.duplicates += 1;
                if !collector.wants(&rules::PF308) {
                    collector.count(&rules::PF308, 1);
                    continue;
                }
                let text = line_at(buf, row.line_start as usize);
                collector.push_file(
                    file_idx,
                    Diagnostic::new(&rules::PF308, "this interaction is identical to an earlier record of the import")
                        .with_help("exact duplicates collapse into one interaction; remove them if they are not intended")
                        .at(Location { file: Some(file.to_string()), line: Some(line), byte: Some(offset + row.line_start), ..Location::default() })
                        .with_snippet(make_snippet(text, 0, text.len().min(60), 100)),
                );
            } else {
                let packed = ((file_idx as u64) << 48) | line;
                let first = *self.ids.entry(row.hash).or_insert(packed);
                if first == packed {
                    continue;
                }
                if !collector.wants(&rules::PF307) {
                    collector.count(&rules::PF307, 1);
                    continue;
                }
                let col = id_col.unwrap_or(0);
                let text = line_at(buf, row.line_start as usize);
                split_line(text, &mut fields);
                let (value, span) = if col < fields.len() {
                    (fields.value(text, col).to_vec(), fields.spans[col])
                } else {
                    (Vec::new(), fields.spans[0])
                };
                let name = plan.get(col).map(|p| p.name.clone()).unwrap_or_default();
                let first_file = (first >> 48) as usize;
                let where_first = if first_file == file_idx {
                    format!("line {}", first & ((1 << 48) - 1))
                } else {
                    format!(
                        "line {} of another file of this import",
                        first & ((1 << 48) - 1)
                    )
                };
                collector.push_file(
                    file_idx,
                    Diagnostic::new(&rules::PF307, format!("`{name}` {} appears again (first on {where_first})", quote_value(&value, 60)))
                        .with_help("keep one record per ID; Personalize keeps only one of them (this tool assumes the last)")
                        .at(Location { file: Some(file.to_string()), line: Some(line), column: Some(col as u32 + 1), field: Some(name), byte: Some(offset + row.line_start + span.raw_start as u64) })
                        .with_snippet(make_snippet(text, span.raw_start, span.raw_end, 100)),
                );
            }
        }
    }

    /// Runs the dataset-level checks.
    pub fn finish(&self, collector: &mut Collector) {
        let Some(ty) = self.dataset_type else { return };
        if ty == DatasetType::Interactions {
            if self.records < spec::MIN_IMPORT_INTERACTIONS {
                collector.push_dataset(
                    Diagnostic::new(&rules::PF301, format!("the import has {} interaction record{}; every interactions import job needs at least 1000", self.records, if self.records == 1 { "" } else { "s" }))
                        .with_help("add records, or combine this batch with the next one before importing"),
                );
            }
            let users = self.users.len() as u64;
            let repeat = self.users.values().filter(|&&n| n >= 2).count() as u64;
            if users > 0 && repeat < spec::MIN_REPEAT_USERS {
                collector.push_dataset(
                    Diagnostic::new(&rules::PF302, format!("only {repeat} of {users} users have at least 2 interactions; training needs 25"))
                        .with_help("import more history per user before training (this import alone is not enough)"),
                );
            }
            if users > 0 && repeat * 100 < users {
                collector.push_dataset(
                    Diagnostic::new(&rules::PF303, format!("{repeat} of {users} users ({:.2}%) have at least 2 interactions; training needs at least 1%", repeat as f64 * 100.0 / users as f64))
                        .with_help("import more history per user, or check that USER_ID is the right column"),
                );
            }
            self.event_type_checks(collector);
        }
        if ty.is_interactions() && self.ts_count >= 2 && self.ts_min == self.ts_max {
            collector.push_dataset(
                Diagnostic::new(&rules::PF309, format!("all {} interactions have the same TIMESTAMP {}", self.ts_count, self.ts_min))
                    .with_help("use each event's own time; a constant timestamp usually means the export time was written instead"),
            );
        }
    }

    fn event_type_checks(&self, collector: &mut Collector) {
        let distinct = self.event_types.len() + usize::from(self.event_types_overflow > 0);
        if distinct + self.optional_metadata > spec::MAX_EVENT_TYPES_PLUS_METADATA {
            let mut types: Vec<(&Vec<u8>, &u64)> = self.event_types.iter().collect();
            types.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let shown: Vec<String> = types
                .iter()
                .take(12)
                .map(|(t, n)| format!("{} ({n})", quote_value(t, 30)))
                .collect();
            collector.push_dataset(
                Diagnostic::new(&rules::PF304, format!("{}{distinct} distinct event types plus {} optional metadata column{} exceed the limit of 10: {}", if self.event_types_overflow > 0 { "more than " } else { "" }, self.optional_metadata, if self.optional_metadata == 1 { "" } else { "s" }, shown.join(", ")))
                    .with_help("merge or drop rare event types (and spelling variants) before importing"),
            );
        }
        // PF305: variants that differ in case or surrounding spaces.
        let mut groups: HashMap<Vec<u8>, Vec<&Vec<u8>>> = HashMap::new();
        for t in self.event_types.keys() {
            let norm = String::from_utf8_lossy(t)
                .trim()
                .to_lowercase()
                .into_bytes();
            groups.entry(norm).or_default().push(t);
        }
        let mut variant_groups: Vec<Vec<&Vec<u8>>> =
            groups.into_values().filter(|g| g.len() > 1).collect();
        for g in &mut variant_groups {
            g.sort();
        }
        variant_groups.sort();
        for g in variant_groups {
            let list: Vec<String> = g
                .iter()
                .map(|t| format!("{} ({})", quote_value(t, 30), self.event_types[*t]))
                .collect();
            collector.push_dataset(
                Diagnostic::new(
                    &rules::PF305,
                    format!(
                        "event types {} differ only in case or spaces",
                        list.join(", ")
                    ),
                )
                .with_help("write each event type one way; variants count as separate types"),
            );
        }
        // PF306: a domain's use cases need 1000 events of their type.
        if let Some(domain) = self.domain {
            for (ty, use_cases) in spec::domain_event_types(domain) {
                let n = self.event_types.get(ty.as_bytes()).copied().unwrap_or(0);
                if n < 1000 {
                    collector.push_dataset(
                        Diagnostic::new(&rules::PF306, format!("{n} `{ty}` events; the {domain} use cases {use_cases} need at least 1000"))
                            .with_help(format!("import more `{ty}` events (spelled exactly `{ty}`) before creating those recommenders")),
                    );
                }
            }
        }
    }
}

/// The line starting at `start` in `buf`, without its terminator.
fn line_at(buf: &[u8], start: usize) -> &[u8] {
    let rest = &buf[start.min(buf.len())..];
    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    let line = &rest[..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}
