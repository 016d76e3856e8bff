//! `preflight fix`: repairs what a rule knows how to repair, writing the file in Personalize's
//! dialect (the writer of `plan --write-merged`).
//!
//! The fixes belong to the rules (each fixable rule declares `fix = Safe` or `fix = Unsafe` and
//! holds its repair in its file); this module only drives them over a file:
//! - [`header`]: the first line: byte order mark (PF103), quoted names (PF102), names that
//!   match a schema field only when case is ignored (PF104), columns out of the schema's order
//!   (PF107);
//! - [`lines`]: every other line, in parallel blocks written in file order: CRLF (PF005), blank
//!   lines (PF006), RFC-4180 `""` (PF203), a `long` written `1.0` (PF207), and with unsafe fixes
//!   milliseconds (PF215) and IDs with spaces around them (PF224);
//! - [`dedupe`]: with unsafe fixes, the dataset-level repairs that need the whole file: event
//!   type spellings unified to the most frequent one (PF305), exact duplicate interactions
//!   (PF308) and repeated IDs (PF307) dropped, keeping the last. The first pass writes the
//!   output and keeps each record's fingerprint, partitioned and spilled past a buffer
//!   ([`keys`]: memory bounded, not growing with the file); only when there is something to
//!   drop or rename is the output read back (not the input) and written again (see
//!   [`Rewrite`]).
//!
//! A rule turned off (`--severity CODE=off`) is not fixed. Lines the dialect cannot split
//! reliably (a wrong field count, a quote left open) keep their bytes: their findings remain.

mod dedupe;
mod header;
mod keys;
mod lines;

use std::io::{self, Read, Seek, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::diagnostic::{Applicability, Rule};
use crate::engine::blocks::BlockReader;
use crate::engine::{self, SchemaSource};
use crate::input::InputFile;
use crate::report::{Collector, Policy};
use crate::rules;

/// How to fix.
#[derive(Debug, Clone)]
pub struct FixOptions {
    /// Apply unsafe fixes too (`--unsafe-fixes`).
    pub unsafe_fixes: bool,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Target block size in bytes.
    pub block_size: usize,
    /// Rules turned off are not fixed.
    pub policy: Policy,
    /// How many changed lines to keep per rule for the report.
    pub examples: usize,
    /// Where the fingerprints of the dataset fixes go past their buffers (else the system's
    /// temporary folder).
    pub temp_dir: Option<std::path::PathBuf>,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            unsafe_fixes: false,
            threads: 0,
            block_size: 8 << 20,
            policy: Policy::default(),
            examples: 3,
            temp_dir: None,
        }
    }
}

/// One changed line, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The 1-based line in the input.
    pub line: u64,
    /// The line before (shortened).
    pub before: String,
    /// The line after (shortened), or `None` when the fix dropped it.
    pub after: Option<String>,
}

/// What one rule's fix changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The rule whose findings the change repairs.
    pub rule: &'static Rule,
    /// How safe its fix is.
    pub applicability: Applicability,
    /// Lines (or values, for field rules; the file, for PF103/PF107) changed.
    pub changed: u64,
    /// Records dropped on purpose (blank lines, duplicates).
    pub dropped: u64,
    /// The first changes, in file order.
    pub examples: Vec<Example>,
}

/// What `fix` did to one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixSummary {
    /// The changes, one per rule that changed something, in code order.
    pub changes: Vec<Change>,
    /// Records (lines after the header) read.
    pub records_in: u64,
    /// Records written: `records_in` minus the dropped ones.
    pub records_out: u64,
    /// Unsafe fixes that were available but not applied (no `--unsafe-fixes`), by rule.
    pub unsafe_available: Vec<(&'static Rule, u64)>,
    /// The input was passed through unchanged because it is not a CSV file preflight can read
    /// (UTF-16, compressed, Parquet…).
    pub not_csv: bool,
}

