//! Streams the existing data once, through the same block reader and dialect parser as the
//! validation, in chunks of blocks: each chunk's records are keyed in parallel, looked up in the
//! new batch's table, and then dropped, so memory grows with the new batch and one chunk,
//! never with the existing data. The chunk's surviving lines are written to the merged file
//! while it is still in memory.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::after::AfterJob;
use super::batch::{self, Batch};
use super::grace::{Grouped, Grouping, Layout, PartitionWriter, Partitioner, Walk};
use super::ids::NewIds;
use super::keys::{FileKeyer, KeySpec};
use super::output::Output;
use super::{DroppedRecord, ExistingFile, Mode, PlanError};
use crate::diagnostic::quote_value;
use crate::dialect::{split_line, Fields, Structural};
use crate::engine::blocks::BlockReader;
use crate::engine::dataset::BlockAcc;
use crate::engine::{header, sniff_format};
use crate::input::{InputFile, Source};
use crate::schema::Schema;

/// Per distinct batch record: not found in the existing data.
pub(crate) const ABSENT: u8 = 0;
/// Found with the same ID and other values (ID types).
pub(crate) const REPLACED: u8 = 1;
/// Found identical.
pub(crate) const IDENTICAL: u8 = 2;

/// A block of existing data waiting in the current chunk.
#[derive(Debug)]
struct ExBlock {
    file: usize,
    /// Where `buf` starts in the file.
    offset: u64,
    buf: Vec<u8>,
    /// Where the records start in `buf` (after the header in a file's first block).
    start: usize,
}

/// The keyed records of one block.
#[derive(Debug, Default)]
struct Parsed {
    key: Vec<u128>,
    rec: Vec<u128>,
    /// Each record's offset in the block's data.
    starts: Vec<u32>,
    lines: u64,
    unreadable: u64,
    /// Users and event types (when the plan judges the limits after the job).
    facts: Option<BlockAcc>,
    /// The users and items of the block (when the plan counts the new ones), until its worker
    /// hands them to the shared set.
    ids: Vec<u64>,
    /// Out of core: the keys grouped by partition (by the worker), instead of `key` and `rec`.
    grouped: Option<Grouped>,
}

/// The existing side of a plan.
#[derive(Debug)]
pub(crate) struct ExistingPass<'a> {
    spec: &'a KeySpec,
    schema: &'a Schema,
    batch: &'a Batch,
    mode: Mode,
    pool: Option<&'a rayon::ThreadPool>,
    block_size: usize,
    chunk_bytes: usize,
    sample: usize,
    /// Receives the surviving existing lines (INCREMENTAL).
    merged: Option<&'a mut Output>,
    /// Per distinct batch record: [`ABSENT`], [`REPLACED`] or [`IDENTICAL`], from the last
    /// matching existing record.
    pub status: Vec<u8>,
    /// Facts per existing file.
    pub files: Vec<ExistingFile>,
    /// Existing records that the batch supersedes (same ID; ID types) .
    pub superseded: u64,
    /// Existing records a FULL import drops.
    pub dropped: u64,
    /// The first of them.
    pub dropped_sample: Vec<DroppedRecord>,
    /// The existing records' users and event types, when the limits are judged after the job.
    pub after: Option<AfterJob>,
    keyers: Vec<FileKeyer>,
    next_line: Vec<u64>,
    /// Blocks read, waiting to be keyed (a few at a time, in parallel).
    unparsed: Vec<ExBlock>,
    parse_batch: usize,
    /// The current chunk: keyed blocks (their text only while it is needed) and the first line
    /// of each.
    chunk: Vec<(ExBlock, Parsed, u64)>,
    chunk_rows: usize,
    chunk_text: usize,
    /// Buffers of blocks done with, handed back to the block reader.
    free: Vec<Vec<u8>>,
    /// Out of core: the existing keys go to partitions instead of being joined in chunks.
    pub grace: Option<GraceExisting>,
    /// The batch's users and items, to which the existing ones are added (interactions).
    pub ids: Option<Arc<NewIds>>,
}

