//! `preflight`: validate Amazon Personalize bulk imports before they run.

use personalize_preflight::commands::{self, Failure};
use personalize_preflight::{args, exit, logging};

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    if cli.debug {
        logging::init_debug();
    }
    let (code, failure) = match commands::run(cli) {
        Ok(outcome) => (outcome.code, outcome.failure),
        Err(err) if is_broken_pipe(&err) => (exit::SUCCESS, None),
        Err(err) => (exit::FAILURE, Some(Failure::from_anyhow(&err))),
    };
    // Every error is printed here, once; it may quote what a server answered: never let it
    // carry a credential.
    if let Some(failure) = failure {
        eprint!("{}", failure.render(&logging::Redactor::from_environment()));
    }
    code.into()
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
