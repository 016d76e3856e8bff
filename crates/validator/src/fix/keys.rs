//! The fingerprints of the written records, for the fixes that drop repeated records (PF307,
//! PF308), in memory bounded by a budget rather than by the input: each entry goes to one of
//! [`PARTITIONS`] partitions by the top bits of its fingerprint, partitions buffer a few
//! thousand entries and then write them to a temporary file, and at the end each partition is
//! deduplicated on its own, several in parallel. Copies of a record always share a partition.
//!
//! Memory: 8 MiB of buffers while the file is read, then one partition per worker (32 bytes per
//! record in it: about 2.7 MB per partition for a 1 GB file of interactions), then 16 bytes per
//! record dropped. Files: 32 bytes per fingerprint in `preflight-fix-*` in the temporary folder,
//! removed when done, on error and on Ctrl-C ([`crate::temp`]).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::hash::FastMap;
use crate::temp::RunDir;

/// Partitions of the fingerprints.
pub(crate) const PARTITIONS: usize = 256;

/// Bytes all partitions together buffer before writing to their files.
const BUFFERS: usize = 8 << 20;

/// One fingerprinted record: where it is among the written records (`block << 32 | index in
/// the block`, so that the order of `at` is the order of the file) and its input line in the
/// block (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Entry {
    pub key: u128,
    pub at: u64,
    pub line: u32,
}

const ENTRY_BYTES: usize = 28;

impl Entry {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.key.to_le_bytes());
        out.extend_from_slice(&self.at.to_le_bytes());
        out.extend_from_slice(&self.line.to_le_bytes());
    }

    fn read(b: &[u8; ENTRY_BYTES]) -> Entry {
        Entry {
            key: u128::from_le_bytes(b[..16].try_into().expect("16 bytes")),
            at: u64::from_le_bytes(b[16..24].try_into().expect("8 bytes")),
            line: u32::from_le_bytes(b[24..].try_into().expect("4 bytes")),
        }
    }

    /// The entry's partition.
    #[inline]
    pub fn partition(key: u128) -> usize {
        (key >> 120) as usize % PARTITIONS
    }
}

/// The position of a record among the written ones, from a block and its index there.
#[inline]
pub(crate) fn at(block: u32, index: u32) -> u64 {
    (u64::from(block) << 32) | u64::from(index)
}

#[derive(Debug, Default)]
struct Part {
    buf: Vec<Entry>,
    file: Option<BufWriter<File>>,
    spilled: u64,
}

/// The partitioned fingerprints.
#[derive(Debug)]
pub(crate) struct Keys {
    parts: Vec<Mutex<Part>>,
    flush_at: usize,
    dir: Mutex<Option<RunDir>>,
    root: Option<PathBuf>,
}

impl Keys {
    pub fn new(root: Option<PathBuf>) -> Keys {
        Keys {
            parts: (0..PARTITIONS)
                .map(|_| Mutex::new(Part::default()))
                .collect(),
            flush_at: (BUFFERS / ENTRY_BYTES / PARTITIONS).max(256),
            dir: Mutex::new(None),
            root,
        }
    }

    /// Adds one block's entries, already split by partition (called from the workers).
    pub fn add(&self, parts: Vec<Vec<Entry>>) -> io::Result<()> {
        for (i, chunk) in parts.into_iter().enumerate() {
            if chunk.is_empty() {
                continue;
            }
            let mut p = self.parts[i].lock().unwrap_or_else(|e| e.into_inner());
            p.buf.extend_from_slice(&chunk);
            if p.buf.len() >= self.flush_at {
                self.flush(i, &mut p)?;
            }
        }
        Ok(())
    }

    fn flush(&self, i: usize, p: &mut Part) -> io::Result<()> {
        if p.file.is_none() {
            let mut dir = self.dir.lock().unwrap_or_else(|e| e.into_inner());
            if dir.is_none() {
                *dir = Some(RunDir::new(self.root.as_deref(), "fix")?);
            }
            let path = dir.as_ref().expect("made above").path().join(part_name(i));
            p.file = Some(BufWriter::with_capacity(1 << 16, File::create(path)?));
        }
        let mut bytes = Vec::with_capacity(p.buf.len() * ENTRY_BYTES);
        for e in p.buf.drain(..) {
            e.write(&mut bytes);
        }
        p.spilled += (bytes.len() / ENTRY_BYTES) as u64;
        p.file.as_mut().expect("made above").write_all(&bytes)
    }

