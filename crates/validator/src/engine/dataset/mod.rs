//! Dataset-level facts from the same single pass.
//!
//! Workers feed shared, sharded state straight from their blocks, so nothing per row passes
//! through the single merging thread:
//! - interactions per user: 64-bit user hashes with a 2-bit saturating count in 8-byte slots,
//!   11–23 bytes per distinct user;
//! - duplicate IDs (items, users, actions): ID hash → first position, about 20–40 bytes per
//!   distinct ID;
//! - exact duplicate interactions: (record fingerprint, position) pairs are hash-partitioned
//!   into buffers that spill to temporary files, and each partition is deduplicated on its own
//!   at the end. Memory stays bounded whatever the number of records; disk use is 16 bytes per
//!   record while the run lasts.
//!
//! Every result is independent of the order in which blocks are processed: duplicates are the
//! occurrences after the first *in file order*, positions pack (global block, line in block).
//!
//! [`shared`] holds what the workers share, [`spill`] the partitions of interaction
//! fingerprints; this module the per-block facts, their merge in file order, and the
//! dataset-level checks run once every file is read.

mod scratch;
mod shared;
mod spill;

use std::collections::HashMap;

use crate::diagnostic::Location;
use crate::report::Collector;
use crate::rules::{
    self, DuplicateId, DuplicateInteraction, EventTypeVariants, LowShareOfRepeatUsers,
    MissingDomainEventType, TooFewInteractions, TooFewRepeatUsers, TooManyEventTypes, Violation,
};
use crate::schema::{spec, DatasetType, Domain};

pub(crate) use scratch::group;
pub(crate) use shared::{Shared, UserCounts};
use spill::Spill;

/// A position in the input: (global block number << 32) | line within the block. Sorting
/// positions sorts by file order.
pub(crate) type Pos = u64;

#[inline]
pub(crate) fn pos(block: u64, local_line: u64) -> Pos {
    (block << 32) | (local_line & 0xFFFF_FFFF)
}

/// Distinct event types tracked before the rest are only counted.
pub(crate) const MAX_EVENT_TYPES: usize = 10_000;

/// Per-block facts merged in order (small).
#[derive(Debug)]
pub(crate) struct BlockAcc {
    pub event_types: Vec<(Vec<u8>, u64)>,
    pub event_types_overflow: u64,
    pub ts_min: i64,
    pub ts_max: i64,
    pub ts_count: u64,
    /// Where to look first for an event type: by [`EventSig::slot`], its signature and its
    /// index in `event_types` plus one (0: none yet). Event types come in no order, so a
    /// one-entry "last seen" cache missed most rows and the search that followed mispredicted
    /// its branches.
    event_slots: [(EventSig, u16); EVENT_SLOTS],
    /// Per-row keys, handed to the shared state at the end of the block, which splits them by
    /// shard or partition in one pass: stored here in row order, they are one sequential write
    /// stream in the hot loop instead of a hundred scattered ones.
    /// User hashes.
    pub users: Vec<u64>,
    /// Interaction fingerprints.
    pub fingerprints: Vec<(u64, Pos)>,
    /// ID hashes (items, users, actions).
    pub keyed: Vec<(u64, Pos)>,
}

impl Default for BlockAcc {
    fn default() -> Self {
        BlockAcc {
            event_types: Vec::new(),
            event_types_overflow: 0,
            ts_min: i64::MAX,
            ts_max: i64::MIN,
            ts_count: 0,
            event_slots: [(EventSig::default(), 0); EVENT_SLOTS],
            users: Vec::new(),
            fingerprints: Vec::new(),
            keyed: Vec::new(),
        }
    }
}

impl BlockAcc {
    /// Records one interaction's user.
    #[inline]
    pub fn add_user(&mut self, h: u64) {
        self.users.push(h);
    }

    /// Records one interaction's fingerprint.
    #[inline]
    pub fn add_fingerprint(&mut self, h: u64, at: Pos) {
        self.fingerprints.push((h, at));
    }

