//! A file's blocks checked in parallel (or inline with one thread) and merged strictly in file
//! order: workers may finish in any order, so finished blocks wait in a small reorder buffer,
//! and at most two blocks per thread are in flight, which bounds memory.

use std::collections::BTreeMap;
use std::sync::mpsc;

use super::blocks::{Block, BlockReader};
use super::dataset::DatasetAcc;
use super::observer::Observer;
use super::row::{check_block, BlockOut, FileCtx};
use crate::report::Collector;

/// Sums per-file facts as blocks are merged in order.
#[derive(Debug)]
pub(super) struct MergeState {
    /// The absolute number of the next block's first line.
    pub next_line: u64,
    pub records: u64,
    pub crlf: u64,
    pub first_crlf: Option<(u64, u64)>,
    pub bytes: u64,
}

impl MergeState {
    /// Merges the next block in file order: its findings (made absolute), its counts and its
    /// dataset facts. Returns what the observer gathered, for the caller to merge.
    pub fn merge<B>(
        &mut self,
        out: BlockOut<B>,
        block: &Block,
        file_idx: usize,
        acc: &mut DatasetAcc,
        collector: &mut Collector,
    ) -> B {
        let first_line = self.next_line;
        for mut d in out.sink.kept {
            d.location.line = d.location.line.map(|l| l + first_line);
            collector.push_file(file_idx, d);
        }
        for (_, (kept, total, rule)) in out.sink.per_rule {
            if total > kept as u64 {
                collector.count(rule, total - kept as u64);
            }
        }
        if let Some((l, b)) = out.first_crlf {
            if self.first_crlf.is_none() {
                self.first_crlf = Some((l + first_line, b));
            }
        }
        self.crlf += out.crlf;
        self.records += out.records;
        self.bytes = block.offset + block.buf.len() as u64;
        acc.merge(out.acc);
        self.next_line += out.lines;
        out.observed
    }
}

/// What the merging thread does with each checked block, in file order.
pub(super) type Merge<'m, B> = dyn FnMut(BlockOut<B>, &Block, &mut Collector) + 'm;

/// Checks blocks in parallel (or inline with one thread) and merges them strictly in order.
/// Returns the number of blocks.
#[expect(clippy::too_many_arguments, reason = "pipeline wiring")]
pub(super) fn run_blocks<O: Observer, R: std::io::Read>(
    reader: &mut BlockReader<R>,
    first: Block,
    first_start: usize,
    first_line: u64,
    ctx: &FileCtx<'_, O>,
    pool: Option<&rayon::ThreadPool>,
    threads: usize,
    first_block: u64,
    collector: &mut Collector,
    merge: &mut Merge<'_, O::Block>,
) -> std::io::Result<u64> {
    let Some(pool) = pool else {
        let mut n = first_block;
        let mut line = first_line;
        let out = check_block(ctx, &first.buf, first_start, first.offset, n, line);
        n += 1;
        line += out.lines;
        merge(out, &first, collector);
        reader.recycle(first.buf);
        while let Some(block) = reader.next_block()? {
            let out = check_block(ctx, &block.buf, 0, block.offset, n, line);
            n += 1;
            line += out.lines;
            merge(out, &block, collector);
            reader.recycle(block.buf);
        }
        return Ok(n - first_block);
    };
    let max_in_flight = threads * 2;
    let (tx, rx) = mpsc::channel::<(usize, BlockOut<O::Block>, Block)>();
    let mut result = Ok(());
    let mut count = 0u64;
    pool.in_place_scope(|scope| {
        let mut pending: BTreeMap<usize, (BlockOut<O::Block>, Block)> = BTreeMap::new();
        let mut next_merge = 0usize;
        let mut in_flight = 0usize;
        let mut idx = 0usize;
        let mut next = Some((first, first_start));
        let mut next_line = first_line;
        while let Some((block, start)) = next.take() {
            let tx = tx.clone();
            let i = idx;
            // A line filter needs each block's absolute first line before the blocks before it
            // are checked: count its lines here (only then; it is one memchr pass).
            let line = next_line;
            if ctx.lines.is_some() {
                next_line += memchr::memchr_iter(b'\n', &block.buf[start..]).count() as u64;
            }
            scope.spawn(move |_| {
                let out = check_block(
                    ctx,
                    &block.buf,
                    start,
                    block.offset,
                    first_block + i as u64,
                    line,
                );
                let _ = tx.send((i, out, block));
            });
            idx += 1;
            in_flight += 1;
            while in_flight >= max_in_flight {
                let (i, out, block) = rx.recv().expect("workers hold a sender");
                in_flight -= 1;
                pending.insert(i, (out, block));
                drain(&mut pending, &mut next_merge, collector, merge, reader);
            }
            match reader.next_block() {
                Ok(Some(b)) => next = Some((b, 0)),
                Ok(None) => {}
                Err(e) => {
                    result = Err(e);
                }
            }
        }
        while in_flight > 0 {
            let (i, out, block) = rx.recv().expect("workers hold a sender");
            in_flight -= 1;
            pending.insert(i, (out, block));
            drain(&mut pending, &mut next_merge, collector, merge, reader);
        }
        count = idx as u64;
    });
    result.map(|()| count)
}

/// Merges the blocks waiting in `pending` that come next in file order.
fn drain<B, R: std::io::Read>(
    pending: &mut BTreeMap<usize, (BlockOut<B>, Block)>,
    next_merge: &mut usize,
    collector: &mut Collector,
    merge: &mut Merge<'_, B>,
    reader: &mut BlockReader<R>,
) {
    while let Some((out, block)) = pending.remove(next_merge) {
        merge(out, &block, collector);
        reader.recycle(block.buf);
        *next_merge += 1;
    }
}
