//! `preflight plan`: what a FULL or INCREMENTAL import job will do to a dataset that already
//! holds bulk data (docs/personalize.md#import-semantics, docs/personalize.md#existing-bulk-data,
//! docs/personalize.md#the-import; ARCHITECTURE.md#the-plan-follows-the-documented-import-semantics).
//!
//! 1. The new batch is validated by the engine in one read; while checking, the workers key
//!    every well-formed record ([`keys`]): a 128-bit hash of its values parsed by schema type, and
//!    of its ID for items, users and actions. With `--write-*` the records are also spooled to a
//!    temporary file, so writing never reads the inputs again.
//! 2. The batch is deduplicated as Personalize would, in a hash table of its keys
//!    ([`batch::dedupe`]; out of core, per partition: [`grace`]): by ID with the last
//!    occurrence winning (files in the order given, rows in file order), or, for interactions, by
//!    identity with later copies collapsing into the first.
//! 3. The existing data is streamed once in chunks ([`existing`]), each chunk's keys looked up
//!    in the batch's table. A batch record is *added* (new ID), *replaced* (same ID, other values) or
//!    *unchanged* (identical); an interaction is *new* unless it collapses into an identical one,
//!    existing or earlier in the batch. FULL *drops* every existing record the batch lacks.
//! 4. The gates ([`gates`]) become findings of the report, and the limits of an interactions
//!    dataset are judged on what it holds after the job ([`after`]).
//!
//! The existing data is in one of three states ([`Existing`]): given (files, S3, or rebuilt
//! from the import history), known to be empty (the account lists no ACTIVE import, or the user
//! says it is the first import), or unknown. Unknown is the everyday INCREMENTAL case and never
//! an error by itself: the plan then gives bounds, not guesses.

mod after;
mod batch;
mod existing;
mod gates;
mod grace;
mod ids;
pub(crate) mod keys;
mod output;

use std::path::PathBuf;

use batch::IdxSize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{self, columns::column_for, Limits, Options, SchemaSource};
use crate::input::InputFile;
use crate::report::Report;
use crate::schema::DatasetType;
use crate::training::ActionCounts;

use after::AfterJob;
use existing::{ExistingPass, GraceExisting, ABSENT, IDENTICAL, REPLACED};
use grace::NOT_KEPT;
use keys::{header_line, Capture, KeySpec, SpillAt};
use output::{Output, SpoolReader};

pub use ids::IdCounts;

/// The import mode of the job being planned (the crate's one [`ImportMode`] type, under the
/// name the plan's code uses).
pub use crate::import_mode::ImportMode as Mode;

/// What is known about the dataset's bulk data before the job.
#[derive(Debug, Clone, Copy)]
pub enum Existing<'a> {
    /// Its records: files, `s3://` objects, or the sources of its import history.
    Given(&'a [InputFile]),
    /// The dataset holds no bulk data: the account lists no ACTIVE import job, or the user
    /// says this is its first import.
    Empty,
    /// Nothing was given or fetched.
    Unknown,
}

impl Existing<'_> {
    /// The state, without the inputs.
    pub fn state(&self) -> ExistingState {
        match self {
            Existing::Given(_) => ExistingState::Given,
            Existing::Empty => ExistingState::Empty,
            Existing::Unknown => ExistingState::Unknown,
        }
    }
}

/// The state of the existing data a plan was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExistingState {
    /// Given: the plan counts against it.
    Given,
    /// Known to be empty.
    Empty,
    /// Unknown: counts that depend on it are bounds.
    Unknown,
}

impl ExistingState {
    /// `given`, `empty` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExistingState::Given => "given",
            ExistingState::Empty => "empty",
            ExistingState::Unknown => "unknown",
        }
    }
}

/// Data one INCREMENTAL job may hold: 1 GB, read as 10^9 bytes (the stricter reading).
pub const INCREMENTAL_QUOTA_BYTES: u64 = 1_000_000_000;
/// Data one FULL job may hold: 100 GB, read as 10^11 bytes.
pub const FULL_QUOTA_BYTES: u64 = 100_000_000_000;

/// The plan's default memory budget: 1 GiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 1 << 30;

