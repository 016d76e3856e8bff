//! What the workers of one import share: interactions per user, the first position of every
//! ID, the duplicate IDs found, and the spill of interaction fingerprints. Sharded so that
//! workers rarely wait for the same lock.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::scratch;
use super::spill::Spill;
use super::{BlockAcc, Pos};
use crate::schema::DatasetType;
use crate::sync::each_locked;

/// A hasher for keys that already are uniform 64-bit hashes.
#[derive(Debug, Default, Clone, Copy)]
struct IdentityHasher(u64);

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
pub(super) const SHARDS: usize = 64;

/// Shards use middle bits of the hash: hash tables index by the low bits and tag by the top
/// seven, so neither may be constant within a shard.
#[inline]
pub(super) fn shard_of(hash: u64) -> usize {
    ((hash >> 40) as usize) % SHARDS
}

/// A duplicate found: where, its key, and the first occurrence (resolved at the end).
#[derive(Debug, Clone)]
pub(super) struct Dup {
    pub at: Pos,
    pub hash: u64,
    /// The ID text (duplicate IDs) for the message.
    pub text: Vec<u8>,
}

/// The first duplicates in file order, and the count of all.
#[derive(Debug, Default)]
pub(super) struct Dups {
    pub total: u64,
    pub first: Vec<Dup>,
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
///
/// Keys are counted in batches of [`PENDING`]: a block brings a shard only a few thousand keys,
/// scattered over a table that the block's own bytes have pushed out of the cache, so each
/// would be a miss to memory; a batch of [`PENDING`] keys loads the table into the cache once
/// for all of them.
#[derive(Debug, Default)]
pub(crate) struct KeyCount {
    slots: Vec<u64>,
    len: usize,
    /// Keys not counted yet (at most [`PENDING`]).
    pending: Vec<u64>,
}

/// Keys a [`KeyCount`] holds back before counting them together: 512 KiB per table, 32 MiB
/// for the 64 shards of [`UserCounts`]. A batch larger than the table it is counted into
/// touches each cache line of the table several times: with a million users (256 KiB per
/// shard), 64 Ki keys cost about a tenth less CPU than 16 Ki (1 GB benchmark file).
const PENDING: usize = 64 * 1024;

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

    /// Counts one occurrence of each of `hs` (in a batch: see [`KeyCount::flush`]).
    pub fn add_all(&mut self, hs: &[u64]) {
        if self.pending.len() + hs.len() > PENDING {
            self.flush();
        }
        if hs.len() >= PENDING {
            self.count(hs);
        } else {
            self.pending.extend_from_slice(hs);
        }
    }

    /// Counts the keys held back.
    pub fn flush(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.count(&pending);
        self.pending = pending;
        self.pending.clear();
    }

    /// Counts `hs` now. Lookups in a table larger than the caches miss: the slots of the next
    /// `AHEAD` keys are read before any of them is updated, so that their misses overlap
    /// instead of waiting one after another.
    fn count(&mut self, hs: &[u64]) {
        /// Keys whose first slots are loaded together.
        const AHEAD: usize = 16;
        let mut touched = 0u64;
        for chunk in hs.chunks(AHEAD) {
            if (self.len + 1) * 10 > self.slots.len() * 7 {
                self.grow();
            }
            let mask = self.slots.len() - 1;
            for &h in chunk {
                touched ^= self.slots[(Self::key(h) >> 2) as usize & mask];
            }
            for &h in chunk {
                // At most 70% full, as one insert at a time would keep it.
                if (self.len + 1) * 10 > self.slots.len() * 7 {
                    self.grow();
                }
                self.insert(Self::key(h), self.slots.len() - 1);
            }
        }
        // The early loads matter only for their timing: keep the optimiser from dropping them.
        std::hint::black_box(touched);
    }

    /// Inserts or counts key `k` (room is made by the caller).
    #[inline]
    fn insert(&mut self, k: u64, mask: usize) {
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
        let old = std::mem::replace(&mut self.slots, crate::hash::written_zeros(cap));
        let mask = cap - 1;
        for s in old.into_iter().filter(|&s| s != 0) {
            let mut i = ((s & !3) >> 2) as usize & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }

    /// Distinct keys, and keys counted at least twice.
    pub fn counts(&mut self) -> (usize, usize) {
        self.flush();
        let repeated = self.slots.iter().filter(|&&s| s & 3 >= 2).count();
        (self.len, repeated)
    }
}

/// Interactions per user (64-bit user hashes), sharded so that workers rarely meet on one lock.
#[derive(Debug)]
pub(crate) struct UserCounts {
    shards: Vec<Mutex<KeyCount>>,
    /// Where the next [`UserCounts::absorb`] starts.
    turn: AtomicUsize,
}

impl Default for UserCounts {
    fn default() -> Self {
        UserCounts {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(KeyCount::default()))
                .collect(),
            turn: AtomicUsize::new(0),
        }
    }
}

