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

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufReader, Read, Write};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::diagnostic::{quote_value, Diagnostic, Location};
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

type Ident = BuildHasherDefault<IdentityHasher>;

/// Shards of the shared maps: enough that two to sixteen workers rarely meet on one lock.
const SHARDS: usize = 64;

/// Shards use middle bits of the hash: hash tables index by the low bits and tag by the top
/// seven, so neither may be constant within a shard.
#[inline]
fn shard_of(hash: u64) -> usize {
    ((hash >> 40) as usize) % SHARDS
}

/// Groups `items` by `part(item) < parts` with a counting sort (linear, stable). Returns the
/// items in part order and the start of each part (plus the end).
fn partition<T: Copy>(
    items: &[T],
    parts: usize,
    part: impl Fn(&T) -> usize,
) -> (Vec<T>, Vec<usize>) {
    let mut starts = vec![0usize; parts + 1];
    for it in items {
        starts[part(it) + 1] += 1;
    }
    for i in 0..parts {
        starts[i + 1] += starts[i];
    }
    let Some(&fill) = items.first() else {
        return (Vec::new(), starts);
    };
    let mut next = starts.clone();
    let mut out = vec![fill; items.len()];
    for it in items {
        let p = part(it);
        out[next[p]] = *it;
        next[p] += 1;
    }
    (out, starts)
}

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
    last_event: usize,
    /// Per-row keys, handed to the shared state at the end of the block.
    /// User hashes, already split by shard of the shared table.
    pub users: Vec<Vec<u64>>,
    /// Interaction fingerprints, already split by spill partition.
    pub fingerprints: Vec<Vec<(u64, Pos)>>,
    /// ID hashes (items, users, actions).
    pub keyed: Vec<(u64, Pos)>,
    /// Plan keys, when the plan captures them (empty otherwise).
    pub plan: crate::plan::keys::BlockKeys,
    /// Insight counts, when the insights run (empty otherwise).
    pub insights: crate::insights::tally::Tally,
    /// Action interactions: Next-Best-Action's per-action counts (empty otherwise).
    pub actions: crate::training::ActionWindow,
}

impl Default for BlockAcc {
    fn default() -> Self {
        BlockAcc {
            event_types: Vec::new(),
            event_types_overflow: 0,
            ts_min: i64::MAX,
            ts_max: i64::MIN,
            ts_count: 0,
            last_event: 0,
            users: Vec::new(),
            fingerprints: Vec::new(),
            keyed: Vec::new(),
            plan: Default::default(),
            insights: Default::default(),
            actions: Default::default(),
        }
    }
}

impl BlockAcc {
    /// Records one interaction's user.
    #[inline]
    pub fn add_user(&mut self, h: u64) {
        if self.users.is_empty() {
            self.users = vec![Vec::new(); SHARDS];
        }
        self.users[shard_of(h)].push(h);
    }

    /// Records one interaction's fingerprint; `parts` is [`Shared::partitions`].
    #[inline]
    pub fn add_fingerprint(&mut self, h: u64, at: Pos, parts: usize) {
        if self.fingerprints.is_empty() {
            self.fingerprints = vec![Vec::new(); parts];
        }
        self.fingerprints[(h % parts as u64) as usize].push((h, at));
    }

    /// Counts an event type. Event types are few, so a short list with a last-hit cache beats
    /// hashing every value.
    #[inline]
    pub fn add_event_type(&mut self, v: &[u8]) {
        if let Some(e) = self.event_types.get_mut(self.last_event) {
            if e.0 == v {
                e.1 += 1;
                return;
            }
        }
        if let Some(i) = self.event_types.iter().position(|(t, _)| t == v) {
            self.event_types[i].1 += 1;
            self.last_event = i;
        } else if self.event_types.len() < MAX_EVENT_TYPES {
            self.last_event = self.event_types.len();
            self.event_types.push((v.to_vec(), 1));
        } else {
            self.event_types_overflow += 1;
        }
    }
}

/// A duplicate found: where, its key, and the first occurrence (resolved at the end).
#[derive(Debug, Clone)]
struct Dup {
    at: Pos,
    hash: u64,
    /// The ID text (duplicate IDs) for the message.
    text: Vec<u8>,
}

