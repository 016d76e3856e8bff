//! Buffers each worker thread reuses from block to block: the per-row key buffers of
//! [`BlockAcc`](super::BlockAcc) and the scratch their split by shard or partition needs.
//!
//! A block of 8 MiB has some 150,000 records; buffers allocated afresh for each block grow by
//! doubling (copying what they hold) and touch new pages, which the kernel must clear. Kept per
//! thread, they are allocated once per worker. At most one buffer of each kind is kept, so the
//! memory held is that of the largest block's keys, per thread.

use std::cell::RefCell;

use super::Pos;

#[derive(Default)]
struct Buffers {
    users: Vec<u64>,
    fingerprints: Vec<(u64, Pos)>,
    sorted_users: Vec<u64>,
    sorted_fingerprints: Vec<(u64, Pos)>,
}

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::new(Buffers::default());
}

/// An empty buffer for a block's user hashes, with the capacity of an earlier one.
pub(super) fn take_users() -> Vec<u64> {
    BUFFERS.with(|b| std::mem::take(&mut b.borrow_mut().users))
}

/// An empty buffer for a block's fingerprints, with the capacity of an earlier one.
pub(super) fn take_fingerprints() -> Vec<(u64, Pos)> {
    BUFFERS.with(|b| std::mem::take(&mut b.borrow_mut().fingerprints))
}

/// Gives a block's user buffer back, emptied.
pub(super) fn give_users(mut v: Vec<u64>) {
    v.clear();
    BUFFERS.with(|b| {
        let mut b = b.borrow_mut();
        if v.capacity() > b.users.capacity() {
            b.users = v;
        }
    });
}

/// Gives a block's fingerprint buffer back, emptied.
pub(super) fn give_fingerprints(mut v: Vec<(u64, Pos)>) {
    v.clear();
    BUFFERS.with(|b| {
        let mut b = b.borrow_mut();
        if v.capacity() > b.fingerprints.capacity() {
            b.fingerprints = v;
        }
    });
}

/// Runs `f` with `items` grouped by `part(item) < parts` (a stable counting sort into this
/// thread's scratch) and the start of each group (plus the end).
pub(super) fn with_users_by<R>(
    items: &[u64],
    parts: usize,
    part: impl Fn(u64) -> usize,
    f: impl FnOnce(&[u64], &[usize]) -> R,
) -> R {
    BUFFERS.with(|b| {
        let mut sorted = std::mem::take(&mut b.borrow_mut().sorted_users);
        let starts = group(items, parts, |&h| part(h), &mut sorted);
        let r = f(&sorted, &starts);
        b.borrow_mut().sorted_users = sorted;
        r
    })
}

/// As [`with_users_by`], for fingerprints.
pub(super) fn with_fingerprints_by<R>(
    items: &[(u64, Pos)],
    parts: usize,
    part: impl Fn(u64) -> usize,
    f: impl FnOnce(&[(u64, Pos)], &[usize]) -> R,
) -> R {
    BUFFERS.with(|b| {
        let mut sorted = std::mem::take(&mut b.borrow_mut().sorted_fingerprints);
        let starts = group(items, parts, |&(h, _)| part(h), &mut sorted);
        let r = f(&sorted, &starts);
        b.borrow_mut().sorted_fingerprints = sorted;
        r
    })
}

/// Groups `items` by `part(item) < parts` into `out` with a counting sort (linear, stable).
/// Returns the start of each group in `out`, plus the end.
pub(crate) fn group<T: Copy>(
    items: &[T],
    parts: usize,
    part: impl Fn(&T) -> usize,
    out: &mut Vec<T>,
) -> Vec<usize> {
    let mut starts = vec![0usize; parts + 1];
    for it in items {
        starts[part(it) + 1] += 1;
    }
    for i in 0..parts {
        starts[i + 1] += starts[i];
    }
    out.clear();
    let Some(&fill) = items.first() else {
        return starts;
    };
    out.resize(items.len(), fill);
    let mut next = starts.clone();
    for it in items {
        let p = part(it);
        out[next[p]] = *it;
        next[p] += 1;
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_stable_and_complete() {
        let items: Vec<(u64, Pos)> = (0..1000u64).map(|i| (i * 7919 % 13, i)).collect();
        let mut out = Vec::new();
        let starts = group(&items, 13, |&(h, _)| h as usize, &mut out);
        assert_eq!(starts.len(), 14);
        assert_eq!(starts[13], items.len());
        for p in 0..13 {
            let g = &out[starts[p]..starts[p + 1]];
            assert!(g.iter().all(|&(h, _)| h as usize == p));
            assert!(
                g.windows(2).all(|w| w[0].1 < w[1].1),
                "stable within group {p}"
            );
        }
        let mut back = out.clone();
        back.sort_by_key(|&(_, i)| i);
        assert_eq!(back, items);
    }
}
