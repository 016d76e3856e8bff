//! `preflight validate`: one import from the command line, or the datasets of `preflight.toml`.
//!
//! - `--schema FILE` or `--dataset-type TYPE` with PATHs: the PATHs are one import.
//! - a config file and no PATH: every declared dataset (or those named by `--dataset`), each
//!   one import with its own report section.
//! - a config file and PATHs (a pre-commit hook): each PATH is mapped to the datasets whose
//!   globs match it; each such dataset is checked whole (so its dataset-level checks, such as
//!   the 1,000-record minimum, see the import as Personalize would), with row-level findings
//!   only on the PATHs given. A PATH that is a dataset's schema file checks that dataset with
//!   every row. PATHs that match no dataset are skipped with a note.
//!
//! The exit code is the worst of the sections.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context};
use preflight_validator::{LineSet, Options, Policy, Report, SchemaSource, Severity, Source};

use crate::args::{EngineArgs, FailOn, ReportArgs, SchemaArgs, ValidateArgs};
use crate::config::{self, Config, DatasetSchema, Settings};
use crate::exit::{self, Code};
use crate::render::{self, Section};

/// One import to check.
struct Job {
    name: Option<String>,
    schema: SchemaSource,
    paths: Vec<String>,
    /// Only these inputs (by name) get row-level findings; `None`: all of them.
    rows_for: Option<Vec<String>>,
    /// The dataset's `existing` and `dataset_arn` in preflight.toml (for `--mode`).
    existing: Vec<String>,
    dataset_arn: Option<String>,
}

pub fn run(args: ValidateArgs, clients: &super::Clients) -> anyhow::Result<Code> {
    let env = |k: &str| std::env::var(k).ok();
    let flags = Settings::from_args(
        &args.report,
        args.engine.threads,
        args.changed_since.as_deref(),
    );
    let (config, settings) = config::load_layers(&args.config, flags, &env)?;
    let jobs = jobs(&args, config.as_ref(), clients)?;
    if args.mode.is_none() && (!args.existing.existing.is_empty() || args.existing.first_import) {
        bail!("--existing and --first-import describe the dataset for the plan's gates: add --mode full|incremental");
    }
    if args.mode.is_some() && jobs.len() > 1 {
        bail!("--mode and --existing plan one import: name one dataset with --dataset");
    }
    if args.seal && (args.insights || args.insight.html.is_some()) {
        bail!("--seal seals a folder that passed validation: run it without --insights");
    }
    if args.insights || args.insight.html.is_some() {
        return with_insights(jobs, &args, &settings);
    }
    // --seal: what the objects are before validation reads them.
    let sealing = if args.seal {
        let [job] = jobs.as_slice() else {
            bail!("--seal seals one s3:// folder: name one dataset with --dataset");
        };
        Some(super::seal::before(&job.paths, &args.aws)?)
    } else {
        None
    };

    let mut reports = Vec::with_capacity(jobs.len());
    let mut jobs_schema = Vec::new();
    for job in jobs {
        let report = check(&job, &args, &settings, clients)?;
        reports.push((job.name, report));
        jobs_schema.push(job.schema);
    }
    let sections: Vec<Section<'_>> = reports
        .iter()
        .map(|(name, report)| Section::of(name.as_deref(), report))
        .collect();
    render::emit_sections(settings.format(), args.report.color, &sections)?;
    let code = reports
        .iter()
        .map(|(_, r)| exit_code_for(r, settings.fail_on()))
        .max_by_key(|c| c.0)
        .unwrap_or(exit::SUCCESS);
    if let (Some(before), Some(((_, report), job))) =
        (sealing, reports.first().zip(jobs_schema.first()))
    {
        if code != exit::SUCCESS || report.has_at_least(Severity::Error) {
            eprintln!("not sealed: the folder did not pass validation");
        } else {
            super::seal::write(before, job, report)?;
        }
    }
    Ok(code)
}

