//! Plan keys: what identifies a record, computed the same way for the new batch (inside the
//! validation engine) and for the existing data (while it is streamed).
//!
//! A record's *identity* is a 128-bit hash of its values parsed by schema type, in a canonical
//! column order (the new batch's first header), so that `1.0` and `1.00` in a `float` column,
//! `007` and `7` in an `int` column, or `"abc"` and `abc` are the same value, and files whose
//! columns are in another order still compare. Items, users and actions also get a 128-bit hash
//! of their ID (the value after unescaping). In interactions, USER_ID and ITEM_ID (ACTION_ID)
//! enter the encoding in fixed sizes (two words that hold a value of up to 16 bytes, else its
//! 128-bit hash), so that no copy of them needs a call. 128 bits make a collision between two different
//! records practically impossible (about 2^-64 for ten billion records).

use std::io::Write;
use std::sync::{Arc, OnceLock};

use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use super::grace::{partition_bits, Grouped, Grouping, Layout, PartitionWriter, Partitioner};
use super::ids::{self, NewIds};
use crate::dialect::Fields;
use crate::engine::columns::{Check, Column};
use crate::engine::dataset::MAX_EVENT_TYPES;
use crate::engine::observer::{FileInfo, Observer, Record};
use crate::schema::DatasetType;
use crate::temp::{Registered, RunDir};
use crate::values::{is_boolean, parse_float, parse_int};

/// How a column's values are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// `int` (32) or `long` (64): by value.
    Int(u32),
    /// `float` (as f32) or `double` (as f64): by value.
    Float { double: bool },
    /// `boolean`.
    Bool,
    /// Strings, IDs and columns of unknown type: the bytes after unescaping.
    Bytes,
}

impl KeyKind {
    fn of(check: Check) -> KeyKind {
        match check {
            Check::Int { bits, .. } => KeyKind::Int(bits),
            Check::Float { double } => KeyKind::Float { double },
            Check::Bool => KeyKind::Bool,
            Check::Unknown | Check::Id | Check::Str(_) => KeyKind::Bytes,
        }
    }
}

/// The canonical columns every record is keyed by: the new batch's first header, mapped to the
/// schema.
#[derive(Debug, Clone)]
pub(crate) struct KeySpec {
    /// Column names (schema spelling where the column maps to a field).
    pub names: Vec<String>,
    /// How each column compares.
    pub kinds: Vec<KeyKind>,
    /// The canonical index of the ID column (items, users, actions).
    pub id: Option<usize>,
    /// The canonical indexes of USER_ID and EVENT_TYPE (Item interactions), for the limits
    /// judged after the job.
    pub user: Option<usize>,
    /// See `user`.
    pub event_type: Option<usize>,
    /// The canonical indexes of USER_ID and of ITEM_ID (ACTION_ID) in item (action)
    /// interactions: the new users and items of the import ([`super::ids`]).
    pub who: Option<usize>,
    /// See `who`.
    pub what: Option<usize>,
    /// The dataset type, which decides the key: an ID, or the whole interaction.
    pub dataset_type: DatasetType,
}

impl KeySpec {
    /// The spec of a file with these columns.
    pub fn new(columns: &[Column], dataset_type: DatasetType) -> KeySpec {
        let names: Vec<String> = columns.iter().map(|p| p.name.clone()).collect();
        let id = dataset_type
            .id_field()
            .and_then(|f| names.iter().position(|n| n == f));
        let col = |f: &str| {
            (dataset_type == DatasetType::Interactions)
                .then(|| names.iter().position(|n| n == f))
                .flatten()
        };
        let of_interactions = |f: &str| {
            dataset_type
                .is_interactions()
                .then(|| names.iter().position(|n| n == f))
                .flatten()
        };
        let what = match dataset_type {
            DatasetType::ActionInteractions => "ACTION_ID",
            _ => "ITEM_ID",
        };
        KeySpec {
            kinds: columns.iter().map(|p| KeyKind::of(p.check)).collect(),
            user: col("USER_ID"),
            event_type: col("EVENT_TYPE"),
            who: of_interactions("USER_ID"),
            what: of_interactions(what),
            names,
            id,
            dataset_type,
        }
    }

    /// Whether records are keyed by an ID.
    pub fn keyed_by_id(&self) -> bool {
        !self.dataset_type.is_interactions()
    }

    /// The keyer of a file whose columns are `columns`: canonical columns are found by name.
    /// `spool` makes it copy every keyed record (in canonical order) for writing later.
    pub fn keyer(&self, columns: &[Column], spool: bool) -> FileKeyer {
        // The first column of each name, by lookup: a scan per name made a file of 100,000
        // columns take hours.
        let mut first: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(columns.len());
        for (i, p) in columns.iter().enumerate() {
            first.entry(p.name.as_str()).or_insert(i);
        }
        let src: Vec<Option<usize>> = self
            .names
            .iter()
            .map(|n| first.get(n.as_str()).copied())
            .collect();
        let identity =
            columns.len() == self.names.len() && src.iter().enumerate().all(|(i, s)| *s == Some(i));
        // The USER_ID and ITEM_ID (ACTION_ID) columns of string type go into the record's
        // encoding as a hash of their value, which the new users and items then reuse.
        let hashed = (0..self.names.len())
            .map(|c| match self.kinds[c] {
                KeyKind::Bytes if self.who == Some(c) => 1,
                KeyKind::Bytes if self.what == Some(c) => 2,
                _ => 0,
            })
            .collect();
        FileKeyer {
            kinds: self.kinds.clone(),
            hashed,
            id: self.id.and_then(|c| src[c]),
            user: self.user.and_then(|c| src[c]),
            event_type: self.event_type.and_then(|c| src[c]),
            who: self.who.and_then(|c| src[c]),
            what: self.what.and_then(|c| src[c]),
            ids: false,
            ids_sink: None,
            grouping: None,
            facts: false,
            needs_id: self.keyed_by_id(),
            src,
            ncols: columns.len(),
            identity,
            spool,
        }
    }
}

