//! `preflight schema check`.

use anyhow::Context;
use preflight_validator::{check_schema_source, SchemaSource};

use crate::args::SchemaCheckArgs;
use crate::outcome::Outcome;
use crate::render::Section;
use crate::session::Session;

pub fn check(args: &SchemaCheckArgs, session: &Session) -> anyhow::Result<Outcome> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("failed to read schema `{}`", args.file))?;
    let source = SchemaSource::Text {
        text,
        source: args.file.clone(),
        dataset_type: args.dataset_type,
        domain: args.domain,
        accepted: false,
    };
    let report = check_schema_source(&source, session.policy())?;
    session.emit(&[Section::of(None, &report)])?;
    Ok(Outcome::exit(session.exit_code(&report)))
}
