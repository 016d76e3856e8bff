//! The in-memory plan's batch: its keys deduplicated as Personalize would, in one hash table
//! (a [`PartTable`], the table each partition of the out-of-core plan builds), and each chunk
//! of existing records looked up in it.
//!
//! polars did both steps before (`arg_unique` on the keys, then an inner join per chunk of
//! existing records). The deduplication ran on one thread and each join hashed its chunk
//! anew, so a plan that fit in memory took about twice the time of the same plan out of core
//! (FULL, 0.3 GB new + 0.1 GB existing: 1.23 s against 0.44 s for `validate` of the same files;
//! see docs/performance.md). The table is built once, from the keys where the capture left
//! them (one vector per block), grouped by sub-table so that each sub-table is filled while it
//! is in the cache.

use super::existing::ABSENT;
use super::grace::{JoinScratch, PartTable, NOT_KEPT};
use super::PlanError;
use rayon::prelude::*;

/// The index of a batch record (an in-memory plan holds fewer than 2^32 of them).
pub(crate) type IdxSize = u32;

/// The new batch after in-batch deduplication.
pub(crate) struct Batch {
    /// Each distinct record's key (the ID hash, or the identity for interactions) and its
    /// index among the distinct records (`nidx`, 0.. in batch order), in one table per part of
    /// the keys (by their top bits: [`part_of`]), built in parallel.
    parts: Vec<PartTable>,
    /// The shift that takes a key to its part (128: one part).
    shift: u32,
    /// ID types: each distinct record's identity, by `nidx`.
    recs: Option<Vec<u128>>,
    /// For each distinct record, its index among all the batch's keyed records (ascending).
    pub kept: Vec<IdxSize>,
    /// Keyed records in the batch.
    pub records: u64,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("distinct", &self.kept.len())
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

impl Batch {
    /// Distinct records.
    pub fn distinct(&self) -> usize {
        self.kept.len()
    }
}

/// The part of a key: its top bits.
#[inline]
fn part_of(key: u128, shift: u32) -> usize {
    key.checked_shr(shift).unwrap_or(0) as usize
}

/// A batch or chunk the in-memory join cannot take.
fn join_error(message: String) -> PlanError {
    PlanError::Join { message }
}

/// Deduplicates the batch as Personalize would: by ID with the last occurrence winning (ID
/// types, `id` given), or by identity with every later copy collapsing into the first. `rec`
/// and `id` are the capture's keys, one vector per block. The tables are built on `pool`.
pub(crate) fn dedupe(
    rec: Vec<Vec<u128>>,
    id: Option<Vec<Vec<u128>>>,
    pool: Option<&rayon::ThreadPool>,
) -> Result<Batch, PlanError> {
    let n: usize = rec.iter().map(Vec::len).sum();
    if n >= u32::MAX as usize {
        return Err(join_error(format!(
            "{n} records are more than the in-memory plan can index: a lower --memory-limit \
             plans them out of core"
        )));
    }
    if let Some(id) = &id {
        let ids: usize = id.iter().map(Vec::len).sum();
        if ids != n {
            return Err(join_error(format!(
                "the batch has {ids} IDs for {n} records"
            )));
        }
    }
    let last = id.is_some();
    // Two parts per thread (so that one large part does not leave a thread idle), one for a
    // small batch.
    let threads = pool.map_or(1, rayon::ThreadPool::current_num_threads);
    let bits = if threads == 1 || n < 1 << 16 {
        0
    } else {
        (threads * 2).next_power_of_two().trailing_zeros().min(6)
    };
    let shift = 128 - bits;
    let (mut parts, status, distinct) = {
        let keys: Vec<&[u128]> = id
            .as_ref()
            .unwrap_or(&rec)
            .iter()
            .map(Vec::as_slice)
            .collect();
        let mut counts = vec![0usize; 1 << bits];
        for &k in keys.iter().flat_map(|c| c.iter()) {
            counts[part_of(k, shift)] += 1;
        }
        let build = |p: usize| {
            let mut status = vec![NOT_KEPT; n];
            let mut scratch = JoinScratch::default();
            let select = |k: u128| part_of(k, shift) == p;
            let (table, distinct) =
                PartTable::build(&keys, select, counts[p], last, &mut status, &mut scratch);
            (table, status, distinct)
        };
        let built: Vec<_> = match pool {
            Some(pool) if bits > 0 => {
                pool.install(|| (0..1 << bits).into_par_iter().map(build).collect())
            }
            _ => (0..1 << bits).map(build).collect(),
        };
        // A record is in one part: it is kept if its part kept it.
        let mut parts = Vec::with_capacity(built.len());
        let mut status: Vec<u8> = Vec::new();
        let mut distinct = 0u64;
        for (table, s, d) in built {
            parts.push(table);
            distinct += d;
            if status.is_empty() {
                status = s;
            } else {
                for (a, b) in status.iter_mut().zip(&s) {
                    if *b == ABSENT {
                        *a = ABSENT;
                    }
                }
            }
        }
        (parts, status, distinct)
    };
    drop(id);
    // The kept records in batch order, and each one's index among them.
    let mut kept = Vec::with_capacity(distinct as usize);
    let mut rank = vec![0u32; n];
    for (i, _) in status.iter().enumerate().filter(|(_, &s)| s == ABSENT) {
        rank[i] = kept.len() as u32;
        kept.push(i as IdxSize);
    }
    drop(status);
    let renumber = |t: &mut PartTable| t.renumber(|pos| rank[pos as usize]);
    match pool {
        Some(pool) if parts.len() > 1 => pool.install(|| parts.par_iter_mut().for_each(renumber)),
        _ => parts.iter_mut().for_each(renumber),
    }
    drop(rank);
    let recs = last.then(|| {
        // `kept` ascends: walk the blocks alongside.
        let mut out = Vec::with_capacity(kept.len());
        let (mut block, mut start) = (0usize, 0usize);
        for &i in &kept {
            let i = i as usize;
            while i >= start + rec[block].len() {
                start += rec[block].len();
                block += 1;
            }
            out.push(rec[block][i - start]);
        }
        out
    });
    Ok(Batch {
        parts,
        shift,
        recs,
        kept,
        records: n as u64,
    })
}

/// One existing record that matches a distinct batch record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Match {
    /// The batch record (`nidx`).
    pub new: IdxSize,
    /// The existing record's row in its chunk.
    pub row: IdxSize,
    /// Whether the whole record is identical (always true for interactions).
    pub same: bool,
}

