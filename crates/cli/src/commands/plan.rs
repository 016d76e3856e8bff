//! `preflight plan`: validates the new data, then simulates the import job against the
//! dataset's existing data and shows what the dataset will hold (see the README).
//! `preflight validate --mode M [--existing PATH]` runs the same plan for its gates only.
//!
//! The existing data is given (`--existing`, `--existing-from-history`, the config's
//! `existing`), known to be empty (`--first-import`, or the account lists no ACTIVE import for
//! the `--dataset-arn`), or unknown ([`ExistingData`]).

use anyhow::{bail, Context};
use preflight_validator::{
    Diagnostic, Existing, InputFile, Options, PlanOptions, Report, SchemaSource,
};

use crate::args::{AwsArgs, ExistingArgs, ImportMode, PlanArgs, SchemaArgs};
use crate::config::{self, Config, Settings};
use crate::exit::Code;
use crate::render::{self, Section};

use super::validate::{engine_options, exit_code_for};

pub fn run(args: PlanArgs, clients: &super::Clients) -> anyhow::Result<Code> {
    let env = |k: &str| std::env::var(k).ok();
    let flags = Settings::from_args(&args.report, args.engine.threads, None);
    let (config, settings) = config::load_layers(&args.config, flags, &env)?;
    let target = Target::of(
        config.as_ref(),
        args.dataset.as_deref(),
        &args.paths,
        &args.schema,
    )?;
    let schema = target.schema(&args.schema, &args.aws, clients)?;
    let mode = target.mode(args.mode)?;
    // s3:// data streams through the I/O runtime, which must outlive the plan.
    let (mut inputs, extra, _io) =
        crate::s3::resolve_inputs(&target.paths(&args.paths)?, &args.aws)?;
    // Personalize reads an import's files in name order (an S3 listing); so does the plan.
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    let dataset_arn = target.dataset_arn(&args.schema);
    let existing = if args.existing_from_history {
        let Some(arn) = &dataset_arn else {
            bail!("--existing-from-history reads the import history of the dataset given by --dataset-arn");
        };
        history(arn, &args.aws, clients, false)?
    } else {
        existing_data(
            &target.existing(&args.existing),
            args.existing.first_import,
            &inputs,
            &args.aws,
            &mut || account(dataset_arn.as_deref(), &args.aws, clients),
        )?
    };
    let opts = engine_options(&args.engine, &settings);
    limit_join_threads(opts.threads);
    let mut plan_opts = plan_options(mode, &args.existing);
    plan_opts.write_merged = args.write_merged.clone();
    plan_opts.write_deduped = args.write_deduped.clone();
    plan_opts.force = args.force;
    plan_opts.chunk_bytes = args.chunk_bytes.max(1);
    let (report, plan) =
        preflight_validator::plan(&schema, &inputs, extra, existing.get(), &opts, &plan_opts)?;
    render::emit_sections(
        settings.format(),
        args.report.color,
        &[Section {
            plan: plan.as_ref(),
            ..Section::of(None, &report)
        }],
    )?;
    Ok(exit_code_for(&report, settings.fail_on()))
}

/// `validate --mode`: the validation report with the plan's gates (no plan table).
pub fn gates(
    schema: &SchemaSource,
    inputs: &[InputFile],
    extra: Vec<Diagnostic>,
    opts: &Options,
    mode: ImportMode,
    args: &ExistingArgs,
    existing: &ExistingData,
) -> anyhow::Result<Report> {
    let plan_opts = plan_options(mode, args);
    let (report, _plan) =
        preflight_validator::plan(schema, inputs, extra, existing.get(), opts, &plan_opts)?;
    Ok(report)
}

/// The import a command works on: its flags, completed by a `preflight.toml` dataset (its
/// schema, files, `import_mode`, `existing` and `dataset_arn`). Flags win.
pub(crate) struct Target {
    dataset: Option<config::Dataset>,
}