/// The existing side of the plan out of core ([`super::grace`]).
#[derive(Debug)]
pub(crate) struct GraceExisting {
    /// The existing keys' partitions, written on a thread of their own.
    pub partitioner: Option<PartitionWriter>,
    /// Every block read, in order: where to find its text again.
    blocks: Vec<BlockRef>,
    /// The text of inputs that cannot be read again (standard input, streams), when a walk
    /// needs it: a copy in the plan's temporary folder.
    copy: Option<(BufWriter<File>, PathBuf)>,
    copy_len: u64,
    /// Whether a walk needs the records' text (merged file, dropped sample).
    need_text: bool,
    /// Per file: it can be read again (a file on disk, bytes in memory).
    rereadable: Vec<bool>,
}

/// Where a block of existing data is, to read its text again.
#[derive(Debug, Clone, Copy)]
struct BlockRef {
    file: usize,
    /// In the file, or in the copy.
    offset: u64,
    copied: bool,
    len: usize,
    /// Where its records start (after the header).
    start: usize,
    first_line: u64,
    rows: u64,
}

impl GraceExisting {
    /// Partitions the existing keys into `dir` (as the batch's, `bits`), copying the text of
    /// streams when `need_text` (and only then keeping the order a walk needs).
    /// The keys stay in memory while they take at most `hold` bytes
    /// ([`Partitioner::keeping`]).
    pub fn new(
        dir: &Path,
        bits: u32,
        by_id: bool,
        buffers: usize,
        hold: usize,
        need_text: bool,
    ) -> std::io::Result<Self> {
        let layout = Layout {
            rec: by_id,
            facts: false,
        };
        let grouping = Grouping {
            bits,
            layout,
            order: need_text,
        };
        Ok(GraceExisting {
            partitioner: Some(PartitionWriter::new(
                Partitioner::new(dir, "existing", grouping, buffers)?.keeping(hold),
            )?),
            blocks: Vec::new(),
            copy: None,
            copy_len: 0,
            need_text,
            rereadable: Vec::new(),
        })
    }

    fn add(&mut self, b: &ExBlock, p: &mut Parsed, first_line: u64) -> std::io::Result<()> {
        let w = self.partitioner.as_mut().expect("partitioning");
        if let Some(g) = p.grouped.take() {
            w.send(g)?;
        }
        let mut r = BlockRef {
            file: b.file,
            offset: b.offset,
            copied: false,
            len: b.buf.len(),
            start: b.start,
            first_line,
            rows: p.starts.len() as u64,
        };
        if self.need_text && !self.rereadable[b.file] {
            if self.copy.is_none() {
                let path = self.partitioner_dir().join("existing-text");
                self.copy = Some((
                    BufWriter::with_capacity(1 << 20, File::create(&path)?),
                    path,
                ));
            }
            let (w, _) = self.copy.as_mut().expect("created above");
            w.write_all(&b.buf)?;
            r.offset = self.copy_len;
            r.copied = true;
            self.copy_len += b.buf.len() as u64;
        }
        self.blocks.push(r);
        Ok(())
    }

    fn partitioner_dir(&self) -> PathBuf {
        self.partitioner
            .as_ref()
            .map(|p| p.dir().to_path_buf())
            .unwrap_or_default()
    }

    /// How the workers group a block's keys.
    fn grouping(&self) -> Option<Grouping> {
        self.partitioner.as_ref().map(PartitionWriter::grouping)
    }