/// Keys the records of one file (new or existing) by the canonical columns.
#[derive(Debug, Clone)]
pub(crate) struct FileKeyer {
    kinds: Vec<KeyKind>,
    /// Per canonical column: 1 for USER_ID, 2 for ITEM_ID (ACTION_ID), encoded by the hash
    /// of their value ([`FileKeyer::key`]); 0 for the others.
    hashed: Vec<u8>,
    /// Canonical column → this file's column.
    src: Vec<Option<usize>>,
    /// This file's ID column.
    id: Option<usize>,
    /// This file's USER_ID and EVENT_TYPE columns (Item interactions).
    user: Option<usize>,
    event_type: Option<usize>,
    /// This file's USER_ID and ITEM_ID (ACTION_ID) columns (interactions).
    who: Option<usize>,
    what: Option<usize>,
    /// Whether [`FileKeyer::capture`] also collects the users and items of the records
    /// ([`super::ids`]).
    pub ids: bool,
    /// Where the workers put them at the end of each block.
    pub ids_sink: Option<Arc<NewIds>>,
    /// Set once the batch's keys go to disk: the workers then group their blocks' keys by
    /// partition at the end of each block ([`Grouping::group`]).
    pub grouping: Option<Arc<OnceLock<Grouping>>>,
    /// Whether [`FileKeyer::capture`] also keeps each record's user and event type.
    facts: bool,
    needs_id: bool,
    /// This file's column count.
    pub ncols: usize,
    /// The file's columns are exactly the canonical ones, in order.
    pub identity: bool,
    spool: bool,
}

/// The keys of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordKey {
    /// Hash of the ID (0 for interactions).
    pub id: u128,
    /// Hash of the whole record, typed.
    pub rec: u128,
    /// The hashes of the record's USER_ID and ITEM_ID (ACTION_ID) for [`super::ids`]: `None`
    /// when the file has no such column or the value is empty.
    pub ids: [Option<u64>; 2],
}

impl FileKeyer {
    /// The keys of a split line, or `None` when it cannot be a stored record (a wrong field
    /// count, or an empty ID). `buf` is scratch space.
    #[inline]
    pub fn key(&self, fields: &Fields, line: &[u8], buf: &mut Vec<u8>) -> Option<RecordKey> {
        if fields.len() != self.ncols {
            return None;
        }
        let id = if self.needs_id {
            let v = fields.value(line, self.id?);
            if v.is_empty() {
                return None;
            }
            xxh3_128(v)
        } else {
            0
        };
        buf.clear();
        let mut ids = [None; 2];
        for (c, kind) in self.kinds.iter().enumerate() {
            let v: &[u8] = match self.src[c] {
                Some(i) => fields.value(line, i),
                None => b"",
            };
            match self.hashed[c] {
                0 => encode_typed(*kind, v, buf),
                _ if v.is_empty() => buf.push(0),
                side => {
                    // Fixed sizes, so that the copies need no call (IDs of one length are
                    // common): a value of up to 16 bytes as its length and two words that
                    // hold it all, a longer one as its 128-bit hash (whose low half is then
                    // its ID hash). (Event types, of several lengths in no order, went slower
                    // this way than by a copy: the length's branch mispredicted.)
                    let h = if let Some((a, b)) = words(v) {
                        buf.push(5);
                        buf.push(v.len() as u8);
                        buf.extend_from_slice(&a.to_le_bytes());
                        buf.extend_from_slice(&b.to_le_bytes());
                        id_hash(v)
                    } else {
                        let h = xxh3_128(v);
                        buf.push(6);
                        buf.extend_from_slice(&h.to_le_bytes());
                        h as u64
                    };
                    ids[usize::from(side - 1)] = Some(h);
                }
            }
        }
        // A USER_ID or ITEM_ID column of another type than string (the schema's choice).
        for (k, col) in [self.who, self.what].into_iter().enumerate() {
            if let (None, Some(c)) = (ids[k], col) {
                let v = fields.value(line, c);
                if !v.is_empty() {
                    ids[k] = Some(id_hash(v));
                }
            }
        }
        Some(RecordKey {
            id,
            rec: xxh3_128(buf),
            ids,
        })
    }

    /// Whether a split line is a record ([`FileKeyer::key`] would key it), without hashing.
    #[inline]
    pub fn is_record(&self, fields: &Fields, line: &[u8]) -> bool {
        if fields.len() != self.ncols {
            return false;
        }
        !self.needs_id || self.id.is_some_and(|c| !fields.value(line, c).is_empty())
    }