/// The first duplicates in file order, and the count of all.
#[derive(Debug, Default)]
struct Dups {
    total: u64,
    first: Vec<Dup>,
}

impl Dups {
    fn offer(&mut self, keep: usize, dup: impl FnOnce() -> Dup, at: Pos) {
        self.total += 1;
        if self.first.len() < keep {
            self.first.push(dup());
        } else if let Some((i, max)) = self.first.iter().enumerate().max_by_key(|(_, d)| d.at) {
            if at < max.at {
                self.first[i] = dup();
            }
        }
    }
}

/// A set of 64-bit hashes with a saturating count (1, 2, 3+) kept in the two low bits of each
/// 8-byte slot: linear probing, at most 70% full, so 11–23 bytes per distinct key.
#[derive(Debug, Default)]
pub(crate) struct KeyCount {
    slots: Vec<u64>,
    len: usize,
}

impl KeyCount {
    #[inline]
    fn key(h: u64) -> u64 {
        let k = h & !3;
        if k == 0 {
            4
        } else {
            k
        }
    }

    /// Counts one occurrence of `h`.
    #[inline]
    pub fn add(&mut self, h: u64) {
        if (self.len + 1) * 10 > self.slots.len() * 7 {
            self.grow();
        }
        let k = Self::key(h);
        let mask = self.slots.len() - 1;
        let mut i = (k >> 2) as usize & mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                self.slots[i] = k | 1;
                self.len += 1;
                return;
            }
            if s & !3 == k {
                if s & 3 < 3 {
                    self.slots[i] = s + 1;
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![0; cap]);
        let mask = cap - 1;
        for s in old.into_iter().filter(|&s| s != 0) {
            let mut i = ((s & !3) >> 2) as usize & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }

    /// Distinct keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Keys counted at least twice.
    pub fn repeated(&self) -> usize {
        self.slots.iter().filter(|&&s| s & 3 >= 2).count()
    }
}

/// Interactions per user (64-bit user hashes), sharded so that workers rarely meet on one lock.
#[derive(Debug)]
pub(crate) struct UserCounts {
    shards: Vec<Mutex<KeyCount>>,
}

impl Default for UserCounts {
    fn default() -> Self {
        UserCounts {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(KeyCount::default()))
                .collect(),
        }
    }
}

impl UserCounts {
    /// Counts a block's users, already split by shard ([`BlockAcc::add_user`]).
    pub fn absorb(&self, by_shard: Vec<Vec<u64>>) {
        for (shard, users) in by_shard.into_iter().enumerate() {
            if users.is_empty() {
                continue;
            }
            let mut s = self.shards[shard].lock().unwrap_or_else(|e| e.into_inner());
            for h in users {
                s.add(h);
            }
        }
    }

    /// Users with one interaction or more, and with two or more.
    pub fn counts(&self) -> (u64, u64) {
        let mut all = 0;
        let mut repeat = 0;
        for s in &self.shards {
            let s = s.lock().unwrap_or_else(|e| e.into_inner());
            all += s.len() as u64;
            repeat += s.repeated() as u64;
        }
        (all, repeat)
    }
}

/// Record fingerprints, hash-partitioned, spilled to temporary files past a small buffer.
#[derive(Debug)]
struct Spill {
    parts: Vec<Mutex<SpillPart>>,
    /// Entries a partition buffers before writing them out: 8 MiB over all partitions.
    flush_at: usize,
    dir: Mutex<Option<tempfile::TempDir>>,
}

#[derive(Debug, Default)]
struct SpillPart {
    buf: Vec<(u64, Pos)>,
    file: Option<File>,
    spilled: u64,
    /// Entries per sub-bucket (bits 16..24 of the hash), so the final split is exact.
    counts: Vec<u64>,
}

/// Sub-buckets a partition is split into at the end, each small enough to sort in cache.
const BUCKETS: usize = 256;

#[inline]
fn bucket_of(h: u64) -> usize {
    ((h >> 16) & 255) as usize
}