    /// The text of a block.
    fn text(&mut self, b: &BlockRef, inputs: &[InputFile]) -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0u8; b.len];
        if b.copied {
            let (w, path) = self.copy.as_mut().expect("copied");
            w.flush()?;
            let mut f = File::open(path)?;
            f.seek(SeekFrom::Start(b.offset))?;
            f.read_exact(&mut buf)?;
            return Ok(buf);
        }
        match &inputs[b.file].source {
            Source::Path(p) => {
                let mut f = File::open(p)?;
                f.seek(SeekFrom::Start(b.offset))?;
                f.read_exact(&mut buf)?;
            }
            Source::Bytes(v) => {
                let at = b.offset as usize;
                buf.copy_from_slice(&v[at..at + b.len]);
            }
            Source::Stdin | Source::Reader(_) => {
                return Err(std::io::Error::other("a stream cannot be read again"));
            }
        }
        Ok(buf)
    }
}

/// Memory per existing record in a chunk, beyond its text: its key (and record hash), row
/// index, offset and its share of the join's hash table.
const ROW_COST: usize = 64;

impl<'a> ExistingPass<'a> {
    #[expect(clippy::too_many_arguments, reason = "wiring of one pass")]
    pub fn new(
        spec: &'a KeySpec,
        schema: &'a Schema,
        batch: &'a Batch,
        mode: Mode,
        pool: Option<&'a rayon::ThreadPool>,
        block_size: usize,
        chunk_bytes: usize,
        sample: usize,
        merged: Option<&'a mut Output>,
        after: Option<AfterJob>,
    ) -> Self {
        ExistingPass {
            spec,
            schema,
            batch,
            mode,
            pool,
            // Blocks of a quarter of the engine's, parsed 8 per worker at a time: the same
            // memory as 2 whole ones, but a worker that ends its share first waits for a
            // quarter of a block, not a whole one (with the reader below, the workers went from
            // 83% to about 90% busy in this pass).
            block_size: (block_size / 4).max(1),
            chunk_bytes: chunk_bytes.max(1),
            sample,
            merged,
            status: vec![ABSENT; batch.distinct()],
            files: Vec::new(),
            superseded: 0,
            dropped: 0,
            dropped_sample: Vec::new(),
            after,
            keyers: Vec::new(),
            next_line: Vec::new(),
            unparsed: Vec::new(),
            parse_batch: 8 * pool.map_or(1, rayon::ThreadPool::current_num_threads),
            chunk: Vec::new(),
            chunk_rows: 0,
            chunk_text: 0,
            free: Vec::new(),
            grace: None,
            ids: None,
        }
    }

    /// Streams every input, then finishes the last chunk.
    pub fn run(mut self, inputs: &[InputFile]) -> Result<Self, PlanError> {
        for input in inputs {
            self.read_file(input)?;
        }
        self.parse()?;
        self.join()?;
        Ok(self)
    }