    /// The schema's ID column when this file lacks it (ID types).
    pub fn missing_id<'s>(&self, spec: &'s KeySpec) -> Option<&'s str> {
        if self.needs_id && self.id.is_none() {
            spec.dataset_type.id_field()
        } else {
            None
        }
    }

    /// Whether the file has at least one of the canonical columns.
    pub fn shares_a_column(&self) -> bool {
        self.src.iter().any(Option::is_some)
    }

    /// The hash of a record's USER_ID (Item interactions), the same for the new and the
    /// existing data; `None` when the file has no such column.
    #[inline]
    pub fn user_hash(&self, fields: &Fields, line: &[u8]) -> Option<u64> {
        self.user.map(|c| xxh3_64(fields.value(line, c)))
    }

    /// The entries of a keyed record's USER_ID and ITEM_ID (ACTION_ID) for [`super::ids`], on
    /// `side`. An empty value is not an ID.
    #[inline]
    pub fn push_ids(key: &RecordKey, side: u64, out: &mut Vec<u64>) {
        for (h, kind) in key.ids.into_iter().zip([ids::USER, ids::ITEM]) {
            if let Some(h) = h {
                out.push(ids::entry(h, kind, side));
            }
        }
    }

    /// Whether the file has a USER_ID or ITEM_ID (ACTION_ID) column to collect.
    pub fn has_ids(&self) -> bool {
        self.who.is_some() || self.what.is_some()
    }

    /// A record's EVENT_TYPE (Item interactions); `None` when the file has no such column.
    #[inline]
    pub fn event_type<'l>(&self, fields: &'l Fields, line: &'l [u8]) -> Option<&'l [u8]> {
        self.event_type.map(|c| fields.value(line, c))
    }

    /// The ID value of a split line (ID types).
    pub fn id_value<'l>(&self, fields: &'l Fields, line: &'l [u8]) -> Option<&'l [u8]> {
        let id = self.id.filter(|_| self.needs_id)?;
        (id < fields.len()).then(|| fields.value(line, id))
    }

    /// Keys a record checked by the engine into the block's capture (and copies it when
    /// spooling). Never inlined: inside the engine's row loop, which is large already, it
    /// left that loop's registers short and its hot values on the stack; on its own it keeps
    /// both fast (the FULL 3 + 1 GB plan's batch phase took 15-25% longer inlined).
    #[inline(never)]
    pub fn capture(&self, fields: &Fields, line: &[u8], keys: &mut BlockKeys) {
        let Some(k) = self.key(fields, line, &mut keys.scratch) else {
            return;
        };
        keys.rec.push(k.rec);
        if self.needs_id {
            keys.id.push(k.id);
        }
        if self.ids {
            Self::push_ids(&k, ids::BATCH, &mut keys.ids);
        }
        if self.facts {
            // One entry per record, so that a record's index finds them.
            keys.user
                .push(self.user_hash(fields, line).unwrap_or_default());
            let ev = self.event_type(fields, line);
            keys.push_event(ev);
        }
        if self.spool {
            self.write_line(fields, line, &mut keys.lines);
        }
    }

    /// Writes a record in canonical column order and Personalize's dialect, ending in `\n`:
    /// the line as it is when that is already the case, else re-encoded.
    pub fn write_line(&self, fields: &Fields, line: &[u8], out: &mut Vec<u8>) {
        if self.identity && !fields.had_quote {
            out.extend_from_slice(line);
        } else {
            for (c, s) in self.src.iter().enumerate() {
                if c > 0 {
                    out.push(b',');
                }
                if let Some(i) = s {
                    encode_field(fields.value(line, *i), out);
                }
            }
        }
        out.push(b'\n');
    }
}

/// The hash of a USER_ID or ITEM_ID (ACTION_ID) value for [`super::ids`]: for a value longer
/// than 16 bytes, the low half of the 128-bit hash [`FileKeyer::key`] puts in the record's
/// encoding.
#[inline]
fn id_hash(v: &[u8]) -> u64 {
    if v.len() <= 16 {
        xxh3_64(v)
    } else {
        xxh3_128(v) as u64
    }
}

/// Two words that, with the length, hold a value of up to 16 bytes whole (the first and the
/// last 8 bytes, or 4, overlapping when shorter than 16 or 8); `None` when it is longer.
#[inline]
fn words(v: &[u8]) -> Option<(u64, u64)> {
    let n = v.len();
    let w8 = |i: usize| u64::from_le_bytes(v[i..i + 8].try_into().unwrap_or_default());
    let w4 = |i: usize| {
        u64::from(u32::from_le_bytes(
            v[i..i + 4].try_into().unwrap_or_default(),
        ))
    };
    match n {
        8..=16 => Some((w8(0), w8(n - 8))),
        4..=7 => Some((w4(0), w4(n - 4))),
        0..=3 => Some((v.iter().fold(0, |a, &c| a << 8 | u64::from(c)), 0)),
        _ => None,
    }
}

/// Appends one value to the identity encoding: a tag, then the value parsed by type (or its
/// bytes, length-prefixed, when it does not parse). Empty is null for every type.
#[inline]
fn encode_typed(kind: KeyKind, v: &[u8], buf: &mut Vec<u8>) {
    if v.is_empty() {
        buf.push(0);
        return;
    }
    match kind {
        KeyKind::Int(bits) => {
            if let Some(n) = long_digits(v, bits).or_else(|| parse_int(v, bits).ok()) {
                buf.push(1);
                buf.extend_from_slice(&n.to_le_bytes());
                return;
            }
        }
        KeyKind::Float { double: false } => {
            // A `float` is stored in 32 bits: values equal as f32 are the same value. `+ 0.0`
            // turns -0.0 into 0.0.
            let x = short_decimal(v).or_else(|| parse_float(v, false).ok().map(|x| x as f32));
            if let Some(x) = x {
                buf.push(2);
                buf.extend_from_slice(&(x + 0.0).to_bits().to_le_bytes());
                return;
            }
        }
        KeyKind::Float { double: true } => {
            if let Ok(x) = parse_float(v, true) {
                buf.push(2);
                buf.extend_from_slice(&(x + 0.0).to_bits().to_le_bytes());
                return;
            }
        }
        KeyKind::Bool => {
            if is_boolean(v) {
                buf.push(3);
                buf.push(u8::from(v == b"true"));
                return;
            }
        }
        KeyKind::Bytes => {}
    }
    buf.push(4);
    buf.extend_from_slice(&(v.len() as u64).to_le_bytes());
    buf.extend_from_slice(v);
}

