//! The checking engine: schema, then each file's header, then its records in parallel blocks,
//! then the dataset-level checks, all in one read of each input.
//!
//! - [`schema_source`]: where the schema comes from; loaded and checked once.
//! - [`head`]: a file's first bytes: empty, not CSV, byte order mark, the header and the
//!   built-in schema it adapts.
//! - [`header`] and [`columns`]: the header's rules, and what to check in each column.
//! - [`records`], [`pipeline`] and [`blocks`]: a file's records in blocks of whole lines,
//!   checked in parallel and merged strictly in file order.
//! - [`row`] and [`value`]: one block's lines, records and values: the hot loop.
//! - [`dataset`]: per-block facts merged in order, and the dataset-level checks.
//! - [`observer`]: what else watches the records (the plan's keys, the insights' counts). The
//!   engine calls it and never names it.

pub(crate) mod blocks;
pub(crate) mod columns;
pub(crate) mod dataset;
mod head;
pub(crate) mod header;
pub(crate) mod observer;
mod pipeline;
mod records;
mod row;
pub(crate) use row::{FieldCx, FieldOut};
mod schema_source;
mod value;

use std::collections::HashMap;

use dataset::{BlockMap, DatasetAcc, Shared};
pub(crate) use head::sniff_format;
use observer::{NoObserver, Observer};
pub use schema_source::SchemaSource;
use schema_source::{describe, resolve_schema, Described};

use crate::diagnostic::Diagnostic;
use crate::input::InputFile;
use crate::line_filter::LineSet;
use crate::report::{Collector, FileSummary, Policy, Report};
use crate::schema::{DatasetType, Domain, Schema, SchemaError};

/// How to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Target block size in bytes.
    pub block_size: usize,
    /// Severity overrides and the per-rule cap.
    pub policy: Policy,
    /// "Now", in epoch seconds, for the future-timestamp rule.
    pub now: i64,
    /// Line filters by input name: row-level findings (each record's field, quoting and line
    /// checks) of an input named here are reported only on its lines in the set, and findings
    /// on other lines are neither kept nor counted. File-, header- and dataset-level checks
    /// still see every line. Inputs not named here are not filtered.
    pub lines: HashMap<String, LineSet>,
    /// Where temporary files go (spilled duplicate checks, the plan's partitions); `None`: the
    /// system's temporary folder (`$TMPDIR`).
    pub temp_dir: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: 0,
            block_size: 8 << 20,
            policy: Policy::default(),
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            lines: HashMap::new(),
            temp_dir: None,
        }
    }
}

/// A failure that stops the run (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The schema is not JSON.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// An input could not be read.
    #[error("failed to read `{path}`: {source}")]
    Read {
        /// The input as the user named it.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A built-in schema that does not exist (Actions in a domain).
    #[error("there is no built-in {dataset_type} schema for the {domain} domain (actions exist only in custom dataset groups)")]
    NoBuiltin {
        /// The dataset type asked for.
        dataset_type: DatasetType,
        /// The domain asked for, which has no such dataset.
        domain: Domain,
    },
    /// The thread pool could not start.
    #[error("failed to start {threads} worker threads: {message}")]
    Threads {
        /// The number of threads asked for (`--threads`).
        threads: usize,
        /// The thread pool's error.
        message: String,
    },
}

/// Checks only a schema.
pub fn check_schema_source(schema: &SchemaSource, policy: Policy) -> Result<Report, Error> {
    let mut collector = Collector::new(policy);
    let resolved = resolve_schema(schema, None, &mut collector)?;
    let (ty, domain, src) = describe(resolved.as_ref(), schema);
    Ok(Report::build(collector, Vec::new(), ty, domain, src))
}

/// Validates the inputs of one import against a schema. `extra` holds findings from resolving
/// the inputs (sub-folders, non-CSV files).
pub fn validate(
    schema_source: &SchemaSource,
    inputs: &[InputFile],
    extra: Vec<Diagnostic>,
    opts: &Options,
) -> Result<Report, Error> {
    check(
        schema_source,
        inputs,
        extra,
        opts,
        &mut NoObserver,
        Limits::Judge,
    )
    .map(Checked::into_report)
}