/// How to plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// The job's import mode.
    pub mode: Mode,
    /// The INCREMENTAL size limit (raised quotas exist).
    pub max_incremental_bytes: u64,
    /// The FULL size limit (1 TB with a raised quota).
    pub max_full_bytes: u64,
    /// Write what the dataset holds after the job here.
    pub write_merged: Option<PathBuf>,
    /// Write the batch without its in-batch duplicates here.
    pub write_deduped: Option<PathBuf>,
    /// Replace output files that exist.
    pub force: bool,
    /// Bytes of existing data joined at a time (memory: this much text plus its keys).
    pub chunk_bytes: usize,
    /// Dropped records listed by example.
    pub sample: usize,
    /// Memory the plan's keys may take, in bytes (default 1 GiB). Past it, the keys of the new
    /// batch and of the existing data go to hash partitions in the temporary folder
    /// ([`Options::temp_dir`](crate::Options::temp_dir)), joined one partition at a time, with
    /// the same results.
    pub memory_limit: u64,
}

impl PlanOptions {
    /// Defaults for a mode: the documented quotas, no output files.
    pub fn new(mode: Mode) -> Self {
        PlanOptions {
            mode,
            max_incremental_bytes: INCREMENTAL_QUOTA_BYTES,
            max_full_bytes: FULL_QUOTA_BYTES,
            write_merged: None,
            write_deduped: None,
            force: false,
            chunk_bytes: 256 << 20,
            sample: 10,
            memory_limit: DEFAULT_MEMORY_LIMIT,
        }
    }
}

/// Facts about one existing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingFile {
    /// As named by the user.
    pub path: String,
    /// Bytes read.
    pub bytes: u64,
    /// Records keyed.
    pub records: u64,
    /// Non-blank lines that cannot be a stored record (wrong field count, empty ID); ignored.
    pub unreadable_lines: u64,
}

/// The existing data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingSummary {
    /// Per file, in order.
    pub files: Vec<ExistingFile>,
    /// Records in all files.
    pub records: u64,
    /// Bytes in all files.
    pub bytes: u64,
    /// Unreadable lines in all files.
    pub unreadable_lines: u64,
}

/// The new batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSummary {
    /// Input files in the batch.
    pub files: u64,
    /// Bytes (the job's size).
    pub bytes: u64,
    /// Well-formed records (the plan's input; lines with a wrong field count or an empty ID are
    /// not records).
    pub records: u64,
    /// Records after in-batch deduplication.
    pub distinct: u64,
    /// Records that a later one with the same ID supersedes (ID types), or exact copies of an
    /// earlier record (interactions).
    pub duplicates: u64,
}

/// An existing record a FULL import drops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedRecord {
    /// The existing file.
    pub file: String,
    /// Its 1-based line.
    pub line: u64,
    /// The ID (items, users, actions).
    pub id: Option<String>,
    /// The line (at most 200 bytes).
    pub record: String,
}

/// The users and items (actions) of an interactions import: how many distinct IDs the batch
/// has, and how many of them the existing bulk interactions lack (see [`Plan::ids`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewIdCounts {
    /// `USER_ID`s.
    pub users: IdCounts,
    /// `ITEM_ID`s (item interactions) or `ACTION_ID`s (action interactions).
    pub items: IdCounts,
}

/// A file the plan wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// `merged` or `deduped`.
    pub kind: &'static str,
    /// The path the file was written to.
    pub path: PathBuf,
    /// Records (without the header).
    pub records: u64,
}