impl FixSummary {
    /// Records dropped on purpose, all rules together.
    pub fn dropped(&self) -> u64 {
        self.changes.iter().map(|c| c.dropped).sum()
    }

    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// A failure that stops a fix (exit code 2). Nothing was written where the user looks: the
/// caller writes to a temporary file and moves it into place only on success.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixError {
    /// The schema could not be loaded.
    #[error(transparent)]
    Engine(#[from] engine::Error),
    /// The input could not be read.
    #[error("failed to read `{path}`: {source}")]
    Read {
        /// The input as the user named it.
        path: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The output (or the temporary copy) could not be written.
    #[error("failed to write the fixed file: {0}")]
    Write(#[source] io::Error),
    /// Cancelled (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
}

/// Tallies of one rule while fixing.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tally {
    pub changed: u64,
    pub dropped: u64,
    pub examples: Vec<Example>,
}

/// Tallies by rule, kept in a small vector (a dozen fixable rules).
#[derive(Debug, Default, Clone)]
pub(crate) struct Tallies {
    pub by_rule: Vec<(&'static Rule, Tally)>,
    /// Unsafe fixes seen but not applied.
    pub skipped: Vec<(&'static Rule, u64)>,
}

impl Tallies {
    pub fn get(&mut self, rule: &'static Rule) -> &mut Tally {
        let i = match self.by_rule.iter().position(|(r, _)| r.code == rule.code) {
            Some(i) => i,
            None => {
                self.by_rule.push((rule, Tally::default()));
                self.by_rule.len() - 1
            }
        };
        &mut self.by_rule[i].1
    }

    /// Counts a change (and keeps it as an example while there is room).
    pub fn change(&mut self, rule: &'static Rule, max: usize, example: impl FnOnce() -> Example) {
        let t = self.get(rule);
        t.changed += 1;
        if t.examples.len() < max {
            t.examples.push(example());
        }
    }

    /// Counts a dropped record.
    pub fn drop_record(
        &mut self,
        rule: &'static Rule,
        max: usize,
        example: impl FnOnce() -> Example,
    ) {
        let t = self.get(rule);
        t.dropped += 1;
        if t.examples.len() < max {
            t.examples.push(example());
        }
    }

    pub fn skip(&mut self, rule: &'static Rule) {
        match self.skipped.iter_mut().find(|(r, _)| r.code == rule.code) {
            Some((_, n)) => *n += 1,
            None => self.skipped.push((rule, 1)),
        }
    }

    /// Adds a later block's tallies (line numbers already absolute).
    pub fn merge(&mut self, other: Tallies, max: usize) {
        for (rule, t) in other.by_rule {
            let mine = self.get(rule);
            mine.changed += t.changed;
            mine.dropped += t.dropped;
            let room = max.saturating_sub(mine.examples.len());
            mine.examples.extend(t.examples.into_iter().take(room));
        }
        for (rule, n) in other.skipped {
            match self.skipped.iter_mut().find(|(r, _)| r.code == rule.code) {
                Some((_, m)) => *m += n,
                None => self.skipped.push((rule, n)),
            }
        }
    }
}

/// Which fixes run, from the options and the policy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Enabled {
    pub unsafe_fixes: bool,
    codes: [bool; 13],
    /// The answers the line pass asks for every value, looked up once.
    pub per_value: PerValue,
}

/// [`Enabled::on`] and [`Enabled::applies`] for the rules of the line pass's value fixes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PerValue {
    pub pf203: bool,
    pub pf207: bool,
    pub pf215_on: bool,
    pub pf215: bool,
    pub pf224_on: bool,
    pub pf224: bool,
}

const FIXABLE: [&Rule; 13] = [
    &rules::PF005,
    &rules::PF006,
    &rules::PF102,
    &rules::PF103,
    &rules::PF104,
    &rules::PF107,
    &rules::PF203,
    &rules::PF207,
    &rules::PF215,
    &rules::PF224,
    &rules::PF305,
    &rules::PF307,
    &rules::PF308,
];

impl Enabled {
    fn new(opts: &FixOptions) -> Enabled {
        let mut codes = [false; 13];
        for (i, r) in FIXABLE.iter().enumerate() {
            codes[i] = opts.policy.enabled(r);
        }
        let mut e = Enabled {
            unsafe_fixes: opts.unsafe_fixes,
            codes,
            per_value: PerValue {
                pf203: false,
                pf207: false,
                pf215_on: false,
                pf215: false,
                pf224_on: false,
                pf224: false,
            },
        };
        e.per_value = PerValue {
            pf203: e.applies(&rules::PF203),
            pf207: e.applies(&rules::PF207),
            pf215_on: e.on(&rules::PF215),
            pf215: e.applies(&rules::PF215),
            pf224_on: e.on(&rules::PF224),
            pf224: e.applies(&rules::PF224),
        };
        e
    }

    /// Whether the rule is on (its fix may still be unsafe: see [`Enabled::applies`]).
    pub fn on(&self, rule: &Rule) -> bool {
        FIXABLE
            .iter()
            .position(|r| r.code == rule.code)
            .is_some_and(|i| self.codes[i])
    }

    /// Whether the rule's fix is applied: on, and safe or unsafe fixes allowed.
    pub fn applies(&self, rule: &Rule) -> bool {
        self.on(rule) && (rule.fix == Some(Applicability::Safe) || self.unsafe_fixes)
    }
}

/// Shortens a line for the report.
pub(crate) fn shown(line: &[u8]) -> String {
    const MAX: usize = 120;
    let s = String::from_utf8_lossy(line);
    let mut out: String = s
        .chars()
        .take(MAX)
        .map(|c| {
            if c.is_control() || c == '\u{feff}' {
                '·'
            } else {
                c
            }
        })
        .collect();
    if s.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// An output `fix_into` can read back. The dataset-level unsafe fixes (PF305, PF307, PF308)
/// know what to drop or rename only once the whole file is read, so the first pass writes
/// straight to the output and, only when something is to be dropped or renamed, reads it back
/// and writes it again: a file with nothing to drop or rename costs no second copy.
pub trait Rewrite: Write {
    /// Hands over everything written so far, as a reader from its start, and leaves the
    /// output empty for what is written next.
    fn take_written(&mut self) -> io::Result<Box<dyn Read + Send>>;

    /// Writes a whole block the caller has no more use for. An output that keeps a copy of
    /// what is written (to validate it as it goes) takes the block instead of copying it.
    fn write_block(&mut self, block: Vec<u8>) -> io::Result<()> {
        self.write_all(&block)
    }
}

impl Rewrite for Vec<u8> {
    fn take_written(&mut self) -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(io::Cursor::new(std::mem::take(self))))
    }
}

/// A plain writer made a [`Rewrite`]: everything goes to a temporary file in `dir` first
/// (created on the first write), copied to the writer at the end unless it was taken back.
struct Spooled<'a> {
    out: &'a mut dyn Write,
    dir: &'a Path,
    spool: Option<io::BufWriter<tempfile::NamedTempFile>>,
    taken: bool,
}

