//! `preflight train SOLUTION_ARN…`, and `run --retrain`: a new solution version per solution
//! (CreateSolutionVersion), watched to ACTIVE or CREATE FAILED with the import watch's backoff
//! and exit codes. Training is billed by the hour: nothing is trained unless asked.

use std::io::Write;
use std::time::Duration;

use anyhow::bail;
use preflight_uploader::{
    choose_training_mode, start_training, watch_training, Backoff, Change, CreateSolutionVersion,
    PersonalizeError, SdkPersonalize, Solutions, TrainingMode, Watched,
};

use crate::args::{TrainArgs, TrainMode};
use crate::exit;
use crate::outcome::Outcome;
use crate::session::Session;

pub fn run(args: &TrainArgs, session: &Session) -> anyhow::Result<Outcome> {
    for arn in &args.solution_arns {
        if !(arn.starts_with("arn:") && arn.contains(":personalize:") && arn.contains(":solution/"))
        {
            bail!("`{arn}` is not a Personalize solution ARN (arn:aws:personalize:REGION:ACCOUNT:solution/NAME)");
        }
    }
    if args.dry_run {
        for arn in &args.solution_arns {
            let request = CreateSolutionVersion {
                solution_arn: arn.clone(),
                training_mode: match args.training_mode {
                    TrainMode::Full => TrainingMode::Full,
                    TrainMode::Update => TrainingMode::Update,
                },
                name: None,
            };
            print_requests(&request)?;
        }
        eprintln!("dry run: nothing was sent");
        return Ok(Outcome::success());
    }
    let p = session.personalize()?;
    for arn in &args.solution_arns {
        let mode = match args.training_mode {
            TrainMode::Full => TrainingMode::Full,
            TrainMode::Update => {
                // UPDATE only where the recipe supports it and a version exists to update.
                let solution = session.runtime()?.block_on(p.describe_solution(arn))?;
                let choice = choose_training_mode(&solution, &[Change::NewItems]);
                if choice.mode != TrainingMode::Update {
                    return Ok(Outcome::failed(
                        exit::IMPORT_REFUSED,
                        format!(
                            "training refused: `{arn}` cannot be trained in UPDATE mode: {}",
                            choice.why
                        ),
                    )
                    .note("No solution version was created; train it with --training-mode full."));
                }
                TrainingMode::Update
            }
        };
        let outcome = train(
            &p,
            arn,
            mode,
            None,
            !args.no_wait,
            args.watch.timeout,
            session,
        )?;
        if outcome.code != exit::SUCCESS {
            return Ok(outcome);
        }
    }
    Ok(Outcome::success())
}

/// The requests a training makes, as dry-run lines.
pub fn print_requests(request: &CreateSolutionVersion) -> anyhow::Result<()> {
    crate::import_job::print_dry_request(
        "personalize",
        "CreateSolutionVersion",
        serde_json::to_value(request)?,
    )?;
    crate::import_job::print_dry_request(
        "personalize",
        "DescribeSolutionVersion",
        serde_json::json!({"solutionVersionArn": "(the solutionVersionArn CreateSolutionVersion returns)"}),
    )
}

/// The training mode after an import bringing `changes`: UPDATE where the recipe supports it
/// and only items changed (see `choose_training_mode`), else FULL; says which and why.
pub fn mode_after_import(
    p: &SdkPersonalize,
    solution_arn: &str,
    changes: &[Change],
    session: &Session,
) -> anyhow::Result<TrainingMode> {
    let solution = session
        .runtime()?
        .block_on(p.describe_solution(solution_arn))?;
    let choice = choose_training_mode(&solution, changes);
    eprintln!(
        "training `{}` in {} mode: {}",
        solution.name,
        choice.mode.as_str(),
        choice.why
    );
    Ok(choice.mode)
}

/// Creates a solution version, prints its ARN on stdout, and watches it when asked: exit 0
/// when ACTIVE, 4 when CREATE FAILED (or stopped), 5 when `timeout` passes (training goes on),
/// 6 when the service refuses the request (no version was created), 130 on Ctrl-C.
pub fn train(
    p: &SdkPersonalize,
    solution_arn: &str,
    mode: TrainingMode,
    name: Option<String>,
    wait: bool,
    timeout: Option<Duration>,
    session: &Session,
) -> anyhow::Result<Outcome> {
    let rt = session.runtime()?;
    let request = CreateSolutionVersion {
        solution_arn: solution_arn.to_string(),
        training_mode: mode,
        name,
    };
    let arn = match rt.block_on(start_training(p, &request)) {
        Ok(arn) => arn,
        Err(
            e @ (PersonalizeError::AlreadyExists { .. }
            | PersonalizeError::LimitExceeded { .. }
            | PersonalizeError::NotFound { .. }
            | PersonalizeError::InvalidInput { .. }
            | PersonalizeError::InUse { .. }),
        ) => {
            return Ok(
                Outcome::failed(exit::IMPORT_REFUSED, format!("training refused: {e}"))
                    .note("No solution version was created."),
            );
        }
        Err(e) => return Err(e.into()),
    };
    eprintln!(
        "created solution version ({} training of {solution_arn})",
        mode.as_str()
    );
    writeln!(std::io::stdout().lock(), "{arn}")?;
    if !wait {
        return Ok(Outcome::success());
    }
    // Before the first line: a Ctrl-C from here on stops the watch (see `Session::ctrl_c`).
    let ctrl_c = session.ctrl_c()?;
    eprintln!("watching {arn} (Ctrl-C stops watching; it does not stop the training)");
    let mut last = String::new();
    let mut on_poll = |v: &preflight_uploader::SolutionVersion, t: Duration| {
        let still = if v.status == last { " (still)" } else { "" };
        eprintln!("  {:<20} {}s{still}", v.status, t.as_secs());
        last = v.status.clone();
    };
    let watched = rt.block_on(async {
        tokio::select! {
            r = watch_training(p, &arn, session.clock(), Backoff::default(), timeout, &mut on_poll) => Some(r),
            true = ctrl_c => None,
        }
    });
    let Some(watched) = watched else {
        eprintln!("stopped watching: the training goes on (Ctrl-C does not stop it)");
        return Ok(Outcome::exit(exit::INTERRUPTED));
    };
    Ok(match watched? {
        Watched::Active(_) => {
            eprintln!("solution version `{arn}` is ACTIVE: a campaign serves it once updated to it (UpdateCampaign), or by itself if the campaign syncs with the latest solution version");
            Outcome::success()
        }
        Watched::Failed(v) => Outcome::failed(
            exit::IMPORT_FAILED,
            format!("solution version `{arn}` is {}", v.status),
        )
        .note(format!(
            "failureReason: {}",
            v.failure_reason
                .as_deref()
                .unwrap_or("(no failureReason given)")
        )),
        Watched::TimedOut(v) => Outcome::failed(
            exit::WATCH_TIMEOUT,
            format!(
                "solution version `{arn}` is still {} after the --timeout; the training goes on",
                v.status
            ),
        ),
    })
}