impl Target {
    /// The dataset: `--dataset NAME`; else, when the flags name a dataset ARN, the declared
    /// dataset with that ARN; else, when no schema option is given, the dataset whose files the
    /// paths are (or the only one, without paths).
    pub fn of(
        config: Option<&Config>,
        name: Option<&str>,
        paths: &[String],
        schema: &SchemaArgs,
    ) -> anyhow::Result<Target> {
        let Some(config) = config else {
            if name.is_some() {
                bail!("--dataset needs a config file with datasets (preflight.toml)");
            }
            return Ok(Target { dataset: None });
        };
        if name.is_some() {
            return Ok(Target {
                dataset: config.select(name, paths)?,
            });
        }
        if let Some(arn) = &schema.dataset_arn {
            let same: Vec<&config::DatasetDecl> = config
                .datasets
                .iter()
                .filter(|d| d.dataset_arn.as_deref() == Some(arn.as_str()))
                .collect();
            if let [d] = same.as_slice() {
                return Ok(Target {
                    dataset: Some(config.resolve(d)?),
                });
            }
            return Ok(Target { dataset: None });
        }
        if schema.schema.is_some() || schema.dataset_type.is_some() {
            return Ok(Target { dataset: None });
        }
        Ok(Target {
            dataset: config.select(None, paths)?,
        })
    }

    /// The schema: the schema options, else the dataset's.
    pub fn schema(
        &self,
        args: &SchemaArgs,
        aws: &AwsArgs,
        clients: &super::Clients,
    ) -> anyhow::Result<SchemaSource> {
        let explicit =
            args.schema.is_some() || args.dataset_type.is_some() || args.dataset_arn.is_some();
        match &self.dataset {
            Some(d) if !explicit => {
                super::validate::dataset_schema(&d.decl.name, &d.schema, aws, clients)
            }
            _ => super::aws::schema_source(args, aws, clients),
        }
    }

    /// The dataset's schema when it is a file or a built-in type (nothing to fetch).
    pub fn local_schema(&self) -> Option<anyhow::Result<SchemaSource>> {
        let d = self.dataset.as_ref()?;
        if matches!(d.schema, config::DatasetSchema::Arn(_)) {
            return None;
        }
        Some(super::validate::dataset_schema(
            &d.decl.name,
            &d.schema,
            &AwsArgs::default(),
            &super::Clients::default(),
        ))
    }

    /// The import mode: `--mode`, else the dataset's `import_mode`.
    pub fn mode(&self, flag: Option<ImportMode>) -> anyhow::Result<ImportMode> {
        flag.or(self.dataset.as_ref().and_then(|d| d.decl.import_mode))
            .context("give the import mode with --mode full|incremental (or as the dataset's import_mode in preflight.toml)")
    }

    /// The new data: the paths given, else the dataset's files.
    pub fn paths(&self, given: &[String]) -> anyhow::Result<Vec<String>> {
        if !given.is_empty() {
            return Ok(given.to_vec());
        }
        match &self.dataset {
            Some(d) if !d.inputs.is_empty() => Ok(d.inputs.clone()),
            Some(d) => bail!(
                "dataset `{}`: no file matches {}",
                d.decl.name,
                d.decl.files.join(", ")
            ),
            None => bail!(
                "give the new data (PATH…), or declare the dataset and its files in preflight.toml"
            ),
        }
    }

    /// The existing data's paths: `--existing`, else the dataset's `existing`.
    pub fn existing(&self, args: &ExistingArgs) -> Vec<String> {
        if !args.existing.is_empty() {
            return args.existing.clone();
        }
        self.dataset
            .as_ref()
            .map(|d| d.decl.existing.clone())
            .unwrap_or_default()
    }

    /// The dataset's ARN: `--dataset-arn`, else the dataset's `dataset_arn`.
    pub fn dataset_arn(&self, args: &SchemaArgs) -> Option<String> {
        args.dataset_arn.clone().or_else(|| {
            self.dataset
                .as_ref()
                .and_then(|d| d.decl.dataset_arn.clone())
        })
    }
}

