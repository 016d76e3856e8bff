//! The plan out of core: a Grace hash join, used when the new batch's keys exceed the memory
//! budget (`PlanOptions::memory_limit`).
//!
//! 1. Every keyed record of the batch, and then of the existing data, is written to one of `P`
//!    partition files by the top bits of its key (the ID hash, or the identity for
//!    interactions): records that can match are always in the same partition. Entries keep
//!    their side's order within a partition, and an *order file* holds each record's partition
//!    number in the side's order, so that the global order can be walked again. The existing
//!    side's entries stay in memory instead while they fit in what the budget leaves beside the
//!    join ([`Partitioner::keeping`]).
//! 2. Each partition is joined on its own, in memory, several at a time: the batch's entries are
//!    deduplicated as Personalize would (the last occurrence of an ID wins; the first copy of an
//!    interaction), the existing entries probe them in existing order (the last match decides).
//!    A partition writes a result byte per entry: the batch record's status ([`NOT_KEPT`],
//!    `ABSENT`, `REPLACED`, `IDENTICAL`), the existing record's match.
//! 3. Walks in each side's order (the order file choosing the next partition's result) write
//!    the merged and deduplicated files and find the first dropped records, with the same
//!    results as the in-memory plan, bit for bit.
//!
//! Memory: the partition buffers while writing (and the existing entries kept), then `threads`
//! partitions at a time (each at most [`JOIN_COST`] bytes per batch record), then a small buffer
//! per partition while walking. Files:
//! `preflight-plan-*` in the temporary folder; each partition's entries are removed once it is
//! joined, the rest on success, error and interrupt ([`crate::temp`]).

use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::existing::{ABSENT, IDENTICAL, REPLACED};
use super::keys::{EventId, NO_EVENT_TYPE, OTHER_EVENT_TYPE};
use crate::engine::dataset::BlockAcc;

/// A batch record superseded by a later one with the same ID, or a later copy of an
/// interaction: not in the deduplicated batch.
pub(crate) const NOT_KEPT: u8 = 3;

/// Memory per batch record while a partition is joined: its key (and record hash, ID types),
/// the key and its position grouped by sub-table, its slot in the table with the table's spare
/// room (24 bytes at most 70% full), its status byte: 72 bytes, 88 for ID types. (A worker
/// keeps these buffers from one partition to the next: see [`JoinScratch`].)
pub(crate) const JOIN_COST: u64 = 88;

/// Partitions at most (2^12): beyond that a partition of a 100 GB batch is still small.
pub(crate) const MAX_BITS: u32 = 12;

/// What an entry holds besides its 16-byte key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The record's identity (ID types: the key is the ID).
    pub rec: bool,
    /// The record's USER_ID hash and event type (the limits judged after the job).
    pub facts: bool,
}

impl Layout {
    /// Bytes per entry.
    pub fn size(self) -> usize {
        16 + if self.rec { 16 } else { 0 } + if self.facts { 10 } else { 0 }
    }
}

/// The facts of an entry read back (its keys are read in bulk: [`EntryReader::read_keys`]).
#[derive(Debug, Clone, Copy, Default)]
struct Facts {
    user: u64,
    event: EventId,
}

/// The partition count for `records` batch records and `budget` bytes per partition joined:
/// `2^bits`, at least 2.
pub(crate) fn partition_bits(records: u64, budget: u64) -> u32 {
    let need = records.saturating_mul(JOIN_COST) / budget.max(1) + 1;
    // Twice the partitions needed, for the margin.
    let bits = 64 - (need - 1).leading_zeros() + 1;
    bits.clamp(1, MAX_BITS)
}

fn part_path(dir: &Path, side: &str, p: usize) -> PathBuf {
    dir.join(format!("{side}-{p:04}"))
}

fn order_path(dir: &Path, side: &str) -> PathBuf {
    dir.join(format!("{side}-order"))
}

fn result_path(dir: &Path, side: &str, p: usize) -> PathBuf {
    dir.join(format!("{side}-{p:04}.result"))
}

/// How one side's entries are grouped into partitions: shared with the workers that key the
/// blocks, so that each groups its own block ([`Grouping::group`]) and the thread that takes
/// the blocks in order only appends their groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grouping {
    /// `2^bits` partitions.
    pub bits: u32,
    /// What an entry holds.
    pub layout: Layout,
    /// Whether the side keeps an order file: only a walk reads it (the batch's for the
    /// written files, the existing data's for them and the dropped records listed).
    pub order: bool,
}

/// One block's entries grouped by partition, in the block's order within each: made by the
/// worker that keyed the block, appended in block order by [`Partitioner::append`].
#[derive(Debug, Default)]
pub(crate) struct Grouped {
    /// The entries, partition after partition.
    data: Vec<u8>,
    /// Where each partition's entries start in `data`, in entries (and the end).
    bounds: Vec<u32>,
    /// Each record's partition number in block order (1 byte, 2 past 256 partitions), when
    /// the side keeps an order file.
    order: Vec<u8>,
    size: usize,
}

impl Grouped {
    /// Entries held.
    pub fn len(&self) -> usize {
        self.bounds.last().map_or(0, |&n| n as usize)
    }

    /// Rewrites the event types of the entries (facts only) through `map`: a block's own
    /// indexes become the capture's (an index beyond `map` stays as it is).
    pub fn map_events(&mut self, layout: Layout, map: &[EventId]) {
        if !layout.facts || self.size == 0 {
            return;
        }
        let at = if layout.rec { 32 } else { 16 } + 8;
        for e in self.data.chunks_exact_mut(self.size) {
            let ev = EventId::from_le_bytes([e[at], e[at + 1]]);
            if let Some(&m) = map.get(ev as usize) {
                e[at..at + 2].copy_from_slice(&m.to_le_bytes());
            }
        }
    }
}

impl Grouping {
    #[inline]
    fn part_of(self, key: u128) -> usize {
        (key >> (128 - self.bits)) as usize
    }

