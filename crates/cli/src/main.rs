//! `preflight`: validate Amazon Personalize bulk imports before they run.

use personalize_preflight::{args, commands, exit, logging};

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    if cli.debug {
        logging::init_debug();
    }
    match commands::run(cli) {
        Ok(code) => code.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return exit::SUCCESS.into();
            }
            // An error may quote what a server answered: never let it carry a credential.
            let redactor = logging::Redactor::from_environment();
            eprintln!("error: {}", redactor.redact(&err.to_string()));
            for cause in err.chain().skip(1) {
                eprintln!("  Caused by: {}", redactor.redact(&cause.to_string()));
            }
            exit::FAILURE.into()
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
