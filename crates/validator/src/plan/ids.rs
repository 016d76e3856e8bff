//! New users and new items (or actions) of an interactions import: the distinct `USER_ID`s and
//! `ITEM_ID`s (`ACTION_ID`s) of the batch, and how many of them the existing bulk interactions
//! lack.
//!
//! Every ID is a 64-bit hash ([`xxh3_64`](xxhash_rust::xxh3::xxh3_64) of its value) whose two low
//! bits are replaced by a tag: which kind of ID (user, item) and which side (the batch, or the
//! existing data). Sorted, the entries of one ID are next to each other, the existing side
//! first; an ID is *new* when only the batch side is there. With 62 bits left, two different IDs
//! share a hash with a probability of about n²/2^63 (0.1% for 100 million IDs): the counts are
//! exact in practice.
//!
//! Memory is bounded: the entries (8 bytes each, each block's already deduplicated by its
//! worker) are held up to a budget, compacted (sorted, deduplicated) when it is reached, and once
//! compaction no longer frees half of it they go to 256 hash partitions in the temporary folder
//! (by the hash's top bits: both sides of one ID always meet in one partition). Each partition
//! is then read, sorted and counted alone; one larger than the budget is split again by the next
//! bits. The counts are the same in memory and out of core.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::temp::RunDir;

/// The kind of an ID: `USER_ID`.
pub(crate) const USER: u64 = 0;
/// The kind of an ID: `ITEM_ID` (`ACTION_ID` for action interactions).
pub(crate) const ITEM: u64 = 2;
/// The side of an entry: the existing data.
pub(crate) const EXISTING: u64 = 0;
/// The side of an entry: the new batch.
pub(crate) const BATCH: u64 = 1;

/// The entry of an ID's hash, of a kind, on a side.
#[inline]
pub(crate) fn entry(hash: u64, kind: u64, side: u64) -> u64 {
    (hash & !3) | kind | side
}

/// Sorts and deduplicates a block's entries (on its worker).
pub(crate) fn compact(entries: &mut Vec<u64>) {
    entries.sort_unstable();
    entries.dedup();
}

/// Bits of the first partitioning; each further split uses the next 4.
const FIRST_BITS: u32 = 8;
const SPLIT_BITS: u32 = 4;
/// Splits at most: a partition still too large after them is counted in memory anyway (it would
/// take 2^20 times the budget of IDs to get there).
const MAX_DEPTH: u32 = 4;

/// The counts, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdCounts {
    /// Distinct IDs in the new batch.
    pub distinct: u64,
    /// Of those, the IDs the existing data lacks (when it was given).
    pub new: u64,
}

/// Distinct and new IDs of the batch, in bounded memory.
#[derive(Debug)]
pub(crate) struct NewIds {
    buf: Vec<u64>,
    /// Entries held at most.
    cap: usize,
    root: Option<PathBuf>,
    spill: Option<Spill>,
    /// The first error writing or reading the partitions.
    pub error: Option<io::Error>,
}

#[derive(Debug)]
struct Spill {
    dir: RunDir,
    parts: Vec<BufWriter<File>>,
}

fn part_path(dir: &Path, p: usize) -> PathBuf {
    dir.join(format!("ids-{p:03}"))
}

impl NewIds {
    /// Holding at most `budget` bytes of entries; partitions go to a folder made in `root` (else
    /// the system's temporary folder).
    pub fn new(budget: u64, root: Option<PathBuf>) -> NewIds {
        NewIds {
            buf: Vec::new(),
            // At least 64 entries, so that a compaction has something to work on.
            cap: ((budget / 8) as usize).max(64),
            root,
            spill: None,
            error: None,
        }
    }

    /// Adds entries (a block's, compacted or not).
    pub fn add(&mut self, entries: &[u64]) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.try_add(entries) {
            self.error = Some(e);
        }
    }

    fn try_add(&mut self, entries: &[u64]) -> io::Result<()> {
        let mut rest = entries;
        while !rest.is_empty() {
            let room = self.cap.saturating_sub(self.buf.len()).max(1);
            let (now, later) = rest.split_at(room.min(rest.len()));
            self.buf.extend_from_slice(now);
            rest = later;
            if self.buf.len() >= self.cap {
                compact(&mut self.buf);
                if self.spill.is_some() || self.buf.len() > self.cap / 2 {
                    self.flush()?;
                }
            }
        }
        Ok(())
    }

    /// Moves the entries held to the partitions.
    fn flush(&mut self) -> io::Result<()> {
        if self.spill.is_none() {
            let dir = RunDir::new(self.root.as_deref(), "ids")?;
            // Buffers: a share of the budget, at least 4 KiB each.
            let each = (self.cap * 8 / (1 << FIRST_BITS)).clamp(4 << 10, 64 << 10);
            let parts = (0..1usize << FIRST_BITS)
                .map(|p| {
                    Ok(BufWriter::with_capacity(
                        each,
                        File::create(part_path(dir.path(), p))?,
                    ))
                })
                .collect::<io::Result<Vec<_>>>()?;
            self.spill = Some(Spill { dir, parts });
        }
        let spill = self.spill.as_mut().expect("made above");
        for &e in &self.buf {
            spill.parts[(e >> (64 - FIRST_BITS)) as usize].write_all(&e.to_le_bytes())?;
        }
        self.buf.clear();
        Ok(())
    }

    /// Whether the entries went to disk.
    #[cfg(test)]
    pub fn spilled(&self) -> bool {
        self.spill.is_some()
    }

    /// The counts for users and for items.
    pub fn finish(mut self) -> io::Result<[IdCounts; 2]> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut counts = [IdCounts::default(); 2];
        let Some(_) = self.spill else {
            compact(&mut self.buf);
            count_sorted(&self.buf, &mut counts);
            return Ok(counts);
        };
        self.flush()?;
        let spill = self.spill.take().expect("spilled");
        let dir = spill.dir;
        for mut w in spill.parts {
            w.flush()?;
        }
        let mut scratch = Vec::new();
        for p in 0..1usize << FIRST_BITS {
            let path = part_path(dir.path(), p);
            count_file(&path, FIRST_BITS, 0, self.cap, &mut scratch, &mut counts)?;
            std::fs::remove_file(&path)?;
        }
        Ok(counts)
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

/// Counts sorted, deduplicated entries: an ID is one or two entries (existing side first).
fn count_sorted(entries: &[u64], counts: &mut [IdCounts; 2]) {
    let mut i = 0;
    while i < entries.len() {
        let id = entries[i] >> 1;
        let mut existing = false;
        let mut batch = false;
        while i < entries.len() && entries[i] >> 1 == id {
            if entries[i] & 1 == BATCH {
                batch = true;
            } else {
                existing = true;
            }
            i += 1;
        }
        let kind = usize::from(id & 1 == 1);
        if batch {
            counts[kind].distinct += 1;
            if !existing {
                counts[kind].new += 1;
            }
        }
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
            let mut ids = NewIds::new(budget, Some(dir.path().to_path_buf()));
            for block in all.chunks(333) {
                let mut b = block.to_vec();
                compact(&mut b);
                ids.add(&b);
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

    #[test]
    fn without_existing_entries_every_id_is_new() {
        let mut ids = NewIds::new(1 << 20, None);
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