impl UserCounts {
    /// Counts a block's users ([`BlockAcc::add_user`]): splits them by shard, then counts each
    /// shard's under its lock. The buffer goes back to this thread's [`scratch`] for the next
    /// block.
    ///
    /// Each call starts at another shard, so that workers absorbing at the same time do not walk
    /// the shards in step and wait on each other's batches.
    pub fn absorb(&self, users: Vec<u64>) {
        if !users.is_empty() {
            let start = self.turn.fetch_add(1, Ordering::Relaxed) % SHARDS;
            scratch::with_users_by(&users, SHARDS, shard_of, |sorted, starts| {
                let _ = each_locked(&self.shards, start, sorted, starts, |_, s, chunk| {
                    s.add_all(chunk);
                    Ok::<(), std::convert::Infallible>(())
                });
            });
        }
        scratch::give_users(users);
    }

    /// Users with one interaction or more, and with two or more. The keys still held back
    /// (up to [`PENDING`] per shard, a tenth of a 1 GB file's) are counted now: on `pool`'s
    /// threads, shard by shard, when there is one.
    pub fn counts(&self, pool: Option<&rayon::ThreadPool>) -> (u64, u64) {
        use rayon::prelude::*;
        let one = |s: &Mutex<KeyCount>| {
            let (n, r) = s.lock().unwrap_or_else(|e| e.into_inner()).counts();
            (n as u64, r as u64)
        };
        let add = |a: (u64, u64), b: (u64, u64)| (a.0 + b.0, a.1 + b.1);
        match pool {
            Some(pool) => pool.install(|| self.shards.par_iter().map(one).reduce(|| (0, 0), add)),
            None => self.shards.iter().map(one).fold((0, 0), add),
        }
    }
}

/// State shared by the workers of one import.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(super) interactions: bool,
    pub(super) keep: usize,
    pub(super) users: UserCounts,
    ids: Vec<Mutex<HashMap<u64, Pos, Ident>>>,
    pub(super) id_dups: Mutex<Dups>,
    pub(super) spill: Spill,
    pub(super) error: Mutex<Option<std::io::Error>>,
}

impl Shared {
    /// `expected_rows` sizes the spill partitions (about a million records each).
    /// Spilled duplicates go to `temp_dir` (else the system's temporary folder).
    pub fn new(
        dataset_type: Option<DatasetType>,
        keep: usize,
        expected_rows: u64,
        temp_dir: Option<std::path::PathBuf>,
    ) -> Self {
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
            spill: Spill::new(partitions, temp_dir),
            error: Mutex::new(None),
        }
    }

    /// Takes a block's per-row keys (called by the worker that checked the block).
    /// `id_text` gives the ID text of a row of this block by position.
    pub fn absorb(&self, acc: &mut BlockAcc, id_text: &dyn Fn(Pos) -> Vec<u8>) {
        self.users.absorb(std::mem::take(&mut acc.users));
        if !acc.fingerprints.is_empty() {
            if let Err(e) = self.spill.add_all(std::mem::take(&mut acc.fingerprints)) {
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
        let mut sorted = Vec::new();
        let starts = scratch::group(&keyed, SHARDS, |(h, _)| shard_of(*h), &mut sorted);
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

    pub(super) fn first_of(&self, hash: u64) -> Option<Pos> {
        self.ids[shard_of(hash)]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&hash)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `add_all` counts as one insert at a time would: the distinct keys and those seen twice or
    /// more, whatever the batch sizes (held back or not), across the table's growth, with keys that differ only in
    /// the two low bits the count lives in (they are one key).
    #[test]
    fn add_all_counts_every_key_across_batches_and_growth() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let keys: Vec<u64> = (0..60_000)
            .map(|i| match i % 5 {
                // A few keys seen often, some seen once, some equal but for the low bits.
                0 => (next() % 50) << 2,
                1 => ((next() % 50) << 2) | 3,
                _ => next() % 40_000 + 1,
            })
            .chain([0, 1, 2, 3, 4])
            .collect();
        let mut want: HashMap<u64, u32> = HashMap::new();
        for &h in &keys {
            *want.entry(KeyCount::key(h)).or_default() += 1;
        }
        for batch in [1, 7, 16, 1000, keys.len()] {
            let mut t = KeyCount::default();
            for chunk in keys.chunks(batch) {
                t.add_all(chunk);
            }
            let repeated = want.values().filter(|&&n| n >= 2).count();
            assert_eq!(t.counts(), (want.len(), repeated), "batch {batch}");
            assert!(
                t.len * 10 <= t.slots.len() * 7,
                "batch {batch}: over 70% full"
            );
            assert!(t.pending.is_empty(), "batch {batch}: keys left uncounted");
        }
    }
}
