//! `preflight plan`: validates the new data, then simulates the import job against the
//! dataset's existing data and shows what the dataset will hold (see the README).
//! `preflight validate --mode M [--existing PATH]` runs the same plan for its gates only.

use anyhow::{bail, Context};
use preflight_validator::{
    resolve, Diagnostic, InputFile, Mode, Options, PlanOptions, Report, SchemaSource,
};

use crate::args::{AwsArgs, ExistingArgs, ImportMode, PlanArgs};
use crate::config::{self, Settings};
use crate::exit::Code;
use crate::render::{self, Section};

use super::validate::{engine_options, exit_code_for};

pub fn run(args: PlanArgs, clients: &super::Clients) -> anyhow::Result<Code> {
    let env = |k: &str| std::env::var(k).ok();
    let flags = Settings::from_args(&args.report, args.engine.threads, None);
    let (_config, settings) = config::load_layers(&args.config, flags, &env)?;
    let schema = super::aws::schema_source(&args.schema, &args.aws, clients)?;
    let (mut inputs, extra) = resolve(&args.paths)?;
    // Personalize reads an import's files in name order (an S3 listing); so does the plan.
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    // s3:// existing data streams through the I/O runtime, which must outlive the plan.
    let (existing, _io) = if args.existing_from_history {
        let Some(arn) = &args.schema.dataset_arn else {
            bail!("--existing-from-history reads the import history of the dataset given by --dataset-arn");
        };
        let (e, io) = history_inputs(arn, &args.aws, clients, false)?;
        (Some(e), Some(io))
    } else {
        (existing_inputs(&args.existing, &inputs)?, None)
    };
    let opts = engine_options(&args.engine, &settings);
    limit_join_threads(opts.threads);
    let mut plan_opts = plan_options(args.mode, &args.existing);
    plan_opts.write_merged = args.write_merged.clone();
    plan_opts.write_deduped = args.write_deduped.clone();
    plan_opts.force = args.force;
    plan_opts.chunk_bytes = args.chunk_bytes.max(1);
    let report = preflight_validator::plan(
        &schema,
        &inputs,
        extra,
        existing.as_deref(),
        &opts,
        &plan_opts,
    )?;
    render::emit_sections(
        settings.format(),
        args.report.color,
        &[Section {
            name: None,
            report: &report,
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
) -> anyhow::Result<Report> {
    let existing = existing_inputs(args, inputs)?;
    let plan_opts = plan_options(mode, args);
    let mut report =
        preflight_validator::plan(schema, inputs, extra, existing.as_deref(), opts, &plan_opts)?;
    report.plan = None;
    Ok(report)
}

/// The dataset's current bulk data, rebuilt from its import history: the data locations of the
/// last ACTIVE FULL job and the ACTIVE INCREMENTAL jobs after it. Sources that can no longer
/// be read are named on stderr; with `strict` they stop the command, else they are left out.
pub fn history_inputs(
    dataset_arn: &str,
    aws: &AwsArgs,
    clients: &super::Clients,
    strict: bool,
) -> anyhow::Result<(Vec<InputFile>, tokio::runtime::Runtime)> {
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
        eprintln!("warning: the plan leaves these sources out: its counts of replaced and dropped records are too low");
    }
    // One runtime streams every source: it must outlive the plan.
    let (inputs, _, io) = crate::s3::resolve_inputs(&readable, aws)?;
    let inputs = preflight_validator::existing_data(inputs);
    let io = match io {
        Some(rt) => rt,
        None => crate::s3::runtime()?,
    };
    Ok((inputs, io))
}

fn plan_options(mode: ImportMode, args: &ExistingArgs) -> PlanOptions {
    let mut p = PlanOptions::new(match mode {
        ImportMode::Full => Mode::Full,
        ImportMode::Incremental => Mode::Incremental,
    });
    p.max_incremental_bytes = args.max_incremental_bytes;
    p.max_full_bytes = args.max_full_bytes;
    p
}

/// The existing inputs in name order, `None` when no `--existing` was given. Findings about
/// the existing folders (sub-folders, non-CSV files) are not the new import's: they are left
/// out.
fn existing_inputs(
    args: &ExistingArgs,
    new: &[InputFile],
) -> anyhow::Result<Option<Vec<InputFile>>> {
    if args.existing.is_empty() {
        return Ok(None);
    }
    let stdin_twice = args.existing.iter().any(|p| p == "-") && new.iter().any(|i| i.name == "-");
    if stdin_twice {
        bail!("only one of the new data and --existing can be read from standard input (-)");
    }
    let (inputs, _) = resolve(&args.existing).context("failed to read the existing data")?;
    let mut inputs = preflight_validator::existing_data(inputs);
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(inputs))
}

/// polars runs the joins on its own thread pool: give it the `--threads` setting.
fn limit_join_threads(threads: usize) {
    if threads > 0 && std::env::var_os("POLARS_MAX_THREADS").is_none() {
        // Before polars starts its pool (the first join), while this is the only thread.
        std::env::set_var("POLARS_MAX_THREADS", threads.to_string());
    }
}
