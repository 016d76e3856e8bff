//! New users and new items (or actions) of an interactions import: the distinct `USER_ID`s and
//! `ITEM_ID`s (`ACTION_ID`s) of the batch, and how many of them the existing bulk interactions
//! lack.
//!
//! Every ID is a 64-bit hash of its value (`keys::id_hash`: [`xxh3_64`](xxhash_rust::xxh3::xxh3_64),
//! or the low half of the 128-bit hash the record's key already took of a long value) whose
//! three low bits are replaced by a tag: which kind of ID (user, item), and a flag for each side where
//! it was seen (the batch, the existing data). An ID takes one slot of a set, whose side flags
//! gather as its entries arrive; written out and sorted, the entries of one ID are next to each
//! other and their flags are gathered the same way. An ID is *new* when it has the batch's flag
//! and not the existing data's. With 61 bits left, two different IDs share a hash with a
//! probability of about n²/2^62 (0.2% for 100 million IDs): the counts are exact in practice.
//!
//! Memory is bounded. The entries go to 256 shards by the hash's top bits (both sides of one
//! ID always meet in one shard), each a set with open addressing on the already-uniform
//! entries, filled by the workers as they finish their blocks (a lock per shard, so they
//! rarely wait for each other) and never sorted. A shard whose set would grow past the budget
//! (all shards' sets together) writes its entries to its partition in the temporary folder
//! instead, and starts again empty; each such partition is then read, sorted and counted alone
//! (one larger than the budget is split again by the next bits). The counts are the same in
//! memory and out of core, whatever the order in which the blocks arrive.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::engine::dataset::group;
use crate::sync::each_locked;
use crate::temp::RunDir;

/// The kind of an ID: `USER_ID`.
pub(crate) const USER: u64 = 0;
/// The kind of an ID: `ITEM_ID` (`ACTION_ID` for action interactions).
pub(crate) const ITEM: u64 = 4;
/// The side flag of an entry: seen in the existing data.
pub(crate) const EXISTING: u64 = 1;
/// The side flag of an entry: seen in the new batch.
pub(crate) const BATCH: u64 = 2;
/// The side flags of an entry; the rest is the ID (its hash and kind).
const SIDES: u64 = EXISTING | BATCH;

/// The entry of an ID's hash, of a kind, on a side (never 0: a side flag is set).
#[inline]
pub(crate) fn entry(hash: u64, kind: u64, side: u64) -> u64 {
    (hash & !7) | kind | side
}

/// Sorts and deduplicates entries (a partition read back from disk).
fn compact(entries: &mut Vec<u64>) {
    entries.sort_unstable();
    entries.dedup();
}

/// Bits of the first partitioning (the shards); each further split uses the next 4.
const FIRST_BITS: u32 = 8;
const SHARDS: usize = 1 << FIRST_BITS;
const SPLIT_BITS: u32 = 4;
/// Splits at most: a partition still too large after them is counted in memory anyway (it would
/// take 2^20 times the budget of IDs to get there).
const MAX_DEPTH: u32 = 4;
/// Slots of a shard's set at least (always allowed, whatever the budget: 32 KiB in all).
const MIN_SLOTS: usize = 16;

#[inline]
fn shard_of(e: u64) -> usize {
    (e >> (64 - FIRST_BITS)) as usize
}

/// The counts, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdCounts {
    /// Distinct IDs in the new batch.
    pub distinct: u64,
    /// Of those, the IDs the existing data lacks (when it was given).
    pub new: u64,
}

/// A set of IDs with their side flags: linear probing on 8-byte slots (0 is an empty slot; an
/// entry never is), at most 70% full.
#[derive(Debug, Default)]
struct EntrySet {
    slots: Vec<u64>,
    len: usize,
}

impl EntrySet {
    /// The slot where the search for `e` starts: the same for every side of an ID.
    #[inline]
    fn home(e: u64, mask: usize) -> usize {
        (e >> 2) as usize & mask
    }

    /// Whether one more entry needs a larger table.
    #[inline]
    fn full(&self) -> bool {
        (self.len + 1) * 10 > self.slots.len() * 7
    }