/// What the import job will do.
///
/// For items, users and actions, `added + replaced + unchanged = batch.distinct`. For
/// interactions, `new + collapsed = batch.records`, where `collapsed = batch.duplicates +
/// unchanged` (an identical record already in the dataset). `result_records` is what the dataset
/// holds after the job: INCREMENTAL `existing − superseded + distinct` (ID types) or `existing +
/// new` (interactions); FULL `batch.distinct`.
///
/// When the existing data is [`ExistingState::Unknown`], the counts that depend on it are
/// computed as if the dataset were empty, which makes `added` and `new` upper bounds (every
/// distinct record), `replaced`, `unchanged`, `superseded` and `dropped` unknown (0 here) and,
/// for INCREMENTAL, `result_records` unknown (here: the batch's distinct records). Renderers
/// show them as bounds or unknown ([`Plan::knows_existing`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The import mode.
    pub mode: Mode,
    /// The dataset type of the import.
    pub dataset_type: DatasetType,
    /// What identifies a record: the ID column, or `record` (all columns) for interactions.
    pub identity: String,
    /// Whether the existing data was given, known to be empty, or unknown.
    pub existing_state: ExistingState,
    /// The existing data, if any was given.
    pub existing: Option<ExistingSummary>,
    /// The new batch.
    pub batch: BatchSummary,
    /// ID types: distinct records whose ID the dataset does not hold.
    pub added: u64,
    /// ID types: distinct records whose ID the dataset holds with other values.
    pub replaced: u64,
    /// Distinct records identical to one the dataset holds.
    pub unchanged: u64,
    /// Records the dataset did not hold: added IDs, or new interactions.
    pub new: u64,
    /// Records that add nothing: in-batch duplicates, plus (interactions) records identical to an
    /// existing one.
    pub collapsed: u64,
    /// Existing records replaced by a batch record with the same ID (ID types).
    pub superseded: u64,
    /// Existing records a FULL import drops.
    pub dropped: u64,
    /// The first dropped records.
    pub dropped_sample: Vec<DroppedRecord>,
    /// Records in the dataset after the job.
    pub result_records: u64,
    /// Error-level findings about the data itself (not the gates): the job would fail.
    pub data_errors: u64,
    /// Files written.
    pub written: Vec<WrittenFile>,
    /// Action interactions, FULL (the batch is the dataset after the job): how many actions meet
    /// Next-Best-Action's per-action minimum.
    pub next_best_action: Option<crate::training::ActionScores>,
    /// Item and action interactions: the batch's distinct users and items (actions), and those
    /// absent from the existing interactions. `new` is meaningful when the existing data is
    /// known ([`Plan::knows_existing`]): against the records given (for FULL, the bulk data
    /// the job replaces), or every ID when the dataset is empty. Unknown, `new` equals
    /// `distinct`: an upper bound.
    pub ids: Option<NewIdCounts>,
}