/// The duplicates of a partition: their total, and the first ones as (duplicate, original).
type PartDups = (u64, Vec<(Pos, Pos)>);

/// Bytes all partitions together buffer in memory before writing out.
const SPILL_BUFFERS: usize = 8 << 20;

impl Spill {
    fn new(partitions: usize) -> Self {
        Spill {
            parts: (0..partitions)
                .map(|_| Mutex::new(SpillPart::default()))
                .collect(),
            flush_at: ((SPILL_BUFFERS / 16) / partitions.max(1)).max(1024),
            dir: Mutex::new(None),
        }
    }

    fn add_parts(&self, parts: Vec<Vec<(u64, Pos)>>) -> std::io::Result<()> {
        for (part, chunk) in parts.into_iter().enumerate() {
            if chunk.is_empty() {
                continue;
            }
            let mut guard = self.parts[part].lock().unwrap_or_else(|e| e.into_inner());
            if guard.counts.is_empty() {
                guard.counts = vec![0; BUCKETS];
            }
            for &(h, _) in &chunk {
                guard.counts[bucket_of(h)] += 1;
            }
            guard.buf.extend_from_slice(&chunk);
            if guard.buf.len() >= self.flush_at {
                self.flush(part, &mut guard)?;
            }
        }
        Ok(())
    }

    fn flush(&self, part: usize, p: &mut SpillPart) -> std::io::Result<()> {
        if p.file.is_none() {
            let mut dir = self.dir.lock().unwrap_or_else(|e| e.into_inner());
            if dir.is_none() {
                *dir = Some(tempfile::Builder::new().prefix("preflight-").tempdir()?);
            }
            let path = dir
                .as_ref()
                .map(|d| d.path().join(format!("part-{part:04}")))
                .unwrap_or_default();
            p.file = Some(File::create(path)?);
        }
        let mut bytes = Vec::with_capacity(p.buf.len() * 16);
        for (h, at) in p.buf.drain(..) {
            bytes.extend_from_slice(&h.to_le_bytes());
            bytes.extend_from_slice(&at.to_le_bytes());
            p.spilled += 1;
        }
        p.file.as_mut().expect("created above").write_all(&bytes)
    }

    /// Deduplicates every partition (in parallel on `pool`): the total of duplicates and the
    /// first ones. A partition is loaded straight into its sub-buckets (sizes counted while
    /// spilling), so it takes its own size in memory, once.
    fn finish(self, keep: usize, pool: Option<&rayon::ThreadPool>) -> std::io::Result<PartDups> {
        let dir = self.dir.into_inner().unwrap_or_else(|e| e.into_inner());
        let one = |(i, m): (usize, Mutex<SpillPart>)| -> std::io::Result<PartDups> {
            let mut p = m.into_inner().unwrap_or_else(|e| e.into_inner());
            if p.counts.is_empty() {
                return Ok((0, Vec::new()));
            }
            let mut starts = vec![0usize; BUCKETS + 1];
            for b in 0..BUCKETS {
                starts[b + 1] = starts[b] + p.counts[b] as usize;
            }
            let mut next = starts.clone();
            let mut all = vec![(0u64, 0u64); starts[BUCKETS]];
            let mut place = |h: u64, at: Pos| {
                let b = bucket_of(h);
                all[next[b]] = (h, at);
                next[b] += 1;
            };
            if let Some(f) = p.file.take() {
                drop(f);
                let path = dir
                    .as_ref()
                    .map(|d| d.path().join(format!("part-{i:04}")))
                    .unwrap_or_default();
                let mut r = BufReader::with_capacity(1 << 16, File::open(path)?);
                let mut rec = [0u8; 16];
                for _ in 0..p.spilled {
                    r.read_exact(&mut rec)?;
                    let h = u64::from_le_bytes(rec[..8].try_into().expect("8 bytes"));
                    let at = u64::from_le_bytes(rec[8..].try_into().expect("8 bytes"));
                    place(h, at);
                }
            }
            for (h, at) in p.buf.drain(..) {
                place(h, at);
            }
            let mut total = 0u64;
            let mut first: Vec<(Pos, Pos)> = Vec::new();
            for b in 0..BUCKETS {
                let bucket = &mut all[starts[b]..starts[b + 1]];
                bucket.sort_unstable();
                let mut i = 0;
                while i < bucket.len() {
                    let mut j = i + 1;
                    while j < bucket.len() && bucket[j].0 == bucket[i].0 {
                        total += 1;
                        first.push((bucket[j].1, bucket[i].1));
                        j += 1;
                    }
                    i = j;
                }
            }
            first.sort_unstable();
            first.truncate(keep);
            Ok((total, first))
        };
        let parts: Vec<(usize, Mutex<SpillPart>)> = self.parts.into_iter().enumerate().collect();
        let results: Vec<std::io::Result<PartDups>> = match pool {
            Some(pool) => pool.install(|| parts.into_par_iter().map(one).collect()),
            None => parts.into_iter().map(one).collect(),
        };
        let mut total = 0;
        let mut first = Vec::new();
        for r in results {
            let (t, f) = r?;
            total += t;
            first.extend(f);
        }
        first.sort_unstable();
        first.truncate(keep);
        Ok((total, first))
    }
}