/// What to check: from the schema options, or from the config file's datasets.
fn jobs(
    args: &ValidateArgs,
    config: Option<&Config>,
    clients: &super::Clients,
) -> anyhow::Result<Vec<Job>> {
    let explicit = args.schema.schema.is_some()
        || args.schema.dataset_type.is_some()
        || args.schema.dataset_arn.is_some();
    if explicit || config.is_none() {
        if !args.dataset.is_empty() {
            bail!("--dataset needs a config file with datasets (preflight.toml)");
        }
        let schema = super::aws::schema_source(&args.schema, &args.aws, clients)?;
        if args.paths.is_empty() {
            bail!("give the files to check (PATH…), or declare datasets in preflight.toml");
        }
        return Ok(vec![Job {
            name: None,
            schema,
            paths: args.paths.clone(),
            rows_for: None,
            existing: Vec::new(),
            dataset_arn: args.schema.dataset_arn.clone(),
        }]);
    }
    let config = config.expect("checked above");
    if config.datasets.is_empty() {
        bail!(
            "`{}` declares no dataset: add a [datasets.NAME] table, or give --schema/--dataset-type",
            config.path.display()
        );
    }
    for name in &args.dataset {
        if !config.datasets.iter().any(|d| &d.name == name) {
            let known: Vec<&str> = config.datasets.iter().map(|d| d.name.as_str()).collect();
            bail!(
                "no dataset `{name}` in `{}` (declared: {})",
                config.path.display(),
                known.join(", ")
            );
        }
    }
    let wanted = |name: &str| args.dataset.is_empty() || args.dataset.iter().any(|d| d == name);

    if args.paths.is_empty() {
        let mut jobs = Vec::new();
        for d in config.datasets()? {
            if !wanted(&d.decl.name) {
                continue;
            }
            let schema = dataset_schema(&d.decl.name, &d.schema, &args.aws, clients)?;
            if d.decl.files.is_empty() {
                eprintln!("note: dataset `{}` declares no files; skipped", d.decl.name);
                continue;
            }
            if d.inputs.is_empty() {
                bail!(
                    "dataset `{}`: no file matches {} (relative to `{}`)",
                    d.decl.name,
                    d.decl.files.join(", "),
                    config.path.display()
                );
            }
            jobs.push(Job {
                schema,
                paths: d.inputs,
                rows_for: None,
                existing: d.decl.existing,
                dataset_arn: d.decl.dataset_arn,
                name: Some(d.decl.name),
            });
        }
        return Ok(jobs);
    }

    // Files named on the command line (a pre-commit hook): map each to its datasets.
    let mut touched: Vec<(usize, Vec<String>, bool)> = Vec::new();
    for path in &args.paths {
        let owners: Vec<(usize, bool)> = config
            .owners(Path::new(path))
            .into_iter()
            .filter(|(i, _)| wanted(&config.datasets[*i].name))
            .collect();
        if owners.is_empty() {
            eprintln!(
                "note: `{path}` belongs to no dataset in `{}`; skipped",
                config.path.display()
            );
        }
        for (i, is_schema) in owners {
            let entry = match touched.iter_mut().find(|(j, _, _)| *j == i) {
                Some(e) => e,
                None => {
                    touched.push((i, Vec::new(), false));
                    touched.last_mut().expect("just pushed")
                }
            };
            if is_schema {
                entry.2 = true;
            } else {
                entry.1.push(path.clone());
            }
        }
    }
    touched.sort_by_key(|(i, _, _)| *i);
    let mut jobs = Vec::new();
    for (i, given, schema_changed) in touched {
        let d = config.resolve(&config.datasets[i])?;
        let mut paths = d.inputs.clone();
        // The dataset's files as named by its globs; a given file the globs also name is
        // reported under the dataset's name for it.
        let mut rows_for = Vec::new();
        for g in &given {
            if let Some(p) = paths.iter().find(|p| same_file(p, g)) {
                rows_for.push(p.clone());
            } else if let Some(dir) = paths.iter().find(|p| {
                Path::new(p).is_dir()
                    && Path::new(g)
                        .parent()
                        .is_some_and(|parent| same_file(p, &parent.to_string_lossy()))
            }) {
                // A file of a folder input: named as the folder's files are.
                let name = Path::new(g).file_name().unwrap_or_default();
                rows_for.push(Path::new(dir).join(name).to_string_lossy().into_owned());
            } else {
                paths.push(g.clone());
                rows_for.push(g.clone());
            }
        }
        if paths.is_empty() {
            // Only the schema changed and no data file exists yet: check the schema alone.
            eprintln!(
                "note: dataset `{}` has no data file; checking its schema only",
                d.decl.name
            );
        }
        jobs.push(Job {
            schema: dataset_schema(&d.decl.name, &d.schema, &args.aws, clients)?,
            paths,
            rows_for: (!schema_changed).then_some(rows_for),
            existing: d.decl.existing,
            dataset_arn: d.decl.dataset_arn,
            name: Some(d.decl.name),
        });
    }
    Ok(jobs)
}