/// The value of an unsigned run of 8 to 19 digits (a Unix timestamp) as `parse_int` gives it,
/// the first eight digits at once (three multiplications instead of eight dependent steps);
/// `None` for anything else, which `parse_int` then decides.
#[inline]
fn long_digits(v: &[u8], bits: u32) -> Option<i64> {
    let (head, rest) = v.split_first_chunk::<8>()?;
    if rest.len() > 11 {
        return None;
    }
    let x = u64::from_le_bytes(*head).wrapping_sub(0x3030_3030_3030_3030);
    // A byte below '0' wrapped to 0xD0 or more; one above '9' reaches 0x80 with 0x76 added.
    if (x | x.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    let x = x.wrapping_mul(10).wrapping_add(x >> 8);
    let x = ((x & 0x0000_00FF_0000_00FF)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((x >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32))))
        >> 32;
    let mut n = x;
    for &c in rest {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    let max = if bits == 32 {
        i32::MAX as u64
    } else {
        i64::MAX as u64
    };
    (n <= max).then_some(n as i64)
}

/// Reciprocals of the powers of ten [`short_decimal`] divides by.
const RECIPROCALS: [f64; 5] = [1.0, 0.1, 0.01, 0.001, 0.0001];

/// The `float` (f32) value of a plain decimal of at most 8 digits, at most 4 after the point,
/// whose digits make an integer below 2^24, multiplied by the reciprocal of the power of ten
/// rather than divided by it: `parse_float`'s value rounded to f32, bit for bit. (The digits
/// `m` and `10^s` are exact f32 values; rounding their exact quotient to f64 and then to f32
/// gives the correctly rounded f32, and a quotient that is not itself an f32 value lies at
/// least 2^-39 (relative) from every midpoint between two, since `10^s < 2^14`; the product
/// is within 2^-52 of it, so it rounds the same way.) `None` for anything else.
#[inline]
fn short_decimal(v: &[u8]) -> Option<f32> {
    let (neg, m, scale) = crate::values::decimal_parts(v, 9)?;
    if m >= 1 << 24 || scale >= RECIPROCALS.len() {
        return None;
    }
    // Below 2^24: exact in an f64.
    let x = (m as f64 * RECIPROCALS[scale]) as f32;
    Some(if neg { -x } else { x })
}

/// Writes a value in Personalize's dialect: quoted when it contains a comma, a quote or a line
/// break, with `\"` and `\\` escapes inside the quotes.
pub(crate) fn encode_field(v: &[u8], out: &mut Vec<u8>) {
    let needs_quotes = v
        .iter()
        .any(|&b| b == b',' || b == b'"' || b == b'\n' || b == b'\r');
    if !needs_quotes {
        out.extend_from_slice(v);
        return;
    }
    out.push(b'"');
    for &b in v {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// The header line of written files: the canonical column names.
pub(crate) fn header_line(spec: &KeySpec) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, n) in spec.names.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(n.as_bytes());
    }
    out.push(b'\n');
    out
}

/// The keys of one block of the new batch, filled by a worker, handed over in file order.
#[derive(Debug, Default)]
pub(crate) struct BlockKeys {
    /// Record identities, in file order.
    pub rec: Vec<u128>,
    /// ID hashes (items, users, actions), parallel to `rec`.
    pub id: Vec<u128>,
    /// The records in canonical form, one per line (when spooling).
    pub lines: Vec<u8>,
    /// USER_ID hashes, parallel to `rec` (when the capture keeps the facts).
    pub user: Vec<u64>,
    /// EVENT_TYPE values as indexes into `event_names` ([`NO_EVENT_TYPE`] for none), parallel
    /// to `rec`.
    pub event: Vec<EventId>,
    /// The block's distinct event types.
    pub event_names: Vec<Vec<u8>>,
    /// The block's users and items ([`super::ids`]), handed to the shared set at the end of the
    /// block.
    pub ids: Vec<u64>,
    /// Once the batch's keys go to disk: `rec`, `id`, `user` and `event` grouped by partition
    /// by the worker (and emptied).
    pub grouped: Option<Grouped>,
    last_event: usize,
    scratch: Vec<u8>,
}

/// An event type as an index into a table of them: at most `MAX_EVENT_TYPES` (10,000) are
/// tracked, so 16 bits hold one (2 bytes per record of the batch).
pub(crate) type EventId = u16;
/// A record without an event type (the file has no EVENT_TYPE column).
pub(crate) const NO_EVENT_TYPE: EventId = EventId::MAX;
/// An event type beyond the ones tracked (only counted).
pub(crate) const OTHER_EVENT_TYPE: EventId = EventId::MAX - 1;
const _: () = assert!(MAX_EVENT_TYPES < OTHER_EVENT_TYPE as usize);

impl BlockKeys {
    /// The block's records grouped by partition: keyed by ID where the type has one, else by
    /// the record's hash.
    fn group(&self, g: Grouping) -> Grouped {
        let keys = if self.id.is_empty() {
            &self.rec
        } else {
            &self.id
        };
        g.group(keys, &self.rec, &self.user, &self.event)
    }

    /// Records one record's event type. Event types are few: a short list with a last-hit
    /// cache, as the engine counts them.
    #[inline]
    fn push_event(&mut self, v: Option<&[u8]>) {
        let Some(v) = v else {
            self.event.push(NO_EVENT_TYPE);
            return;
        };
        if self
            .event_names
            .get(self.last_event)
            .is_some_and(|e| e == v)
        {
            self.event.push(self.last_event as EventId);
            return;
        }
        let i = match self.event_names.iter().position(|e| e == v) {
            Some(i) => i,
            None if self.event_names.len() < MAX_EVENT_TYPES => {
                self.event_names.push(v.to_vec());
                self.event_names.len() - 1
            }
            None => {
                self.event.push(OTHER_EVENT_TYPE);
                return;
            }
        };
        self.last_event = i;
        self.event.push(i as EventId);
    }
}