/// A failure that stops the plan (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// Validation could not run.
    #[error(transparent)]
    Engine(#[from] engine::Error),
    /// An existing input could not be read.
    #[error("failed to read `{path}`: {source}")]
    Read {
        /// The input as the user named it.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An existing input cannot be planned against.
    #[error("cannot plan against `{path}`: {message}")]
    Existing {
        /// The input as the user named it.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// An output file cannot be written.
    #[error("failed to write {what}: {source}")]
    Write {
        /// Which file.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The join cannot hold the batch.
    #[error("the plan's join failed: {message}")]
    Join {
        /// Why.
        message: String,
    },
}

impl Plan {
    /// Whether the counts that depend on the existing data are exact (it was given, or is
    /// known to be empty).
    pub fn knows_existing(&self) -> bool {
        self.existing_state != ExistingState::Unknown
    }

    /// What the dataset holds after the job, when that is known.
    pub fn result(&self) -> Option<u64> {
        (self.knows_existing() || self.mode == Mode::Full).then_some(self.result_records)
    }

    /// Existing records the job drops (FULL), when that is known.
    pub fn dropped(&self) -> Option<u64> {
        self.knows_existing().then_some(self.dropped)
    }
}

fn write_err(what: &std::path::Path) -> impl Fn(std::io::Error) -> PlanError + '_ {
    move |e| PlanError::Write {
        what: format!("`{}`", what.display()),
        source: e,
    }
}

/// Validates the new batch (`new`, one read), plans the import against the `existing` data,
/// writes the requested files and returns the validation report with the gates' findings, and
/// beside it the plan. Without a usable schema there is no plan: the report says why.
pub fn plan(
    schema_source: &SchemaSource,
    new: &[InputFile],
    extra: Vec<Diagnostic>,
    existing: Existing<'_>,
    opts: &Options,
    plan_opts: &PlanOptions,
) -> Result<(Report, Option<Plan>), PlanError> {
    let outputs = [&plan_opts.write_merged, &plan_opts.write_deduped];
    for path in outputs.into_iter().flatten() {
        output::check_target(path, plan_opts.force).map_err(write_err(path))?;
    }
    let writing = outputs.iter().any(|o| o.is_some());
    let spool_dir = outputs
        .into_iter()
        .flatten()
        .next()
        .and_then(|p| p.parent())
        .map(|d| {
            if d.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                d.to_path_buf()
            }
        });
    let budget = Budget::new(plan_opts, opts, new);
    let mut capture = Capture::new(writing, spool_dir);
    capture.spill_at = Some(budget.spill_at.clone());
    capture.ids_budget = Some(budget.ids);
    // INCREMENTAL against given data judges the limits on the existing records plus the new
    // ones: the batch's users and event types are kept per record.
    capture.facts = plan_opts.mode == Mode::Incremental && matches!(existing, Existing::Given(_));
    let mut watch = (capture, ActionCounts::default());
    let mut checked = engine::check(schema_source, new, extra, opts, &mut watch, Limits::Defer)?;
    let (mut capture, actions) = watch;
    if let Some(e) = capture.error.take() {
        return Err(PlanError::Write {
            what: "the temporary copy of the batch".into(),
            source: e,
        });
    }
    if let Some(e) = capture.spill_error.take() {
        return Err(PlanError::Write {
            what: format!(
                "the plan's temporary partitions in {} (--temp-dir)",
                opts.temp_dir.as_deref().map_or_else(
                    || std::env::temp_dir().display().to_string(),
                    |d| format!("`{}`", d.display())
                )
            ),
            source: e,
        });
    }
    let Some(schema) = checked.schema.clone() else {
        return Ok((checked.into_report(), None));
    };
    let spec = capture.spec.clone().unwrap_or_else(|| {
        let plan: Vec<_> = schema
            .fields
            .iter()
            .map(|f| column_for(f, schema.dataset_type))
            .collect();
        KeySpec::new(&plan, schema.dataset_type)
    });
    let by_id = spec.keyed_by_id();
    if by_id && spec.id.is_none() {
        // No ID column in the new data (PF105): nothing can be keyed, the report says why.
        return Ok((checked.into_report(), None));
    }
    let mode = plan_opts.mode;

    let mut merged = match &plan_opts.write_merged {
        Some(p) => {
            Some(Output::create(p, plan_opts.force, &header_line(&spec)).map_err(write_err(p))?)
        }
        None => None,
    };
    let after = match (&checked.limits, existing) {
        (Some(l), Existing::Given(_)) if mode == Mode::Incremental => Some(AfterJob::like(&l.acc)),
        _ => None,
    };
    let pool = engine::thread_pool(opts.threads)?;
    let joined = if capture.spilled() {
        out_of_core(
            &mut capture,
            &spec,
            &schema,
            existing,
            opts,
            plan_opts,
            &budget,
            pool.as_ref(),
            merged.as_mut(),
            after,
        )?
    } else {
        in_memory(
            &mut capture,
            &spec,
            &schema,
            existing,
            opts,
            plan_opts,
            &budget,
            pool.as_ref(),
            merged.as_mut(),
            after,
        )?
    };
    let Joined {
        records,
        distinct,
        replaced,
        unchanged,
        ex,
        after,
        mut next_status,
    } = joined;
    let ids = match capture.ids.take() {
        Some(ids) => {
            let [users, items] = ids.finish().map_err(|e| PlanError::Write {
                what: "the plan's temporary partitions of users and items".into(),
                source: e,
            })?;
            Some(NewIdCounts { users, items })
        }
        None => None,
    };

    // The batch's records go last: read back from the spool, in batch order.
    let mut written = Vec::new();
    let mut deduped = match &plan_opts.write_deduped {
        Some(p) => {
            Some(Output::create(p, plan_opts.force, &header_line(&spec)).map_err(write_err(p))?)
        }
        None => None,
    };
    if let Some(spool) = capture.spool.take() {
        let spool_err = |e| PlanError::Write {
            what: "the temporary copy of the batch".into(),
            source: e,
        };
        let (mut reader, _tmp) = SpoolReader::open(spool).map_err(spool_err)?;
        while let Some(line) = reader.next_record().map_err(spool_err)? {
            let Some(st) = next_status().map_err(spool_err)? else {
                continue;
            };
            if let Some(d) = deduped.as_mut() {
                d.record(line).map_err(write_err(
                    plan_opts
                        .write_deduped
                        .as_deref()
                        .unwrap_or_else(|| std::path::Path::new("-")),
                ))?;
            }
            // INCREMENTAL interactions identical to an existing one are already there.
            let add = mode == Mode::Full || by_id || st == ABSENT;
            if let (Some(m), true) = (merged.as_mut(), add) {
                m.record(line).map_err(write_err(
                    plan_opts
                        .write_merged
                        .as_deref()
                        .unwrap_or_else(|| std::path::Path::new("-")),
                ))?;
            }
        }
    }
    drop(next_status);
    for (kind, out, path) in [
        ("merged", merged, &plan_opts.write_merged),
        ("deduped", deduped, &plan_opts.write_deduped),
    ] {
        if let (Some(out), Some(p)) = (out, path) {
            let (path, records) = out.finish().map_err(write_err(p))?;
            written.push(WrittenFile {
                kind,
                path,
                records,
            });
        }
    }

    let new_records = distinct - replaced - unchanged;
    let duplicates = records - distinct;
    let (existing_summary, superseded, dropped, dropped_sample) = match ex {
        Some((s, sup, d, ds)) => (Some(s), sup, d, ds),
        None => (None, 0, 0, Vec::new()),
    };
    let existing_records = existing_summary.as_ref().map_or(0, |e| e.records);
    let result_records = match mode {
        Mode::Full => distinct,
        Mode::Incremental if by_id => existing_records - superseded + distinct,
        Mode::Incremental => existing_records + new_records,
    };
    let mut plan = Plan {
        mode,
        dataset_type: spec.dataset_type,
        existing_state: existing.state(),
        identity: if by_id {
            spec.dataset_type.id_field().unwrap_or("ID").to_string()
        } else {
            "record".to_string()
        },
        existing: existing_summary,
        batch: BatchSummary {
            files: checked.files.len() as u64,
            bytes: checked.files.iter().map(|f| f.bytes).sum(),
            records,
            distinct,
            duplicates,
        },
        added: if by_id { new_records } else { 0 },
        replaced,
        unchanged,
        new: new_records,
        collapsed: duplicates + if by_id { 0 } else { unchanged },
        superseded,
        dropped,
        dropped_sample,
        result_records,
        data_errors: 0,
        written,
        next_best_action: actions
            .window
            .as_ref()
            .filter(|_| mode == Mode::Full)
            .map(crate::training::ActionWindow::summary),
        ids,
    };
    gates::push(&mut checked.collector, &plan, plan_opts);
    // Limits judged on the existing records plus the new ones are about the dataset, not
    // errors in the new data.
    let mut about_the_dataset = 0;
    if let Some(limits) = &checked.limits {
        about_the_dataset = after::judge(limits, after.as_ref(), &plan, &mut checked.collector);
    }
    let report = checked.into_report();
    let errors: u64 = report
        .rules
        .iter()
        .filter(|c| c.severity == Severity::Error && !gates::is_gate(c.code))
        .map(|c| c.total)
        .sum();
    plan.data_errors = errors.saturating_sub(about_the_dataset);
    Ok((report, Some(plan)))
}

/// How the memory budget is shared (see [`PlanOptions::memory_limit`]).
#[derive(Debug, Clone)]
struct Budget {
    /// When the batch's keys leave memory.
    spill_at: SpillAt,
    /// Existing data joined at a time by the in-memory plan.
    chunk_bytes: usize,
    /// Buffers of the partition files, and of the walks.
    buffers: usize,
    /// Memory for the batch's and the existing users and items (interactions) before they go
    /// to partitions of their own.
    ids: u64,
    /// Memory for the plan's keys, in all.
    keys: u64,
    /// Partitions joined at once.
    threads: u64,
}

/// Bytes of memory per keyed batch record in the in-memory plan, with a margin: its keys as
/// captured (16 bytes, 32 for ID types), and while they are deduplicated
/// ([`batch::dedupe`]) a copy grouped by sub-table with its positions (20), a status byte, the
/// table's slots (24 bytes at most 70% full: 35 per distinct record) and its filter (2).
pub(crate) fn in_memory_cost(by_id: bool) -> u64 {
    if by_id {
        112
    } else {
        80
    }
}

impl Budget {
    fn new(plan_opts: &PlanOptions, opts: &Options, new: &[InputFile]) -> Budget {
        let limit = plan_opts.memory_limit;
        let threads = engine::thread_count(opts.threads) as u64;
        // The validation's blocks in flight, and its own tables.
        let engine = threads * 3 * opts.block_size as u64 + (64 << 20);
        let keys = limit.saturating_sub(engine).max(limit / 4);
        let chunk_bytes = plan_opts.chunk_bytes.min((keys / 4).max(1) as usize);
        let bytes: u64 = new.iter().map(input_size).sum();
        let ids = keys / 16;
        Budget {
            ids,
            spill_at: SpillAt {
                bytes: keys.saturating_sub(chunk_bytes as u64).saturating_sub(ids),
                root: opts.temp_dir.clone(),
                // A record takes 20 bytes or more: an over-estimate only makes more, smaller
                // partitions.
                expected_records: bytes / 20,
                join_budget: (keys / threads).max(1),
                buffers: (keys / 8).min(64 << 20) as usize,
            },
            chunk_bytes,
            buffers: (keys / 8).min(64 << 20) as usize,
            keys,
            threads,
        }
    }

    /// Memory for the existing keys out of core, so that they need not go to disk: what the
    /// keys' budget leaves beside the users and items, the buffers, and the partitions joined
    /// at once (`largest` batch records the largest), with a quarter of it to spare.
    fn existing_hold(&self, largest: u64) -> usize {
        let join = self.threads * largest * grace::JOIN_COST;
        let left = self
            .keys
            .saturating_sub(self.ids)
            .saturating_sub(2 * self.buffers as u64)
            .saturating_sub(join);
        (left / 4 * 3) as usize
    }
}

/// An input's size when it is known.
fn input_size(f: &InputFile) -> u64 {
    match &f.source {
        crate::input::Source::Path(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
        crate::input::Source::Bytes(b) => b.len() as u64,
        crate::input::Source::Reader(r) => r.size_hint.unwrap_or(0),
        crate::input::Source::Stdin => 0,
    }
}

/// The next spooled batch record's status, or `None` when it is not kept.
type NextStatus<'a> = Box<dyn FnMut() -> std::io::Result<Option<u8>> + 'a>;

/// What the join of the batch with the existing data found.
struct Joined<'a> {
    records: u64,
    distinct: u64,
    replaced: u64,
    unchanged: u64,
    ex: Option<(ExistingSummary, u64, u64, Vec<DroppedRecord>)>,
    after: Option<crate::engine::InteractionLimits>,
    /// Walks the batch in order (for the spool).
    next_status: NextStatus<'a>,
}

fn summary(files: Vec<ExistingFile>) -> ExistingSummary {
    ExistingSummary {
        records: files.iter().map(|f| f.records).sum(),
        bytes: files.iter().map(|f| f.bytes).sum(),
        unreadable_lines: files.iter().map(|f| f.unreadable_lines).sum(),
        files,
    }
}

/// The batch's keys in memory: one table deduplicates them, the existing data is joined in chunks.
#[expect(clippy::too_many_arguments, reason = "wiring of one step")]
fn in_memory<'a>(
    capture: &mut Capture,
    spec: &KeySpec,
    schema: &crate::schema::Schema,
    existing: Existing<'_>,
    opts: &Options,
    plan_opts: &PlanOptions,
    budget: &Budget,
    pool: Option<&rayon::ThreadPool>,
    merged: Option<&mut Output>,
    after: Option<AfterJob>,
) -> Result<Joined<'a>, PlanError> {
    let mode = plan_opts.mode;
    let by_id = spec.keyed_by_id();
    let rec = std::mem::take(&mut capture.rec);
    let id = by_id.then(|| std::mem::take(&mut capture.id));
    let batch = batch::dedupe(rec, id, pool)?;
    let (status, ex, after) = match existing {
        Existing::Given(inputs) => {
            let mut pass = ExistingPass::new(
                spec,
                schema,
                &batch,
                mode,
                pool,
                opts.block_size,
                budget.chunk_bytes,
                plan_opts.sample,
                merged.filter(|_| mode == Mode::Incremental),
                after,
            );
            pass.ids = capture.ids.take();
            let mut pass = pass.run(inputs)?;
            capture.ids = pass.ids.take();
            (
                pass.status,
                Some((
                    summary(pass.files),
                    pass.superseded,
                    pass.dropped,
                    pass.dropped_sample,
                )),
                pass.after,
            )
        }
        Existing::Empty | Existing::Unknown => (vec![ABSENT; batch.distinct()], None, None),
    };
    let after = after.map(|mut a| {
        a.add_new(capture, &batch, &status);
        a.into_limits()
    });
    let count = |s: u8| status.iter().filter(|&&x| x == s).count() as u64;
    let (replaced, unchanged) = (count(REPLACED), count(IDENTICAL));
    let (records, distinct, kept) = (batch.records, batch.distinct() as u64, batch.kept);
    let mut next = 0usize; // the next distinct record
    let mut i: IdxSize = 0;
    Ok(Joined {
        records,
        distinct,
        replaced,
        unchanged,
        ex,
        after,
        next_status: Box::new(move || {
            let keep = kept.get(next) == Some(&i);
            i = i.wrapping_add(1);
            if !keep {
                return Ok(None);
            }
            let st = status[next];
            next += 1;
            Ok(Some(st))
        }),
    })
}