    /// Groups one block's records (a stable counting sort by partition). Per record: its key,
    /// its record hash (`recs`, when the layout has it), its user and event type (when the
    /// layout has the facts; missing ones are 0 and [`NO_EVENT_TYPE`]).
    pub fn group(self, keys: &[u128], recs: &[u128], users: &[u64], events: &[EventId]) -> Grouped {
        let parts = 1usize << self.bits;
        let size = self.layout.size();
        let mut bounds = vec![0u32; parts + 1];
        for &k in keys {
            bounds[self.part_of(k) + 1] += 1;
        }
        for p in 0..parts {
            bounds[p + 1] += bounds[p];
        }
        let mut next = bounds[..parts].to_vec();
        let mut data = vec![0u8; keys.len() * size];
        let wide = self.bits > 8;
        let mut order = Vec::with_capacity(if self.order {
            keys.len() * (1 + usize::from(wide))
        } else {
            0
        });
        for (i, &k) in keys.iter().enumerate() {
            let p = self.part_of(k);
            let at = next[p] as usize * size;
            next[p] += 1;
            let e = &mut data[at..at + size];
            e[..16].copy_from_slice(&k.to_le_bytes());
            let mut o = 16;
            if self.layout.rec {
                e[16..32].copy_from_slice(&recs.get(i).copied().unwrap_or(k).to_le_bytes());
                o = 32;
            }
            if self.layout.facts {
                e[o..o + 8]
                    .copy_from_slice(&users.get(i).copied().unwrap_or_default().to_le_bytes());
                e[o + 8..o + 10].copy_from_slice(
                    &events
                        .get(i)
                        .copied()
                        .unwrap_or(NO_EVENT_TYPE)
                        .to_le_bytes(),
                );
            }
            if self.order {
                if wide {
                    order.extend_from_slice(&(p as u16).to_le_bytes());
                } else {
                    order.push(p as u8);
                }
            }
        }
        Grouped {
            data,
            bounds,
            order,
            size,
        }
    }
}

/// Writes one side's entries to partition files, and its order file when a walk needs it.
#[derive(Debug)]
pub(crate) struct Partitioner {
    dir: PathBuf,
    side: &'static str,
    grouping: Grouping,
    bufs: Vec<Vec<u8>>,
    counts: Vec<u64>,
    flush_at: usize,
    /// Full buffers kept in memory instead of written, per partition, in order: while they
    /// take at most `hold` bytes ([`Partitioner::keeping`]).
    kept: Vec<Vec<Vec<u8>>>,
    hold: usize,
    held: usize,
    order: Option<BufWriter<File>>,
    /// Bytes written so far (the disk the side takes).
    pub written: u64,
}

impl Partitioner {
    /// Partitions into `2^bits` files in `dir`, with about `buffers` bytes of buffers.
    pub fn new(
        dir: &Path,
        side: &'static str,
        grouping: Grouping,
        buffers: usize,
    ) -> io::Result<Partitioner> {
        let parts = 1usize << grouping.bits;
        let order = if grouping.order {
            Some(BufWriter::with_capacity(
                1 << 16,
                File::create(order_path(dir, side))?,
            ))
        } else {
            None
        };
        Ok(Partitioner {
            dir: dir.to_path_buf(),
            side,
            grouping,
            bufs: vec![Vec::new(); parts],
            counts: vec![0; parts],
            flush_at: (buffers / parts).clamp(4 << 10, 1 << 20),
            kept: vec![Vec::new(); parts],
            hold: 0,
            held: 0,
            order,
            written: 0,
        })
    }

    /// Keeps the entries in memory, not in the partition files, while they take at most `hold`
    /// bytes; past that, the entries kept are written and every later one too, as without it.
    /// (On a machine whose page cache grows into memory never used before, a page written to
    /// a temporary file costs about as much as the copy the join then reads back: the existing
    /// keys of a FULL plan, a third of its temporary bytes, are worth holding when they fit.)
    pub fn keeping(mut self, hold: usize) -> Partitioner {
        self.hold = hold;
        self
    }

    /// Appends one record (`rec` and the facts are written only when the layout has them).
    #[cfg(test)]
    pub fn push(&mut self, key: u128, rec: u128, user: u64, event: EventId) -> io::Result<()> {
        let g = self.grouping.group(&[key], &[rec], &[user], &[event]);
        self.append(&g)
    }

    /// Appends a block's grouped entries (blocks in the side's order).
    pub fn append(&mut self, g: &Grouped) -> io::Result<()> {
        debug_assert!(g.len() == 0 || g.size == self.grouping.layout.size());
        for p in 0..g.bounds.len().saturating_sub(1) {
            let (a, b) = (g.bounds[p] as usize, g.bounds[p + 1] as usize);
            if a == b {
                continue;
            }
            self.bufs[p].extend_from_slice(&g.data[a * g.size..b * g.size]);
            self.counts[p] += (b - a) as u64;
            if self.bufs[p].len() >= self.flush_at {
                self.full(p)?;
            }
        }
        if let Some(o) = self.order.as_mut() {
            o.write_all(&g.order)?;
            self.written += g.order.len() as u64;
        }
        Ok(())
    }

    /// Partition `p`'s buffer is full: kept while the budget holds it, else written (after
    /// every buffer kept, the first time).
    fn full(&mut self, p: usize) -> io::Result<()> {
        let size = self.bufs[p].len();
        if self.held + size <= self.hold {
            // Room for a buffer's worth and a block's share past it: a buffer grown by
            // doubling would hold twice its bytes.
            let next = Vec::with_capacity(self.flush_at + self.flush_at / 4);
            let mut b = std::mem::replace(&mut self.bufs[p], next);
            if b.capacity() > size + size / 4 {
                b.shrink_to_fit();
            }
            self.held += b.capacity();
            self.kept[p].push(b);
            return Ok(());
        }
        self.hold = 0;
        if self.held > 0 {
            self.held = 0;
            for q in 0..self.kept.len() {
                let kept = std::mem::take(&mut self.kept[q]);
                for b in &kept {
                    self.write(q, b)?;
                }
            }
        }
        self.flush(p)
    }

    fn flush(&mut self, p: usize) -> io::Result<()> {
        if self.bufs[p].is_empty() {
            return Ok(());
        }
        let b = std::mem::take(&mut self.bufs[p]);
        self.write(p, &b)?;
        self.bufs[p] = b;
        self.bufs[p].clear();
        Ok(())
    }