/// What the engine captured of the new batch: every keyed record's keys in file order (so a
/// record's index is its order in the batch), and optionally the records themselves, spooled to
/// a temporary file so that writing the outputs never reads the inputs again.
#[derive(Debug, Default)]
pub(crate) struct Capture {
    /// Whether records are spooled.
    pub spool_records: bool,
    /// Where the spool goes (next to the output, which needs as much room anyway), or the
    /// system's temporary folder.
    pub spool_dir: Option<std::path::PathBuf>,
    /// The canonical columns (from the first file with a header).
    pub spec: Option<KeySpec>,
    /// Identities, one chunk per block.
    pub rec: Vec<Vec<u128>>,
    /// ID hashes, one chunk per block.
    pub id: Vec<Vec<u128>>,
    /// Keyed records.
    pub records: u64,
    /// The spooled records.
    pub spool: Option<std::io::BufWriter<tempfile::NamedTempFile>>,
    /// The first error writing the spool.
    pub error: Option<std::io::Error>,
    /// Whether each record's USER_ID and EVENT_TYPE are kept (Item interactions): an
    /// INCREMENTAL plan judges the limits on the existing records plus the new ones.
    pub facts: bool,
    /// USER_ID hashes, one per keyed record, one chunk per block (no reallocation of a
    /// batch-sized vector).
    pub user: Vec<Vec<u64>>,
    /// Event types, one per keyed record, in the same chunks: indexes into `event_names`, or
    /// [`NO_EVENT_TYPE`], [`OTHER_EVENT_TYPE`].
    pub event: Vec<Vec<EventId>>,
    /// The distinct event types (at most `MAX_EVENT_TYPES`).
    pub event_names: Vec<Vec<u8>>,
    event_index: std::collections::HashMap<Vec<u8>, EventId>,
    /// When to move the keys to disk (the plan out of core); `None`: never.
    pub spill_at: Option<SpillAt>,
    /// The first error writing the partitions.
    pub spill_error: Option<std::io::Error>,
    /// The batch's users and items (interactions), when the plan counts the new ones; made
    /// with this budget once the first file shows an interactions dataset.
    pub ids_budget: Option<u64>,
    /// See `ids_budget`; filled by the workers ([`FileKeyer::ids_sink`]).
    pub ids: Option<Arc<NewIds>>,
    /// The partitions of the batch's keys, once spilling (written on a thread of their own).
    pub partitioner: Option<PartitionWriter>,
    /// Their grouping, shared with the workers once spilling.
    pub grouping: Arc<OnceLock<Grouping>>,
    /// Their folder.
    pub dir: Option<RunDir>,
    /// The spool's registration for removal on an interrupt.
    spool_registered: Option<Registered>,
}

/// When the batch's keys leave memory, and how they are partitioned.
#[derive(Debug, Clone)]
pub(crate) struct SpillAt {
    /// Memory the keys held may take ([`super::in_memory_cost`] per record).
    pub bytes: u64,
    /// Where the partitions go (else the system's temporary folder).
    pub root: Option<std::path::PathBuf>,
    /// The batch's records, estimated from its size (sizes the partitions).
    pub expected_records: u64,
    /// Memory for one partition being joined.
    pub join_budget: u64,
    /// Memory for the partitions' write buffers.
    pub buffers: usize,
}

impl Capture {
    /// A capture, spooling records when `spool` is set, into `spool_dir` if given.
    pub fn new(spool: bool, spool_dir: Option<std::path::PathBuf>) -> Capture {
        Capture {
            spool_records: spool,
            spool_dir,
            ..Capture::default()
        }
    }

    /// Takes a block's keys (called in file order): kept in memory, or, once the batch is
    /// past the memory budget, written to the partitions of the plan out of core.
    pub fn absorb(&mut self, keys: &mut BlockKeys) {
        if self.spool_records && self.error.is_none() {
            if let Err(e) = self.write_spool(&keys.lines) {
                self.error = Some(e);
            }
        }
        keys.lines = Vec::new();
        keys.ids = Vec::new();
        let n = keys.grouped.as_ref().map_or(keys.rec.len(), Grouped::len);
        if n == 0 || self.spill_error.is_some() {
            keys.rec.clear();
            keys.id.clear();
            keys.user.clear();
            keys.grouped = None;
            return;
        }
        self.records += n as u64;
        // The block's event-type indexes, as indexes into the capture's table.
        let facts = !keys.user.is_empty()
            || keys.grouped.is_some()
                && self
                    .partitioner
                    .as_ref()
                    .is_some_and(|w| w.grouping().layout.facts);
        let map: Vec<EventId> = if facts {
            keys.event_names
                .iter()
                .map(|name| match self.event_index.get(name) {
                    Some(&i) => i,
                    None if self.event_names.len() < MAX_EVENT_TYPES => {
                        let i = self.event_names.len() as EventId;
                        self.event_index.insert(name.clone(), i);
                        self.event_names.push(name.clone());
                        i
                    }
                    None => OTHER_EVENT_TYPE,
                })
                .collect()
        } else {
            Vec::new()
        };
        if let Some(w) = self.partitioner.as_mut() {
            // Grouped by the worker, or (a block keyed before the spilling started) here.
            let mut g = match keys.grouped.take() {
                Some(g) => g,
                None => keys.group(w.grouping()),
            };
            g.map_events(w.grouping().layout, &map);
            if let Err(e) = w.send(g) {
                self.spill_error.get_or_insert(e);
            }
            keys.rec.clear();
            keys.id.clear();
            keys.user.clear();
            keys.event.clear();
            return;
        }
        let events = if keys.user.is_empty() {
            Vec::new()
        } else {
            let mut events = std::mem::take(&mut keys.event);
            for e in &mut events {
                *e = map.get(*e as usize).copied().unwrap_or(*e);
            }
            events
        };
        // Kept until the batch is deduplicated: no spare capacity.
        keys.rec.shrink_to_fit();
        keys.id.shrink_to_fit();
        self.rec.push(std::mem::take(&mut keys.rec));
        if !keys.id.is_empty() {
            self.id.push(std::mem::take(&mut keys.id));
        }
        if !keys.user.is_empty() {
            keys.user.shrink_to_fit();
            self.user.push(std::mem::take(&mut keys.user));
            let mut events = events;
            events.shrink_to_fit();
            self.event.push(events);
        }
        let by_id = self.spec.as_ref().is_some_and(KeySpec::keyed_by_id);
        let cost = super::in_memory_cost(by_id) + if self.user.is_empty() { 0 } else { 12 };
        if self
            .spill_at
            .as_ref()
            .is_some_and(|s| self.records.saturating_mul(cost) > s.bytes)
        {
            if let Err(e) = self.start_spilling() {
                self.spill_error.get_or_insert(e);
            }
        }
    }

