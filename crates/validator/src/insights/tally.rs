//! What the insights need from each record, counted while the engine checks it (the same single
//! read: ARCHITECTURE.md#one-pass-in-parallel-blocks). Workers fill one [`Tally`] per block; the merging thread
//! adds up the small parts in file order, and the workers add their IDs straight into sharded
//! shared tables ([`SharedIds`]; per-block maps would hold nearly every ID of the block again,
//! and merging them on one thread was the bottleneck). Everything is kept per distinct value,
//! never per record:
//!
//! - per distinct ID (interaction USER_ID, ITEM_ID, ACTION_ID; the ID of an Items, Users or
//!   Actions dataset): its 64-bit hash, the hash of its normalised form (trimmed, lower case)
//!   and a count, 24 bytes in a hash table at 7/8 load, so about 28–55 bytes per distinct ID;
//!   IDs whose text differs from its normalised form also keep their text (at most
//!   [`MAX_TEXTS`] of them, the first 1,000 of each block) for the examples of PF511; while a
//!   block is checked its IDs wait in a buffer of 16 bytes per record;
//! - per UTC day with interactions: 16 bytes;
//! - per distinct value of a categorical or numeric column: 16 bytes (and the text of each
//!   category), capped at [`MAX_DISTINCT`] per column in interactions, where values are per
//!   record rather than per ID.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Mutex};

use xxhash_rust::xxh3::xxh3_64;

use crate::dialect::Fields;
use crate::engine::columns::{Check, Column, StrKind};
use crate::engine::observer::{FileInfo, Observer, Record};
pub(crate) use crate::hash::{Fast, FastMap};
use crate::schema::spec::TIMESTAMP_MAX_SECONDS;
use crate::schema::DatasetType;
use crate::values::parse_float;

/// Distinct values (or categories) tracked per column of an interactions dataset before a
/// categorical column is only known to have "more than" this many, or a numeric column is
/// grouped to 3 significant digits.
pub(crate) const MAX_DISTINCT: usize = 100_000;
/// Texts of IDs that are not in normalised form, kept for examples.
pub(crate) const MAX_TEXTS: usize = 100_000;
/// Distinct event types tracked.
const MAX_EVENT_TYPES: usize = 1_000;
/// Texts of IDs not in normalised form handed over per block.
const MAX_BLOCK_TEXTS: usize = 1_000;
/// Shards of the shared ID tables.
const SHARDS: usize = 64;

/// What a column is to the insights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// An ID counted per distinct value (index into [`Tally::ids`]).
    Id(IdKind),
    /// The interaction TIMESTAMP.
    Timestamp,
    /// EVENT_TYPE.
    EventType,
    /// `int`, `long`, `float`, `double` (not a timestamp).
    Numeric,
    /// A categorical string.
    Categorical,
    /// A textual string.
    Textual,
    /// Anything else we know the type of (plain strings, booleans, other timestamps).
    Other,
    /// A column the schema does not describe.
    Unknown,
}

/// The IDs counted per distinct value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdKind {
    /// USER_ID.
    User = 0,
    /// ITEM_ID.
    Item = 1,
    /// ACTION_ID.
    Action = 2,
}

impl IdKind {
    /// The column name.
    pub fn field(self) -> &'static str {
        match self {
            IdKind::User => "USER_ID",
            IdKind::Item => "ITEM_ID",
            IdKind::Action => "ACTION_ID",
        }
    }
}

/// One canonical column.
#[derive(Debug, Clone)]
pub(crate) struct ColSpec {
    pub name: String,
    pub role: Role,
    /// A metadata attribute of an item, user or action (judged constant or all-distinct).
    pub attribute: bool,
}

/// The canonical columns of a dataset: its first file's, by name.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub dataset_type: DatasetType,
    pub cols: Vec<ColSpec>,
}

impl Spec {
    pub fn new(columns: &[Column], dataset_type: DatasetType) -> Spec {
        let cols = columns
            .iter()
            .map(|p| {
                let role = role_of(p, dataset_type);
                let attribute = !dataset_type.is_interactions()
                    && !matches!(role, Role::Id(_))
                    && p.name != "CREATION_TIMESTAMP";
                ColSpec {
                    name: p.name.clone(),
                    role,
                    attribute,
                }
            })
            .collect();
        Spec { dataset_type, cols }
    }