    fn read_file(&mut self, input: &InputFile) -> Result<(), PlanError> {
        let read_err = |e| PlanError::Read {
            path: input.name.clone(),
            source: e,
        };
        let file = self.files.len();
        if let Some(g) = self.grace.as_mut() {
            g.rereadable
                .push(matches!(input.source, Source::Path(_) | Source::Bytes(_)));
        }
        self.files.push(ExistingFile {
            path: input.name.clone(),
            bytes: 0,
            records: 0,
            unreadable_lines: 0,
        });
        let mut blocks = BlockReader::new(input.open().map_err(read_err)?, self.block_size);
        let Some(first) = blocks.next_block().map_err(read_err)? else {
            // An empty file holds nothing.
            self.keyers.push(self.spec.keyer(&[], false));
            self.next_line.push(1);
            return Ok(());
        };
        if let Some(d) = sniff_format(&first.buf, &input.name) {
            return Err(PlanError::Existing {
                path: input.name.clone(),
                message: d.message,
            });
        }
        let buf = &first.buf;
        let nl = memchr::memchr(b'\n', buf);
        let mut head = &buf[..nl.unwrap_or(buf.len())];
        head = head.strip_suffix(b"\r").unwrap_or(head);
        let bom = if head.starts_with(b"\xEF\xBB\xBF") {
            head = &head[3..];
            3
        } else {
            0
        };
        let info = header::analyse(&input.name, head, bom, Some(self.schema));
        let keyer = self.spec.keyer(&info.columns, false);
        if let Some(missing) = keyer.missing_id(self.spec) {
            return Err(PlanError::Existing {
                path: input.name.clone(),
                message: format!("the header has no `{missing}` column"),
            });
        }
        if !keyer.shares_a_column() {
            return Err(PlanError::Existing {
                path: input.name.clone(),
                message: format!(
                    "the header {} has none of the new data's columns",
                    quote_value(head, 80)
                ),
            });
        }
        self.keyers.push(keyer);
        let (start, first_line) = if info.first_line_is_data {
            (0, 1)
        } else {
            (nl.map_or(buf.len(), |p| p + 1), 2)
        };
        self.next_line.push(first_line);
        self.files[file].bytes = first.buf.len() as u64;
        self.push(ExBlock {
            file,
            offset: first.offset,
            buf: first.buf,
            start,
        })?;
        // The rest is read on a thread of its own, a batch of blocks ahead, while the workers
        // key the blocks read before: reading (a copy out of the page cache) and keying overlap
        // instead of taking turns, which left the workers idle a fifth of the pass. Buffers
        // come back to the reader for reuse.
        let (tx, rx) = std::sync::mpsc::sync_channel(self.parse_batch);
        let (back, returned) = std::sync::mpsc::channel::<Vec<u8>>();
        std::thread::scope(|scope| {
            scope.spawn(move || loop {
                while let Ok(buf) = returned.try_recv() {
                    blocks.recycle(buf);
                }
                let next = blocks.next_block().transpose();
                let end = !matches!(next, Some(Ok(_)));
                // A closed channel: the pass stopped on an error of its own.
                if next.is_some_and(|b| tx.send(b).is_err()) || end {
                    return;
                }
            });
            // Dropped (with `rx`) when this loop ends, early or not, so the reader stops too.
            for b in rx {
                for buf in self.free.drain(..) {
                    let _ = back.send(buf);
                }
                let b = b.map_err(read_err)?;
                self.files[file].bytes += b.buf.len() as u64;
                self.push(ExBlock {
                    file,
                    offset: b.offset,
                    buf: b.buf,
                    start: 0,
                })?;
            }
            Ok(())
        })
    }

    fn push(&mut self, block: ExBlock) -> Result<(), PlanError> {
        if block.buf.len() > u32::MAX as usize {
            // Only a single line of more than 4 GiB makes such a block.
            return Err(PlanError::Existing {
                path: self.files[block.file].path.clone(),
                message: "a line is longer than 4 GiB".into(),
            });
        }
        self.unparsed.push(block);
        if self.unparsed.len() >= self.parse_batch {
            self.parse()?;
        }
        Ok(())
    }

    /// Whether the text of the blocks being keyed is still needed: to write surviving lines, or
    /// to show the first dropped records. Otherwise it goes as soon as it is keyed.
    fn needs_text(&self) -> bool {
        match self.mode {
            Mode::Incremental => self.merged.is_some(),
            Mode::Full => self.dropped_sample.len() < self.sample,
        }
    }