    /// Gives the per-row key buffers the capacity of earlier blocks' (see [`scratch`]), so
    /// that a block's keys neither reallocate nor fault in fresh pages as they grow.
    pub fn reuse_buffers(&mut self) {
        self.users = scratch::take_users();
        self.fingerprints = scratch::take_fingerprints();
    }

    /// Counts an event type. Event types are few: a small direct-mapped table of slots finds
    /// the usual ones with one compare of their [`EventSig`], the list the rest.
    #[inline]
    pub fn add_event_type(&mut self, v: &[u8]) {
        let sig = EventSig::of(v);
        let slot = sig.slot();
        let (held, i) = self.event_slots[slot];
        if i != 0 && held.same(&sig) {
            if let Some(e) = self.event_types.get_mut(usize::from(i) - 1) {
                if sig.exact() || e.0 == v {
                    e.1 += 1;
                    return;
                }
            }
        }
        self.add_event_type_slow(v, sig, slot);
    }

    #[cold]
    fn add_event_type_slow(&mut self, v: &[u8], sig: EventSig, slot: usize) {
        let i = if let Some(i) = self.event_types.iter().position(|(t, _)| t == v) {
            self.event_types[i].1 += 1;
            i
        } else if self.event_types.len() < MAX_EVENT_TYPES {
            self.event_types.push((v.to_vec(), 1));
            self.event_types.len() - 1
        } else {
            self.event_types_overflow += 1;
            return;
        };
        // The slot now holds this type (two types sharing one take turns; both stay exact).
        self.event_slots[slot] = (sig, u16::try_from(i + 1).unwrap_or(0));
    }
}

/// Slots of [`BlockAcc::event_slots`].
const EVENT_SLOTS: usize = 64;

/// An event type as two words and its length, read without branching on the length (event
/// types of several lengths come in no order, so every branch on it was a coin toss): for up
/// to 16 bytes the words hold the bytes exactly, beyond that the first and last eight.
#[derive(Debug, Clone, Copy, Default)]
struct EventSig {
    lo: u64,
    hi: u64,
    len: u64,
}

impl EventSig {
    #[inline]
    fn of(v: &[u8]) -> Self {
        let n = v.len();
        let w4 = |i: usize| {
            v.get(i..i + 4)
                .and_then(|w| w.try_into().ok())
                .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
        };
        let w8 = |i: usize| {
            v.get(i..i + 8)
                .and_then(|w| w.try_into().ok())
                .map_or(0, u64::from_le_bytes)
        };
        let (lo, hi) = if (4..=16).contains(&n) {
            // Four 4-byte windows, at 0, min(4, n - 4), max(n - 8, 0) and n - 4, cover any
            // length from 4 to 16, each window at the same offset for the same length.
            (
                w4(0) | w4(4.min(n - 4)) << 32,
                w4(n.saturating_sub(8)) | w4(n - 4) << 32,
            )
        } else if n > 16 {
            (w8(0), w8(n - 8))
        } else {
            (v.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b)), 0)
        };
        EventSig {
            lo,
            hi,
            len: n as u64,
        }
    }

    /// Whether equal signatures mean equal bytes (up to 16 bytes).
    #[inline]
    fn exact(&self) -> bool {
        self.len <= 16
    }

    /// Equal words and length, compared without a branch per word.
    #[inline]
    fn same(&self, other: &EventSig) -> bool {
        ((self.lo ^ other.lo) | (self.hi ^ other.hi) | (self.len ^ other.len)) == 0
    }

    /// The type's slot in [`BlockAcc::event_slots`].
    #[inline]
    fn slot(&self) -> usize {
        ((self.lo ^ self.hi.rotate_left(29) ^ self.len).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
            as usize
    }
}

/// Maps a global block number to its file and first line.
#[derive(Debug, Default)]
pub(crate) struct BlockMap {
    /// (file index, first line of the block), by global block number.
    pub blocks: Vec<(usize, u64)>,
    /// File names by index.
    pub files: Vec<String>,
}

