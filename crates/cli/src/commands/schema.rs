//! `preflight schema check`.

use anyhow::Context;
use preflight_validator::{check_schema_source, SchemaSource};

use super::validate::{exit_code, policy};
use crate::args::SchemaCheckArgs;
use crate::exit::Code;
use crate::render;

pub fn check(args: SchemaCheckArgs) -> anyhow::Result<Code> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("failed to read schema `{}`", args.file))?;
    let source = SchemaSource::Text {
        text,
        source: args.file.clone(),
        dataset_type: args.dataset_type,
        domain: args.domain,
    };
    let report = check_schema_source(&source, policy(&args.report))?;
    render::emit(&args.report, &report)?;
    Ok(exit_code(&report))
}
