//! `preflight schema check`.

use anyhow::Context;
use preflight_validator::{check_schema_source, SchemaSource};

use super::validate::{exit_code_for, policy_from};
use crate::args::SchemaCheckArgs;
use crate::config::{self, Settings};
use crate::exit::Code;
use crate::render::{self, Section};

pub fn check(args: SchemaCheckArgs) -> anyhow::Result<Code> {
    let env = |k: &str| std::env::var(k).ok();
    let flags = Settings::from_args(&args.report, None, None);
    let (_, settings) = config::load_layers(&args.config, flags, &env)?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("failed to read schema `{}`", args.file))?;
    let source = SchemaSource::Text {
        text,
        source: args.file.clone(),
        dataset_type: args.dataset_type,
        domain: args.domain,
        accepted: false,
    };
    let report = check_schema_source(&source, policy_from(&settings))?;
    render::emit_sections(
        settings.format(),
        args.report.color,
        &[Section::of(None, &report)],
    )?;
    Ok(exit_code_for(&report, settings.fail_on()))
}