    /// The per-record work for a file whose columns are `columns`, adding IDs to `shared`.
    pub fn file(&self, columns: &[Column], shared: &Arc<[SharedIds; 3]>) -> FileTally {
        let src = self
            .cols
            .iter()
            .map(|c| columns.iter().position(|p| p.name == c.name))
            .collect();
        FileTally {
            shared: Arc::clone(shared),
            roles: self.cols.iter().map(|c| c.role).collect(),
            attributes: self.cols.iter().map(|c| c.attribute).collect(),
            src,
            ncols: columns.len(),
            cap: if self.dataset_type.is_interactions() {
                MAX_DISTINCT
            } else {
                usize::MAX
            },
        }
    }

    /// An empty tally with a slot per canonical column.
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        t.cols.resize_with(self.cols.len(), ColTally::default);
        if !self.dataset_type.is_interactions() {
            t.cap = usize::MAX;
        }
        t
    }
}

fn role_of(p: &Column, ty: DatasetType) -> Role {
    match (p.name.as_str(), p.check) {
        (_, Check::Unknown) => Role::Unknown,
        ("USER_ID", Check::Id) => Role::Id(IdKind::User),
        ("ITEM_ID", Check::Id) => Role::Id(IdKind::Item),
        ("ACTION_ID", Check::Id) => Role::Id(IdKind::Action),
        ("TIMESTAMP", Check::Int { .. }) if ty.is_interactions() => Role::Timestamp,
        (_, Check::Str(StrKind::EventType { .. })) => Role::EventType,
        (n, Check::Int { .. }) if n.ends_with("TIMESTAMP") => Role::Other,
        (_, Check::Int { .. } | Check::Float { .. }) => Role::Numeric,
        (_, Check::Str(StrKind::Categorical)) => Role::Categorical,
        (_, Check::Str(StrKind::Textual)) => Role::Textual,
        _ => Role::Other,
    }
}

/// Maps one file's columns to the canonical ones and counts its records.
#[derive(Debug, Clone)]
pub(crate) struct FileTally {
    /// Users, items, actions: where the workers put the IDs of their blocks.
    shared: Arc<[SharedIds; 3]>,
    roles: Vec<Role>,
    /// Whether each column is judged constant (only attributes are: it costs a hash a value).
    attributes: Vec<bool>,
    /// Canonical column → this file's column.
    src: Vec<Option<usize>>,
    ncols: usize,
    cap: usize,
}

impl FileTally {
    /// Counts one record whose fields match the header; `ts` is its parsed TIMESTAMP.
    #[inline]
    pub fn record(&self, fields: &Fields, line: &[u8], ts: Option<i64>, t: &mut Tally) {
        if fields.len() != self.ncols {
            return;
        }
        if t.cols.len() < self.roles.len() {
            t.cols.resize_with(self.roles.len(), ColTally::default);
        }
        t.rows += 1;
        t.cap = self.cap;
        for (c, role) in self.roles.iter().enumerate() {
            let Some(i) = self.src[c] else { continue };
            let v = fields.value(line, i);
            if v.is_empty() {
                continue;
            }
            let col = &mut t.cols[c];
            col.filled += 1;
            if self.attributes[c] {
                col.same(v);
            }
            match *role {
                Role::Id(kind) => t.block_ids[kind as usize].add(v),
                Role::Timestamp => {
                    // Zero, negative and millisecond values are validation errors (PF215,
                    // PF217) and would stretch the timeline over millennia: left out.
                    if let Some(ts) = ts.filter(|t| (1..TIMESTAMP_MAX_SECONDS).contains(t)) {
                        *t.days.entry(ts.div_euclid(86_400)).or_insert(0) += 1;
                        t.ts_min = t.ts_min.min(ts);
                        t.ts_max = t.ts_max.max(ts);
                    }
                }
                Role::EventType => t.add_event(v),
                Role::Numeric => {
                    if let Ok(x) = parse_float(v, true) {
                        col.add_number(x, self.cap);
                    }
                }
                Role::Categorical => col.add_category(v, self.cap),
                Role::Unknown => {
                    // A column the schema does not type (a built-in schema adapted to the
                    // header): counted both ways, judged as numbers if every value is one.
                    if !col.not_numeric {
                        match parse_float(v, true) {
                            Ok(x) => col.add_number(x, self.cap),
                            Err(_) => {
                                col.not_numeric = true;
                                col.nums = FastMap::default();
                            }
                        }
                    }
                    col.add_category(v, self.cap);
                }
                Role::Textual | Role::Other => {}
            }
        }
    }
}

