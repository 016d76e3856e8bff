//! Exact duplicate interactions with bounded memory: (record fingerprint, position) pairs are
//! hash-partitioned into buffers that spill to temporary files, and each partition is
//! deduplicated on its own at the end.

use std::fs::File;
use std::io::{Read, Write};
use std::sync::Mutex;

use rayon::prelude::*;

use super::scratch;
use super::Pos;
use crate::sync::each_locked;
use crate::temp::RunDir;
use std::path::PathBuf;

/// Record fingerprints, hash-partitioned, spilled to temporary files past a small buffer.
#[derive(Debug)]
pub(super) struct Spill {
    parts: Vec<Mutex<SpillPart>>,
    /// Entries a partition buffers before writing them out: 8 MiB over all partitions.
    flush_at: usize,
    dir: Mutex<Option<RunDir>>,
    /// Where the spill folder goes (else the system's temporary folder).
    root: Option<PathBuf>,
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

/// Bytes of a spill file read at a time at the end.
const READ_CHUNK: usize = 1 << 20;

/// Finds the exact duplicates in one sub-bucket of fingerprints with a small open-addressing
/// table (it stays in the first-level cache) instead of sorting the bucket: one probe per entry.
/// Reused from bucket to bucket.
#[derive(Debug, Default)]
struct BucketDedup {
    /// Index + 1 into the bucket of the earliest entry of each fingerprint; 0 is empty.
    table: Vec<u32>,
    /// The duplicates (every entry but the earliest of its fingerprint), as they are found.
    dups: Vec<(u64, Pos)>,
}

impl BucketDedup {
    /// Counts the entries of `bucket` whose fingerprint an entry earlier in file order has, and
    /// adds each to `first` as (its position, the earliest position of its fingerprint): the
    /// pairs that sorting the bucket and pairing each run's later entries with its first gives.
    fn run(&mut self, bucket: &mut [(u64, Pos)], first: &mut Vec<(Pos, Pos)>) -> u64 {
        if bucket.len() < 2 {
            return 0;
        }
        if u32::try_from(bucket.len()).is_err() {
            return by_sorting(bucket, first);
        }
        let size = (bucket.len() * 2).next_power_of_two();
        self.table.clear();
        self.table.resize(size, 0);
        self.dups.clear();
        let mask = size - 1;
        // The low bits chose the partition and bits 16..24 the bucket: index by the top ones.
        let home = |h: u64| (h >> 32) as usize & mask;
        for (i, &(h, at)) in bucket.iter().enumerate() {
            let idx = i as u32 + 1;
            let mut slot = home(h);
            loop {
                let e = self.table[slot];
                if e == 0 {
                    self.table[slot] = idx;
                    break;
                }
                let (eh, eat) = bucket[e as usize - 1];
                if eh == h {
                    if at < eat {
                        self.table[slot] = idx;
                        self.dups.push((eh, eat));
                    } else {
                        self.dups.push((h, at));
                    }
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        for &(h, at) in &self.dups {
            let mut slot = home(h);
            loop {
                let (eh, eat) = bucket[self.table[slot] as usize - 1];
                if eh == h {
                    first.push((at, eat));
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        self.dups.len() as u64
    }
}

/// The duplicates of a bucket found by sorting it: each run's later entries paired with its
/// first. For buckets too large for [`BucketDedup`]'s 32-bit indices, and the tests' reference.
fn by_sorting(bucket: &mut [(u64, Pos)], first: &mut Vec<(Pos, Pos)>) -> u64 {
    bucket.sort_unstable();
    let mut total = 0;
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
    total
}

/// Bytes all partitions together buffer in memory before writing out.
const SPILL_BUFFERS: usize = 8 << 20;

impl Spill {
    pub(super) fn new(partitions: usize, root: Option<PathBuf>) -> Self {
        Spill {
            parts: (0..partitions)
                .map(|_| Mutex::new(SpillPart::default()))
                .collect(),
            flush_at: ((SPILL_BUFFERS / 16) / partitions.max(1)).max(1024),
            dir: Mutex::new(None),
            root,
        }
    }

    /// Adds a block's fingerprints: splits them by partition (the low bits of the hash: the
    /// number of partitions is a power of two), then adds each partition's under its lock. The
    /// buffer goes back to this thread's [`scratch`] for the next block.
    pub(super) fn add_all(&self, fingerprints: Vec<(u64, Pos)>) -> std::io::Result<()> {
        let n = self.parts.len();
        debug_assert!(n.is_power_of_two());
        let mask = n as u64 - 1;
        let result = scratch::with_fingerprints_by(
            &fingerprints,
            n,
            |h| (h & mask) as usize,
            |sorted, starts| {
                each_locked(&self.parts, 0, sorted, starts, |part, p, chunk| {
                    if p.counts.is_empty() {
                        p.counts = vec![0; BUCKETS];
                    }
                    for &(h, _) in chunk {
                        p.counts[bucket_of(h)] += 1;
                    }
                    p.buf.extend_from_slice(chunk);
                    if p.buf.len() >= self.flush_at {
                        self.flush(part, p)?;
                    }
                    Ok(())
                })
            },
        );
        scratch::give_fingerprints(fingerprints);
        result
    }

    fn flush(&self, part: usize, p: &mut SpillPart) -> std::io::Result<()> {
        if p.file.is_none() {
            let mut dir = self.dir.lock().unwrap_or_else(|e| e.into_inner());
            if dir.is_none() {
                *dir = Some(RunDir::new(self.root.as_deref(), "spill")?);
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
    pub(super) fn finish(
        self,
        keep: usize,
        pool: Option<&rayon::ThreadPool>,
    ) -> std::io::Result<PartDups> {
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
                let mut r = File::open(&path)?;
                let mut chunk = vec![0u8; READ_CHUNK];
                let mut left = p.spilled as usize * 16;
                while left > 0 {
                    let n = left.min(READ_CHUNK);
                    r.read_exact(&mut chunk[..n])?;
                    for rec in chunk[..n].chunks_exact(16) {
                        let h = u64::from_le_bytes(rec[..8].try_into().expect("8 bytes"));
                        let at = u64::from_le_bytes(rec[8..].try_into().expect("8 bytes"));
                        place(h, at);
                    }
                    left -= n;
                }
                drop(r);
                // Removed here, in parallel, rather than all at once by the folder's drop on one
                // thread at the end (freeing a file's pages is a good part of reading it). A
                // failure is left to the folder's removal.
                let _ = std::fs::remove_file(&path);
            }
            for (h, at) in p.buf.drain(..) {
                place(h, at);
            }
            let mut total = 0u64;
            let mut first: Vec<(Pos, Pos)> = Vec::new();
            let mut dedup = BucketDedup::default();
            for b in 0..BUCKETS {
                total += dedup.run(&mut all[starts[b]..starts[b + 1]], &mut first);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The table finds the same duplicates as sorting, for buckets of any size with fingerprints
    /// seen once, twice and many times, in any order of positions, and hashes that collide in
    /// the table's index bits but differ elsewhere.
    #[test]
    fn bucket_dedup_finds_what_sorting_finds() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut dedup = BucketDedup::default();
        for len in [0, 1, 2, 3, 17, 100, 1000, 5000] {
            for distinct in [1u64, 3, 50, 1 << 40] {
                let mut positions: Vec<Pos> = (0..len as u64).map(|i| i * 7 + 3).collect();
                // Shuffle, so the earliest entry of a fingerprint is not always met first.
                for i in (1..positions.len()).rev() {
                    positions.swap(i, (next() % (i as u64 + 1)) as usize);
                }
                let mut bucket: Vec<(u64, Pos)> = positions
                    .into_iter()
                    .map(|at| {
                        let k = next() % distinct;
                        // Same top 32 bits for neighbours: they collide in the table.
                        ((k / 2) << 32 | (k & 1) << 3, at)
                    })
                    .collect();
                let mut first = Vec::new();
                let total = dedup.run(&mut bucket.clone(), &mut first);
                first.sort_unstable();
                let mut want = Vec::new();
                let want_total = by_sorting(&mut bucket, &mut want);
                want.sort_unstable();
                assert_eq!(
                    (total, first),
                    (want_total, want),
                    "len {len}, distinct {distinct}"
                );
            }
        }
    }
}