/// The batch's keys went to disk: the existing keys follow them into the same partitions, each
/// partition is joined on its own ([`grace`]), and the walks put the results back in order.
#[expect(clippy::too_many_arguments, reason = "wiring of one step")]
fn out_of_core<'a>(
    capture: &mut Capture,
    spec: &KeySpec,
    schema: &crate::schema::Schema,
    existing: Existing<'_>,
    opts: &Options,
    plan_opts: &PlanOptions,
    budget: &Budget,
    pool: Option<&rayon::ThreadPool>,
    merged: Option<&mut Output>,
    after: Option<AfterJob>,
) -> Result<Joined<'a>, PlanError> {
    let mode = plan_opts.mode;
    let by_id = spec.keyed_by_id();
    let tmp_err = |e| PlanError::Write {
        what: "the plan's temporary partitions".into(),
        source: e,
    };
    let batch = capture
        .partitioner
        .take()
        .ok_or_else(|| tmp_err(std::io::Error::other("no partitions")))?
        .finish()
        .map_err(tmp_err)?;
    let dir = capture
        .dir
        .as_ref()
        .map(|d| d.path().to_path_buf())
        .unwrap_or_default();
    let walk_batch = capture.spool.is_some();
    let events = capture.event_names.len();
    let (sum, ex, after) = match existing {
        Existing::Given(inputs) => {
            let empty = batch::dedupe(Vec::new(), None, None)?;
            let writing = mode == Mode::Incremental && merged.is_some();
            let sampling = mode == Mode::Full && plan_opts.sample > 0;
            let mut pass = ExistingPass::new(
                spec,
                schema,
                &empty,
                mode,
                pool,
                opts.block_size,
                budget.chunk_bytes,
                plan_opts.sample,
                merged.filter(|_| mode == Mode::Incremental),
                after,
            );
            pass.grace = Some(
                GraceExisting::new(
                    &dir,
                    batch.bits,
                    by_id,
                    budget.buffers,
                    budget.existing_hold(batch.counts.iter().copied().max().unwrap_or(0)),
                    writing || sampling,
                )
                .map_err(tmp_err)?,
            );
            pass.ids = capture.ids.take();
            let mut pass = pass.run(inputs)?;
            capture.ids = pass.ids.take();
            let parts = pass
                .grace
                .as_mut()
                .and_then(|g| g.partitioner.take())
                .ok_or_else(|| tmp_err(std::io::Error::other("no partitions")))?
                .finish()
                .map_err(tmp_err)?;
            let users = pass.after.as_ref().map(AfterJob::users);
            let each = |j: &mut grace::PartJoin| {
                if let Some(u) = users {
                    u.absorb(std::mem::take(&mut j.users));
                }
            };
            let sum = grace::join_all(
                &batch,
                Some(&parts),
                by_id,
                (walk_batch, writing || sampling),
                events,
                pool,
                &each,
            )
            .map_err(tmp_err)?;
            pass.superseded = sum.superseded;
            if mode == Mode::Full {
                pass.dropped = sum.unmatched;
            }
            // The existing records are walked in order only to write the merged file or list
            // dropped ones: else their order was never written.
            if writing || sampling {
                pass.walk(inputs, parts.walk(budget.buffers).map_err(tmp_err)?)?;
            }
            let after = pass.after.take();
            (
                sum,
                Some((
                    summary(std::mem::take(&mut pass.files)),
                    pass.superseded,
                    pass.dropped,
                    std::mem::take(&mut pass.dropped_sample),
                )),
                after,
            )
        }
        Existing::Empty | Existing::Unknown => {
            let sum = grace::join_all(
                &batch,
                None,
                by_id,
                (walk_batch, false),
                events,
                pool,
                &|_| {},
            )
            .map_err(tmp_err)?;
            (sum, None, None)
        }
    };
    let absent = sum.distinct - sum.replaced - sum.identical;
    let after = after.map(|mut a| {
        a.add_new_counted(
            absent,
            &capture.event_names,
            &sum.per_event,
            sum.other_events,
        );
        a.into_limits()
    });
    let mut walk = if walk_batch {
        Some(batch.walk(budget.buffers).map_err(tmp_err)?)
    } else {
        None
    };
    Ok(Joined {
        records: sum.records,
        distinct: sum.distinct,
        replaced: sum.replaced,
        unchanged: sum.identical,
        ex,
        after,
        next_status: Box::new(move || {
            let Some(w) = walk.as_mut() else {
                return Ok(None);
            };
            let s = w.next()?;
            Ok((s != NOT_KEPT).then_some(s))
        }),
    })
}