impl FileTally {
    /// Hands the block's IDs to the shared tables (called by the worker at the end of a block).
    pub fn flush(&self, t: &mut Tally) {
        for (shared, block) in self.shared.iter().zip(t.block_ids.iter_mut()) {
            shared.absorb(block);
        }
    }
}

/// Per distinct ID: (hash of the normalised ID, records).
#[derive(Debug, Default)]
pub(crate) struct IdTally {
    pub map: FastMap<u64, (u64, u64)>,
    /// Texts of IDs that are not in normalised form, by hash.
    pub texts: FastMap<u64, Box<[u8]>>,
}

/// The IDs of one block, by shard of the shared table, waiting to be added.
#[derive(Debug, Default)]
pub(crate) struct BlockIds {
    /// (hash, normalised hash) per record.
    by_shard: Vec<Vec<(u64, u64)>>,
    texts: Vec<(u64, Box<[u8]>)>,
    seen: HashSet<u64, BuildHasherDefault<Fast>>,
}

impl BlockIds {
    #[inline]
    fn add(&mut self, v: &[u8]) {
        let h = xxh3_64(v);
        let norm = match normalise(v) {
            None => h,
            Some(t) => {
                if self.texts.len() < MAX_BLOCK_TEXTS && self.seen.insert(h) {
                    self.texts.push((h, v.into()));
                }
                xxh3_64(&t)
            }
        };
        if self.by_shard.is_empty() {
            self.by_shard = vec![Vec::new(); SHARDS];
        }
        self.by_shard[((h >> 40) as usize) % SHARDS].push((h, norm));
    }
}

/// One kind of ID of a dataset, shared by the workers: sharded so that two workers rarely
/// wait for the same lock.
#[derive(Debug)]
pub(crate) struct SharedIds {
    shards: Vec<Mutex<FastMap<u64, (u64, u64)>>>,
    texts: Mutex<FastMap<u64, Box<[u8]>>>,
}

impl Default for SharedIds {
    fn default() -> Self {
        SharedIds {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            texts: Mutex::default(),
        }
    }
}

impl SharedIds {
    fn absorb(&self, block: &mut BlockIds) {
        for (s, ids) in block.by_shard.iter_mut().enumerate() {
            if ids.is_empty() {
                continue;
            }
            let mut map = self.shards[s].lock().unwrap_or_else(|e| e.into_inner());
            for (h, norm) in ids.drain(..) {
                map.entry(h).or_insert((norm, 0)).1 += 1;
            }
        }
        if !block.texts.is_empty() {
            let mut texts = self.texts.lock().unwrap_or_else(|e| e.into_inner());
            for (h, t) in block.texts.drain(..) {
                if texts.len() >= MAX_TEXTS {
                    break;
                }
                texts.entry(h).or_insert(t);
            }
        }
    }

    /// Takes everything added so far as one table.
    fn take(&self) -> IdTally {
        let mut out = IdTally::default();
        for shard in &self.shards {
            let part = std::mem::take(&mut *shard.lock().unwrap_or_else(|e| e.into_inner()));
            if out.map.is_empty() {
                out.map = part;
            } else {
                out.map.extend(part);
            }
        }
        out.texts = std::mem::take(&mut *self.texts.lock().unwrap_or_else(|e| e.into_inner()));
        out
    }
}

/// The ID trimmed of white space and in lower case, or `None` when that is the ID itself.
pub(crate) fn normalise(v: &[u8]) -> Option<Vec<u8>> {
    let plain = v.is_ascii()
        && !v.first().is_some_and(u8::is_ascii_whitespace)
        && !v.last().is_some_and(u8::is_ascii_whitespace)
        && !v.iter().any(u8::is_ascii_uppercase);
    if plain {
        return None;
    }
    let s = String::from_utf8_lossy(v);
    let n = s.trim().to_lowercase().into_bytes();
    (n != v).then_some(n)
}