/// Joins a chunk of existing records (`key`, and `rec` for ID types, one vector per block) with
/// the batch: every (batch record, existing row) pair with the same key, in existing-row
/// order (ID types: the last existing record of an ID decides). The blocks are looked up in
/// parallel on `pool`.
pub(crate) fn join_chunk(
    batch: &Batch,
    key: Vec<Vec<u128>>,
    rec: Option<Vec<Vec<u128>>>,
    pool: Option<&rayon::ThreadPool>,
) -> Result<Vec<Match>, PlanError> {
    if batch.kept.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(rec) = &rec {
        if rec.len() != key.len() || rec.iter().zip(&key).any(|(r, k)| r.len() != k.len()) {
            return Err(join_error(
                "the existing chunk has fewer record hashes than keys".into(),
            ));
        }
    }
    let rows: usize = key.iter().map(Vec::len).sum();
    if IdxSize::try_from(rows).is_err() {
        return Err(join_error(
            "an existing chunk of 2^32 records or more".into(),
        ));
    }
    // Each block's first row in the chunk.
    let firsts: Vec<IdxSize> = key
        .iter()
        .scan(0, |at, k| {
            let first = *at;
            *at += k.len() as IdxSize;
            Some(first)
        })
        .collect();
    let block = |b: usize| {
        let (keys, first) = (&key[b], firsts[b]);
        let recs = rec.as_ref().map(|r| &r[b]);
        let mut out = Vec::new();
        for (p, table) in batch.parts.iter().enumerate() {
            let select = |k: u128| part_of(k, batch.shift) == p;
            table.probe(keys, select, |i, nidx| {
                let same = match (recs, &batch.recs) {
                    (Some(r), Some(b)) => r[i] == b[nidx as usize],
                    _ => true,
                };
                out.push(Match {
                    new: nidx,
                    row: first + i as IdxSize,
                    same,
                });
            });
        }
        if batch.parts.len() > 1 {
            // Each part's matches are in row order: merge them.
            out.sort_unstable_by_key(|m| m.row);
        }
        out
    };
    let blocks: Vec<Vec<Match>> = match pool {
        Some(pool) if key.len() > 1 => {
            pool.install(|| (0..key.len()).into_par_iter().map(block).collect())
        }
        _ => (0..key.len()).map(block).collect(),
    };
    Ok(blocks.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interactions_keep_the_first_copy() {
        let b = dedupe(vec![vec![5, 7], vec![5, 9, 7, 1]], None, None).unwrap();
        assert_eq!(b.records, 6);
        assert_eq!(b.kept, vec![0, 1, 3, 5]);
        let m = join_chunk(&b, vec![vec![9, 8], vec![5, 9]], None, None).unwrap();
        let pairs: Vec<(IdxSize, IdxSize)> = m.iter().map(|m| (m.new, m.row)).collect();
        assert_eq!(pairs, vec![(2, 0), (0, 2), (2, 3)]);
    }

    #[test]
    fn ids_keep_the_last_occurrence() {
        // IDs 1, 2, 1, 3, 2: the last 1 is record 2, the last 2 is record 4.
        let b = dedupe(
            vec![vec![10, 20, 11, 30, 21]],
            Some(vec![vec![1, 2, 1], vec![3, 2]]),
            None,
        )
        .unwrap();
        assert_eq!(b.kept, vec![2, 3, 4]);
        // Existing: ID 2 identical to the kept 2 (21), ID 1 different, ID 9 unknown.
        let m = join_chunk(&b, vec![vec![2, 1, 9]], Some(vec![vec![21, 10, 90]]), None).unwrap();
        assert_eq!(
            m,
            vec![
                Match {
                    new: 2,
                    row: 0,
                    same: true
                },
                Match {
                    new: 0,
                    row: 1,
                    same: false
                },
            ]
        );
    }

    #[test]
    fn large_batches_match_a_hash_map() {
        // Enough keys for many sub-tables, with repeats, against a plain map's answer.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let spread = |v: u64| u128::from(v).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
        let ids: Vec<u128> = (0..80_000).map(|_| spread(next() % 20_000)).collect();
        let recs: Vec<u128> = (0..80_000).map(|_| u128::from(next() % 3)).collect();
        let blocks = |v: &[u128]| v.chunks(777).map(<[u128]>::to_vec).collect::<Vec<_>>();
        // On one thread (one table) and on four (eight tables): the same answers.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        for pool in [None, Some(&pool)] {
            let b = dedupe(blocks(&recs), Some(blocks(&ids)), pool).unwrap();
            assert_eq!(b.parts.len(), if pool.is_some() { 8 } else { 1 });
            let mut last = std::collections::HashMap::new();
            for (i, &k) in ids.iter().enumerate() {
                last.insert(k, i as IdxSize);
            }
            let mut want: Vec<IdxSize> = last.values().copied().collect();
            want.sort_unstable();
            assert_eq!(b.kept, want);
            let probe: Vec<u128> = (0..30_000).map(|_| spread(next() % 40_000)).collect();
            let probe_recs: Vec<u128> = (0..30_000).map(|_| u128::from(next() % 3)).collect();
            let m = join_chunk(&b, blocks(&probe), Some(blocks(&probe_recs)), pool).unwrap();
            let mut expect = Vec::new();
            for (row, k) in probe.iter().enumerate() {
                if let Some(&i) = last.get(k) {
                    let new = want.binary_search(&i).unwrap() as IdxSize;
                    expect.push(Match {
                        new,
                        row: row as IdxSize,
                        same: probe_recs[row] == recs[i as usize],
                    });
                }
            }
            assert!(expect.len() > 1000);
            assert_eq!(m, expect);
            // Interactions: the first copy of each key is kept.
            let b = dedupe(blocks(&ids), None, pool).unwrap();
            let mut first = std::collections::HashMap::new();
            for (i, &k) in ids.iter().enumerate() {
                first.entry(k).or_insert(i as IdxSize);
            }
            let mut want: Vec<IdxSize> = first.values().copied().collect();
            want.sort_unstable();
            assert_eq!(b.kept, want);
        }
    }

    #[test]
    fn empty_inputs() {
        let b = dedupe(Vec::new(), None, None).unwrap();
        assert_eq!(b.distinct(), 0);
        assert!(join_chunk(&b, vec![vec![1]], None, None)
            .unwrap()
            .is_empty());
    }
}
