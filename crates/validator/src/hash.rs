//! A fast hasher for keys that are already hashes, numbers or short byte strings.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A fast hasher for our keys: 64-bit hashes, f64 bits, days and short byte strings. Integers
/// are mixed (f64 bits of round numbers have zero low bits), bytes hashed with xxh3.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Fast(u64);

impl Hasher for Fast {
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (h >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxh3_64_with_seed(bytes, self.0);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u128(&mut self, n: u128) {
        // 128-bit keys are hashes already (the fixer's record fingerprints).
        self.write_u64(n as u64 ^ (n >> 64) as u64);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fast>>;

/// `len` zero slots for an open-addressing table, written rather than allocated zeroed.
///
/// A zeroed allocation (`vec![0; len]`) is fresh pages that the kernel maps to its shared zero
/// page on the first read. A table is read before it is written (probing, and the early loads
/// of a batch), so each page then faults twice: once to map the zero page, once to copy it on
/// the first write, and that second fault flushes the page from the TLB of every core the
/// process runs on (an interrupt to each). Writing the zeros maps each page once. Validation's
/// user counts spent ~2% of the run's CPU on those flushes (1 GB benchmark file, 2 threads).
pub(crate) fn written_zeros(len: usize) -> Vec<u64> {
    let mut v = Vec::with_capacity(len);
    // Hidden from the optimiser, which would otherwise fold the allocation and the zeros
    // below back into one zeroed allocation.
    std::hint::black_box(&mut v);
    v.resize(len, 0);
    v
}
