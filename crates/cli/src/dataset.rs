//! The import a command works on (`plan`, `run`, `validate --mode`, `stage`): the flags,
//! completed by a `preflight.toml` dataset ([`Target`]), and what is known of the dataset's
//! existing data ([`ExistingData`]): given (`--existing`, `--existing-from-history`, the
//! config's `existing`), known to be empty (`--first-import`, or the account lists no ACTIVE
//! import for the dataset), or unknown.

use anyhow::{bail, Context};
use preflight_validator::{Existing, ImportMode, InputFile, PlanOptions, SchemaSource};

use crate::args::{ExistingArgs, SchemaArgs};
use crate::config::{self, Config};
use crate::session::Session;

/// The import a command works on: its flags, completed by a `preflight.toml` dataset (its
/// schema, files, `import_mode`, `existing` and `dataset_arn`). Flags win.
pub struct Target {
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
    pub fn schema(&self, args: &SchemaArgs, session: &Session) -> anyhow::Result<SchemaSource> {
        let explicit =
            args.schema.is_some() || args.dataset_type.is_some() || args.dataset_arn.is_some();
        match &self.dataset {
            Some(d) if !explicit => session.dataset_schema(&d.decl.name, &d.schema),
            _ => session.schema(args),
        }
    }

    /// The dataset's schema when it is a file or a built-in type (nothing to fetch).
    pub fn local_schema(&self, session: &Session) -> Option<anyhow::Result<SchemaSource>> {
        let d = self.dataset.as_ref()?;
        if matches!(d.schema, config::DatasetSchema::Arn(_)) {
            return None;
        }
        Some(session.dataset_schema(&d.decl.name, &d.schema))
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

/// What is known of the existing data (its `s3://` objects stream through the session's
/// runtime).
pub struct ExistingData {
    known: Known,
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
pub fn existing_data(
    paths: &[String],
    first_import: bool,
    new: &[InputFile],
    session: &Session,
    had_bulk_import: &mut dyn FnMut() -> anyhow::Result<Option<bool>>,
) -> anyhow::Result<ExistingData> {
    if first_import {
        return Ok(ExistingData {
            known: Known::Empty,
        });
    }
    if paths.is_empty() {
        let known = match had_bulk_import()? {
            Some(false) => Known::Empty,
            Some(true) | None => Known::Unknown,
        };
        return Ok(ExistingData { known });
    }
    let stdin_twice = paths.iter().any(|p| p == "-") && new.iter().any(|i| i.name == "-");
    if stdin_twice {
        bail!("only one of the new data and --existing can be read from standard input (-)");
    }
    let (inputs, _) = session
        .resolve_inputs(paths)
        .context("failed to read the existing data")?;
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
pub fn account(arn: Option<&str>, session: &Session) -> anyhow::Result<Option<bool>> {
    let Some(arn) = arn else {
        return Ok(None);
    };
    let p = session.personalize()?;
    match session
        .runtime()?
        .block_on(preflight_uploader::import::had_bulk_import(&p, arn))
    {
        Ok(had) => Ok(Some(had)),
        Err(e) => {
            session.warn(&format!(
                "cannot read the import history of `{arn}` ({e}): the existing data is unknown"
            ));
            Ok(None)
        }
    }
}

/// The dataset's current bulk data, rebuilt from its import history: the data locations of the
/// last ACTIVE FULL job and the ACTIVE INCREMENTAL jobs after it (none: the dataset is known to
/// be empty). Sources that can no longer be read are named on stderr; with `strict` they stop
/// the command, else they are left out (and when none is left, the existing data is unknown).
pub fn history(dataset_arn: &str, session: &Session, strict: bool) -> anyhow::Result<ExistingData> {
    let p = session.personalize()?;
    let jobs = session
        .runtime()?
        .block_on(preflight_uploader::import::current_bulk_jobs(
            &p,
            dataset_arn,
        ))
        .with_context(|| format!("failed to read the import history of `{dataset_arn}`"))?;
    if jobs.is_empty() {
        eprintln!(
            "note: dataset `{dataset_arn}` has had no successful import: it holds no bulk data"
        );
        return Ok(ExistingData {
            known: Known::Empty,
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
            job.import_mode.map_or("FULL", ImportMode::api_name),
            job.name
        );
        // A probe: listing (or HeadObject) says whether the source is still there.
        match session.resolve_inputs(std::slice::from_ref(loc)) {
            Ok(_) => readable.push(loc.clone()),
            Err(e) => unreadable.push(format!("`{loc}` (job `{}`): {e:#}", job.name)),
        }
    }
    if !unreadable.is_empty() {
        for u in &unreadable {
            session.warn(&format!("no longer readable: {u}"));
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
            });
        }
        eprintln!("warning: the plan leaves these sources out: its counts of replaced and dropped records are too low");
    }
    // In job order, oldest first: a later job's record of an ID is the one the dataset holds.
    let (inputs, _) = session.resolve_inputs(&readable)?;
    Ok(ExistingData {
        known: Known::Given(inputs),
    })
}

/// The plan's options: the mode and the job's size limits.
pub fn plan_options(mode: ImportMode, args: &ExistingArgs) -> PlanOptions {
    let mut p = PlanOptions::new(mode);
    p.max_incremental_bytes = args.max_incremental_bytes;
    p.max_full_bytes = args.max_full_bytes;
    p.memory_limit = args.memory_limit;
    p
}