    fn write(&mut self, p: usize, bytes: &[u8]) -> io::Result<()> {
        // Opened for each write: thousands of partitions never hold thousands of descriptors.
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(part_path(&self.dir, self.side, p))?;
        f.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Flushes every buffer; or, when every entry was kept, hands them over in memory.
    pub fn finish(mut self) -> io::Result<Partitioned> {
        // Kept to the end (the budget was never passed): the entries stay in memory.
        let in_memory = self.hold > 0;
        let mut mem = Vec::with_capacity(self.bufs.len());
        for p in 0..self.bufs.len() {
            if in_memory {
                let mut kept = std::mem::take(&mut self.kept[p]);
                let last = std::mem::take(&mut self.bufs[p]);
                if !last.is_empty() {
                    kept.push(last);
                }
                mem.push(Mutex::new(Arc::new(kept)));
            } else {
                self.flush(p)?;
                mem.push(Mutex::default());
            }
        }
        if let Some(mut o) = self.order.take() {
            o.flush()?;
        }
        Ok(Partitioned {
            dir: self.dir,
            side: self.side,
            bits: self.grouping.bits,
            layout: self.grouping.layout,
            ordered: self.grouping.order,
            counts: self.counts,
            mem,
        })
    }
}

/// Blocks waiting for a [`PartitionWriter`]'s thread.
const QUEUED_BLOCKS: usize = 4;

/// A [`Partitioner`] on a thread of its own: the blocks' groups are sent to it in order and
/// written while the sender goes on (reading, keying the next blocks). Dropped, it stops
/// after the blocks sent and waits for its thread, so no file is written after.
#[derive(Debug)]
pub(crate) struct PartitionWriter {
    grouping: Grouping,
    dir: PathBuf,
    tx: Option<std::sync::mpsc::SyncSender<Grouped>>,
    thread: Option<std::thread::JoinHandle<io::Result<Partitioner>>>,
}

impl PartitionWriter {
    /// Starts the thread of `p`.
    pub fn new(mut p: Partitioner) -> io::Result<PartitionWriter> {
        let (grouping, dir) = (p.grouping, p.dir.clone());
        let (tx, rx) = std::sync::mpsc::sync_channel::<Grouped>(QUEUED_BLOCKS);
        let thread = std::thread::Builder::new()
            .name("preflight-partitions".into())
            .spawn(move || {
                for g in rx {
                    p.append(&g)?;
                }
                Ok(p)
            })?;
        Ok(PartitionWriter {
            grouping,
            dir,
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// How entries are grouped.
    pub fn grouping(&self) -> Grouping {
        self.grouping
    }

    /// The folder of the partition files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Hands a block's groups to the thread (waiting while it has [`QUEUED_BLOCKS`]).
    pub fn send(&mut self, g: Grouped) -> io::Result<()> {
        if let Some(tx) = self.tx.as_ref() {
            if tx.send(g).is_ok() {
                return Ok(());
            }
        }
        // The thread stopped on an error: it says which.
        self.stop().map(|_| ())
    }

    /// Waits for the thread to write what it was sent; its partitioner, or its error.
    fn stop(&mut self) -> io::Result<Partitioner> {
        self.tx = None;
        match self.thread.take() {
            Some(t) => t
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the partition writer panicked"))),
            None => Err(io::Error::other("the partition writer stopped")),
        }
    }

    /// Writes every block sent, flushes every buffer.
    pub fn finish(mut self) -> io::Result<Partitioned> {
        self.stop()?.finish()
    }
}

impl Drop for PartitionWriter {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One side, partitioned.
#[derive(Debug)]
pub(crate) struct Partitioned {
    dir: PathBuf,
    side: &'static str,
    /// `2^bits` partitions.
    pub bits: u32,
    layout: Layout,
    /// Whether the order file was written (a walk needs it).
    ordered: bool,
    /// Entries per partition.
    pub counts: Vec<u64>,
    /// Per partition, its entries held in memory ([`Partitioner::keeping`]): all of them, or
    /// none (every partition's entries are then in its file).
    mem: Vec<Mutex<Arc<Vec<Vec<u8>>>>>,
}

impl Partitioned {
    fn held(&self, p: usize) -> Arc<Vec<Vec<u8>>> {
        self.mem
            .get(p)
            .map(|m| Arc::clone(&m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)))
            .unwrap_or_default()
    }

    fn entries(&self, p: usize) -> io::Result<EntryReader> {
        let mem = self.held(p);
        let in_memory: u64 = mem
            .iter()
            .map(|b| (b.len() / self.layout.size()) as u64)
            .sum();
        let on_disk = self.counts[p] - in_memory;
        let r = if on_disk == 0 {
            None
        } else {
            Some(File::open(part_path(&self.dir, self.side, p))?)
        };
        Ok(EntryReader {
            r,
            layout: self.layout,
            left: on_disk,
            mem,
            next_mem: 0,
            buf: Vec::new(),
            at: 0,
        })
    }

    /// Removes partition `p`'s entries once they are read (a failure is left to the removal
    /// of the folder).
    fn remove(&self, p: usize) {
        if let Some(m) = self.mem.get(p) {
            *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::default();
        }
        if self.counts[p] > 0 {
            let _ = std::fs::remove_file(part_path(&self.dir, self.side, p));
        }
    }

    /// Walks the side's records in order, giving each one's result byte.
    pub fn walk(&self, buffers: usize) -> io::Result<Walk> {
        if !self.ordered {
            return Err(io::Error::other(format!(
                "the {} side was partitioned without its order",
                self.side
            )));
        }
        let parts = self.counts.len();
        Ok(Walk {
            order: BufReader::with_capacity(1 << 16, File::open(order_path(&self.dir, self.side))?),
            wide: self.bits > 8,
            parts: (0..parts)
                .map(|p| ResultReader {
                    path: result_path(&self.dir, self.side, p),
                    pos: 0,
                    buf: Vec::new(),
                    at: 0,
                })
                .collect(),
            cap: (buffers / parts).clamp(1 << 10, 1 << 18),
        })
    }
}

struct EntryReader {
    r: Option<File>,
    layout: Layout,
    /// Entries not yet read from the file.
    left: u64,
    /// The entries held in memory (after the file's, when it has any), and the next buffer.
    mem: Arc<Vec<Vec<u8>>>,
    next_mem: usize,
    buf: Vec<u8>,
    at: usize,
}

/// Entries read from a partition file at a time.
const READ_ENTRIES: u64 = 1 << 15;

impl EntryReader {
    /// Appends the keys (and record hashes, when `recs` is given) of up to `max` more entries:
    /// the join's reads, a whole buffer at a time (an entry at a time through
    /// [`EntryReader::next`] was a fifth of the join). Returns how many.
    fn read_keys(
        &mut self,
        keys: &mut Vec<u128>,
        mut recs: Option<&mut Vec<u128>>,
        max: usize,
    ) -> io::Result<usize> {
        debug_assert!(recs.is_none() || self.layout.rec, "no record hashes stored");
        let size = self.layout.size();
        let key_at =
            |e: &[u8], i: usize| u128::from_le_bytes(e[i..i + 16].try_into().expect("16 bytes"));
        let mut got = 0;
        while got < max && self.fill()? {
            let take = ((self.buf.len() - self.at) / size).min(max - got);
            let bytes = &self.buf[self.at..self.at + take * size];
            keys.extend(bytes.chunks_exact(size).map(|e| key_at(e, 0)));
            if let Some(recs) = recs.as_deref_mut() {
                recs.extend(bytes.chunks_exact(size).map(|e| key_at(e, 16)));
            }
            self.at += take * size;
            got += take;
        }
        Ok(got)
    }

    /// Reads the next buffer of entries when this one is used up; false at the end.
    fn fill(&mut self) -> io::Result<bool> {
        if self.at < self.buf.len() {
            return Ok(true);
        }
        let n = self.left.min(READ_ENTRIES);
        let Some(r) = self.r.as_mut().filter(|_| n > 0) else {
            let Some(b) = self.mem.get(self.next_mem) else {
                return Ok(false);
            };
            self.next_mem += 1;
            self.buf.clear();
            self.buf.extend_from_slice(b);
            self.at = 0;
            return Ok(!self.buf.is_empty() || self.fill()?);
        };
        self.left -= n;
        self.buf.resize(n as usize * self.layout.size(), 0);
        r.read_exact(&mut self.buf)?;
        self.at = 0;
        Ok(true)
    }

    /// The next entry's facts (zero when the layout holds none).
    #[inline]
    fn next_facts(&mut self) -> io::Result<Option<Facts>> {
        if !self.fill()? {
            return Ok(None);
        }
        let size = self.layout.size();
        let b = &self.buf[self.at..self.at + size];
        self.at += size;
        let mut e = Facts::default();
        let at = if self.layout.rec { 32 } else { 16 };
        if self.layout.facts {
            e.user = u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
            e.event = EventId::from_le_bytes(b[at + 8..at + 10].try_into().expect("2 bytes"));
        }
        Ok(Some(e))
    }
}

/// A slot of a [`PartTable`]: a key (two halves, so that a slot takes 24 bytes, not 32) and
/// the position of the batch record kept for it.
#[derive(Debug, Clone, Copy)]
struct Slot {
    lo: u64,
    hi: u64,
    pos: u32,
}

/// An empty slot (a partition never holds `u32::MAX` records: see [`join_partition`]).
const EMPTY: Slot = Slot {
    lo: 0,
    hi: 0,
    pos: u32::MAX,
};

/// Records per sub-table, about: a sub-table (at most 70% full, 24 bytes a slot) then stays
/// near 140 KiB, in the core's cache while it is built.
const SUB_RECORDS: usize = 4096;

/// The batch side of one partition, in memory: a hash table of the kept record of each key,
/// made of sub-tables chosen by bits of the key that neither the partition (the top bits) nor
/// the slot (the low bits) uses. The batch's records are grouped by sub-table first (a stable
/// counting sort), and each sub-table is filled in one go, while it is in the cache: one
/// table for a whole partition misses the cache on nearly every record. The in-memory plan
/// keeps one such table for the whole batch ([`super::frame`]).
pub(crate) struct PartTable {
    slots: Vec<Slot>,
    /// Where each sub-table starts in `slots` (and the end).
    starts: Vec<usize>,
    /// Sub-tables - 1 (a power of two - 1).
    mask: usize,
    /// A bit per 8 slots' worth of keys, set for the keys present (bits 32-63 of the key): most
    /// probes of keys the batch lacks stop here, in the cache, instead of reading the table.
    filter: Vec<u64>,
}

impl PartTable {
    /// The sub-table of a key.
    #[inline]
    fn sub(key: u128, mask: usize) -> usize {
        ((key >> 64) as usize >> 8) & mask
    }

    /// The home slot of a key in a sub-table of `len` slots (a multiply and a shift: sizes need
    /// not be powers of two, so the table takes no more than its load factor asks).
    #[inline]
    fn home(key: u128, len: usize) -> usize {
        (((key as u64 & 0xFFFF_FFFF) * len as u64) >> 32) as usize
    }

    /// The table of the `n` keys of `keys` that `select` takes (in batch order, in one or more
    /// chunks): per key, the first record (`last` false: interactions, later copies collapse
    /// into it) or the last one (`last`: an ID, the last occurrence wins). A record's position
    /// counts every key of `keys`, selected or not. `status` (one byte per key, all [`NOT_KEPT`]) gets `ABSENT`
    /// for each record kept, and the number of those is returned beside the table. Its buffers
    /// come from `scratch`; [`PartTable::recycle`] gives them back.
    pub(crate) fn build(
        keys: &[&[u128]],
        select: impl Fn(u128) -> bool,
        n: usize,
        last: bool,
        status: &mut [u8],
        scratch: &mut JoinScratch,
    ) -> (PartTable, u64) {
        let all = || keys.iter().flat_map(|c| c.iter().copied()).enumerate();
        let keys = || all().filter(|&(_, k)| select(k));
        let subs = (n / SUB_RECORDS).max(1).next_power_of_two();
        let mask = subs - 1;
        // A stable counting sort of the keys and their positions by sub-table, so that each
        // sub-table is filled from consecutive memory.
        let mut bounds = vec![0usize; subs + 1];
        for (_, k) in keys() {
            bounds[Self::sub(k, mask) + 1] += 1;
        }
        for i in 0..subs {
            bounds[i + 1] += bounds[i];
        }
        let mut next = bounds.clone();
        // Two arrays, not one of pairs: a pair would take 32 bytes (the key's alignment).
        let mut grouped = std::mem::take(&mut scratch.grouped);
        grouped.clear();
        grouped.resize(n, 0);
        let mut positions = std::mem::take(&mut scratch.positions);
        positions.clear();
        positions.resize(n, 0);
        for (i, k) in keys() {
            let s = Self::sub(k, mask);
            grouped[next[s]] = k;
            positions[next[s]] = i as u32;
            next[s] += 1;
        }
        drop(next);
        // Sub-tables at most 70% full, each cleared just before it is filled (so that it is in
        // the cache).
        let mut starts = Vec::with_capacity(subs + 1);
        let mut total = 0usize;
        for s in 0..subs {
            starts.push(total);
            total += (bounds[s + 1] - bounds[s]) * 10 / 7 + 1;
        }
        starts.push(total);
        let mut slots = std::mem::take(&mut scratch.slots);
        slots.clear();
        slots.reserve(total);
        // The filter's bits and the kept records are set as keys go in, not by two more
        // passes over the slots (which read the whole table twice again).
        let bits = (n.max(8) * 8).next_power_of_two();
        let mut filter = std::mem::take(&mut scratch.filter);
        filter.clear();
        filter.resize(bits / 64, 0);
        let mut distinct = 0u64;
        for s in 0..subs {
            slots.resize(starts[s + 1], EMPTY);
            let table = &mut slots[starts[s]..];
            let len = table.len();
            let range = bounds[s]..bounds[s + 1];
            for (&key, &at) in grouped[range.clone()].iter().zip(&positions[range]) {
                let (lo, hi) = (key as u64, (key >> 64) as u64);
                let mut i = Self::home(key, len);
                loop {
                    let slot = &mut table[i];
                    if slot.pos == u32::MAX {
                        *slot = Slot { lo, hi, pos: at };
                        let b = Self::filter_bit(lo, bits - 1);
                        filter[b / 64] |= 1 << (b % 64);
                        status[at as usize] = ABSENT;
                        distinct += 1;
                        break;
                    }
                    if slot.lo == lo && slot.hi == hi {
                        if last {
                            status[slot.pos as usize] = NOT_KEPT;
                            status[at as usize] = ABSENT;
                            slot.pos = at;
                        }
                        break;
                    }
                    i += 1;
                    if i == len {
                        i = 0;
                    }
                }
            }
        }
        scratch.grouped = grouped;
        scratch.positions = positions;
        let table = PartTable {
            slots,
            starts,
            mask,
            filter,
        };
        (table, distinct)
    }

    /// Replaces the position kept in each slot by `to(position)`.
    pub(crate) fn renumber(&mut self, to: impl Fn(u32) -> u32) {
        for slot in self.slots.iter_mut().filter(|s| s.pos != u32::MAX) {
            slot.pos = to(slot.pos);
        }
    }

    /// Gives the table's buffers back to `scratch` for the next partition.
    fn recycle(self, scratch: &mut JoinScratch) {
        scratch.slots = self.slots;
        scratch.filter = self.filter;
    }

    #[inline]
    fn filter_bit(lo: u64, mask: usize) -> usize {
        (lo >> 32) as usize & mask
    }

    /// Whether the table may hold `key` (false: it does not).
    #[inline]
    fn may_hold(&self, key: u128) -> bool {
        let b = Self::filter_bit(key as u64, self.filter.len() * 64 - 1);
        self.filter[b / 64] & (1 << (b % 64)) != 0
    }

    /// Looks up each of `keys` that `select` takes, in order: `found(i, pos)` for the `i`-th
    /// key found. Unlike the batch's keys, probes are not grouped by sub-table: the existing
    /// data can be ten times the batch, and grouping a round of probes cost more than it
    /// saved; instead the home slots of 16 keys are loaded before any of them is looked up, so
    /// that their cache misses overlap.
    pub(crate) fn probe(
        &self,
        keys: &[u128],
        select: impl Fn(u128) -> bool,
        mut found: impl FnMut(usize, u32),
    ) {
        /// Probes whose first slots are loaded together.
        const AHEAD: usize = 16;
        let mut touched = 0u32;
        for (g, group) in keys.chunks(AHEAD).enumerate() {
            for &key in group.iter().filter(|&&k| select(k) && self.may_hold(k)) {
                let table = self.sub_table(key);
                touched ^= table[Self::home(key, table.len())].pos;
            }
            for (j, &key) in group.iter().enumerate() {
                if !(select(key) && self.may_hold(key)) {
                    continue;
                }
                let table = self.sub_table(key);
                let len = table.len();
                let (lo, hi) = (key as u64, (key >> 64) as u64);
                let mut i = Self::home(key, len);
                loop {
                    let slot = &table[i];
                    if slot.pos == u32::MAX {
                        break;
                    }
                    if slot.lo == lo && slot.hi == hi {
                        found(g * AHEAD + j, slot.pos);
                        break;
                    }
                    i += 1;
                    if i == len {
                        i = 0;
                    }
                }
            }
        }
        // The early loads matter only for their timing: keep the optimiser from dropping them.
        std::hint::black_box(touched);
    }

    /// The sub-table of a key.
    #[inline]
    fn sub_table(&self, key: u128) -> &[Slot] {
        let s = Self::sub(key, self.mask);
        &self.slots[self.starts[s]..self.starts[s + 1]]
    }
}

/// Existing entries probed at a time.
const PROBE_ENTRIES: usize = 1 << 16;

/// The buffers of a join, kept by a worker from one partition to the next: buffers made anew
/// at a partition's size (tens of MiB) are mapped afresh by the allocator each time and fault
/// in page by page, which took a tenth of the join's time.
#[derive(Debug, Default)]
pub(crate) struct JoinScratch {
    keys: Vec<u128>,
    recs: Vec<u128>,
    grouped: Vec<u128>,
    positions: Vec<u32>,
    slots: Vec<Slot>,
    filter: Vec<u64>,
    status: Vec<u8>,
}

/// What one partition's join found.
#[derive(Debug, Default)]
pub(crate) struct PartJoin {
    /// Keyed batch records.
    pub records: u64,
    /// Distinct batch records.
    pub distinct: u64,
    /// Distinct records found with the same ID and other values.
    pub replaced: u64,
    /// Distinct records found identical.
    pub identical: u64,
    /// Existing records matched by ID (ID types).
    pub superseded: u64,
    /// Existing records the batch does not match.
    pub unmatched: u64,
    /// Batch records new to the dataset: their users and event types (indexes into
    /// the capture's table, with `other` beyond it).
    pub users: Vec<u64>,
    /// Per event type index.
    pub per_event: Vec<u64>,
    /// New records whose event type is beyond the tracked ones.
    pub other_events: u64,
}

/// Joins partition `p`. `results` says which sides' result files to write (for the walks).
/// `events` is the capture's number of event types (facts only).
fn join_partition(
    batch: &Partitioned,
    existing: Option<&Partitioned>,
    p: usize,
    by_id: bool,
    results: (bool, bool),
    events: usize,
    scratch: &mut JoinScratch,
) -> io::Result<PartJoin> {
    let n = batch.counts[p] as usize;
    if n > u32::MAX as usize {
        return Err(io::Error::other(format!(
            "a partition of {n} records: raise --memory-limit"
        )));
    }
    let mut out = PartJoin {
        records: n as u64,
        ..PartJoin::default()
    };
    let mut status = std::mem::take(&mut scratch.status);
    status.clear();
    status.resize(n, NOT_KEPT);
    // The batch's keys (and record hashes, ID types), then the table of the kept records.
    let mut keys = std::mem::take(&mut scratch.keys);
    keys.clear();
    keys.reserve(n);
    let mut recs = std::mem::take(&mut scratch.recs);
    recs.clear();
    recs.reserve(if by_id { n } else { 0 });
    batch
        .entries(p)?
        .read_keys(&mut keys, by_id.then_some(&mut recs), n)?;
    // ID types: the last occurrence of an ID wins; interactions: later copies collapse into the
    // first.
    let (table, distinct) = PartTable::build(&[&keys], |_| true, n, by_id, &mut status, scratch);
    out.distinct = distinct;
    scratch.keys = keys;
    if let Some(ex) = existing {
        let mut r = ex.entries(p)?;
        let mut matched_out = if results.1 {
            Some(BufWriter::with_capacity(
                1 << 16,
                File::create(result_path(&ex.dir, ex.side, p))?,
            ))
        } else {
            None
        };
        let mut ex_keys = Vec::with_capacity(PROBE_ENTRIES.min(ex.counts[p] as usize));
        let mut ex_recs = Vec::new();
        let mut matched = Vec::new();
        loop {
            ex_keys.clear();
            ex_recs.clear();
            r.read_keys(&mut ex_keys, by_id.then_some(&mut ex_recs), PROBE_ENTRIES)?;
            if ex_keys.is_empty() {
                break;
            }
            matched.clear();
            matched.resize(ex_keys.len(), 0u8);
            // In existing order within each key: the last existing record of a key decides.
            table.probe(
                &ex_keys,
                |_| true,
                |i, at| {
                    matched[i] = 1;
                    status[at as usize] = if !by_id || recs[at as usize] == ex_recs[i] {
                        IDENTICAL
                    } else {
                        REPLACED
                    };
                },
            );
            let hits = matched.iter().filter(|&&m| m == 1).count() as u64;
            if by_id {
                out.superseded += hits;
            }
            out.unmatched += ex_keys.len() as u64 - hits;
            if let Some(w) = matched_out.as_mut() {
                w.write_all(&matched)?;
            }
        }
        if let Some(mut w) = matched_out {
            w.flush()?;
        }
    }
    table.recycle(scratch);
    scratch.recs = recs;
    for &s in &status {
        match s {
            REPLACED => out.replaced += 1,
            IDENTICAL => out.identical += 1,
            _ => {}
        }
    }
    if batch.layout.facts {
        // The new records' users and event types: a second read of the partition.
        let mut r = batch.entries(p)?;
        let mut acc = BlockAcc::default();
        out.per_event = vec![0; events];
        let mut i = 0usize;
        while let Some(e) = r.next_facts()? {
            if status[i] == ABSENT {
                acc.add_user(e.user);
                match e.event {
                    NO_EVENT_TYPE => {}
                    OTHER_EVENT_TYPE => out.other_events += 1,
                    ev => {
                        if let Some(c) = out.per_event.get_mut(ev as usize) {
                            *c += 1;
                        }
                    }
                }
            }
            i += 1;
        }
        out.users = std::mem::take(&mut acc.users);
    }
    if results.0 && n > 0 {
        let mut w = File::create(result_path(&batch.dir, batch.side, p))?;
        w.write_all(&status)?;
    }
    scratch.status = status;
    // The entries are read: their files go now, on this worker, rather than all at the end.
    batch.remove(p);
    if let Some(ex) = existing {
        ex.remove(p);
    }
    Ok(out)
}

/// Joins every partition, `threads` at a time on `pool`; `each` takes a partition's result as
/// it ends (its users, so they are not held until the end), and the sums are returned.
pub(crate) fn join_all(
    batch: &Partitioned,
    existing: Option<&Partitioned>,
    by_id: bool,
    results: (bool, bool),
    events: usize,
    pool: Option<&rayon::ThreadPool>,
    each: &(dyn Fn(&mut PartJoin) + Sync),
) -> io::Result<PartJoin> {
    let parts = batch.counts.len();
    let one = |scratch: &mut JoinScratch, p: usize| -> io::Result<PartJoin> {
        let mut j = join_partition(batch, existing, p, by_id, results, events, scratch)?;
        each(&mut j);
        j.users = Vec::new();
        Ok(j)
    };
    let all: Vec<io::Result<PartJoin>> = match pool {
        Some(pool) => pool.install(|| {
            (0..parts)
                .into_par_iter()
                .map_init(JoinScratch::default, one)
                .collect()
        }),
        None => {
            let mut scratch = JoinScratch::default();
            (0..parts).map(|p| one(&mut scratch, p)).collect()
        }
    };
    let mut sum = PartJoin {
        per_event: vec![0; events],
        ..PartJoin::default()
    };
    for j in all {
        let j = j?;
        sum.records += j.records;
        sum.distinct += j.distinct;
        sum.replaced += j.replaced;
        sum.identical += j.identical;
        sum.superseded += j.superseded;
        sum.unmatched += j.unmatched;
        sum.other_events += j.other_events;
        for (s, c) in sum.per_event.iter_mut().zip(&j.per_event) {
            *s += c;
        }
    }
    Ok(sum)
}

/// One partition's result bytes, read in small pieces (the file is opened per refill, so that
/// thousands of partitions never hold thousands of descriptors).
#[derive(Debug)]
struct ResultReader {
    path: PathBuf,
    pos: u64,
    buf: Vec<u8>,
    at: usize,
}

impl ResultReader {
    fn next(&mut self, cap: usize) -> io::Result<u8> {
        if self.at == self.buf.len() {
            let mut f = File::open(&self.path)?;
            f.seek(SeekFrom::Start(self.pos))?;
            self.buf.clear();
            f.take(cap as u64).read_to_end(&mut self.buf)?;
            self.pos += self.buf.len() as u64;
            self.at = 0;
            if self.buf.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("`{}` ended early", self.path.display()),
                ));
            }
        }
        let b = self.buf[self.at];
        self.at += 1;
        Ok(b)
    }
}

/// A side's result bytes in the side's order.
#[derive(Debug)]
pub(crate) struct Walk {
    order: BufReader<File>,
    wide: bool,
    parts: Vec<ResultReader>,
    cap: usize,
}

impl Walk {
    /// The next record's result byte (batch: its status, or [`NOT_KEPT`]; existing: 1 when
    /// matched).
    pub fn next(&mut self) -> io::Result<u8> {
        let p = if self.wide {
            let mut b = [0u8; 2];
            self.order.read_exact(&mut b)?;
            u16::from_le_bytes(b) as usize
        } else {
            let mut b = [0u8; 1];
            self.order.read_exact(&mut b)?;
            b[0] as usize
        };
        let cap = self.cap;
        self.parts
            .get_mut(p)
            .ok_or_else(|| io::Error::other("a partition number out of range"))?
            .next(cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A partitioner of `2^bits` partitions that keeps its order file, as a walk needs.
    fn ordered(dir: &Path, side: &'static str, bits: u32, layout: Layout) -> Partitioner {
        let grouping = Grouping {
            bits,
            layout,
            order: true,
        };
        Partitioner::new(dir, side, grouping, 1 << 16).unwrap()
    }

    #[test]
    fn partition_bits_grow_with_the_batch() {
        assert_eq!(partition_bits(0, 1 << 30), 1);
        assert_eq!(partition_bits(10_000, 1), MAX_BITS);
        assert_eq!(partition_bits(10, 1), 11);
        let b = partition_bits(100_000_000, 256 << 20);
        assert!((1u64 << b) * (256 << 20) >= 100_000_000 * JOIN_COST, "{b}");
    }

    #[test]
    fn entries_walk_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout {
            rec: true,
            facts: false,
        };
        let mut w = ordered(dir.path(), "new", 9, layout);
        // IDs 1..=2000, each twice: the second occurrence (other values) wins.
        let key = |i: u128| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
        for round in 0..2u128 {
            for i in 1..=2000u128 {
                w.push(key(i), i * 10 + round, 0, 0).unwrap();
            }
        }
        let b = w.finish().unwrap();
        assert_eq!(b.counts.iter().sum::<u64>(), 4000);
        let mut e = ordered(dir.path(), "existing", 9, layout);
        // Existing: 1..=1000 identical to the winners, 3000..3500 unknown.
        for i in 1..=1000u128 {
            e.push(key(i), i * 10 + 1, 0, 0).unwrap();
        }
        for i in 3000..3500u128 {
            e.push(key(i), 0, 0, 0).unwrap();
        }
        let e = e.finish().unwrap();
        let sum = join_all(&b, Some(&e), true, (true, true), 0, None, &|_| {}).unwrap();
        assert_eq!(
            (sum.records, sum.distinct, sum.identical, sum.replaced),
            (4000, 2000, 1000, 0)
        );
        assert_eq!((sum.superseded, sum.unmatched), (1000, 500));
        let mut walk = b.walk(1 << 16).unwrap();
        for i in 0..4000 {
            let s = walk.next().unwrap();
            let expect = match i {
                0..2000 => NOT_KEPT,
                2000..3000 => IDENTICAL,
                _ => ABSENT,
            };
            assert_eq!(s, expect, "record {i}");
        }
        let mut walk = e.walk(1 << 16).unwrap();
        for i in 0..1500 {
            assert_eq!(walk.next().unwrap(), u8::from(i < 1000), "row {i}");
        }
    }
    /// A side no walk reads keeps no order file; grouped blocks append as single records do.
    #[test]
    fn entries_kept_in_memory_join_as_written_ones_do() {
        let key = |i: u128| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
        let layout = Layout {
            rec: false,
            facts: false,
        };
        let grouping = Grouping {
            bits: 2,
            layout,
            order: true,
        };
        // 4 partitions of 4 KiB buffers: about 12 full buffers of existing entries (3000 x 16
        // bytes); kept none, all, or the first few and then written.
        for hold in [0, 1 << 20, 20 << 10] {
            let dir = tempfile::tempdir().unwrap();
            let mut w = Partitioner::new(dir.path(), "new", grouping, 1 << 14).unwrap();
            // Interactions 1..=2000, the first 100 twice: the copies collapse.
            for i in (1..=2000u128).chain(1..=100) {
                w.push(key(i), 0, 0, 0).unwrap();
            }
            let b = w.finish().unwrap();
            let mut e = Partitioner::new(dir.path(), "existing", grouping, 1 << 14)
                .unwrap()
                .keeping(hold);
            // Existing: 1001..=4000 in reverse, 1001..=2000 of them in the batch.
            for i in (1001..=4000u128).rev() {
                e.push(key(i), 0, 0, 0).unwrap();
            }
            let e = e.finish().unwrap();
            let files = (0..4)
                .filter(|&p| part_path(dir.path(), "existing", p).exists())
                .count();
            assert_eq!(files, if hold == 1 << 20 { 0 } else { 4 }, "hold {hold}");
            let sum = join_all(&b, Some(&e), false, (true, true), 0, None, &|_| {}).unwrap();
            assert_eq!(
                (sum.records, sum.distinct, sum.identical, sum.unmatched),
                (2100, 2000, 1000, 2000),
                "hold {hold}"
            );
            let mut walk = e.walk(1 << 16).unwrap();
            for i in (1001..=4000u128).rev() {
                assert_eq!(
                    walk.next().unwrap(),
                    u8::from(i <= 2000),
                    "{i}, hold {hold}"
                );
            }
            // The entries are gone once joined, from memory as from disk.
            assert!(e.held(0).is_empty() && e.held(3).is_empty());
        }
    }

    #[test]
    fn the_order_file_is_kept_only_when_asked() {
        let key = |i: u128| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
        let layout = Layout {
            rec: true,
            facts: true,
        };
        let keys: Vec<u128> = (0..3000).map(key).collect();
        let recs: Vec<u128> = (0..3000).collect();
        let users: Vec<u64> = (0..3000).map(|i| i * 7).collect();
        let events: Vec<EventId> = (0..3000).map(|i| (i % 3) as EventId).collect();
        let mut sides = Vec::new();
        for order in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let grouping = Grouping {
                bits: 9,
                layout,
                order,
            };
            let mut w = Partitioner::new(dir.path(), "new", grouping, 1 << 16).unwrap();
            if order {
                for i in 0..3000 {
                    w.push(keys[i], recs[i], users[i], events[i]).unwrap();
                }
            } else {
                let mut w = PartitionWriter::new(w).unwrap();
                for c in 0..3 {
                    let r = c * 1000..(c + 1) * 1000;
                    let g = grouping.group(
                        &keys[r.clone()],
                        &recs[r.clone()],
                        &users[r.clone()],
                        &events[r],
                    );
                    w.send(g).unwrap();
                }
                let p = w.finish().unwrap();
                assert!(p.walk(1 << 16).is_err());
                assert!(!dir.path().join("new-order").exists());
                sides.push((
                    p.counts.clone(),
                    std::fs::read(dir.path().join("new-0001")).unwrap(),
                ));
                continue;
            }
            let p = w.finish().unwrap();
            assert!(dir.path().join("new-order").exists());
            assert!(p.walk(1 << 16).is_ok());
            sides.push((
                p.counts.clone(),
                std::fs::read(dir.path().join("new-0001")).unwrap(),
            ));
        }
        assert_eq!(sides[0], sides[1]);
        assert!(!sides[0].1.is_empty());
    }