impl Spooled<'_> {
    fn spool(&mut self) -> io::Result<&mut io::BufWriter<tempfile::NamedTempFile>> {
        if self.spool.is_none() {
            let f = tempfile::Builder::new()
                .prefix(".preflight-fix-")
                .suffix(".csv.part")
                .tempfile_in(self.dir)?;
            self.spool = Some(io::BufWriter::with_capacity(1 << 20, f));
        }
        Ok(self.spool.as_mut().expect("just made"))
    }

    /// The spooled file, from its start (None when nothing was written).
    fn rewound(&mut self) -> io::Result<Option<tempfile::NamedTempFile>> {
        let Some(w) = self.spool.take() else {
            return Ok(None);
        };
        let mut f = w.into_inner().map_err(|e| e.into_error())?;
        f.seek(io::SeekFrom::Start(0))?;
        Ok(Some(f))
    }

    /// Copies what is still spooled to the writer.
    fn finish(mut self) -> io::Result<()> {
        if let Some(mut f) = self.rewound()? {
            io::copy(&mut f, self.out)?;
        }
        Ok(())
    }
}

impl Write for Spooled<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.taken {
            self.out.write(buf)
        } else {
            self.spool()?.write(buf)
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.taken {
            self.out.flush()
        } else {
            Ok(())
        }
    }
}

impl Rewrite for Spooled<'_> {
    fn take_written(&mut self) -> io::Result<Box<dyn Read + Send>> {
        let f = self.rewound()?;
        self.taken = true;
        Ok(match f {
            Some(f) => Box::new(f),
            None => Box::new(io::empty()),
        })
    }
}

/// Fixes one input, writing the result to `out`. `spool_dir` holds the temporary copy the
/// dataset-level unsafe fixes need when they apply (next to the output, so that it is on the
/// same disk); `cancel` stops the fix between blocks. A caller whose output can be read back
/// saves that copy with [`fix_into`].
pub fn fix(
    schema_source: &SchemaSource,
    input: &InputFile,
    out: &mut dyn Write,
    spool_dir: &Path,
    opts: &FixOptions,
    cancel: &AtomicBool,
) -> Result<FixSummary, FixError> {
    if !opts.unsafe_fixes {
        // No dataset-level fix can apply: nothing is ever read back.
        return fix_into(schema_source, input, &mut Direct(out), opts, cancel);
    }
    let mut spooled = Spooled {
        out,
        dir: spool_dir,
        spool: None,
        taken: false,
    };
    let summary = fix_into(schema_source, input, &mut spooled, opts, cancel)?;
    spooled.finish().map_err(FixError::Write)?;
    Ok(summary)
}

/// A writer that is never read back (safe fixes only).
struct Direct<'a>(&'a mut dyn Write);

impl Write for Direct<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Rewrite for Direct<'_> {
    fn take_written(&mut self) -> io::Result<Box<dyn Read + Send>> {
        Err(io::Error::other("this output cannot be read back"))
    }
}