/// What is known of the existing data, with the I/O runtime its `s3://` objects stream through
/// (it must outlive the plan).
pub(crate) struct ExistingData {
    known: Known,
    _io: Option<tokio::runtime::Runtime>,
}

enum Known {
    Given(Vec<InputFile>),
    Empty,
    Unknown,
}

impl ExistingData {
    /// As the plan takes it.
    pub fn get(&self) -> Existing<'_> {
        match &self.known {
            Known::Given(inputs) => Existing::Given(inputs),
            Known::Empty => Existing::Empty,
            Known::Unknown => Existing::Unknown,
        }
    }
}

/// The existing data of one import: known to be empty with `first_import`; given by `paths`
/// (files, folders, `s3://` prefixes or `-`, read in name order); else what the account says
/// (`had_bulk_import`: `Some(false)` is empty, `Some(true)` or `None`, not asked, is unknown).
/// Findings about the existing folders (sub-folders, non-CSV files) are not the new import's:
/// they are left out.
pub(crate) fn existing_data(
    paths: &[String],
    first_import: bool,
    new: &[InputFile],
    aws: &AwsArgs,
    had_bulk_import: &mut dyn FnMut() -> anyhow::Result<Option<bool>>,
) -> anyhow::Result<ExistingData> {
    if first_import {
        return Ok(ExistingData {
            known: Known::Empty,
            _io: None,
        });
    }
    if paths.is_empty() {
        let known = match had_bulk_import()? {
            Some(false) => Known::Empty,
            Some(true) | None => Known::Unknown,
        };
        return Ok(ExistingData { known, _io: None });
    }
    let stdin_twice = paths.iter().any(|p| p == "-") && new.iter().any(|i| i.name == "-");
    if stdin_twice {
        bail!("only one of the new data and --existing can be read from standard input (-)");
    }
    let (inputs, _, io) =
        crate::s3::resolve_inputs(paths, aws).context("failed to read the existing data")?;
    let (mut inputs, skipped) = copy_of_the_dataset(inputs);
    if !skipped.is_empty() {
        eprintln!(
            "warning: --existing: {} file{} of the given folders {} not read as existing data, since {} not end in `.csv` (a copy of the dataset holds its records in .csv files): {}",
            skipped.len(),
            if skipped.len() == 1 { "" } else { "s" },
            if skipped.len() == 1 { "is" } else { "are" },
            if skipped.len() == 1 { "its name does" } else { "their names do" },
            skipped.join(", ")
        );
    }
    if inputs.is_empty() {
        bail!(
            "--existing names no .csv file ({}): give the files of the dataset's copy, or leave --existing out if the existing data is unknown",
            paths.join(", ")
        );
    }
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ExistingData {
        known: Known::Given(inputs),
        _io: io,
    })
}

/// Of the inputs of `--existing`, those that can hold the dataset's records, and the names of
/// the others: every input the user named, and of those listed from a folder only the `.csv`
/// files that are not dot-files. A user's copy or export of the dataset is not an import being
/// checked, so a `_SUCCESS` marker, a `.crc` checksum or a README beside it are not records of
/// the dataset. (The folders of past imports, `--existing-from-history`, are read whole, as
/// Personalize read them.)
fn copy_of_the_dataset(inputs: Vec<InputFile>) -> (Vec<InputFile>, Vec<String>) {
    let (keep, skip): (Vec<_>, Vec<_>) = inputs.into_iter().partition(|i| {
        let name = i.name.rsplit('/').next().unwrap_or(&i.name);
        !i.in_folder || (!name.starts_with('.') && name.to_ascii_lowercase().ends_with(".csv"))
    });
    (keep, skip.into_iter().map(|i| i.name).collect())
}