    /// Whether the batch's keys went to disk.
    pub fn spilled(&self) -> bool {
        self.partitioner.is_some()
    }

    /// Moves the keys held so far to the partitions; the rest follow as they come.
    fn start_spilling(&mut self) -> std::io::Result<()> {
        let Some(at) = self.spill_at.take() else {
            return Ok(());
        };
        let Some(spec) = self.spec.as_ref() else {
            return Ok(());
        };
        let by_id = spec.keyed_by_id();
        let layout = Layout {
            rec: by_id,
            facts: !self.user.is_empty(),
        };
        let dir = RunDir::new(at.root.as_deref(), "plan")?;
        let bits = partition_bits(at.expected_records.max(self.records * 2), at.join_budget);
        // The batch's order is walked only to write the files (from the spool).
        let grouping = Grouping {
            bits,
            layout,
            order: self.spool_records,
        };
        let mut w =
            PartitionWriter::new(Partitioner::new(dir.path(), "new", grouping, at.buffers)?)?;
        self.dir = Some(dir);
        let rec = std::mem::take(&mut self.rec);
        let id = std::mem::take(&mut self.id);
        let user = std::mem::take(&mut self.user);
        let event = std::mem::take(&mut self.event);
        let none = Vec::new();
        for (c, r) in rec.iter().enumerate() {
            let ids = id.get(c).unwrap_or(&none);
            let g = grouping.group(
                if ids.is_empty() { r } else { ids },
                r,
                user.get(c).map_or(&[][..], |u| u),
                event.get(c).map_or(&[][..], |e| e),
            );
            w.send(g)?;
        }
        self.partitioner = Some(w);
        // The blocks keyed from now on are grouped by their workers.
        let _ = self.grouping.set(grouping);
        Ok(())
    }

    fn write_spool(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.spool.is_none() {
            let mut b = tempfile::Builder::new();
            b.prefix(".preflight-batch-");
            let f = match &self.spool_dir {
                Some(dir) => b.tempfile_in(dir)?,
                None => b.tempfile()?,
            };
            self.spool_registered = Some(Registered::new(f.path()));
            self.spool = Some(std::io::BufWriter::with_capacity(1 << 20, f));
        }
        self.spool.as_mut().expect("created above").write_all(bytes)
    }
}

/// The plan watches the engine's records: every well-formed record of the new batch is keyed
/// (and spooled when the plan writes files) by its block's worker, and the blocks' keys are
/// taken in file order, so that a record's index is its order in the batch.
impl Observer for Capture {
    type File = FileKeyer;
    type Block = BlockKeys;

    /// The keyer of the next file; the first file's columns become the canonical ones.
    fn file(&mut self, file: &FileInfo<'_>) -> FileKeyer {
        let spec = self
            .spec
            .get_or_insert_with(|| KeySpec::new(file.columns, file.dataset_type));
        let mut keyer = spec.keyer(file.columns, self.spool_records);
        keyer.facts = self.facts && file.dataset_type == DatasetType::Interactions;
        if let (Some(budget), true) = (self.ids_budget, spec.dataset_type.is_interactions()) {
            let root = self.spill_at.as_ref().and_then(|s| s.root.clone());
            let ids = self
                .ids
                .get_or_insert_with(|| Arc::new(NewIds::new(budget, root)));
            keyer.ids = keyer.has_ids();
            keyer.ids_sink = Some(Arc::clone(ids));
        }
        if self.spill_at.is_some() || self.partitioner.is_some() {
            keyer.grouping = Some(Arc::clone(&self.grouping));
        }
        keyer
    }

    #[inline]
    fn record(keyer: &FileKeyer, block: &mut BlockKeys, record: &Record<'_>) {
        keyer.capture(record.fields, record.line, block);
    }

    /// The block's users and items go to the shared set, from its worker; once the batch's
    /// keys go to disk, the worker groups its block's keys by partition.
    #[inline]
    fn end_block(keyer: &FileKeyer, block: &mut BlockKeys) {
        if let Some(ids) = &keyer.ids_sink {
            ids.add(&block.ids);
        }
        block.ids = Vec::new();
        if let Some(g) = keyer.grouping.as_ref().and_then(|g| g.get()) {
            if !block.rec.is_empty() {
                block.grouped = Some(block.group(*g));
                block.rec = Vec::new();
                block.id = Vec::new();
                block.user = Vec::new();
                block.event = Vec::new();
            }
        }
    }