    /// Keys the blocks read so far (in parallel) into the chunk; joins the chunk once it holds
    /// `chunk_bytes` of text and keys.
    fn parse(&mut self) -> Result<(), PlanError> {
        let blocks = std::mem::take(&mut self.unparsed);
        let by_id = self.spec.keyed_by_id();
        let facts = self.after.is_some();
        let ids = self.ids.as_deref();
        let users = self.after.as_ref().map(AfterJob::users);
        let keyers = &self.keyers;
        let grouping = self.grace.as_ref().and_then(GraceExisting::grouping);
        let parse = |b: &ExBlock| {
            let mut p = parse_block(
                &keyers[b.file],
                &b.buf[b.start..],
                by_id,
                facts,
                ids.is_some(),
            );
            // Out of core: the worker groups its block's keys by partition.
            if let Some(g) = grouping {
                p.grouped = Some(g.group(&p.key, &p.rec, &[], &[]));
                p.key = Vec::new();
                p.rec = Vec::new();
            }
            // Users and items go to the shared set from the worker.
            if let Some(ids) = ids {
                ids.add(&std::mem::take(&mut p.ids));
            }
            // Users are counted by the workers (the table is sharded); event types, few, are
            // merged in order below.
            if let (Some(users), Some(acc)) = (users, p.facts.as_mut()) {
                users.absorb(std::mem::take(&mut acc.users));
            }
            p
        };
        let parsed: Vec<Parsed> = match self.pool {
            Some(pool) => pool.install(|| blocks.par_iter().map(parse).collect()),
            None => blocks.iter().map(parse).collect(),
        };
        let keep_text = self.needs_text() && self.grace.is_none();
        for (mut b, mut p) in blocks.into_iter().zip(parsed) {
            if let (Some(after), Some(acc)) = (self.after.as_mut(), p.facts.take()) {
                after.add_existing(acc, p.starts.len() as u64);
            }
            let first_line = self.next_line[b.file];
            self.next_line[b.file] += p.lines;
            let f = &mut self.files[b.file];
            f.records += p.starts.len() as u64;
            f.unreadable_lines += p.unreadable;
            if let Some(g) = self.grace.as_mut() {
                // Out of core: the keys go to their partitions, the text is read again later.
                g.add(&b, &mut p, first_line)
                    .map_err(|e| grace_err(&self.files[b.file].path, e))?;
                self.free.push(std::mem::take(&mut b.buf));
                continue;
            }
            if keep_text {
                self.chunk_text += b.buf.len();
            } else {
                self.free.push(std::mem::take(&mut b.buf));
            }
            self.chunk_rows += p.starts.len();
            self.chunk.push((b, p, first_line));
        }
        if self.chunk_text + self.chunk_rows * ROW_COST >= self.chunk_bytes {
            self.join()?;
        }
        Ok(())
    }