    /// Every record that a later record with the same fingerprint replaces (the last copy is
    /// kept), as `(at, line in its block)`, in file order. Partitions are deduplicated in
    /// parallel on `pool`.
    pub fn earlier_copies(self, pool: Option<&rayon::ThreadPool>) -> io::Result<Vec<(u64, u32)>> {
        let dir = self.dir.into_inner().unwrap_or_else(|e| e.into_inner());
        let one = |(i, m): (usize, Mutex<Part>)| -> io::Result<Vec<(u64, u32)>> {
            let mut p = m.into_inner().unwrap_or_else(|e| e.into_inner());
            let mut all = Vec::with_capacity(p.spilled as usize + p.buf.len());
            if let Some(w) = p.file.take() {
                drop(w.into_inner().map_err(|e| e.into_error())?);
                let path = dir
                    .as_ref()
                    .expect("a spilled partition")
                    .path()
                    .join(part_name(i));
                let mut r = BufReader::with_capacity(1 << 16, File::open(path)?);
                let mut rec = [0u8; ENTRY_BYTES];
                for _ in 0..p.spilled {
                    r.read_exact(&mut rec)?;
                    all.push(Entry::read(&rec));
                }
            }
            all.append(&mut p.buf);
            // One hash table per partition (the blocks add their entries in any order): a
            // fingerprint seen again keeps the later copy and drops the earlier. Cheaper than
            // sorting the partition, and a partition is small enough for the cache.
            let mut last: FastMap<u128, (u64, u32)> = FastMap::default();
            last.reserve(all.len());
            let mut dropped = Vec::new();
            for e in &all {
                match last.entry(e.key) {
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert((e.at, e.line));
                    }
                    std::collections::hash_map::Entry::Occupied(mut o) => {
                        let kept = o.get_mut();
                        if e.at > kept.0 {
                            dropped.push(*kept);
                            *kept = (e.at, e.line);
                        } else {
                            dropped.push((e.at, e.line));
                        }
                    }
                }
            }
            Ok(dropped)
        };
        let parts: Vec<(usize, Mutex<Part>)> = self.parts.into_iter().enumerate().collect();
        let results: Vec<io::Result<Vec<(u64, u32)>>> = match pool {
            Some(pool) => pool.install(|| parts.into_par_iter().map(one).collect()),
            None => parts.into_iter().map(one).collect(),
        };
        let mut dropped = Vec::new();
        for r in results {
            dropped.extend(r?);
        }
        dropped.sort_unstable();
        Ok(dropped)
    }
}

fn part_name(i: usize) -> String {
    format!("keys-{i:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(keys: &[u128]) -> Vec<Vec<Entry>> {
        let mut parts = vec![Vec::new(); PARTITIONS];
        for (i, &key) in keys.iter().enumerate() {
            let key = key.rotate_right(8) ^ key; // spread over the partitions
            parts[Entry::partition(key)].push(Entry {
                key,
                at: at(0, i as u32),
                line: i as u32 + 10,
            });
        }
        parts
    }

    #[test]
    fn keeps_the_last_copy_in_memory_and_spilled() {
        let keys: Vec<u128> = (0..20_000u128).map(|i| i % 7_000).collect();
        let want: Vec<(u64, u32)> = (0..13_000u32).map(|i| (u64::from(i), i + 10)).collect();
        for spill in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let mut k = Keys::new(Some(dir.path().to_path_buf()));
            if spill {
                k.flush_at = 1;
            }
            k.add(entries(&keys)).unwrap();
            let got = k.earlier_copies(None).unwrap();
            assert_eq!(got, want, "spill: {spill}");
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                0,
                "the spill folder is removed"
            );
        }
    }

    #[test]
    fn no_copies_nothing_dropped() {
        let k = Keys::new(None);
        k.add(entries(&(0..1000).collect::<Vec<_>>())).unwrap();
        assert!(k.earlier_copies(None).unwrap().is_empty());
    }
}
