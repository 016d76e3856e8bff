//! One file per command; this module dispatches.

mod explain;
mod insights;
mod plan;
mod rules;
mod schema;
mod stage;
mod validate;

use crate::args::{Cli, Command, SchemaCommand};
use crate::exit::Code;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Code> {
    match cli.command {
        Command::Validate(args) => validate::run(*args),
        Command::Schema(SchemaCommand::Check(args)) => schema::check(args),
        Command::Rules(args) => rules::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Stage(args) => stage::run(*args),
        Command::Plan(args) => plan::run(*args),
        Command::Insights(args) => insights::run(*args),
    }
}