    /// Inserts `e`, or adds its side flag to its ID's slot (room made by the caller).
    #[inline]
    fn insert(&mut self, e: u64) {
        let mask = self.slots.len() - 1;
        let mut i = Self::home(e, mask);
        loop {
            let s = self.slots[i];
            // Empty first: an ID whose hash and kind bits are all 0 would match an empty slot.
            if s == 0 {
                self.slots[i] = e;
                self.len += 1;
                return;
            }
            if (s ^ e) & !SIDES == 0 {
                self.slots[i] = s | e;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Rebuilds the table with `cap` slots.
    fn resize(&mut self, cap: usize) {
        let old = std::mem::replace(&mut self.slots, crate::hash::written_zeros(cap));
        let mask = cap - 1;
        for s in old.into_iter().filter(|&s| s != 0) {
            let mut i = Self::home(s, mask);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }

    /// Every entry.
    fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.slots.iter().copied().filter(|&s| s != 0)
    }

    /// Empties the set, keeping its table.
    fn clear(&mut self) {
        self.slots.fill(0);
        self.len = 0;
    }
}

#[derive(Debug, Default)]
struct Shard {
    set: EntrySet,
    /// Entries not in the set yet: a block brings a shard a few hundred entries, scattered over
    /// a table its own bytes pushed out of the cache, each a miss; a batch of `pending_cap`
    /// entries loads the table once for all of them.
    pending: Vec<u64>,
    /// Whether entries went to the shard's partition file.
    spilled: bool,
}

/// Distinct and new IDs of the batch, in bounded memory, filled by many threads at once.
#[derive(Debug)]
pub(crate) struct NewIds {
    shards: Vec<Mutex<Shard>>,
    /// Bytes of the shards' tables beyond their minimum.
    held: AtomicU64,
    /// The budget for `held`.
    budget: u64,
    /// Entries a shard holds back (their memory is taken from the budget first).
    pending_cap: usize,
    /// Entries counted in memory at most, when a partition is read back.
    cap: usize,
    root: Option<PathBuf>,
    /// The partitions' folder, once a shard spills.
    dir: Mutex<Option<RunDir>>,
    spilled: AtomicBool,
    /// Where the next [`NewIds::add`] starts among the shards.
    turn: AtomicUsize,
    /// The first error writing the partitions.
    error: Mutex<Option<io::Error>>,
    failed: AtomicBool,
}

fn part_path(dir: &Path, p: usize) -> PathBuf {
    dir.join(format!("ids-{p:03}"))
}

impl NewIds {
    /// Holding at most about `budget` bytes of entries; partitions go to a folder made in
    /// `root` (else the system's temporary folder).
    pub fn new(budget: u64, root: Option<PathBuf>) -> NewIds {
        // A quarter of the budget for the entries held back, 64 KiB a shard at most.
        let pending_cap = (budget / 4 / (SHARDS as u64 * 8)).clamp(16, 8192) as usize;
        NewIds {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            held: AtomicU64::new(0),
            budget: budget.saturating_sub((SHARDS * pending_cap * 8) as u64),
            pending_cap,
            // At least 64 entries, so that a partition read back has something to work on.
            cap: ((budget / 8) as usize).max(64),
            root,
            dir: Mutex::new(None),
            spilled: AtomicBool::new(false),
            turn: AtomicUsize::new(0),
            error: Mutex::new(None),
            failed: AtomicBool::new(false),
        }
    }

    /// Adds entries (a block's, in any order, repeated or not). Called by the workers: the
    /// entries are grouped by shard, and each shard is locked once.
    pub fn add(&self, entries: &[u64]) {
        if entries.is_empty() || self.failed.load(Ordering::Relaxed) {
            return;
        }
        let mut grouped = Vec::new();
        let starts = group(entries, SHARDS, |&e| shard_of(e), &mut grouped);
        // Workers adding at the same time start at other shards, so as not to walk them in step.
        // A shard another worker holds (flushing into its set) is passed over and taken last.
        let first = self.turn.fetch_add(37, Ordering::Relaxed) % SHARDS;
        let r = each_locked(&self.shards, first, &grouped, &starts, |s, shard, chunk| {
            if shard.pending.len() + chunk.len() <= self.pending_cap {
                shard.pending.extend_from_slice(chunk);
                Ok(())
            } else {
                self.flush_pending(s, shard)
                    .and_then(|()| self.insert_all(s, shard, chunk))
            }
        });
        if let Err(e) = r {
            self.failed.store(true, Ordering::Relaxed);
            self.error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(e);
        }
    }

    /// Puts the entries a shard held back into its set.
    fn flush_pending(&self, s: usize, shard: &mut Shard) -> io::Result<()> {
        let mut pending = std::mem::take(&mut shard.pending);
        let r = self.insert_all(s, shard, &pending);
        pending.clear();
        shard.pending = pending;
        r
    }

    /// Inserts a chunk of entries. A long one goes in the order of its home slots (a counting
    /// sort by the slot's top bits), so that the table, which other shards' inserts pushed out
    /// of the cache since, is walked from one end to the other instead of at random: the
    /// processor then fetches it ahead.
    fn insert_all(&self, s: usize, shard: &mut Shard, chunk: &[u64]) -> io::Result<()> {
        /// Chunks at least this long, into tables at least 4 times as large, are ordered.
        const ORDER_FROM: usize = 1024;
        thread_local! {
            static ORDERED: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let slots = shard.set.slots.len();
        if chunk.len() < ORDER_FROM || slots < 4 * ORDER_FROM {
            return self.insert_each(s, shard, chunk);
        }
        ORDERED.with(|o| {
            let mut o = o.borrow_mut();
            order_by_home(chunk, slots - 1, &mut o);
            self.insert_each(s, shard, &o)
        })
    }

    fn insert_each(&self, s: usize, shard: &mut Shard, chunk: &[u64]) -> io::Result<()> {
        /// Entries whose first slots are loaded together, so that their cache misses overlap.
        const AHEAD: usize = 16;
        let mut touched = 0u64;
        for part in chunk.chunks(AHEAD) {
            if shard.set.slots.len() >= MIN_SLOTS {
                let mask = shard.set.slots.len() - 1;
                for &e in part {
                    touched ^= shard.set.slots[EntrySet::home(e, mask)];
                }
            }
            for &e in part {
                if shard.set.slots.is_empty() || shard.set.full() {
                    self.make_room(s, shard)?;
                }
                shard.set.insert(e);
            }
        }
        // The early loads matter only for their timing: keep the optimiser from dropping them.
        std::hint::black_box(touched);
        Ok(())
    }

    /// Doubles a shard's table when the budget allows, else moves its entries to its partition.
    fn make_room(&self, s: usize, shard: &mut Shard) -> io::Result<()> {
        let old = shard.set.slots.len();
        if old == 0 {
            shard.set.resize(MIN_SLOTS);
            return Ok(());
        }
        let more = (old as u64) * 8;
        if self.held.fetch_add(more, Ordering::Relaxed) + more <= self.budget {
            shard.set.resize(old * 2);
            return Ok(());
        }
        self.held.fetch_sub(more, Ordering::Relaxed);
        self.spill(s, shard)
    }

    /// Appends a shard's entries to its partition file and empties it.
    fn spill(&self, s: usize, shard: &mut Shard) -> io::Result<()> {
        let path = {
            let mut dir = self.dir.lock().unwrap_or_else(|e| e.into_inner());
            if dir.is_none() {
                *dir = Some(RunDir::new(self.root.as_deref(), "ids")?);
                self.spilled.store(true, Ordering::Relaxed);
            }
            part_path(dir.as_ref().expect("made above").path(), s)
        };
        let mut bytes = Vec::with_capacity((shard.set.len + 1) * 8);
        for e in shard.set.iter() {
            bytes.extend_from_slice(&e.to_le_bytes());
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        f.write_all(&bytes)?;
        shard.set.clear();
        shard.spilled = true;
        Ok(())
    }

    /// Whether the entries went to disk.
    #[cfg(test)]
    pub fn spilled(&self) -> bool {
        self.spilled.load(Ordering::Relaxed)
    }

    /// The counts for users and for items.
    pub fn finish(&self) -> io::Result<[IdCounts; 2]> {
        if let Some(e) = self.error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(e);
        }
        let mut counts = [IdCounts::default(); 2];
        let mut scratch = Vec::new();
        for (s, shard) in self.shards.iter().enumerate() {
            let mut shard = shard.lock().unwrap_or_else(|e| e.into_inner());
            self.flush_pending(s, &mut shard)?;
            shard.pending = Vec::new();
            if !shard.spilled {
                count_set(&shard.set, &mut counts);
                continue;
            }
            // The entries still held join those written before.
            self.spill(s, &mut shard)?;
            shard.set = EntrySet::default();
            let path = {
                let dir = self.dir.lock().unwrap_or_else(|e| e.into_inner());
                part_path(dir.as_ref().expect("a shard spilled").path(), s)
            };
            count_file(&path, FIRST_BITS, 0, self.cap, &mut scratch, &mut counts)?;
            std::fs::remove_file(&path)?;
        }
        // The partitions' folder goes.
        drop(self.dir.lock().unwrap_or_else(|e| e.into_inner()).take());
        Ok(counts)
    }
}

/// `entries` grouped by the top 6 bits of their home slot in a table of `mask + 1` slots (a
/// power of two of at least 64), into `out`.
fn order_by_home(entries: &[u64], mask: usize, out: &mut Vec<u64>) {
    const REGIONS: usize = 64;
    let shift = (mask + 1).trailing_zeros() - REGIONS.trailing_zeros();
    group(entries, REGIONS, |&e| EntrySet::home(e, mask) >> shift, out);
}

/// Counts one ID with its gathered side flags: a batch ID, new when the existing data lacks it.
#[inline]
fn count_id(e: u64, counts: &mut [IdCounts; 2]) {
    if e & BATCH != 0 {
        let kind = usize::from(e & ITEM != 0);
        counts[kind].distinct += 1;
        if e & EXISTING == 0 {
            counts[kind].new += 1;
        }
    }
}

/// Counts a shard's set (one slot per ID).
fn count_set(set: &EntrySet, counts: &mut [IdCounts; 2]) {
    for e in set.iter() {
        count_id(e, counts);
    }
}

/// Counts one partition file: in memory when it fits `cap` entries, else split by the next
/// bits below `shift` bits of the top.
fn count_file(
    path: &Path,
    shift: u32,
    depth: u32,
    cap: usize,
    scratch: &mut Vec<u64>,
    counts: &mut [IdCounts; 2],
) -> io::Result<()> {
    let len = std::fs::metadata(path)?.len() as usize / 8;
    let mut r = BufReader::with_capacity(64 << 10, File::open(path)?);
    let mut word = [0u8; 8];
    if len <= cap || depth >= MAX_DEPTH {
        scratch.clear();
        scratch.reserve(len);
        for _ in 0..len {
            r.read_exact(&mut word)?;
            scratch.push(u64::from_le_bytes(word));
        }
        compact(scratch);
        count_sorted(scratch, counts);
        return Ok(());
    }
    let sub: Vec<PathBuf> = (0..1usize << SPLIT_BITS)
        .map(|i| {
            let mut s = path.as_os_str().to_owned();
            s.push(format!("-{i:x}"));
            PathBuf::from(s)
        })
        .collect();
    {
        let mut w = sub
            .iter()
            .map(|p| Ok(BufWriter::with_capacity(16 << 10, File::create(p)?)))
            .collect::<io::Result<Vec<_>>>()?;
        let mask = (1u64 << SPLIT_BITS) - 1;
        for _ in 0..len {
            r.read_exact(&mut word)?;
            let e = u64::from_le_bytes(word);
            let i = ((e >> (64 - shift - SPLIT_BITS)) & mask) as usize;
            w[i].write_all(&word)?;
        }
        for mut w in w {
            w.flush()?;
        }
    }
    for p in &sub {
        count_file(p, shift + SPLIT_BITS, depth + 1, cap, scratch, counts)?;
        std::fs::remove_file(p)?;
    }
    Ok(())
}

/// Counts sorted entries: an ID is up to three entries (one per set of side flags it was written
/// with), next to each other; their flags are gathered.
fn count_sorted(entries: &[u64], counts: &mut [IdCounts; 2]) {
    let mut i = 0;
    while i < entries.len() {
        let mut e = entries[i];
        i += 1;
        while i < entries.len() && (entries[i] ^ e) & !SIDES == 0 {
            e |= entries[i];
            i += 1;
        }
        count_id(e, counts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(x: &mut u64) -> u64 {
        *x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *x >> 33
    }

    fn h(kind: &str, n: u64) -> u64 {
        xxhash_rust::xxh3::xxh3_64(format!("{kind}{n}").as_bytes())
    }

    /// Users u0..u999 and items i0..i299 in the existing data; the batch draws users from
    /// u500..u1499 and items from i0..i399.
    fn entries(seed: u64) -> (Vec<u64>, [IdCounts; 2]) {
        let mut x = seed;
        let mut out = Vec::new();
        for u in 0..1000 {
            out.push(entry(h("u", u), USER, EXISTING));
        }
        for i in 0..300 {
            out.push(entry(h("i", i), ITEM, EXISTING));
        }
        let mut users = std::collections::HashSet::new();
        let mut items = std::collections::HashSet::new();
        for _ in 0..20_000 {
            let u = 500 + lcg(&mut x) % 1000;
            let i = lcg(&mut x) % 400;
            users.insert(u);
            items.insert(i);
            out.push(entry(h("u", u), USER, BATCH));
            out.push(entry(h("i", i), ITEM, BATCH));
        }
        let expect = [
            IdCounts {
                distinct: users.len() as u64,
                new: users.iter().filter(|&&u| u >= 1000).count() as u64,
            },
            IdCounts {
                distinct: items.len() as u64,
                new: items.iter().filter(|&&i| i >= 300).count() as u64,
            },
        ];
        (out, expect)
    }

    #[test]
    fn in_memory_and_out_of_core_count_alike() {
        let (all, expect) = entries(7);
        assert!(expect[0].new > 400 && expect[1].new > 90, "{expect:?}");
        let dir = tempfile::tempdir().unwrap();
        // The whole budget; a budget smaller than the distinct IDs (partitions); one so small
        // that partitions are split again.
        for (budget, spills) in [(1 << 30, false), (8 * 600, true), (8, true)] {
            let ids = NewIds::new(budget, Some(dir.path().to_path_buf()));
            for block in all.chunks(333) {
                ids.add(block);
            }
            assert_eq!(ids.spilled(), spills, "budget {budget}");
            assert_eq!(ids.finish().unwrap(), expect, "budget {budget}");
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                0,
                "partitions removed"
            );
        }
    }

    /// Many IDs, blocks added from several threads at once, with budgets that keep every shard
    /// in memory, spill some shards, spill all, and spill partitions larger than the budget
    /// (split again when read back): the counts never change.
    #[test]
    fn threads_and_budgets_count_alike() {
        let mut x = 11u64;
        let mut all = Vec::new();
        for u in 0..30_000 {
            all.push(entry(h("u", u), USER, EXISTING));
        }
        let mut users = std::collections::HashSet::new();
        for _ in 0..200_000 {
            let u = 20_000 + lcg(&mut x) % 30_000;
            users.insert(u);
            all.push(entry(h("u", u), USER, BATCH));
            all.push(entry(h("i", u % 97), ITEM, BATCH));
        }
        // Batch blocks before and after the existing ones, as a plan adds them.
        all.rotate_left(30_000);
        let expect = [
            IdCounts {
                distinct: users.len() as u64,
                new: users.iter().filter(|&&u| u >= 30_000).count() as u64,
            },
            IdCounts {
                distinct: 97,
                new: 97,
            },
        ];
        let dir = tempfile::tempdir().unwrap();
        for (budget, spills) in [(1 << 30, false), (64 << 10, true), (8, true)] {
            let ids = NewIds::new(budget, Some(dir.path().to_path_buf()));
            std::thread::scope(|s| {
                for t in 0..3 {
                    let (ids, all) = (&ids, &all);
                    s.spawn(move || {
                        for block in all.chunks(1000).skip(t).step_by(3) {
                            ids.add(block);
                        }
                    });
                }
            });
            assert_eq!(ids.spilled(), spills, "budget {budget}");
            assert_eq!(ids.finish().unwrap(), expect, "budget {budget}");
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }

    /// Long chunks into large tables go in the order of their home slots: the same counts,
    /// and the ordering is a permutation grouped by region.
    #[test]
    fn long_chunks_in_slot_order_count_alike() {
        // One shard (the top bits cleared), blocks of 4,000 entries: past the first few, each
        // goes into a table of thousands of slots through `order_by_home`.
        let e = |n: u64, side: u64| entry(h("u", n) >> FIRST_BITS, USER, side);
        let ids = NewIds::new(1 << 20, None);
        let mut x = 3u64;
        let mut batch = std::collections::HashSet::new();
        let mut block = Vec::new();
        for _ in 0..40_000 {
            let n = lcg(&mut x) % 20_000;
            batch.insert(n);
            block.push(e(n, BATCH));
            if block.len() == 4000 {
                ids.add(&block);
                block.clear();
            }
        }
        ids.add(&(0..10_000).map(|n| e(n, EXISTING)).collect::<Vec<_>>());
        let [users, items] = ids.finish().unwrap();
        assert_eq!(
            users,
            IdCounts {
                distinct: batch.len() as u64,
                new: batch.iter().filter(|&&n| n >= 10_000).count() as u64,
            }
        );
        assert_eq!(items, IdCounts::default());

        let mask = (1 << 14) - 1;
        let mut ordered = Vec::new();
        let all: Vec<u64> = (0..5000).map(|n| e(n, BATCH)).collect();
        order_by_home(&all, mask, &mut ordered);
        let region = |v: u64| EntrySet::home(v, mask) >> 8;
        assert!(ordered.windows(2).all(|w| region(w[0]) <= region(w[1])));
        let (mut a, mut b) = (all.clone(), ordered);
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
    }

    /// An ID keeps one slot whatever sides it is seen on, in memory and out of core, even the
    /// ID whose hash bits are all 0 (its entries look like an empty slot but for the flags).
    #[test]
    fn sides_gather_in_one_slot() {
        let dir = tempfile::tempdir().unwrap();
        for budget in [1 << 20, 8] {
            let ids = NewIds::new(budget, Some(dir.path().to_path_buf()));
            ids.add(&[entry(0, USER, BATCH), entry(0, ITEM, BATCH)]);
            ids.add(&[entry(0, USER, EXISTING), entry(h("u", 1), USER, BATCH)]);
            ids.add(&[entry(0, USER, BATCH), entry(h("u", 1), USER, BATCH)]);
            assert_eq!(
                ids.finish().unwrap(),
                [
                    IdCounts {
                        distinct: 2,
                        new: 1
                    },
                    IdCounts {
                        distinct: 1,
                        new: 1
                    }
                ],
                "budget {budget}"
            );
        }
        let mut set = EntrySet::default();
        set.resize(16);
        for e in [entry(7 << 3, USER, BATCH), entry(7 << 3, USER, EXISTING)] {
            set.insert(e);
        }
        assert_eq!(
            (set.len, set.iter().collect::<Vec<_>>()),
            (1, vec![entry(7 << 3, USER, BATCH | EXISTING)])
        );
    }

    #[test]
    fn without_existing_entries_every_id_is_new() {
        let ids = NewIds::new(1 << 20, None);
        ids.add(&[
            entry(h("u", 1), USER, BATCH),
            entry(h("u", 1), USER, BATCH),
            entry(h("u", 2), USER, BATCH),
            entry(h("i", 1), ITEM, BATCH),
            // An item and a user spelled alike are two IDs.
            entry(h("u", 1), ITEM, BATCH),
            entry(h("u", 3), USER, EXISTING),
        ]);
        assert_eq!(
            ids.finish().unwrap(),
            [
                IdCounts {
                    distinct: 2,
                    new: 2
                },
                IdCounts {
                    distinct: 2,
                    new: 2
                }
            ]
        );
    }
}