    /// Partitions of many sub-tables and existing data probed in several rounds join as the
    /// definition says, for IDs (the last occurrence wins, the last existing record decides)
    /// and interactions (the first copy stays): checked against a plain map of every record.
    #[test]
    fn large_partitions_join_as_a_plain_map_does() {
        let key = |i: u128| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
        let mut x = 5u64;
        let mut rnd = |n: u64| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % n
        };
        let batch: Vec<(u128, u128)> = (0..60_000)
            .map(|_| {
                let k = rnd(40_000);
                (key(u128::from(k)), u128::from(rnd(3)))
            })
            .collect();
        let existing: Vec<(u128, u128)> = (0..200_000)
            .map(|_| {
                let k = 20_000 + rnd(60_000);
                (key(u128::from(k)), u128::from(rnd(3)))
            })
            .collect();
        for by_id in [true, false] {
            let layout = Layout {
                rec: by_id,
                facts: false,
            };
            // Interactions: the key is the record.
            let rec = |&(k, r): &(u128, u128)| if by_id { r } else { k };
            let dir = tempfile::tempdir().unwrap();
            let mut w = ordered(dir.path(), "new", 1, layout);
            for e in &batch {
                w.push(e.0, rec(e), 0, 0).unwrap();
            }
            let b = w.finish().unwrap();
            let mut w = ordered(dir.path(), "existing", 1, layout);
            for e in &existing {
                w.push(e.0, rec(e), 0, 0).unwrap();
            }
            let e = w.finish().unwrap();
            assert!(b.counts.iter().all(|&c| c as usize > 4 * SUB_RECORDS));
            assert!(e.counts.iter().all(|&c| c as usize > PROBE_ENTRIES));

            let mut kept = std::collections::HashMap::new();
            for (i, e) in batch.iter().enumerate() {
                if by_id {
                    kept.insert(e.0, i);
                } else {
                    kept.entry(e.0).or_insert(i);
                }
            }
            let mut status = vec![NOT_KEPT; batch.len()];
            for &i in kept.values() {
                status[i] = ABSENT;
            }
            let mut matched = Vec::new();
            for x in &existing {
                let m = kept.get(&x.0);
                if let Some(&i) = m {
                    status[i] = if rec(&batch[i]) == rec(x) {
                        IDENTICAL
                    } else {
                        REPLACED
                    };
                }
                matched.push(u8::from(m.is_some()));
            }
            let count = |s: u8| status.iter().filter(|&&x| x == s).count() as u64;
            let hits = matched.iter().filter(|&&m| m == 1).count() as u64;

            let sum = join_all(&b, Some(&e), by_id, (true, true), 0, None, &|_| {}).unwrap();
            assert_eq!(sum.records, batch.len() as u64);
            assert_eq!(sum.distinct, kept.len() as u64, "by_id {by_id}");
            assert_eq!(sum.replaced, count(REPLACED), "by_id {by_id}");
            assert_eq!(sum.identical, count(IDENTICAL), "by_id {by_id}");
            assert!(sum.identical > 1000 && (!by_id || sum.replaced > 1000));
            assert_eq!(sum.superseded, if by_id { hits } else { 0 });
            assert_eq!(sum.unmatched, existing.len() as u64 - hits);
            let mut walk = b.walk(1 << 16).unwrap();
            for (i, &s) in status.iter().enumerate() {
                assert_eq!(walk.next().unwrap(), s, "by_id {by_id}, record {i}");
            }
            let mut walk = e.walk(1 << 16).unwrap();
            for (i, &m) in matched.iter().enumerate() {
                assert_eq!(walk.next().unwrap(), m, "by_id {by_id}, existing {i}");
            }
        }
    }
}
