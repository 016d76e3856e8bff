//! The checking engine: schema, then each file's header, then its records in parallel blocks,
//! then the dataset-level checks, all in one read of each input.

pub(crate) mod blocks;
pub(crate) mod dataset;
pub(crate) mod header;
pub(crate) mod plan;
mod row;

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc;

use blocks::{Block, BlockReader};
use dataset::{BlockMap, DatasetAcc, Shared};
use row::{check_block, BlockOut, FileCtx, Keys};

use crate::diagnostic::{make_snippet, quote_value, Diagnostic, Location};
use crate::input::InputFile;
use crate::lines::LineSet;
use crate::plan::keys::Capture;
use crate::report::{Collector, FileSummary, Policy, Report};
use crate::rules;
use crate::schema::{
    builtin, check_schema, load_schema, spec, DatasetType, Domain, Schema, SchemaError,
};

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
        }
    }
}

/// Where the schema comes from.
#[derive(Debug, Clone)]
pub enum SchemaSource {
    /// A schema file's text (any of the three JSON shapes).
    Text {
        /// The JSON text.
        text: String,
        /// Its path, for findings.
        source: String,
        /// `--dataset-type`, if given.
        dataset_type: Option<DatasetType>,
        /// `--domain`, if given.
        domain: Option<Domain>,
        /// The schema of an existing dataset (DescribeSchema): Personalize accepted it, so its
        /// findings are at most warnings (see [`Collector::push_accepted_schema`]).
        accepted: bool,
    },
    /// A built-in schema, adapted to the first file's header.
    Builtin {
        /// The dataset type.
        dataset_type: DatasetType,
        /// The domain, or custom.
        domain: Option<Domain>,
    },
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
        /// The input.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A built-in schema that does not exist (Actions in a domain).
    #[error("there is no built-in {dataset_type} schema for the {domain} domain (actions exist only in custom dataset groups)")]
    NoBuiltin {
        /// The type.
        dataset_type: DatasetType,
        /// The domain.
        domain: Domain,
    },
    /// The thread pool could not start.
    #[error("failed to start {threads} worker threads: {message}")]
    Threads {
        /// Requested.
        threads: usize,
        /// Why.
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

fn describe(
    schema: Option<&Schema>,
    source: &SchemaSource,
) -> (Option<String>, Option<String>, Option<String>) {
    match schema {
        Some(s) => (
            Some(s.dataset_type.api_name().into()),
            s.domain.map(|d| d.api_name().into()),
            Some(s.source.clone()),
        ),
        None => match source {
            SchemaSource::Text { source, .. } => (None, None, Some(source.clone())),
            SchemaSource::Builtin {
                dataset_type,
                domain,
            } => (
                Some(dataset_type.api_name().into()),
                domain.map(|d| d.api_name().into()),
                None,
            ),
        },
    }
}

/// Loads and checks the schema; built-ins are adapted to `header` (the first file's header).
fn resolve_schema(
    source: &SchemaSource,
    header: Option<&[String]>,
    collector: &mut Collector,
) -> Result<Option<Schema>, Error> {
    match source {
        SchemaSource::Text {
            text,
            source,
            dataset_type,
            domain,
            accepted,
        } => {
            let loaded = load_schema(text, source, *dataset_type, *domain)?;
            let checked = loaded
                .schema
                .as_ref()
                .map(|s| check_schema(s, text))
                .unwrap_or_default();
            for d in loaded.diagnostics.into_iter().chain(checked) {
                if *accepted {
                    collector.push_accepted_schema(d);
                } else {
                    collector.push_schema(d);
                }
            }
            Ok(loaded.schema)
        }
        SchemaSource::Builtin {
            dataset_type,
            domain,
        } => {
            let schema = builtin(*dataset_type, *domain, header).ok_or(Error::NoBuiltin {
                dataset_type: *dataset_type,
                domain: domain.unwrap_or(Domain::Ecommerce),
            })?;
            let text = crate::schema::builtin_text(*dataset_type, *domain).unwrap_or_default();
            for d in check_schema(&schema, text) {
                // The adapted schema's findings are about the CSV, not a file the user has.
                collector.push_schema(d);
            }
            Ok(Some(schema))
        }
    }
}

/// Validates the inputs of one import against a schema. `extra` holds findings from resolving
/// the inputs (sub-folders, non-CSV files).
pub fn validate(
    schema_source: &SchemaSource,
    inputs: &[InputFile],
    extra: Vec<Diagnostic>,
    opts: &Options,
) -> Result<Report, Error> {
    check(schema_source, inputs, extra, opts, None, None).map(Checked::into_report)
}

/// A finished check whose report is not built yet, so that the plan can add its findings.
#[derive(Debug)]
pub(crate) struct Checked {
    pub collector: Collector,
    pub files: Vec<FileSummary>,
    /// The resolved schema.
    pub schema: Option<Schema>,
    /// Action interactions: Next-Best-Action's per-action counts.
    pub actions: Option<crate::training::ActionWindow>,
    /// A plan's check of an interactions dataset: the inputs of the limits it judges itself
    /// (PF301–PF306), on what the dataset holds after the job.
    pub limits: Option<Limits>,
    describe: (Option<String>, Option<String>, Option<String>),
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
pub(crate) struct Limits {
    /// Records, event types, optional metadata columns, domain.
    pub acc: DatasetAcc,
    /// Distinct users.
    pub users: u64,
    /// Users with two interactions or more.
    pub repeat: u64,
}

impl Limits {
    /// Judges the limits into `collector`.
    pub fn judge(&self, collector: &mut Collector) {
        self.acc
            .interaction_limits(self.users, self.repeat, collector);
    }
}

/// [`validate`], optionally capturing each keyed record for the plan (`capture`), and the
/// per-value counts of the insights (`insight`); both off, and free, for a plain validation.
/// With a capture, the limits of an interactions dataset are left to the plan
/// ([`Checked::limits`]).
pub(crate) fn check(
    schema_source: &SchemaSource,
    inputs: &[InputFile],
    extra: Vec<Diagnostic>,
    opts: &Options,
    mut capture: Option<&mut Capture>,
    mut insight: Option<&mut crate::insights::tally::Capture>,
) -> Result<Checked, Error> {
    let mut collector = Collector::new(opts.policy.clone());
    for d in extra {
        collector.push_file(0, d);
    }
    let threads = thread_count(opts.threads);
    let pool = thread_pool(opts.threads)?;

    let mut schema: Option<Schema> = None;
    let mut schema_resolved = false;
    if matches!(schema_source, SchemaSource::Text { .. }) {
        schema = resolve_schema(schema_source, None, &mut collector)?;
        schema_resolved = true;
    }

    let mut acc: Option<DatasetAcc> = None;
    let mut shared: Option<Shared> = None;
    let mut map = BlockMap::default();
    let mut next_block = 0u64;
    let expected_bytes: u64 = inputs
        .iter()
        .map(|i| match &i.source {
            crate::input::Source::Path(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
            crate::input::Source::Bytes(b) => b.len() as u64,
            crate::input::Source::Stdin => 1 << 30,
            crate::input::Source::Reader(r) => r.size_hint.unwrap_or(1 << 30),
        })
        .sum();
    let mut files = Vec::new();
    let mut first_header: Option<(String, Vec<String>)> = None;

    for (file_idx, input) in inputs.iter().enumerate() {
        map.files.push(input.name.clone());
        let reader = input.open().map_err(|e| Error::Read {
            path: input.name.clone(),
            source: e,
        })?;
        let mut blocks = BlockReader::new(reader, opts.block_size);
        let first = blocks.next_block().map_err(|e| Error::Read {
            path: input.name.clone(),
            source: e,
        })?;
        let mut summary = FileSummary {
            path: input.name.clone(),
            bytes: 0,
            lines: 0,
            records: 0,
            header: Vec::new(),
        };
        let Some(first) = first else {
            let d = if input.in_folder {
                let name = input.name.rsplit('/').next().unwrap_or(&input.name);
                let spark = if name == "_SUCCESS" {
                    " (Spark writes it when a job succeeds; `spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs=false` turns it off)"
                } else {
                    ""
                };
                Diagnostic::new(
                    &rules::PF011,
                    format!("`{name}` is empty (0 bytes), and Personalize reads every first-level object of the folder as part of the import"),
                )
                .with_help(format!(
                    "delete it, or move it into a sub-folder, before importing{spark}; `stage` and `run` can name the data files instead of the folder (`out/part-*`)"
                ))
            } else {
                Diagnostic::new(&rules::PF001, "the file is empty").with_help(
                    "remove the empty file from the import, or write the header and records",
                )
            };
            collector.push_file(file_idx, d.in_file(&input.name));
            files.push(summary);
            // A built-in schema is adapted to the first header: an empty file (Spark's
            // `_SUCCESS` sorts before `part-00000`) has none, so the next file decides, or the
            // built-in schema as it is after the last file.
            continue;
        };
        if let Some(d) = sniff_format(&first.buf, &input.name) {
            collector.push_file(file_idx, d);
            summary.bytes = first.buf.len() as u64;
            files.push(summary);
            continue;
        }

        // Header.
        let buf = &first.buf;
        let nl = memchr::memchr(b'\n', buf);
        let header_end = nl.unwrap_or(buf.len());
        let mut header = &buf[..header_end];
        let header_crlf = nl.is_some() && header.last() == Some(&b'\r');
        if header.last() == Some(&b'\r') {
            header = &header[..header.len() - 1];
        }
        let mut bom = 0;
        if header.starts_with(b"\xEF\xBB\xBF") {
            bom = 3;
            header = &header[3..];
            collector.push_file(
                file_idx,
                Diagnostic::new(&rules::PF103, "the file starts with a UTF-8 byte order mark (EF BB BF)")
                    .with_help("save the file as UTF-8 without BOM (for example `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)")
                    .at(Location { file: Some(input.name.clone()), line: Some(1), column: Some(1), byte: Some(0), ..Location::default() })
                    .with_snippet(make_snippet(header, 0, 0, 100)),
            );
        }
        if let Err(e) = std::str::from_utf8(header) {
            let at = e.valid_up_to();
            collector.push_file(
                file_idx,
                Diagnostic::new(&rules::PF002, "invalid UTF-8 in the header")
                    .with_help("re-export the file as UTF-8")
                    .at(Location {
                        file: Some(input.name.clone()),
                        line: Some(1),
                        byte: Some((bom + at) as u64),
                        ..Location::default()
                    })
                    .with_snippet(make_snippet(header, at, at + 1, 100)),
            );
        }
        let names = header::header_names(header);
        if !schema_resolved {
            if let SchemaSource::Builtin {
                dataset_type,
                domain,
            } = schema_source
            {
                if input.in_folder && !names_a_field(*dataset_type, *domain, &names) {
                    // Not a header of this dataset type: a README or notes file in the folder
                    // (Personalize reads it too). It is reported, and must not decide the
                    // built-in schema the real files are checked against.
                    let as_is = builtin(*dataset_type, *domain, None);
                    for d in header::analyse(&input.name, header, bom, as_is.as_ref()).diags {
                        collector.push_file(file_idx, d);
                    }
                    summary.bytes = first.buf.len() as u64;
                    summary.header = names;
                    files.push(summary);
                    continue;
                }
            }
            schema = resolve_schema(schema_source, Some(&names), &mut collector)?;
            schema_resolved = true;
        }
        let info = header::analyse(&input.name, header, bom, schema.as_ref());
        // A first line that names no schema field (PF101) is no reference for PF109.
        let is_header = !info.diags.iter().any(|d| d.rule.code == rules::PF101.code);
        for d in info.diags {
            collector.push_file(file_idx, d);
        }
        match &first_header {
            _ if !is_header => {}
            None => first_header = Some((input.name.clone(), info.names.clone())),
            Some((first_name, first_names)) if *first_names != info.names => {
                collector.push_file(
                    file_idx,
                    Diagnostic::new(
                        &rules::PF109,
                        format!(
                            "the header {} differs from the header of `{first_name}`",
                            quote_value(header, 120)
                        ),
                    )
                    .with_help(format!(
                        "every file of one import must have the same header: {}",
                        first_names.join(",")
                    ))
                    .at(Location {
                        file: Some(input.name.clone()),
                        line: Some(1),
                        byte: Some(0),
                        ..Location::default()
                    })
                    .with_snippet(make_snippet(
                        header,
                        0,
                        header.len().min(60),
                        100,
                    )),
                );
            }
            Some(_) => {}
        }
        summary.header = info.names.clone();

        let dataset_type = schema.as_ref().map(|s| s.dataset_type);
        let acc = acc.get_or_insert_with(|| {
            let mut a = DatasetAcc::new(dataset_type, schema.as_ref().and_then(|s| s.domain));
            if let Some(s) = item_interactions_schema(schema.as_ref()) {
                a.limit_fields = s
                    .fields
                    .iter()
                    .filter(|f| spec::counts_toward_event_type_limit(s.domain, &f.name))
                    .map(|f| f.name.clone())
                    .collect();
            }
            a
        });
        let find = |n: &str| info.plan.iter().position(|p| p.name == n);
        let keys = match dataset_type {
            Some(t) if t.is_interactions() => Keys {
                interactions: true,
                user: find("USER_ID"),
                id: None,
                timestamp: find("TIMESTAMP"),
                event_type: find("EVENT_TYPE"),
                action: find("ACTION_ID").filter(|_| t == DatasetType::ActionInteractions),
            },
            Some(t) => Keys {
                id: t.id_field().and_then(find),
                ..Keys::default()
            },
            None => Keys::default(),
        };
        let shared = shared.get_or_insert_with(|| {
            Shared::new(dataset_type, opts.policy.max_per_rule, expected_bytes / 40)
        });
        acc.id_names.push(
            keys.id
                .and_then(|c| info.plan.get(c))
                .map(|p| p.name.clone())
                .unwrap_or_default(),
        );
        acc.id_cols.push(keys.id);
        let keyer = match (capture.as_deref_mut(), dataset_type) {
            (Some(c), Some(t)) => Some(c.keyer(&info.plan, t)),
            _ => None,
        };
        let tally = match (insight.as_deref_mut(), dataset_type) {
            (Some(c), Some(t)) => Some(c.file(&info.plan, t)),
            _ => None,
        };
        let ctx = FileCtx {
            file: &input.name,
            plan: &info.plan,
            policy: &opts.policy,
            now: opts.now,
            keys,
            shared,
            lines: opts.lines.get(&input.name),
            keyer: keyer.as_ref(),
            tally: tally.as_ref(),
        };
        let data_start = if info.first_line_is_data {
            0
        } else {
            nl.map_or(buf.len(), |p| p + 1)
        };
        let header_lines = u64::from(!info.first_line_is_data);
        // The records' blocks count their own CRLFs; a header line's is counted here.
        let header_crlf = header_crlf && !info.first_line_is_data;

        let mut state = MergeState {
            next_line: header_lines + 1,
            records: 0,
            crlf: u64::from(header_crlf),
            first_crlf: header_crlf.then_some((1, 0)),
            bytes: 0,
        };
        let map_ref = &mut map;
        let mut merge = |mut out: BlockOut, block: &Block, collector: &mut Collector| {
            if let Some(c) = capture.as_deref_mut() {
                c.absorb(&mut out.acc.plan);
            }
            if let Some(c) = insight.as_deref_mut() {
                c.tally.merge(std::mem::take(&mut out.acc.insights));
            }
            map_ref.blocks.push((file_idx, state.next_line));
            state.merge(out, block, file_idx, acc, collector);
        };
        let first = Block {
            buf: first.buf,
            offset: first.offset,
        };
        let used = run_blocks(
            &mut blocks,
            first,
            data_start,
            header_lines + 1,
            &ctx,
            pool.as_ref(),
            threads,
            next_block,
            &mut collector,
            &mut merge,
        )
        .map_err(|e| Error::Read {
            path: input.name.clone(),
            source: e,
        })?;
        next_block += used;

        if state.crlf > 0 {
            let (line, byte) = state.first_crlf.unwrap_or((1, 0));
            collector.push_file(
                file_idx,
                Diagnostic::new(
                    &rules::PF005,
                    format!(
                        "{} line{} end with CRLF (\\r\\n), the first on line {line}",
                        state.crlf,
                        if state.crlf == 1 { "" } else { "s" }
                    ),
                )
                .with_help("convert the file to LF line endings (for example `dos2unix FILE`)")
                .at(Location {
                    file: Some(input.name.clone()),
                    line: Some(line),
                    byte: Some(byte),
                    ..Location::default()
                }),
            );
        }
        if state.records == 0 {
            collector.push_file(
                file_idx,
                Diagnostic::new(&rules::PF009, "the file has a header but no records")
                    .with_help("remove the file from the import, or check the export that wrote it")
                    .in_file(&input.name),
            );
        }
        summary.bytes = state.bytes;
        summary.lines = state.next_line - 1;
        summary.records = state.records;
        acc.records += state.records;
        files.push(summary);
    }

    if !schema_resolved {
        schema = resolve_schema(schema_source, None, &mut collector)?;
    }
    let mut limits = None;
    let mut actions = None;
    if let (Some(mut acc), Some(shared)) = (acc, shared) {
        let deferred = acc
            .finish(
                shared,
                &map,
                &mut collector,
                pool.as_ref(),
                capture.is_some(),
            )
            .map_err(|e| Error::Read {
                path: "temporary files".into(),
                source: e,
            })?;
        if acc.dataset_type == Some(DatasetType::ActionInteractions) {
            actions = Some(std::mem::take(&mut acc.actions));
        }
        limits = deferred.map(|(users, repeat)| Limits { acc, users, repeat });
    }
    let describe = describe(schema.as_ref(), schema_source);
    Ok(Checked {
        collector,
        files,
        schema,
        actions,
        limits,
        describe,
    })
}

/// Whether a header names any required or reserved field of the dataset type (ignoring case and
/// spaces): the first such header adapts a built-in schema.
fn names_a_field(ty: DatasetType, domain: Option<Domain>, names: &[String]) -> bool {
    spec::fields_for(ty, domain)
        .iter()
        .any(|f| names.iter().any(|n| n.trim().eq_ignore_ascii_case(f.name)))
}

/// The schema, if it is an Item interactions schema (the only type with PF304's limit).
fn item_interactions_schema(schema: Option<&Schema>) -> Option<&Schema> {
    schema.filter(|s| s.dataset_type == DatasetType::Interactions)
}

/// Worker threads for a `--threads` setting (0: one per core).
fn thread_count(threads: usize) -> usize {
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

/// Sums per-file facts as blocks are merged in order.
struct MergeState {
    next_line: u64,
    records: u64,
    crlf: u64,
    first_crlf: Option<(u64, u64)>,
    bytes: u64,
}

impl MergeState {
    fn merge(
        &mut self,
        out: BlockOut,
        block: &Block,
        file_idx: usize,
        acc: &mut DatasetAcc,
        collector: &mut Collector,
    ) {
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
    }
}

/// Checks blocks in parallel (or inline with one thread) and merges them strictly in order.
#[expect(clippy::too_many_arguments, reason = "pipeline wiring")]
fn run_blocks<R: std::io::Read>(
    reader: &mut BlockReader<R>,
    first: Block,
    first_start: usize,
    first_line: u64,
    ctx: &FileCtx<'_>,
    pool: Option<&rayon::ThreadPool>,
    threads: usize,
    first_block: u64,
    collector: &mut Collector,
    merge: &mut dyn FnMut(BlockOut, &Block, &mut Collector),
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
    let (tx, rx) = mpsc::channel::<(usize, BlockOut, Block)>();
    let mut result = Ok(());
    let mut count = 0u64;
    pool.in_place_scope(|scope| {
        let mut pending: BTreeMap<usize, (BlockOut, Block)> = BTreeMap::new();
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

fn drain<R: std::io::Read>(
    pending: &mut BTreeMap<usize, (BlockOut, Block)>,
    next_merge: &mut usize,
    collector: &mut Collector,
    merge: &mut dyn FnMut(BlockOut, &Block, &mut Collector),
    reader: &mut BlockReader<R>,
) {
    while let Some((out, block)) = pending.remove(next_merge) {
        merge(out, &block, collector);
        reader.recycle(block.buf);
        *next_merge += 1;
    }
}

/// Recognises files that are not plain UTF-8 CSV from their first bytes.
pub(crate) fn sniff_format(head: &[u8], file: &str) -> Option<Diagnostic> {
    let (rule, what, help) = if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        (
            &rules::PF003,
            "UTF-16 (it starts with a UTF-16 byte order mark)",
            "re-save the file as UTF-8 (for example `iconv -f utf-16 -t utf-8`)",
        )
    } else if head.starts_with(&[0x1F, 0x8B]) {
        (
            &rules::PF004,
            "gzip-compressed",
            "decompress it (`gunzip`) before importing: Personalize reads plain CSV",
        )
    } else if head.starts_with(b"PK\x03\x04") {
        (
            &rules::PF004,
            "a zip archive",
            "extract the CSV files before importing",
        )
    } else if head.starts_with(b"BZh") && head.len() > 3 && head[3].is_ascii_digit() {
        (
            &rules::PF004,
            "bzip2-compressed",
            "decompress it before importing",
        )
    } else if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        (
            &rules::PF004,
            "zstd-compressed",
            "decompress it before importing",
        )
    } else if head.starts_with(b"PAR1") {
        (
            &rules::PF004,
            "a Parquet file",
            "export the data as CSV: dataset import jobs read CSV only",
        )
    } else if head.starts_with(b"crc\0") {
        (
            &rules::PF004,
            "a Hadoop checksum file (`.crc`, written by Spark or Hadoop next to each file on a local or HDFS file system)",
            "delete the `.crc` files from the folder before staging or importing it: they are not data",
        )
    } else if head.starts_with(b"\0\0\0\x01Bud1") {
        (
            &rules::PF004,
            "a macOS Finder file (`.DS_Store`)",
            "delete it from the folder before staging or importing it: it is not data",
        )
    } else {
        return None;
    };
    Some(
        Diagnostic::new(rule, format!("the file is {what}"))
            .with_help(help)
            .at(Location {
                file: Some(file.to_string()),
                line: Some(1),
                byte: Some(0),
                ..Location::default()
            }),
    )
}