/// The temporary disk a plan is expected to need out of core (see
/// [`PlanOptions::memory_limit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskEstimate {
    /// Bytes of temporary files, about.
    pub bytes: u64,
    /// Where they go (the run's temporary folder is made inside).
    pub dir: PathBuf,
    /// Records of the new data, estimated from its size and its first lines.
    pub new_records: u64,
}

/// Whether the plan's keys are expected to exceed the memory budget, and if so the temporary
/// disk the plan out of core needs: estimated from the inputs' sizes and the average length of
/// the first new file's first lines (inputs of unknown size count as empty). For a notice
/// before a long plan starts; the plan itself decides as it reads.
pub fn disk_estimate(
    schema: &SchemaSource,
    new: &[InputFile],
    existing: Existing<'_>,
    opts: &Options,
    plan_opts: &PlanOptions,
) -> Option<DiskEstimate> {
    let dataset_type = match schema {
        SchemaSource::Builtin { dataset_type, .. } => Some(*dataset_type),
        SchemaSource::Text {
            text,
            source,
            dataset_type,
            domain,
            ..
        } => crate::schema::load_schema(text, source, *dataset_type, *domain)
            .ok()
            .and_then(|l| l.schema)
            .map(|s| s.dataset_type),
    }?;
    let by_id = !dataset_type.is_interactions();
    let line = average_line(new);
    let new_bytes: u64 = new.iter().map(input_size).sum();
    let new_records = new_bytes / line;
    let budget = Budget::new(plan_opts, opts, new);
    if new_records.saturating_mul(in_memory_cost(by_id)) <= budget.spill_at.bytes {
        return None;
    }
    let facts = plan_opts.mode == Mode::Incremental && matches!(existing, Existing::Given(_));
    let layout = grace::Layout {
        rec: by_id,
        facts: facts && dataset_type == DatasetType::Interactions,
    };
    // An entry, its order byte and its result byte.
    let per_new = layout.size() as u64 + 2;
    let existing_layout = grace::Layout {
        rec: by_id,
        facts: false,
    };
    let (existing_records, streamed) = match existing {
        Existing::Given(inputs) => (
            inputs.iter().map(input_size).sum::<u64>() / line,
            inputs
                .iter()
                .filter(|f| {
                    !matches!(
                        f.source,
                        crate::input::Source::Path(_) | crate::input::Source::Bytes(_)
                    )
                })
                .map(input_size)
                .sum::<u64>(),
        ),
        _ => (0, 0),
    };
    let text = match plan_opts.mode {
        Mode::Incremental if plan_opts.write_merged.is_some() => streamed,
        Mode::Full if plan_opts.sample > 0 => streamed,
        _ => 0,
    };
    // Interactions: a user and an item entry per record at most, each side ([`ids`]).
    let ids = if by_id {
        0
    } else {
        (new_records + existing_records) * 16
    };
    Some(DiskEstimate {
        bytes: new_records * per_new
            + existing_records * (existing_layout.size() as u64 + 2)
            + text
            + ids,
        dir: opts.temp_dir.clone().unwrap_or_else(std::env::temp_dir),
        new_records,
    })
}

/// The average line length of the first new file on disk (its first MiB), else 50 bytes.
fn average_line(new: &[InputFile]) -> u64 {
    use std::io::Read;
    let Some(path) = new.iter().find_map(|f| match &f.source {
        crate::input::Source::Path(p) => Some(p),
        _ => None,
    }) else {
        return 50;
    };
    let mut buf = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(1 << 20).read_to_end(&mut buf));
    let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
    match read {
        Ok(n) if lines > 1 => (n as u64 / lines).max(1),
        _ => 50,
    }
}