/// Whether the dataset `arn` had an ACTIVE import (ListDatasetImportJobs); `None` without an
/// ARN, or when the history cannot be read (said on stderr): the existing data is then unknown,
/// which a plan can work with.
pub(crate) fn account(
    arn: Option<&str>,
    aws: &AwsArgs,
    clients: &super::Clients,
) -> anyhow::Result<Option<bool>> {
    let Some(arn) = arn else {
        return Ok(None);
    };
    let rt = crate::s3::runtime()?;
    let p = clients.personalize(aws, &rt)?;
    match rt.block_on(preflight_uploader::import::had_bulk_import(&p, arn)) {
        Ok(had) => Ok(Some(had)),
        Err(e) => {
            eprintln!("warning: cannot read the import history of `{arn}` ({e}): the existing data is unknown");
            Ok(None)
        }
    }
}

/// The dataset's current bulk data, rebuilt from its import history: the data locations of the
/// last ACTIVE FULL job and the ACTIVE INCREMENTAL jobs after it (none: the dataset is known to
/// be empty). Sources that can no longer be read are named on stderr; with `strict` they stop
/// the command, else they are left out (and when none is left, the existing data is unknown).
pub(crate) fn history(
    dataset_arn: &str,
    aws: &AwsArgs,
    clients: &super::Clients,
    strict: bool,
) -> anyhow::Result<ExistingData> {
    let rt = crate::s3::runtime()?;
    let p = clients.personalize(aws, &rt)?;
    let jobs = rt
        .block_on(preflight_uploader::import::current_bulk_jobs(
            &p,
            dataset_arn,
        ))
        .with_context(|| format!("failed to read the import history of `{dataset_arn}`"))?;
    drop(rt);
    if jobs.is_empty() {
        eprintln!(
            "note: dataset `{dataset_arn}` has had no successful import: it holds no bulk data"
        );
        return Ok(ExistingData {
            known: Known::Empty,
            _io: None,
        });
    }
    let mut readable = Vec::new();
    let mut unreadable = Vec::new();
    for job in &jobs {
        let Some(loc) = &job.data_location else {
            unreadable.push(format!("job `{}`: no dataLocation", job.name));
            continue;
        };
        eprintln!(
            "existing data: {} ({} job `{}`)",
            loc,
            job.import_mode.map_or("FULL", |m| m.as_str()),
            job.name
        );
        // A probe: listing (or HeadObject) says whether the source is still there.
        match crate::s3::resolve_inputs(std::slice::from_ref(loc), aws) {
            Ok(_) => readable.push(loc.clone()),
            Err(e) => unreadable.push(format!("`{loc}` (job `{}`): {e:#}", job.name)),
        }
    }
    if !unreadable.is_empty() {
        for u in &unreadable {
            eprintln!("warning: no longer readable: {u}");
        }
        if strict {
            bail!(
                "{} source(s) of the dataset's current bulk data can no longer be read, so the plan would be wrong: give the data with --existing instead",
                unreadable.len()
            );
        }
        if readable.is_empty() {
            eprintln!("warning: no source is left: the existing data is unknown");
            return Ok(ExistingData {
                known: Known::Unknown,
                _io: None,
            });
        }
        eprintln!("warning: the plan leaves these sources out: its counts of replaced and dropped records are too low");
    }
    // In job order, oldest first: a later job's record of an ID is the one the dataset holds.
    let (inputs, _, io) = crate::s3::resolve_inputs(&readable, aws)?;
    Ok(ExistingData {
        known: Known::Given(inputs),
        _io: io,
    })
}

pub(crate) fn plan_options(mode: ImportMode, args: &ExistingArgs) -> PlanOptions {
    let mut p = PlanOptions::new(mode.into());
    p.max_incremental_bytes = args.max_incremental_bytes;
    p.max_full_bytes = args.max_full_bytes;
    p
}

/// polars runs the joins on its own thread pool: give it the `--threads` setting.
fn limit_join_threads(threads: usize) {
    if threads > 0 && std::env::var_os("POLARS_MAX_THREADS").is_none() {
        // Before polars starts its pool (the first join), while this is the only thread.
        std::env::set_var("POLARS_MAX_THREADS", threads.to_string());
    }
}
