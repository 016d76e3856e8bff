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
    if matches!(
        cli.command,
        args::Command::Validate(_)
            | args::Command::Plan(_)
            | args::Command::Insights(_)
            | args::Command::Stage(_)
    ) {
        // These commands write temporary files (spilled checks, the plan's partitions) and
        // outputs in `.part` files: Ctrl-C removes them before the process ends (as it ends a
        // stage's uploads, which nothing imports without its manifest). `import`,
        // `watch` and `run` keep their own Ctrl-C (stop watching). Installed with the first
        // temporary file: a run that writes none needs no handler thread.
        preflight_validator::temp::on_first_temporary_file(remove_temporary_files_on_interrupt);
    }
    let (code, failure) = match commands::run(cli) {
        Ok(outcome) => (outcome.code, outcome.failure),
        Err(err) if is_broken_pipe(&err) => (exit::SUCCESS, None),
        Err(err) => (exit::FAILURE, Some(Failure::from_anyhow(&err))),
    };
    let interrupted = INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst);
    if interrupted != 0 {
        // The handler is removing the temporary files: what failed meanwhile is its doing.
        // Removing them here too waits for it to finish.
        preflight_validator::temp::remove_all();
        eprintln!("interrupted: temporary files removed");
        std::process::exit(interrupted);
    }
    // Every error is printed here, once; it may quote what a server answered: never let it
    // carry a credential.
    if let Some(failure) = failure {
        eprint!("{}", failure.render(&logging::Redactor::from_environment()));
    }
    code.into()
}

/// On SIGINT or SIGTERM: removes the library's temporary files and exits with 130 (143), as
/// a shell reports a process ended by that signal. One thread waits for the signals (like any
/// thread, it reserves a malloc arena: 64 MiB of address space, not of memory).
/// The exit code of the signal being handled (0: none).
static INTERRUPTED: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

#[cfg(unix)]
fn remove_temporary_files_on_interrupt() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            // Set first: a command that fails because its files went away exits with this too.
            INTERRUPTED.store(128 + sig, std::sync::atomic::Ordering::SeqCst);
            preflight_validator::temp::remove_all();
            eprintln!("interrupted: temporary files removed");
            std::process::exit(128 + sig);
        }
    });
}

#[cfg(not(unix))]
fn remove_temporary_files_on_interrupt() {}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