/// Who judges the limits of an Item interactions dataset (PF301–PF306).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limits {
    /// The engine, on the files checked.
    Judge,
    /// The caller: [`Checked::limits`] holds their inputs. The plan judges them on what the
    /// dataset holds after the job.
    Defer,
}

/// A finished check whose report is not built yet, so that its caller can add findings.
#[derive(Debug)]
pub(crate) struct Checked {
    pub collector: Collector,
    pub files: Vec<FileSummary>,
    /// The resolved schema.
    pub schema: Option<Schema>,
    /// With [`Limits::Defer`], for an Item interactions dataset: the inputs of its limits.
    pub limits: Option<InteractionLimits>,
    describe: Described,
}

impl Checked {
    pub fn into_report(self) -> Report {
        let (ty, domain, src) = self.describe;
        Report::build(self.collector, self.files, ty, domain, src)
    }
}

/// The inputs of an interactions dataset's limits (PF301–PF306): its records and event types
/// (with the schema's optional metadata and domain), and its users.
#[derive(Debug)]
pub(crate) struct InteractionLimits {
    /// Records, event types, optional metadata columns, domain.
    pub acc: DatasetAcc,
    /// Distinct users.
    pub users: u64,
    /// Users with two interactions or more.
    pub repeat: u64,
}

impl InteractionLimits {
    /// Judges the limits into `collector`.
    pub fn judge(&self, collector: &mut Collector) {
        self.acc
            .interaction_limits(self.users, self.repeat, collector);
    }
}

/// Checks the inputs of one import against a schema in one read of each, while `observer`
/// watches the records; `limits` says who judges an Item interactions dataset's limits.
pub(crate) fn check<O: Observer>(
    schema_source: &SchemaSource,
    inputs: &[InputFile],
    extra: Vec<Diagnostic>,
    opts: &Options,
    observer: &mut O,
    limits: Limits,
) -> Result<Checked, Error> {
    let mut checker = Checker::new(schema_source, inputs, extra, opts)?;
    for (file_idx, input) in inputs.iter().enumerate() {
        checker.file(file_idx, input, observer)?;
    }
    checker.finish(limits)
}

/// The state of one check across its files.
struct Checker<'a> {
    source: &'a SchemaSource,
    opts: &'a Options,
    collector: Collector,
    threads: usize,
    pool: Option<rayon::ThreadPool>,
    /// The schema, once resolved: a schema file before the first file, a built-in schema at the
    /// first header that names one of its fields (or after the last file).
    schema: Option<Schema>,
    schema_resolved: bool,
    /// The dataset's facts, from the first file with a header on.
    acc: Option<DatasetAcc>,
    shared: Option<Shared>,
    map: BlockMap,
    next_block: u64,
    /// The inputs' size, to size the spill of interaction fingerprints.
    expected_bytes: u64,
    files: Vec<FileSummary>,
    /// The first file with a header, and its names (PF109).
    first_header: Option<(String, Vec<String>)>,
}

