//! Locks shared by the workers.

use std::sync::{Mutex, TryLockError};

/// Runs `f` on each lock of `locks` with its group of `items` (group `k` is
/// `items[starts[k]..starts[k + 1]]`; an empty group is skipped), going round from `start`. A
/// lock another worker holds is passed over and taken after the others: a worker goes on
/// counting into the shards that are free instead of waiting while another flushes a batch
/// into the one it wants (a flush of thousands of keys into a table larger than the caches
/// takes milliseconds). Callers rely on a shard's result not depending on the order in which
/// batches reach it, as it already may not with several workers.
pub(crate) fn each_locked<T, I, E>(
    locks: &[Mutex<T>],
    start: usize,
    items: &[I],
    starts: &[usize],
    mut f: impl FnMut(usize, &mut T, &[I]) -> Result<(), E>,
) -> Result<(), E> {
    let n = locks.len();
    let group = |k: usize| &items[starts[k]..starts[k + 1]];
    let mut busy = Vec::new();
    for i in 0..n {
        let k = (start + i) % n;
        if group(k).is_empty() {
            continue;
        }
        match locks[k].try_lock() {
            Ok(mut g) => f(k, &mut g, group(k))?,
            Err(TryLockError::Poisoned(e)) => f(k, &mut e.into_inner(), group(k))?,
            Err(TryLockError::WouldBlock) => busy.push(k),
        }
    }
    for k in busy {
        let mut g = locks[k].lock().unwrap_or_else(|e| e.into_inner());
        f(k, &mut g, group(k))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A lock another thread holds is taken last, after every free one, and each wanted lock
    /// exactly once; the unwanted ones are not touched.
    #[test]
    fn each_locked_passes_over_a_held_lock_and_comes_back_to_it() {
        let locks: Vec<Mutex<Vec<usize>>> = (0..8).map(|_| Mutex::new(Vec::new())).collect();
        let visited = AtomicUsize::new(0);
        let order = Mutex::new(Vec::new());
        // Group i is [i], but group 4, which is empty.
        let items: Vec<usize> = (0..8).filter(|&i| i != 4).collect();
        let starts = [0, 1, 2, 3, 4, 4, 5, 6, 7];
        let held = locks[5].lock().unwrap();
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| {
                each_locked(&locks, 3, &items, &starts, |i, v, group| {
                    v.extend_from_slice(group);
                    order.lock().unwrap().push(i);
                    visited.fetch_add(1, Ordering::SeqCst);
                    Ok::<(), ()>(())
                })
            });
            // Every free wanted lock is visited while lock 5 is held (a worker that waited for
            // it instead would stall here until the deadline, then fail the order below).
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while visited.load(Ordering::SeqCst) < 6 && std::time::Instant::now() < deadline {
                std::thread::yield_now();
            }
            drop(held);
            worker.join().unwrap().unwrap();
        });
        assert_eq!(*order.lock().unwrap(), vec![3, 6, 7, 0, 1, 2, 5]);
        for (i, l) in locks.iter().enumerate() {
            let v = l.lock().unwrap();
            assert_eq!(*v, if i == 4 { vec![] } else { vec![i] }, "lock {i}");
        }
    }
}