/// One column's counts.
#[derive(Debug, Default)]
pub(crate) struct ColTally {
    /// Non-empty values.
    pub filled: u64,
    /// The hash of the first value and whether any other differs (constant attributes).
    pub first: Option<u64>,
    pub varies: bool,
    /// Categorical: records per distinct whole value (by hash).
    pub values: FastMap<u64, u64>,
    /// Categorical: records per category (the parts of `|` lists).
    pub cats: FastMap<Box<[u8]>, u64>,
    /// More distinct values or categories than the cap: `values`/`cats` are incomplete.
    pub overflow: bool,
    /// Numeric: records per distinct value (f64 bits).
    pub nums: FastMap<u64, u64>,
    /// Numeric values are grouped to 3 significant digits (too many distinct values).
    pub coarse: bool,
    /// A column of unknown type had a value that is not a number (it is judged as categories).
    pub not_numeric: bool,
}

impl ColTally {
    #[inline]
    fn same(&mut self, v: &[u8]) {
        if self.varies {
            return;
        }
        let h = xxh3_64(v);
        match self.first {
            None => self.first = Some(h),
            Some(f) => self.varies = f != h,
        }
    }

    #[inline]
    fn add_number(&mut self, x: f64, cap: usize) {
        let x = if self.coarse { coarse(x) } else { x + 0.0 };
        *self.nums.entry(x.to_bits()).or_insert(0) += 1;
        if self.nums.len() > cap {
            self.coarsen();
        }
    }

    fn coarsen(&mut self) {
        self.coarse = true;
        let old = std::mem::take(&mut self.nums);
        for (bits, n) in old {
            *self
                .nums
                .entry(coarse(f64::from_bits(bits)).to_bits())
                .or_insert(0) += n;
        }
    }

    #[inline]
    fn add_category(&mut self, v: &[u8], cap: usize) {
        let h = xxh3_64(v);
        if let Some(n) = self.values.get_mut(&h) {
            *n += 1;
        } else if self.values.len() < cap {
            self.values.insert(h, 1);
        } else {
            self.overflow = true;
        }
        for part in v.split(|&b| b == b'|').filter(|p| !p.is_empty()) {
            if let Some(n) = self.cats.get_mut(part) {
                *n += 1;
            } else if self.cats.len() < cap.min(MAX_DISTINCT) {
                self.cats.insert(part.into(), 1);
            } else {
                self.overflow = true;
            }
        }
    }

    fn merge(&mut self, o: ColTally, cap: usize) {
        self.filled += o.filled;
        match (self.first, o.first) {
            (None, f) => {
                self.first = f;
                self.varies = o.varies;
            }
            (Some(a), Some(b)) => self.varies |= o.varies || a != b,
            (Some(_), None) => {}
        }
        self.overflow |= o.overflow;
        self.not_numeric |= o.not_numeric;
        if self.not_numeric {
            self.nums = FastMap::default();
        }
        if self.values.is_empty() {
            self.values = o.values;
        } else {
            for (h, n) in o.values {
                if let Some(m) = self.values.get_mut(&h) {
                    *m += n;
                } else if self.values.len() < cap {
                    self.values.insert(h, n);
                } else {
                    self.overflow = true;
                }
            }
        }
        if self.cats.is_empty() {
            self.cats = o.cats;
        } else {
            for (c, n) in o.cats {
                if let Some(m) = self.cats.get_mut(&c) {
                    *m += n;
                } else if self.cats.len() < cap.min(MAX_DISTINCT) {
                    self.cats.insert(c, n);
                } else {
                    self.overflow = true;
                }
            }
        }
        if o.coarse && !self.coarse {
            self.coarsen();
        }
        let coarse_now = self.coarse;
        let o_nums = if self.not_numeric {
            FastMap::default()
        } else {
            o.nums
        };
        for (bits, n) in o_nums {
            let bits = if coarse_now {
                coarse(f64::from_bits(bits)).to_bits()
            } else {
                bits
            };
            *self.nums.entry(bits).or_insert(0) += n;
        }
        if self.nums.len() > cap && !self.coarse {
            // Merged blocks can exceed the cap together.
            self.coarsen();
        }
    }
}

/// `x` rounded to 3 significant digits.
pub(crate) fn coarse(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x + 0.0;
    }
    let e = x.abs().log10().floor() as i32 - 2;
    let m = 10f64.powi(e);
    (x / m).round() * m
}