impl BlockMap {
    fn locate(&self, p: Pos) -> Option<(usize, u64)> {
        let (file, first) = *self.blocks.get((p >> 32) as usize)?;
        Some((file, first + (p & 0xFFFF_FFFF)))
    }

    fn describe(&self, p: Pos, relative_to_file: usize) -> String {
        match self.locate(p) {
            Some((f, line)) if f == relative_to_file => format!("line {line}"),
            Some((f, line)) => format!(
                "line {line} of {}",
                self.files.get(f).map(String::as_str).unwrap_or("?")
            ),
            None => "an earlier record".into(),
        }
    }
}

/// An import's facts merged from all its blocks, as the dataset hooks see them
/// (`rules::hooks::DatasetHook`).
#[derive(Debug, Clone, Copy)]
#[allow(
    dead_code,
    reason = "what every hook of the family is given; the hooks of today read only part of it"
)]
pub(crate) struct DatasetCx<'a> {
    /// The dataset type the schema declares.
    pub dataset_type: DatasetType,
    /// The domain of a domain dataset group's schema.
    pub domain: Option<Domain>,
    /// Records read, all files together.
    pub records: u64,
    /// Interactions per EVENT_TYPE spelling, as written (at most the first
    /// `MAX_EVENT_TYPES` spellings; interactions datasets only).
    pub event_types: &'a HashMap<Vec<u8>, u64>,
    /// The valid TIMESTAMP values of the interactions, if any.
    pub timestamps: Option<Timestamps>,
}

/// How many interactions have a valid TIMESTAMP, and its smallest and largest value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timestamps {
    /// Interactions with a valid TIMESTAMP.
    pub count: u64,
    /// The earliest, in epoch seconds.
    pub min: i64,
    /// The latest, in epoch seconds.
    pub max: i64,
}

/// The import's facts merged in file order.
#[derive(Debug)]
pub(crate) struct DatasetAcc {
    pub dataset_type: Option<DatasetType>,
    pub domain: Option<Domain>,
    pub records: u64,
    pub event_types: HashMap<Vec<u8>, u64>,
    pub event_types_overflow: u64,
    pub ts_min: i64,
    pub ts_max: i64,
    pub ts_count: u64,
    /// The Item interactions schema's fields that count toward PF304's limit (EVENT_TYPE,
    /// EVENT_VALUE and the custom metadata fields), in schema order.
    pub limit_fields: Vec<String>,
    /// ID column name per file, for duplicate-ID messages.
    pub id_names: Vec<String>,
    pub id_cols: Vec<Option<usize>>,
}

impl DatasetAcc {
    pub fn new(dataset_type: Option<DatasetType>, domain: Option<Domain>) -> Self {
        DatasetAcc {
            dataset_type,
            domain,
            records: 0,
            event_types: HashMap::new(),
            event_types_overflow: 0,
            ts_min: i64::MAX,
            ts_max: i64::MIN,
            ts_count: 0,
            limit_fields: Vec::new(),
            id_names: Vec::new(),
            id_cols: Vec::new(),
        }
    }

    /// Merges a block's small facts.
    pub fn merge(&mut self, acc: BlockAcc) {
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
    }