    /// Joins the chunk with the batch, then retires it.
    fn join(&mut self) -> Result<(), PlanError> {
        if self.chunk.is_empty() || self.grace.is_some() {
            return Ok(());
        }
        let mut chunk = std::mem::take(&mut self.chunk);
        self.chunk_rows = 0;
        self.chunk_text = 0;
        let by_id = self.spec.keyed_by_id();
        let writing = self.mode == Mode::Incremental && self.merged.is_some();
        let keys: Vec<Vec<u128>> = chunk
            .iter_mut()
            .map(|(_, p, _)| std::mem::take(&mut p.key))
            .collect();
        let recs: Option<Vec<Vec<u128>>> = by_id.then(|| {
            chunk
                .iter_mut()
                .map(|(_, p, _)| std::mem::take(&mut p.rec))
                .collect()
        });
        let rows: usize = chunk.iter().map(|(_, p, _)| p.starts.len()).sum();
        let matches = batch::join_chunk(self.batch, keys, recs, self.pool)?;

        let mut matched = vec![false; rows];
        for m in &matches {
            matched[m.row as usize] = true;
            // Matches come in existing order: the last existing record of an ID decides.
            self.status[m.new as usize] = if m.same { IDENTICAL } else { REPLACED };
        }
        if by_id {
            self.superseded += matches.len() as u64;
        }

        // What happens to each existing record: FULL drops the unmatched ones; INCREMENTAL keeps
        // all but those superseded by ID.
        let has_text = chunk.iter().any(|(b, _, _)| !b.buf.is_empty());
        if !has_text {
            if self.mode == Mode::Full {
                self.dropped += matched.iter().filter(|&&m| !m).count() as u64;
            }
            return Ok(());
        }
        let mut fields = Fields::default();
        let mut line_out = Vec::new();
        let mut row = 0usize;
        for (b, p, first_line) in &chunk {
            if b.buf.is_empty() {
                // Its text went once the dropped sample was full (FULL): only count.
                let n = p.starts.len();
                if self.mode == Mode::Full {
                    self.dropped += matched[row..row + n].iter().filter(|&&m| !m).count() as u64;
                }
                row += n;
                continue;
            }
            let first_line = *first_line;
            let data = &b.buf[b.start..];
            let keyer = &self.keyers[b.file];
            for &s in &p.starts {
                let kept = !matched[row] || !by_id;
                let dropped = self.mode == Mode::Full && !matched[row];
                row += 1;
                if !(dropped || (writing && kept)) {
                    continue;
                }
                let s = s as usize;
                let rest = &data[s..];
                let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if dropped {
                    self.dropped += 1;
                    if self.dropped_sample.len() < self.sample {
                        let line_no =
                            first_line + memchr::memchr_iter(b'\n', &data[..s]).count() as u64;
                        split_line(line, &mut fields);
                        self.dropped_sample.push(DroppedRecord {
                            file: self.files[b.file].path.clone(),
                            line: line_no,
                            id: keyer
                                .id_value(&fields, line)
                                .map(|v| String::from_utf8_lossy(v).into_owned()),
                            record: String::from_utf8_lossy(&line[..line.len().min(200)])
                                .into_owned(),
                        });
                    }
                    continue;
                }
                if let Some(out) = self.merged.as_deref_mut() {
                    line_out.clear();
                    if keyer.identity && memchr::memchr(b'"', line).is_none() {
                        line_out.extend_from_slice(line);
                        line_out.push(b'\n');
                    } else {
                        split_line(line, &mut fields);
                        keyer.write_line(&fields, line, &mut line_out);
                    }
                    out.record(&line_out).map_err(|e| PlanError::Write {
                        what: "the merged file".into(),
                        source: e,
                    })?;
                }
            }
        }
        self.free.extend(chunk.into_iter().map(|(b, _, _)| b.buf));
        Ok(())
    }

    /// Out of core, after the partitions were joined: walks the existing records in order with
    /// their matches (`walk`) to find the first dropped records (FULL) and write the surviving
    /// ones to the merged file (INCREMENTAL), reading the text of the blocks that need it.
    pub fn walk(&mut self, inputs: &[InputFile], mut walk: Walk) -> Result<(), PlanError> {
        let Some(mut g) = self.grace.take() else {
            return Ok(());
        };
        let by_id = self.spec.keyed_by_id();
        let writing = self.mode == Mode::Incremental && self.merged.is_some();
        let sampling = self.mode == Mode::Full && self.sample > 0;
        let blocks = std::mem::take(&mut g.blocks);
        let mut matched = Vec::new();
        let mut fields = Fields::default();
        let mut line_out = Vec::new();
        for b in &blocks {
            if !writing && (!sampling || self.dropped_sample.len() >= self.sample) {
                break;
            }
            let path = self.files[b.file].path.clone();
            matched.clear();
            for _ in 0..b.rows {
                matched.push(walk.next().map_err(|e| grace_err(&path, e))? == 1);
            }
            if !writing && !matched.iter().any(|m| !m) {
                continue;
            }
            let text = g.text(b, inputs).map_err(|e| PlanError::Read {
                path: path.clone(),
                source: e,
            })?;
            let data = &text[b.start..];
            let keyer = &self.keyers[b.file];
            let mut row = 0usize;
            let mut line_no = b.first_line;
            let mut start = 0usize;
            while start < data.len() {
                let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
                let mut line = &data[start..end];
                line = line.strip_suffix(b"\r").unwrap_or(line);
                let this_line = line_no;
                line_no += 1;
                start = end + 1;
                if line.is_empty() {
                    continue;
                }
                split_line(line, &mut fields);
                if !keyer.is_record(&fields, line) {
                    continue;
                }
                let m = matched.get(row).copied().unwrap_or(false);
                row += 1;
                let kept = !m || !by_id;
                let dropped = self.mode == Mode::Full && !m;
                if dropped {
                    if self.dropped_sample.len() < self.sample {
                        self.dropped_sample.push(DroppedRecord {
                            file: path.clone(),
                            line: this_line,
                            id: keyer
                                .id_value(&fields, line)
                                .map(|v| String::from_utf8_lossy(v).into_owned()),
                            record: String::from_utf8_lossy(&line[..line.len().min(200)])
                                .into_owned(),
                        });
                    }
                    continue;
                }
                if let (true, true, Some(out)) = (writing, kept, self.merged.as_deref_mut()) {
                    line_out.clear();
                    if keyer.identity && memchr::memchr(b'"', line).is_none() {
                        line_out.extend_from_slice(line);
                        line_out.push(b'\n');
                    } else {
                        keyer.write_line(&fields, line, &mut line_out);
                    }
                    out.record(&line_out).map_err(|e| PlanError::Write {
                        what: "the merged file".into(),
                        source: e,
                    })?;
                }
            }
        }
        Ok(())
    }
}

