//! `preflight validate`.

use std::collections::HashMap;

use anyhow::{bail, Context};
use preflight_validator::{resolve, Options, Policy, SchemaSource, Severity};

use crate::args::{ReportArgs, SchemaArgs, ValidateArgs};
use crate::exit::{self, Code};
use crate::render;

pub fn run(args: ValidateArgs) -> anyhow::Result<Code> {
    let schema = schema_source(&args.schema)?;
    let (inputs, extra) = resolve(&args.paths)?;
    let mut opts = Options {
        threads: args.threads,
        block_size: args.block_size.max(1),
        policy: policy(&args.report),
        ..Options::default()
    };
    if let Some(now) = args.now {
        opts.now = now;
    }
    let report = preflight_validator::validate(&schema, &inputs, extra, &opts)?;
    render::emit(&args.report, &report)?;
    Ok(exit_code(&report))
}

/// The schema options as a source: a file, or a built-in type.
pub fn schema_source(args: &SchemaArgs) -> anyhow::Result<SchemaSource> {
    match (&args.schema, args.dataset_type) {
        (Some(path), ty) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("failed to read schema `{path}`"))?;
            Ok(SchemaSource::Text { text, source: path.clone(), dataset_type: ty, domain: args.domain })
        }
        (None, Some(ty)) => Ok(SchemaSource::Builtin { dataset_type: ty, domain: args.domain }),
        (None, None) => bail!("give a schema with --schema FILE, or a built-in one with --dataset-type TYPE [--domain DOMAIN]"),
    }
}

/// Severity overrides and the per-rule cap from the report options.
pub fn policy(args: &ReportArgs) -> Policy {
    let levels: HashMap<_, _> = args.severity.iter().copied().collect();
    Policy {
        max_per_rule: args.max_diagnostics.max(1),
        levels,
    }
}

/// 1 when any finding is at error level, else 0.
pub fn exit_code(report: &preflight_validator::Report) -> Code {
    if report.has_at_least(Severity::Error) {
        exit::FINDINGS
    } else {
        exit::SUCCESS
    }
}