    /// Runs the dataset-level checks. With `defer`, the limits of an interactions dataset
    /// (PF301–PF306) are not judged here: their inputs are returned for the plan, which judges
    /// them on what the dataset holds after the job.
    pub fn finish(
        &self,
        mut shared: Shared,
        map: &BlockMap,
        collector: &mut Collector,
        pool: Option<&rayon::ThreadPool>,
        defer: bool,
    ) -> std::io::Result<Option<(u64, u64)>> {
        if let Some(e) = shared
            .error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            return Err(e);
        }
        let Some(ty) = self.dataset_type else {
            return Ok(None);
        };
        let spill = std::mem::replace(&mut shared.spill, Spill::new(0, None));
        self.report_duplicates(&shared, spill, map, collector, pool)?;
        let mut deferred = None;
        if ty == DatasetType::Interactions {
            let (users, repeat) = shared.users.counts(pool);
            if defer {
                deferred = Some((users, repeat));
            } else {
                self.interaction_limits(users, repeat, collector);
            }
        }
        let cx = DatasetCx {
            dataset_type: ty,
            domain: self.domain,
            records: self.records,
            event_types: &self.event_types,
            timestamps: (self.ts_count > 0).then_some(Timestamps {
                count: self.ts_count,
                min: self.ts_min,
                max: self.ts_max,
            }),
        };
        let mut found = Vec::new();
        crate::rules::hooks::dataset(collector.policy(), &cx, &mut found);
        for d in found {
            collector.push_dataset(d);
        }
        Ok(deferred)
    }

    /// The limits Personalize applies to an interactions dataset (PF301–PF306), judged on these
    /// records and event types, with `users` users of whom `repeat` have two interactions or
    /// more.
    pub(crate) fn interaction_limits(&self, users: u64, repeat: u64, collector: &mut Collector) {
        if self.records < spec::MIN_IMPORT_INTERACTIONS {
            collector.push_dataset(
                TooFewInteractions::Import {
                    records: self.records,
                }
                .diagnostic(),
            );
        }
        if users > 0 && repeat < spec::MIN_REPEAT_USERS {
            collector.push_dataset(TooFewRepeatUsers { repeat, users }.diagnostic());
        }
        if users > 0 && repeat * 100 < users {
            collector.push_dataset(LowShareOfRepeatUsers { repeat, users }.diagnostic());
        }
        self.event_type_checks(collector);
    }

    fn report_duplicates(
        &self,
        shared: &Shared,
        spill: Spill,
        map: &BlockMap,
        collector: &mut Collector,
        pool: Option<&rayon::ThreadPool>,
    ) -> std::io::Result<()> {
        let keep = shared.keep;
        if shared.interactions {
            let (total, first) = spill.finish(keep, pool)?;
            let shown = first.len() as u64;
            for (at, orig) in first {
                let Some((file, line)) = map.locate(at) else {
                    continue;
                };
                let first = map.describe(orig, file);
                collector.push_file(
                    file,
                    DuplicateInteraction { first: &first }
                        .diagnostic()
                        .at(Location {
                            file: map.files.get(file).cloned(),
                            line: Some(line),
                            ..Location::default()
                        }),
                );
            }
            if total > shown {
                collector.count(&rules::PF308, total - shown);
            }
            return Ok(());
        }
        let dups = std::mem::take(&mut *shared.id_dups.lock().unwrap_or_else(|e| e.into_inner()));
        let mut first = dups.first;
        first.sort_by_key(|d| d.at);
        let shown = first.len() as u64;
        for d in first {
            let Some((file, line)) = map.locate(d.at) else {
                continue;
            };
            let name = self.id_names.get(file).cloned().unwrap_or_default();
            let col = self.id_cols.get(file).copied().flatten();
            let orig = shared
                .first_of(d.hash)
                .map(|p| map.describe(p, file))
                .unwrap_or_else(|| "an earlier record".into());
            let found = DuplicateId {
                name: &name,
                id: &d.text,
                first: &orig,
            }
            .diagnostic();
            collector.push_file(
                file,
                found.at(Location {
                    file: map.files.get(file).cloned(),
                    line: Some(line),
                    column: col.map(|c| c as u32 + 1),
                    field: Some(name),
                    byte: None,
                }),
            );
        }
        if dups.total > shown {
            collector.count(&rules::PF307, dups.total - shown);
        }
        Ok(())
    }

    fn event_type_checks(&self, collector: &mut Collector) {
        let distinct = self.event_types.len() + usize::from(self.event_types_overflow > 0);
        let fields = self.limit_fields.len();
        if distinct + fields > spec::MAX_EVENT_TYPES_PLUS_METADATA {
            let mut types: Vec<(&Vec<u8>, &u64)> = self.event_types.iter().collect();
            types.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let top = types.iter().take(12).map(|(t, n)| (&t[..], **n)).collect();
            collector.push_dataset(
                TooManyEventTypes {
                    distinct,
                    more: self.event_types_overflow > 0,
                    fields: &self.limit_fields,
                    top,
                }
                .diagnostic(),
            );
        }
        // PF305: variants that differ in case or surrounding spaces.
        let mut groups: HashMap<Vec<u8>, Vec<&Vec<u8>>> = HashMap::new();
        for t in self.event_types.keys() {
            let norm = rules::event_type_variants::variant_key(t);
            groups.entry(norm).or_default().push(t);
        }
        let mut variant_groups: Vec<Vec<&Vec<u8>>> =
            groups.into_values().filter(|g| g.len() > 1).collect();
        for g in &mut variant_groups {
            g.sort();
        }
        variant_groups.sort();
        for g in variant_groups {
            let variants = g.iter().map(|t| (&t[..], self.event_types[*t])).collect();
            collector.push_dataset(EventTypeVariants { variants }.diagnostic());
        }
        // PF306: a domain's use cases need 1000 events of their type.
        if let Some(domain) = self.domain {
            for (ty, use_cases) in spec::domain_event_types(domain) {
                let n = self.event_types.get(ty.as_bytes()).copied().unwrap_or(0);
                if n < 1000 {
                    collector.push_dataset(
                        MissingDomainEventType {
                            events: n,
                            event_type: ty,
                            domain,
                            use_cases,
                        }
                        .diagnostic(),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Up to 16 bytes, equal signatures mean equal bytes: every single-byte change of every
    /// length, and every pair of lengths, gives another signature.
    #[test]
    fn event_signatures_are_exact_up_to_16_bytes() {
        for n in 0..=16usize {
            let a: Vec<u8> = (1..=n as u8).collect();
            assert!(EventSig::of(&a).exact() && EventSig::of(&a).same(&EventSig::of(&a.clone())));
            for i in 0..n {
                for flip in [0x01u8, 0x80] {
                    let mut b = a.clone();
                    b[i] ^= flip;
                    assert!(
                        !EventSig::of(&a).same(&EventSig::of(&b)),
                        "length {n}, byte {i}"
                    );
                }
            }
            for m in 0..=16usize {
                // The same bytes, zeros past the shorter: only the length tells them apart.
                let mut b = vec![0u8; m];
                b[..n.min(m)].copy_from_slice(&a[..n.min(m)]);
                assert_eq!(
                    EventSig::of(&a).same(&EventSig::of(&b)),
                    a == b,
                    "{n} vs {m}"
                );
            }
        }
        assert!(!EventSig::of(&[7u8; 17]).exact());
    }

    /// Event types that share heads, tails, lengths or everything but one middle byte.
    #[test]
    fn event_types_are_counted_as_a_map_would() {
        let words: Vec<Vec<u8>> = [
            "",
            "a",
            "click",
            "clicks",
            "add_to_cart",
            "add_to_cert",
            "purchase",
            "purchase_",
            "x_purchase",
            "abcdefgh",
            "abcdefghi",
            "abcdefghXabcdefgh",
            "abcdefghYabcdefgh",
            "0123456789abcdef",
            "0123456789abcdeF",
            "é-événement",
            "\u{0}\u{0}",
        ]
        .iter()
        .map(|w| w.as_bytes().to_vec())
        .chain((0..300).map(|i| format!("type_{i}").into_bytes()))
        .collect();
        // More types than slots: some share one.
        let slots: std::collections::HashSet<usize> =
            words.iter().map(|w| EventSig::of(w).slot()).collect();
        assert!(slots.len() < words.len());
        let mut acc = BlockAcc::default();
        let mut expected: HashMap<Vec<u8>, u64> = HashMap::new();
        let mut x = 12345u64;
        for _ in 0..50_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let w = &words[(x >> 33) as usize % words.len()];
            acc.add_event_type(w);
            *expected.entry(w.clone()).or_default() += 1;
        }
        let got: HashMap<Vec<u8>, u64> = acc.event_types.into_iter().collect();
        assert_eq!(got, expected);
    }
}