/// State shared by the workers of one import.
#[derive(Debug)]
pub(crate) struct Shared {
    interactions: bool,
    keep: usize,
    users: UserCounts,
    ids: Vec<Mutex<HashMap<u64, Pos, Ident>>>,
    id_dups: Mutex<Dups>,
    spill: Spill,
    error: Mutex<Option<std::io::Error>>,
}

impl Shared {
    /// `expected_rows` sizes the spill partitions (about a million records each).
    pub fn new(dataset_type: Option<DatasetType>, keep: usize, expected_rows: u64) -> Self {
        let partitions = (expected_rows / 1_000_000)
            .clamp(16, 256)
            .next_power_of_two() as usize;
        Shared {
            interactions: dataset_type.is_some_and(DatasetType::is_interactions),
            keep,
            users: UserCounts::default(),
            ids: (0..SHARDS)
                .map(|_| Mutex::new(HashMap::default()))
                .collect(),
            id_dups: Mutex::new(Dups::default()),
            spill: Spill::new(partitions),
            error: Mutex::new(None),
        }
    }

    /// Takes a block's per-row keys (called by the worker that checked the block).
    /// `id_text` gives the ID text of a row of this block by position.
    pub fn absorb(&self, acc: &mut BlockAcc, id_text: &dyn Fn(Pos) -> Vec<u8>) {
        self.users.absorb(std::mem::take(&mut acc.users));
        if !acc.fingerprints.is_empty() {
            if let Err(e) = self.spill.add_parts(std::mem::take(&mut acc.fingerprints)) {
                self.error
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(e);
            }
        }
        if acc.keyed.is_empty() {
            return;
        }
        let keyed = std::mem::take(&mut acc.keyed);
        let (sorted, starts) = partition(&keyed, SHARDS, |(h, _)| shard_of(*h));
        let mut found: Vec<(Pos, u64)> = Vec::new();
        for shard in 0..SHARDS {
            let chunk = &sorted[starts[shard]..starts[shard + 1]];
            if chunk.is_empty() {
                continue;
            }
            let mut m = self.ids[shard].lock().unwrap_or_else(|e| e.into_inner());
            for &(h, at) in chunk {
                match m.entry(h) {
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(at);
                    }
                    std::collections::hash_map::Entry::Occupied(mut o) => {
                        // The later occurrence is the duplicate; the earliest stays.
                        let first = *o.get();
                        if at < first {
                            o.insert(at);
                            found.push((first, h));
                        } else {
                            found.push((at, h));
                        }
                    }
                }
            }
        }
        if found.is_empty() {
            return;
        }
        // The text of the ID: every occurrence of one hash has the same text, and this block
        // holds one of them (the row just inserted).
        let own: HashMap<u64, Pos> = keyed.iter().map(|&(h, at)| (h, at)).collect();
        let mut d = self.id_dups.lock().unwrap_or_else(|e| e.into_inner());
        for (at, h) in found {
            let keep = self.keep;
            d.offer(
                keep,
                || Dup {
                    at,
                    hash: h,
                    text: own.get(&h).map(|&p| id_text(p)).unwrap_or_default(),
                },
                at,
            );
        }
    }

    /// The number of spill partitions, for [`BlockAcc::add_fingerprint`].
    pub fn partitions(&self) -> usize {
        self.spill.parts.len()
    }

    fn first_of(&self, hash: u64) -> Option<Pos> {
        self.ids[shard_of(hash)]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&hash)
            .copied()
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
    /// Action interactions: Next-Best-Action's per-action counts.
    pub actions: crate::training::ActionWindow,
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
            actions: Default::default(),
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
        if !acc.actions.is_empty() {
            self.actions.merge(acc.actions);
        }
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
        let spill = std::mem::replace(&mut shared.spill, Spill::new(0));
        self.report_duplicates(&shared, spill, map, collector, pool)?;
        let mut deferred = None;
        if ty == DatasetType::Interactions {
            let (users, repeat) = shared.users.counts();
            if defer {
                deferred = Some((users, repeat));
            } else {
                self.interaction_limits(users, repeat, collector);
            }
        }
        if ty.is_interactions() && self.ts_count >= 2 && self.ts_min == self.ts_max {
            collector.push_dataset(
                Diagnostic::new(&rules::PF309, format!("all {} interactions have the same TIMESTAMP {}", self.ts_count, self.ts_min))
                    .with_help("use each event's own time; a constant timestamp usually means the export time was written instead"),
            );
        }
        Ok(deferred)
    }

    /// The limits Personalize applies to an interactions dataset (PF301–PF306), judged on these
    /// records and event types, with `users` users of whom `repeat` have two interactions or
    /// more.
    pub(crate) fn interaction_limits(&self, users: u64, repeat: u64, collector: &mut Collector) {
        if self.records < spec::MIN_IMPORT_INTERACTIONS {
            collector.push_dataset(
                Diagnostic::new(&rules::PF301, format!("the import has {} interaction record{}; every interactions import job needs at least 1000", self.records, if self.records == 1 { "" } else { "s" }))
                    .with_help("add records, or combine this batch with the next one before importing"),
            );
        }
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
                collector.push_file(
                    file,
                    Diagnostic::new(&rules::PF308, format!("this interaction is identical to the record on {}", map.describe(orig, file)))
                        .with_help("exact duplicates collapse into one interaction; remove them if they are not intended")
                        .at(Location { file: map.files.get(file).cloned(), line: Some(line), ..Location::default() }),
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
            collector.push_file(
                file,
                Diagnostic::new(&rules::PF307, format!("`{name}` {} appears again (first on {orig})", quote_value(&d.text, 60)))
                    .with_help("keep one record per ID; Personalize keeps only one of them (this tool assumes the last)")
                    .at(Location { file: map.files.get(file).cloned(), line: Some(line), column: col.map(|c| c as u32 + 1), field: Some(name), byte: None }),
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
            let shown: Vec<String> = types
                .iter()
                .take(12)
                .map(|(t, n)| format!("{} ({n})", quote_value(t, 30)))
                .collect();
            collector.push_dataset(
                Diagnostic::new(&rules::PF304, format!(
                    "{}{distinct} distinct event types plus {fields} metadata field{} of the schema{} make {}{}, over the limit of 10: {}",
                    if self.event_types_overflow > 0 { "more than " } else { "" },
                    if fields == 1 { "" } else { "s" },
                    if fields == 0 { String::new() } else { format!(" ({})", self.limit_fields.join(", ")) },
                    if self.event_types_overflow > 0 { "more than " } else { "" },
                    distinct + fields,
                    shown.join(", ")
                ))
                    .with_help(match spec::MAX_EVENT_TYPES_PLUS_METADATA.saturating_sub(fields) {
                        0 => "the schema's metadata fields alone reach the limit: a schema with fewer of them is needed (see PF415)".to_string(),
                        n => format!("keep at most {n} distinct event types: merge or drop rare ones (and spelling variants) before importing"),
                    }),
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