/// The counts of a block, or of a whole dataset once merged.
#[derive(Debug)]
pub(crate) struct Tally {
    /// Well-formed records counted.
    pub rows: u64,
    pub cols: Vec<ColTally>,
    /// Users, items, actions of the whole dataset (filled by [`Capture::finish`]).
    pub ids: [IdTally; 3],
    /// The block's IDs, before they go to the shared tables.
    pub block_ids: [BlockIds; 3],
    /// Interactions per UTC day (days since 1970-01-01).
    pub days: FastMap<i64, u64>,
    pub ts_min: i64,
    pub ts_max: i64,
    pub events: Vec<(Vec<u8>, u64)>,
    pub events_overflow: u64,
    /// Distinct values tracked per column (see [`MAX_DISTINCT`]).
    pub cap: usize,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            rows: 0,
            cols: Vec::new(),
            ids: Default::default(),
            block_ids: Default::default(),
            days: FastMap::default(),
            ts_min: i64::MAX,
            ts_max: i64::MIN,
            events: Vec::new(),
            events_overflow: 0,
            cap: MAX_DISTINCT,
        }
    }
}

impl Tally {
    #[inline]
    fn add_event(&mut self, v: &[u8]) {
        if let Some(e) = self.events.iter_mut().find(|(t, _)| t == v) {
            e.1 += 1;
        } else if self.events.len() < MAX_EVENT_TYPES {
            self.events.push((v.to_vec(), 1));
        } else {
            self.events_overflow += 1;
        }
    }

    /// Adds a block's counts (or another file's).
    pub fn merge(&mut self, o: Tally) {
        self.rows += o.rows;
        if self.cols.len() < o.cols.len() {
            self.cols.resize_with(o.cols.len(), ColTally::default);
        }
        let cap = self.cap.max(o.cap);
        self.cap = cap;
        for (mine, theirs) in self.cols.iter_mut().zip(o.cols) {
            mine.merge(theirs, cap);
        }
        for (d, n) in o.days {
            *self.days.entry(d).or_insert(0) += n;
        }
        self.ts_min = self.ts_min.min(o.ts_min);
        self.ts_max = self.ts_max.max(o.ts_max);
        for (t, n) in o.events {
            if let Some(e) = self.events.iter_mut().find(|(x, _)| *x == t) {
                e.1 += n;
            } else if self.events.len() < MAX_EVENT_TYPES {
                self.events.push((t, n));
            } else {
                self.events_overflow += n;
            }
        }
        self.events_overflow += o.events_overflow;
    }
}

/// What the engine captures for the insights of one dataset.
#[derive(Debug, Default)]
pub(crate) struct Capture {
    pub spec: Option<Spec>,
    pub tally: Tally,
    /// Users, items, actions, added to by the workers.
    shared: Arc<[SharedIds; 3]>,
}

impl Capture {
    /// Moves the shared ID tables into the tally, once every file is read.
    pub fn finish(&mut self) {
        for (mine, shared) in self.tally.ids.iter_mut().zip(self.shared.iter()) {
            *mine = shared.take();
        }
    }
}

/// The insights watch the engine's records: each file's columns are mapped to the canonical
/// ones, each record is counted into its block's tally, and the tallies are added up in order.
impl Observer for Capture {
    type File = FileTally;
    type Block = Tally;

    /// The per-record work of the next file; the first file's columns become the canonical
    /// ones.
    fn file(&mut self, file: &FileInfo<'_>) -> FileTally {
        if self.spec.is_none() {
            let spec = Spec::new(file.columns, file.dataset_type);
            self.tally = spec.tally();
            self.spec = Some(spec);
        }
        self.spec
            .as_ref()
            .expect("set above")
            .file(file.columns, &self.shared)
    }

    #[inline]
    fn record(file: &FileTally, block: &mut Tally, record: &Record<'_>) {
        file.record(record.fields, record.line, record.timestamp, block);
    }

    fn end_block(file: &FileTally, block: &mut Tally) {
        file.flush(block);
    }

    fn merge(&mut self, block: Tally) {
        self.tally.merge(block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_ids() {
        assert_eq!(normalise(b"abc-1"), None);
        assert_eq!(normalise(b"ABC-1").as_deref(), Some(&b"abc-1"[..]));
        assert_eq!(normalise(b" abc ").as_deref(), Some(&b"abc"[..]));
        assert_eq!(
            normalise("Ärger".as_bytes()).as_deref(),
            Some("ärger".as_bytes())
        );
        assert_eq!(normalise("ärger".as_bytes()), None);
    }

    #[test]
    fn coarse_keeps_three_digits() {
        assert_eq!(coarse(123456.0), 123000.0);
        assert_eq!(coarse(-0.012345), -0.0123);
        assert_eq!(coarse(0.0), 0.0);
        assert_eq!(coarse(7.0), 7.0);
    }
}
