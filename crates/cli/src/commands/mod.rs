//! One file per subcommand. This module builds the run's session (`crate::session`) from the
//! command's arguments and dispatches; the commands return an [`Outcome`], which `main`
//! prints.

mod doctor;
mod explain;
mod fix;
mod import;
mod insights;
mod plan;
mod rules;
mod run;
mod schema;
mod stage;
pub(crate) mod train;
mod validate;
mod watch;

pub use crate::aws::Clients;
pub use crate::outcome::{Failure, Outcome};

use crate::args::{Cli, Command, SchemaCommand};
use crate::session::Session;

/// Runs a parsed command line with the real AWS clients.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    run_with(cli, &Clients::default())
}

/// Runs a parsed command line; AWS clients set in `clients` are used instead of connecting.
/// `Err` is a run that could not start or go on (exit 2); an [`Outcome`] carries the exit
/// code, and the failure, if any, that `main` prints.
pub fn run_with(cli: Cli, clients: &Clients) -> anyhow::Result<Outcome> {
    let session = |layers| Session::new(layers, clients);
    match cli.command {
        Command::Validate(a) => validate::run(&a, &session(a.layers())?),
        Command::Schema(SchemaCommand::Check(a)) => schema::check(&a, &session(a.layers())?),
        Command::Rules(a) => rules::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Stage(a) => stage::run(&a, &session(a.layers())?),
        Command::Plan(a) => plan::run(&a, &session(a.layers())?),
        Command::Import(a) => import::run(&a, &session(a.layers())?),
        Command::Watch(a) => watch::run(&a, &session(a.layers())?),
        Command::Run(a) => run::run(&a, &session(a.layers())?),
        Command::Insights(a) => insights::run(&a, &session(a.layers())?),
        Command::Fix(a) => fix::run(&a, &session(a.layers())?),
        Command::Doctor(a) => doctor::run(&a, &session(a.layers())?),
        Command::Train(a) => train::run(&a, &session(a.layers())?),
    }
}
