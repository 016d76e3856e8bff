//! `preflight plan`: validates the new data, then simulates the import job against the
//! dataset's existing data and shows what the dataset will hold (see the README).
//! `preflight validate --mode M [--existing PATH]` runs the same plan for its gates only.

use anyhow::{bail, Context};
use preflight_validator::{
    resolve, Diagnostic, InputFile, Mode, Options, PlanOptions, Report, SchemaSource,
};

use crate::args::{ExistingArgs, ImportMode, PlanArgs};
use crate::config::{self, Settings};
use crate::exit::Code;
use crate::render::{self, Section};

use super::validate::{exit_code_for, policy_from, schema_source};

pub fn run(args: PlanArgs) -> anyhow::Result<Code> {
    let env = |k: &str| std::env::var(k).ok();
    let flags = Settings::from_args(&args.report, args.threads, None);
    let (_config, settings) = config::load_layers(&args.config, flags, &env)?;
    let schema = schema_source(&args.schema)?;
    let (mut inputs, extra) = resolve(&args.paths)?;
    // Personalize reads an import's files in name order (an S3 listing); so does the plan.
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    let existing = existing_inputs(&args.existing, &inputs)?;
    let threads = settings.threads.unwrap_or(0);
    limit_join_threads(threads);
    let mut opts = Options {
        threads,
        block_size: args.block_size.max(1),
        policy: policy_from(&settings),
        ..Options::default()
    };
    if let Some(now) = args.now {
        opts.now = now;
    }
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
    let (mut inputs, _) = resolve(&args.existing).context("failed to read the existing data")?;
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