fn same_file(a: &str, b: &str) -> bool {
    a == b
        || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

/// A dataset's schema as the library takes it.
pub(crate) fn dataset_schema(
    name: &str,
    schema: &DatasetSchema,
    aws: &crate::args::AwsArgs,
    clients: &super::Clients,
) -> anyhow::Result<SchemaSource> {
    Ok(match schema {
        DatasetSchema::File {
            path,
            dataset_type,
            domain,
        } => SchemaSource::Text {
            text: std::fs::read_to_string(path)
                .with_context(|| format!("dataset `{name}`: failed to read schema `{path}`"))?,
            source: path.clone(),
            dataset_type: *dataset_type,
            domain: *domain,
            accepted: false,
        },
        DatasetSchema::Builtin {
            dataset_type,
            domain,
        } => SchemaSource::Builtin {
            dataset_type: *dataset_type,
            domain: *domain,
        },
        DatasetSchema::Arn(arn) => {
            let args = SchemaArgs {
                schema: None,
                dataset_type: None,
                domain: None,
                dataset_arn: Some(arn.clone()),
            };
            super::aws::schema_source(&args, aws, clients)
                .with_context(|| format!("dataset `{name}`: failed to fetch its schema"))?
        }
    })
}

/// `validate --insights`: every import validated and analysed in the same read, with the ID
/// coverage between them.
fn with_insights(jobs: Vec<Job>, args: &ValidateArgs, settings: &Settings) -> anyhow::Result<Code> {
    if args.mode.is_some() {
        bail!("--insights cannot be combined with --mode: run `preflight plan` for the plan, then `validate --insights`");
    }
    let mut opts = None::<Options>;
    let mut inputs = Vec::new();
    let mut runtimes = Vec::new();
    for job in &jobs {
        let (i, extra, io, o) = prepare(job, args, settings)?;
        runtimes.push(io);
        inputs.push((i, extra));
        // One set of options for every import; the line filters are per input.
        match &mut opts {
            None => opts = Some(o),
            Some(all) => all.lines.extend(o.lines),
        }
    }
    let opts = opts.unwrap_or_default();
    let named: Vec<(Option<String>, &SchemaSource)> =
        jobs.iter().map(|j| (j.name.clone(), &j.schema)).collect();
    let iopts = super::insights::options(&args.insight, true);
    let reports = super::insights::analyse(&named, inputs, &opts, &iopts)?;
    drop(runtimes);
    super::insights::emit(
        &reports,
        settings,
        args.report.color,
        args.insight.html.as_deref(),
    )
}

/// The inputs of one import and the options to check them with.
type Prepared = (
    Vec<preflight_validator::InputFile>,
    Vec<preflight_validator::Diagnostic>,
    Option<tokio::runtime::Runtime>,
    Options,
);

fn prepare(job: &Job, args: &ValidateArgs, settings: &Settings) -> anyhow::Result<Prepared> {
    // s3:// inputs stream through the I/O runtime, which must outlive the validation.
    let (inputs, extra, io) = crate::s3::resolve_inputs(&job.paths, &args.aws)?;
    let mut lines = HashMap::new();
    for input in &inputs {
        let given = job.rows_for.as_ref().is_none_or(|r| {
            r.iter()
                .any(|p| *p == input.name || input.name.starts_with(&format!("{p}/")))
        });
        if !given {
            lines.insert(input.name.clone(), LineSet::empty());
            continue;
        }
        if let (Some(rev), Source::Path(path)) = (&settings.changed_since, &input.source) {
            if let Some(set) = crate::git::changed_lines(rev, path)? {
                lines.insert(input.name.clone(), set);
            }
        }
    }
    let opts = Options {
        lines,
        ..engine_options(&args.engine, settings)
    };
    Ok((inputs, extra, io, opts))
}

/// Validates one import.
fn check(
    job: &Job,
    args: &ValidateArgs,
    settings: &Settings,
    clients: &super::Clients,
) -> anyhow::Result<Report> {
    if job.paths.is_empty() {
        return Ok(preflight_validator::check_schema_source(
            &job.schema,
            policy_from(settings),
        )?);
    }
    let (inputs, extra, _io, opts) = prepare(job, args, settings)?;
    if let Some(mode) = args.mode {
        // The existing data: --existing, else the dataset's `existing`; else what the account
        // says of the dataset's ARN, if one is known.
        let paths = if args.existing.existing.is_empty() {
            &job.existing
        } else {
            &args.existing.existing
        };
        let existing = super::plan::existing_data(
            paths,
            args.existing.first_import,
            &inputs,
            &args.aws,
            &mut || super::plan::account(job.dataset_arn.as_deref(), &args.aws, clients),
        )?;
        return super::plan::gates(
            &job.schema,
            &inputs,
            extra,
            &opts,
            mode,
            &args.existing,
            &existing,
        );
    }
    Ok(preflight_validator::validate(
        &job.schema,
        &inputs,
        extra,
        &opts,
    )?)
}

/// The schema options as a source: a file, or a built-in type.
pub fn schema_source(args: &SchemaArgs) -> anyhow::Result<SchemaSource> {
    match (&args.schema, args.dataset_type) {
        (Some(path), ty) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("failed to read schema `{path}`"))?;
            Ok(SchemaSource::Text { text, source: path.clone(), dataset_type: ty, domain: args.domain, accepted: false })
        }
        (None, Some(ty)) => Ok(SchemaSource::Builtin { dataset_type: ty, domain: args.domain }),
        (None, None) => bail!("give a schema with --schema FILE, or a built-in one with --dataset-type TYPE [--domain DOMAIN], or declare datasets in preflight.toml"),
    }
}