impl<'a> Checker<'a> {
    fn new(
        source: &'a SchemaSource,
        inputs: &[InputFile],
        extra: Vec<Diagnostic>,
        opts: &'a Options,
    ) -> Result<Self, Error> {
        let mut collector = Collector::new(opts.policy.clone());
        for d in extra {
            collector.push_file(0, d);
        }
        let threads = thread_count(opts.threads);
        let pool = thread_pool(opts.threads)?;
        let mut schema = None;
        let mut schema_resolved = false;
        if matches!(source, SchemaSource::Text { .. }) {
            schema = resolve_schema(source, None, &mut collector)?;
            schema_resolved = true;
        }
        let expected_bytes = inputs
            .iter()
            .map(|i| match &i.source {
                crate::input::Source::Path(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
                crate::input::Source::Bytes(b) => b.len() as u64,
                crate::input::Source::Stdin => 1 << 30,
                crate::input::Source::Reader(r) => r.size_hint.unwrap_or(1 << 30),
            })
            .sum();
        Ok(Checker {
            source,
            opts,
            collector,
            threads,
            pool,
            schema,
            schema_resolved,
            acc: None,
            shared: None,
            map: BlockMap::default(),
            next_block: 0,
            expected_bytes,
            files: Vec::new(),
            first_header: None,
        })
    }

    /// Checks one input: its head, then its records.
    fn file<O: Observer>(
        &mut self,
        file_idx: usize,
        input: &InputFile,
        observer: &mut O,
    ) -> Result<(), Error> {
        self.map.files.push(input.name.clone());
        let read_err = |e| Error::Read {
            path: input.name.clone(),
            source: e,
        };
        let mut blocks =
            blocks::BlockReader::new(input.open().map_err(read_err)?, self.opts.block_size);
        let first = blocks.next_block().map_err(read_err)?;
        let mut summary = FileSummary {
            path: input.name.clone(),
            bytes: 0,
            lines: 0,
            records: 0,
            header: Vec::new(),
        };
        let cx = FileCx {
            file: &input.name,
            in_folder: input.in_folder,
            head: first.as_ref().map_or(&[][..], |b| &b.buf[..]),
        };
        let mut found = Vec::new();
        crate::rules::hooks::file(self.collector.policy(), &cx, &mut found);
        for d in found {
            self.collector.push_file(file_idx, d);
        }
        let Some(first) = first else {
            self.files.push(summary);
            // A built-in schema is adapted to the first header: an empty file (Spark's
            // `_SUCCESS` sorts before `part-00000`) has none, so the next file decides, or the
            // built-in schema as it is after the last file.
            return Ok(());
        };
        match self.head(file_idx, input, &first.buf, &mut summary)? {
            Some(head) => self.records(file_idx, input, head, first, blocks, summary, observer),
            None => {
                self.files.push(summary);
                Ok(())
            }
        }
    }

    /// The dataset-level checks, once every file is read.
    fn finish(mut self, limits: Limits) -> Result<Checked, Error> {
        if !self.schema_resolved {
            self.schema = resolve_schema(self.source, None, &mut self.collector)?;
        }
        let mut deferred = None;
        if let (Some(acc), Some(shared)) = (self.acc, self.shared) {
            let users = acc
                .finish(
                    shared,
                    &self.map,
                    &mut self.collector,
                    self.pool.as_ref(),
                    limits == Limits::Defer,
                )
                .map_err(|e| Error::Read {
                    path: "temporary files".into(),
                    source: e,
                })?;
            deferred = users.map(|(users, repeat)| InteractionLimits { acc, users, repeat });
        }
        let describe = describe(self.schema.as_ref(), self.source);
        Ok(Checked {
            collector: self.collector,
            files: self.files,
            schema: self.schema,
            limits: deferred,
            describe,
        })
    }
}

/// The schema a file with this header is checked against: a schema file's, or a built-in one
/// adapted to the header (the fixer maps the columns as the header's checks do).
pub(crate) fn schema_for(
    source: &SchemaSource,
    header: &[String],
    collector: &mut Collector,
) -> Result<Option<Schema>, Error> {
    resolve_schema(source, Some(header), collector)
}

/// Worker threads for a `--threads` setting (0: one per core).
pub(crate) fn thread_count(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
}

/// The worker pool for a `--threads` setting; `None` means work inline on one thread.
pub(crate) fn thread_pool(threads: usize) -> Result<Option<rayon::ThreadPool>, Error> {
    let threads = thread_count(threads);
    if threads <= 1 {
        return Ok(None);
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("preflight-{i}"))
        .build()
        .map(Some)
        .map_err(|e| Error::Threads {
            threads,
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests;

/// An input file as the file hooks see it (`rules::hooks::FileHook`), before its first line is
/// read.
#[derive(Debug, Clone, Copy)]
#[allow(
    dead_code,
    reason = "what every hook of the family is given; the hooks of today read only part of it"
)]
pub(crate) struct FileCx<'a> {
    /// The file as the user named it (a folder's file: `folder/name`).
    pub file: &'a str,
    /// Whether it is a first-level object of a data folder the user named (Personalize reads
    /// every one of them).
    pub in_folder: bool,
    /// Its first block of bytes (empty for an empty file).
    pub head: &'a [u8],
}