/// Fixes one input, writing the result to `out`, which the dataset-level unsafe fixes read
/// back when they drop or rename records (see [`Rewrite`]); `cancel` stops the fix between
/// blocks.
pub fn fix_into(
    schema_source: &SchemaSource,
    input: &InputFile,
    out: &mut dyn Rewrite,
    opts: &FixOptions,
    cancel: &AtomicBool,
) -> Result<FixSummary, FixError> {
    let enabled = Enabled::new(opts);
    let read_err = |e| FixError::Read {
        path: input.name.clone(),
        source: e,
    };
    let mut blocks = BlockReader::new(input.open().map_err(read_err)?, opts.block_size.max(1));
    let Some(first) = blocks.next_block().map_err(read_err)? else {
        return Ok(FixSummary::default());
    };
    if engine::sniff_format(&first.buf, &input.name).is_some() {
        // Not a CSV file preflight reads: copied as it is, the findings say why.
        out.write_all(&first.buf).map_err(FixError::Write)?;
        while let Some(b) = blocks.next_block().map_err(read_err)? {
            out.write_all(&b.buf).map_err(FixError::Write)?;
        }
        return Ok(FixSummary {
            not_csv: true,
            ..FixSummary::default()
        });
    }
    let mut tallies = Tallies::default();
    let (head, rest) = header::split_first_line(&first.buf);
    let head_line = header::strip_line(head);
    let names = header::names(head_line.body);
    // The schema the engine would check this file against (a built-in one adapted to it).
    let mut scratch = Collector::new(opts.policy.clone());
    let schema = engine::schema_for(schema_source, &names, &mut scratch)?;
    let plan = header::Plan::new(
        &head_line,
        schema.as_ref(),
        &enabled,
        opts.examples,
        &mut tallies,
    );

    let dataset = dedupe::Dataset::new(&plan, schema.as_ref(), &enabled);
    {
        out.write_all(&plan.header_out).map_err(FixError::Write)?;
        let mut pass = lines::Pass::new(&plan, &enabled, opts, dataset.as_ref())?;
        let n = pass.batch_len();
        // Batches of one block per worker: while the workers fix one, this thread writes the
        // one before and reads the one after.
        let mut read_batch = |batch: &mut Vec<Vec<u8>>| -> Result<(), FixError> {
            while batch.len() < n {
                match blocks.next_block().map_err(read_err)? {
                    Some(b) => batch.push(b.buf),
                    None => break,
                }
            }
            Ok(())
        };
        let mut batch = vec![rest.to_vec()];
        drop(first);
        read_batch(&mut batch)?;
        let pool = pass.pool();
        let mut pending: Option<Vec<lines::BlockOut>> = None;
        while !batch.is_empty() {
            if cancel.load(Ordering::Relaxed) {
                return Err(FixError::Interrupted);
            }
            let fixer = pass.fixer(batch.len());
            let mut fixed = Vec::new();
            let mut next = Vec::with_capacity(n);
            let mut step = |next: &mut Vec<Vec<u8>>| -> Result<(), FixError> {
                if let Some(p) = pending.take() {
                    pass.absorb(p, out, &mut tallies)?;
                }
                read_batch(next)
            };
            let work = std::mem::take(&mut batch);
            let stepped = match pool.as_deref() {
                Some(pool) => pool.in_place_scope(|s| {
                    s.spawn(|_| fixed = fixer.fix(work, Some(pool)));
                    step(&mut next)
                }),
                None => {
                    fixed = fixer.fix(work, None);
                    step(&mut next)
                }
            };
            stepped?;
            pending = Some(fixed);
            batch = next;
        }
        if let Some(p) = pending.take() {
            pass.absorb(p, out, &mut tallies)?;
        }
        let (records_in, records_out_pass1, facts) = pass.finish();
        let mut summary_in = records_in;
        let mut records_out = records_out_pass1;
        if let Some(dataset) = dataset {
            let facts = facts.expect("a dataset pass keeps facts");
            records_out = dataset.finish(facts, &plan, out, opts.examples, &mut tallies, cancel)?;
        }
        if plan.first_line_is_data {
            // No header: the first line is a record, read and written as the others are.
            summary_in += 1;
            records_out += 1;
        }
        let mut changes: Vec<Change> = tallies
            .by_rule
            .into_iter()
            .filter(|(_, t)| t.changed > 0 || t.dropped > 0)
            .map(|(rule, t)| Change {
                rule,
                applicability: rule.fix.unwrap_or(Applicability::Safe),
                changed: t.changed,
                dropped: t.dropped,
                examples: t.examples,
            })
            .collect();
        changes.sort_by_key(|c| c.rule.code);
        let mut unsafe_available = tallies.skipped;
        unsafe_available.sort_by_key(|(r, _)| r.code);
        Ok(FixSummary {
            changes,
            records_in: summary_in,
            records_out,
            unsafe_available,
            not_csv: false,
        })
    }
}

#[cfg(test)]
mod tests;