/// Severity overrides and the per-rule cap from the report options alone (no config layers).
pub fn policy(args: &ReportArgs) -> Policy {
    policy_from(&Settings::from_args(args, None, None))
}

/// Severity overrides and the per-rule cap from layered settings.
/// The engine's options from the command line and the settings: threads (flag, then config,
/// else one per core), block size, policy and clock.
pub fn engine_options(engine: &EngineArgs, settings: &Settings) -> Options {
    let mut opts = Options {
        threads: settings.threads.unwrap_or(0),
        block_size: engine.block_size.max(1),
        policy: policy_from(settings),
        ..Options::default()
    };
    if let Some(now) = engine.now {
        opts.now = now;
    }
    opts
}

pub fn policy_from(settings: &Settings) -> Policy {
    Policy {
        max_per_rule: settings.max_diagnostics(),
        levels: settings.levels(),
    }
}

/// 1 when any finding is at or above the failing severity, else 0.
pub fn exit_code_for(report: &Report, fail_on: FailOn) -> Code {
    let failing = match fail_on {
        FailOn::Error => report.has_at_least(Severity::Error),
        FailOn::Warning => report.has_at_least(Severity::Warning),
        FailOn::Never => false,
    };
    if failing {
        exit::FINDINGS
    } else {
        exit::SUCCESS
    }
}
