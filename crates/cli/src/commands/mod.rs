//! One file per command; this module dispatches.

mod aws;
mod explain;
pub mod import;
mod insights;
mod plan;
mod rules;
pub mod run;
mod schema;
mod seal;
mod stage;
mod validate;

pub use aws::Clients;

use crate::args::{Cli, Command, SchemaCommand};
use crate::exit::Code;

/// Runs a parsed command line with the real AWS clients.
pub fn run(cli: Cli) -> anyhow::Result<Code> {
    run_with(cli, &Clients::default())
}

/// Runs a parsed command line; AWS clients set in `clients` are used instead of connecting.
pub fn run_with(cli: Cli, clients: &Clients) -> anyhow::Result<Code> {
    match cli.command {
        Command::Validate(args) => validate::run(*args, clients),
        Command::Schema(SchemaCommand::Check(args)) => schema::check(args),
        Command::Rules(args) => rules::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Stage(args) => stage::run(*args, clients),
        Command::Plan(args) => plan::run(*args, clients),
        Command::Import(args) => import::execute(*args, clients),
        Command::Watch(args) => import::watch_command(*args, clients),
        Command::Run(args) => run::execute(*args, clients),
        Command::Insights(args) => insights::run(*args, clients),
    }
}