    fn merge(&mut self, mut block: BlockKeys) {
        self.absorb(&mut block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::split_line;
    use crate::engine::columns::{IntRole, StrKind};

    #[test]
    fn a_file_of_100000_columns_is_keyed_in_linear_time() {
        // Regression (adversarial corpus): each canonical column was looked up by a scan of
        // the file's columns, and `preflight plan` on a file of 100,000 columns never ended.
        let plan: Vec<Column> = (0..100_000)
            .map(|i| Column::unknown(&format!("C{i}")))
            .collect();
        let spec = KeySpec::new(&plan, DatasetType::Items);
        let start = std::time::Instant::now();
        let mut reversed = plan.clone();
        reversed.reverse();
        let keyer = spec.keyer(&reversed, false);
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        assert!(!keyer.identity);
        assert_eq!(keyer.src[0], Some(99_999));
        assert_eq!(keyer.src[99_999], Some(0));
        // A repeated name maps to its first column, as before.
        let dup = [Column::unknown("A"), Column::unknown("A")];
        assert_eq!(spec.keyer(&dup, false).src[..1], [None]);
        let spec = KeySpec::new(&dup, DatasetType::Items);
        assert_eq!(spec.keyer(&dup, false).src, [Some(0), Some(0)]);
    }

    fn col(name: &str, check: Check) -> Column {
        Column {
            name: name.into(),
            check,
            nullable: true,
        }
    }

    fn spec() -> KeySpec {
        KeySpec::new(
            &[
                col("ITEM_ID", Check::Id),
                col("PRICE", Check::Float { double: false }),
                col(
                    "N",
                    Check::Int {
                        bits: 64,
                        role: IntRole::Plain,
                    },
                ),
                col("NAME", Check::Str(StrKind::Plain)),
            ],
            DatasetType::Items,
        )
    }

    /// Out of core, the batch's order file is written only when a walk reads it (the batch
    /// is spooled to write files); the keys go to their partitions all the same, whether a
    /// block was grouped here or, once spilling, by its worker.
    #[test]
    fn the_batch_order_is_written_only_when_the_files_are() {
        let mix = |i: u128| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
        for spool in [false, true] {
            let root = tempfile::tempdir().unwrap();
            let mut c = Capture::new(spool, Some(root.path().to_path_buf()));
            c.spec = Some(spec());
            c.spill_at = Some(SpillAt {
                bytes: 1,
                root: Some(root.path().to_path_buf()),
                expected_records: 100_000,
                join_budget: 1 << 20,
                buffers: 1 << 16,
            });
            for b in 0..4u128 {
                let ids: Vec<u128> = (0..500).map(|i| mix(b * 500 + i)).collect();
                let recs: Vec<u128> = ids.iter().map(|&i| mix(i)).collect();
                let mut keys = BlockKeys::default();
                match c.grouping.get() {
                    // As a worker does once the batch is spilling.
                    Some(g) if b % 2 == 1 => keys.grouped = Some(g.group(&ids, &recs, &[], &[])),
                    _ => (keys.rec, keys.id) = (recs, ids),
                }
                c.absorb(&mut keys);
            }
            assert!(c.spilled() && c.spill_error.is_none());
            assert_eq!(c.records, 2000);
            let dir = c.dir.as_ref().unwrap().path().to_path_buf();
            let parts = c.partitioner.take().unwrap().finish().unwrap();
            assert!(parts.bits > 1);
            assert_eq!(parts.counts.iter().sum::<u64>(), 2000);
            assert!(dir.join("new-0000").exists());
            assert_eq!(dir.join("new-order").exists(), spool, "spool {spool}");
            assert_eq!(parts.walk(1 << 16).is_ok(), spool, "spool {spool}");
        }
    }

    fn key(k: &FileKeyer, line: &str) -> Option<RecordKey> {
        let mut f = Fields::default();
        split_line(line.as_bytes(), &mut f);
        k.key(&f, line.as_bytes(), &mut Vec::new())
    }

    #[test]
    fn typed_values_compare_by_value() {
        let s = spec();
        let k = s.keyer(
            &[
                col("ITEM_ID", Check::Id),
                col("PRICE", Check::Unknown),
                col("N", Check::Unknown),
                col("NAME", Check::Unknown),
            ],
            false,
        );
        let a = key(&k, "i1,1.0,7,abc").unwrap();
        assert_eq!(a, key(&k, "i1,1.00,007,\"abc\"").unwrap());
        assert_eq!(
            a,
            key(&k, "i1,1.0000000001,+7,abc").unwrap(),
            "equal as f32"
        );
        assert_ne!(a.rec, key(&k, "i1,1.5,7,abc").unwrap().rec);
        assert_eq!(a.id, key(&k, "i1,1.5,7,abc").unwrap().id);
        assert_ne!(a.id, key(&k, "i2,1.0,7,abc").unwrap().id);
        // Null differs from an empty-looking string and from zero.
        assert_ne!(
            key(&k, "i1,,7,abc").unwrap().rec,
            key(&k, "i1,0,7,abc").unwrap().rec
        );
        // An empty ID or a wrong field count is not a record.
        assert_eq!(key(&k, ",1.0,7,abc"), None);
        assert_eq!(key(&k, "i1,1.0,7"), None);
    }

    #[test]
    fn columns_are_matched_by_name() {
        let s = spec();
        let canonical = s.keyer(
            &[
                col("ITEM_ID", Check::Id),
                col("PRICE", Check::Unknown),
                col("N", Check::Unknown),
                col("NAME", Check::Unknown),
            ],
            false,
        );
        let swapped = s.keyer(
            &[
                col("NAME", Check::Unknown),
                col("ITEM_ID", Check::Id),
                col("N", Check::Unknown),
                col("PRICE", Check::Unknown),
            ],
            false,
        );
        assert!(canonical.identity && !swapped.identity);
        assert_eq!(key(&canonical, "i1,2.5,3,x"), key(&swapped, "x,i1,3,2.5"));
        let mut f = Fields::default();
        let line = b"\"a, b\",i1,3,2.5";
        split_line(line, &mut f);
        let mut out = Vec::new();
        swapped.write_line(&f, line, &mut out);
        assert_eq!(out, b"i1,2.5,3,\"a, b\"\n");
    }

    #[test]
    fn fields_are_written_in_the_dialect() {
        let mut out = Vec::new();
        encode_field(br#"say "hi", \ok"#, &mut out);
        assert_eq!(out, br#""say \"hi\", \\ok""#);
        let mut f = Fields::default();
        split_line(&out, &mut f);
        assert_eq!(f.value(&out, 0), br#"say "hi", \ok"#);
        out.clear();
        encode_field(br"a\b", &mut out);
        assert_eq!(out, br"a\b");
    }

    /// The eight-digits-at-once parse gives `parse_int`'s value for every run of digits it
    /// takes, and leaves everything else (signs, other bytes, too many digits, out of range)
    /// to it.
    #[test]
    fn long_digits_parse_as_parse_int_does() {
        let mut x = 7u64;
        let mut rnd = |n: u64| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % n
        };
        let alphabet = b"0123456789012345678901234567890123456789+-./:e ";
        let mut taken = 0;
        for _ in 0..200_000 {
            let len = rnd(24) as usize;
            let mut v: Vec<u8> = (0..len).map(|_| b'0' + rnd(10) as u8).collect();
            if rnd(3) == 0 && len > 0 {
                let at = rnd(len as u64) as usize;
                v[at] = alphabet[rnd(alphabet.len() as u64) as usize];
            }
            for bits in [32, 64] {
                if let Some(n) = long_digits(&v, bits) {
                    taken += 1;
                    assert_eq!(
                        Ok(n),
                        parse_int(&v, bits),
                        "{:?}",
                        String::from_utf8_lossy(&v)
                    );
                }
            }
        }
        assert!(taken > 50_000, "{taken}");
        for (v, bits, want) in [
            (&b"1590000001"[..], 64, Some(1_590_000_001)),
            (b"2147483647", 32, Some(2_147_483_647)),
            (b"2147483648", 32, None),
            (b"9223372036854775807", 64, Some(i64::MAX)),
            (b"9223372036854775808", 64, None),
            (b"00000000000000000001", 64, None),
            (b"1234567", 64, None),
            (b"+12345678", 64, None),
            (b"1234/678", 64, None),
            (b"12345678:", 64, None),
        ] {
            assert_eq!(
                long_digits(v, bits),
                want,
                "{:?}",
                String::from_utf8_lossy(v)
            );
        }
    }

    /// A `float`'s short decimals, multiplied by a reciprocal, round to the f32 that
    /// `parse_float` then a cast give, bit for bit: every digit count and scale it takes, the
    /// largest integers below 2^24, and powers of two and five (quotients that are f32 values).
    #[test]
    fn short_decimals_round_as_parse_float_does() {
        let mut values: Vec<u32> = (0..200_000u32)
            .map(|i| i.wrapping_mul(2_654_435_761) >> 8)
            .collect();
        values.extend((1 << 24) - 2000..1 << 24);
        values.extend((0..24).map(|p| 1u32 << p));
        values.extend((0..11).map(|p| 5u32.pow(p)).filter(|&v| v < 1 << 24));
        let mut checked = 0;
        for &m in &values {
            for scale in 0..=5usize {
                let digits = m.to_string();
                let text = if scale == 0 {
                    digits
                } else {
                    let padded = format!("{:0>width$}", digits, width = scale + 1);
                    let (int, frac) = padded.split_at(padded.len() - scale);
                    format!("{int}.{frac}")
                };
                for sign in ["", "-", "+"] {
                    let v = format!("{sign}{text}");
                    let want = parse_float(v.as_bytes(), false).map(|x| x as f32);
                    match short_decimal(v.as_bytes()) {
                        Some(x) => {
                            checked += 1;
                            assert_eq!(Ok(x.to_bits()), want.map(f32::to_bits), "{v}");
                        }
                        None => assert!(scale == 5 || text.len() > 9, "{v}"),
                    }
                }
            }
        }
        assert!(checked > 1_000_000, "{checked}");
        for v in [
            "",
            ".",
            "-",
            "1e5",
            "1.2.3",
            "0x10",
            "123456789",
            "1.23456789",
        ] {
            assert_eq!(short_decimal(v.as_bytes()), None, "{v}");
        }
    }

    /// Values of up to 16 bytes are held whole by their length and two words; the IDs of
    /// interactions compare by value whatever their length (the 16- and 17-byte boundary
    /// included), and the hashes they give the new users and items are `id_hash`'s.
    #[test]
    fn interaction_ids_are_encoded_whole_or_by_hash() {
        let unpack = |n: usize, (a, b): (u64, u64)| -> Vec<u8> {
            match n {
                8..=16 => {
                    let mut v = a.to_le_bytes().to_vec();
                    v.extend_from_slice(&b.to_le_bytes()[16 - n..]);
                    v
                }
                4..=7 => {
                    let mut v = (a as u32).to_le_bytes().to_vec();
                    v.extend_from_slice(&(b as u32).to_le_bytes()[8 - n..]);
                    v
                }
                _ => a.to_be_bytes()[8 - n..].to_vec(),
            }
        };
        let text = b"user_0815374-\x00\xff,abcdefgh";
        for n in 0..=16 {
            for start in 0..text.len() - n {
                let v = &text[start..start + n];
                assert_eq!(unpack(n, words(v).unwrap()), v);
            }
        }
        assert_eq!(words(&[7u8; 17]), None);

        let plan = [
            col("USER_ID", Check::Id),
            col("ITEM_ID", Check::Id),
            col(
                "TIMESTAMP",
                Check::Int {
                    bits: 64,
                    role: IntRole::Plain,
                },
            ),
        ];
        let spec = KeySpec::new(&plan, DatasetType::Interactions);
        let k = spec.keyer(&plan, false);
        let ids = [
            "u",
            "abc",
            "user_0815374",
            "0123456789abcdef",
            "0123456789abcdefg",
            "a-much-longer-user-id-0000-1111",
        ];
        for (i, a) in ids.iter().enumerate() {
            let ka = key(&k, &format!("{a},item_1,1590000000")).unwrap();
            assert_eq!(
                ka.ids,
                [Some(id_hash(a.as_bytes())), Some(id_hash(b"item_1"))]
            );
            assert_eq!(ka, key(&k, &format!("\"{a}\",item_1,1590000000")).unwrap());
            for (j, b) in ids.iter().enumerate() {
                let kb = key(&k, &format!("{b},item_1,1590000000")).unwrap();
                assert_eq!(i == j, ka.rec == kb.rec, "{a} {b}");
                // The same value as the item instead of the user is another record.
                let swapped = key(&k, &format!("item_1,{a},1590000000")).unwrap();
                assert_ne!(ka.rec, swapped.rec);
            }
        }
        let empty = key(&k, ",item_1,1590000000").unwrap();
        assert_eq!(empty.ids, [None, Some(id_hash(b"item_1"))]);
    }
}