fn grace_err(path: &str, e: std::io::Error) -> PlanError {
    PlanError::Write {
        what: format!("the plan's temporary partitions (reading `{path}`)"),
        source: e,
    }
}

/// Keys every record of a block's data. Blank lines are skipped; lines that cannot be a stored
/// record (a wrong field count, an empty ID) are counted as unreadable. With `facts`, the
/// records' users and event types are counted too; with `ids`, their users and items are
/// collected ([`super::ids`]).
fn parse_block(keyer: &FileKeyer, data: &[u8], by_id: bool, facts: bool, ids: bool) -> Parsed {
    let mut p = Parsed::default();
    let mut acc = facts.then(BlockAcc::default);
    let mut fields = Fields::default();
    let mut scratch = Vec::new();
    // One structural scan of the block finds every comma, quote and line end, as the engine's
    // does (`engine::row::check_block`): a line without a quote is split by it, a line with
    // one by the full state machine. (A search for each line end, then for each comma of the
    // line, was a fifth of this pass.) The engine, `fix` (`fix::lines`) and this pass each
    // keep the loop inline: moved behind a shared line iterator, `fix` ran 38% slower (1.93 ->
    // 2.66 s on the 1 GB benchmark file; its loop is large), and this pass gained nothing.
    let mut scan = Structural::new(data);
    let mut start = 0usize;
    let mut field_start = 0usize;
    let mut quoted = false;
    fields.begin();
    loop {
        let hit = scan.next();
        let end = match hit {
            Some(i) if data[i] == b',' => {
                if !quoted {
                    fields.push_plain(field_start - start, i - start);
                }
                field_start = i + 1;
                continue;
            }
            Some(i) if data[i] == b'"' => {
                quoted = true;
                continue;
            }
            Some(i) => i,
            None if start < data.len() => data.len(),
            None => break,
        };
        let mut line = &data[start..end];
        line = line.strip_suffix(b"\r").unwrap_or(line);
        p.lines += 1;
        if !line.is_empty() {
            if quoted {
                split_line(line, &mut fields);
            } else {
                fields.push_plain(field_start - start, line.len());
            }
            match keyer.key(&fields, line, &mut scratch) {
                Some(k) => {
                    if by_id {
                        p.key.push(k.id);
                        p.rec.push(k.rec);
                    } else {
                        p.key.push(k.rec);
                    }
                    p.starts.push(start as u32);
                    if ids {
                        FileKeyer::push_ids(&k, super::ids::EXISTING, &mut p.ids);
                    }
                    if let Some(acc) = acc.as_mut() {
                        if let Some(u) = keyer.user_hash(&fields, line) {
                            acc.add_user(u);
                        }
                        if let Some(e) = keyer.event_type(&fields, line) {
                            acc.add_event_type(e);
                        }
                    }
                }
                None => p.unreadable += 1,
            }
        }
        if hit.is_none() {
            break;
        }
        start = end + 1;
        field_start = start;
        quoted = false;
        fields.begin();
    }
    p.facts = acc;
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block's one structural scan splits every kind of line as a search for each line
    /// end followed by `split_line` does: quoted fields (with commas, escapes, doubled quotes),
    /// CRLF and bare CR endings, blank lines, wrong field counts, an empty USER_ID, lines
    /// across the scan's 64-byte chunks, and a last line without its newline.
    #[test]
    fn the_structural_scan_splits_lines_as_split_line_does() {
        use crate::engine::columns::{Check, Column, IntRole};
        let col = |name: &str, check: Check| Column {
            name: name.into(),
            check,
            nullable: true,
        };
        let columns = [
            col("USER_ID", Check::Id),
            col("ITEM_ID", Check::Id),
            col(
                "TIMESTAMP",
                Check::Int {
                    bits: 64,
                    role: IntRole::InteractionTimestamp,
                },
            ),
        ];
        let spec = KeySpec::new(&columns, crate::schema::DatasetType::Interactions);
        let mut keyer = spec.keyer(&columns, false);
        keyer.ids = keyer.has_ids();
        let long = "x".repeat(150);
        let lines = [
            "u1,i1,1".to_string(),
            "\"u,2\",i2,2".into(),
            "u3,\"i\\\"3\",3\r".into(),
            String::new(),
            "\r".into(),
            "u4,i4".into(),
            "u5,i5,5,extra".into(),
            ",i6,6".into(),
            format!("{long},{long},7"),
            "\"u8\"\"x\",i8,8".into(),
            "u9,i9,\"9\"".into(),
        ];
        for end in ["", "\n"] {
            let data = format!("{}{end}", lines.join("\n"));
            let data = data.as_bytes();
            let got = parse_block(&keyer, data, false, false, true);
            // The reference: each line found by a search, split by `split_line`.
            let mut want = Parsed::default();
            let mut fields = Fields::default();
            let mut start = 0;
            while start < data.len() {
                let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
                let line = data[start..end]
                    .strip_suffix(b"\r")
                    .unwrap_or(&data[start..end]);
                want.lines += 1;
                if !line.is_empty() {
                    split_line(line, &mut fields);
                    match keyer.key(&fields, line, &mut Vec::new()) {
                        Some(k) => {
                            want.key.push(k.rec);
                            want.starts.push(start as u32);
                            FileKeyer::push_ids(&k, super::super::ids::EXISTING, &mut want.ids);
                        }
                        None => want.unreadable += 1,
                    }
                }
                start = end + 1;
            }
            assert_eq!(
                (got.key, got.starts, got.lines, got.unreadable, got.ids),
                (want.key, want.starts, want.lines, want.unreadable, want.ids),
                "ending {end:?}"
            );
            assert_eq!((want.lines, want.unreadable), (11, 2));
        }
    }

    /// The existing data's order is kept only when a walk reads it (the merged file, the
    /// dropped records listed).
    #[test]
    fn the_existing_order_is_kept_only_for_a_walk() {
        for need_text in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let mut g = GraceExisting::new(dir.path(), 4, false, 1 << 16, 0, need_text).unwrap();
            let grouping = g.grouping().unwrap();
            let keys: Vec<u128> = (1..=1000u128).map(|i| i << 100 | i).collect();
            g.partitioner
                .as_mut()
                .unwrap()
                .send(grouping.group(&keys, &[], &[], &[]))
                .unwrap();
            let p = g.partitioner.take().unwrap().finish().unwrap();
            assert_eq!(p.counts.iter().sum::<u64>(), 1000);
            assert_eq!(dir.path().join("existing-order").exists(), need_text);
        }
    }
}
