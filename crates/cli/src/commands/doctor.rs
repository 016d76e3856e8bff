//! `preflight doctor`: the access checks on their own, for a setup before its first import
//! (or after a job failed with "Insufficient privileges for accessing data in Amazon S3").

use std::io::Write;

use preflight_uploader::{job_name, S3Url};

use crate::access;
use crate::args::{DoctorArgs, FailOn, Format};
use crate::exit;
use crate::import_job::check_arns;
use crate::outcome::Outcome;
use crate::session::Session;

pub fn run(args: &DoctorArgs, session: &Session) -> anyhow::Result<Outcome> {
    check_arns(&args.dataset_arn, &args.role_arn)?;
    let location = S3Url::parse(&args.location).map_err(anyhow::Error::msg)?;
    // The job's ARN is one of the `aws:SourceArn` values Personalize may send; a doctor run
    // has no job, so a name like the one `import` would generate stands in.
    let ty = args.dataset_arn.rsplit('/').next().unwrap_or("dataset");
    let name = job_name(ty, &args.dataset_arn, &args.location, session.now());
    let mut request = access::request(
        &args.dataset_arn,
        None,
        &args.role_arn,
        &location,
        &name,
        args.kms_key.clone(),
    );
    if args.dry_run {
        crate::import_job::print_dry_request(
            "personalize",
            "DescribeDataset",
            serde_json::json!({"datasetArn": args.dataset_arn}),
        )?;
        access::print_planned(&request)?;
        eprintln!("dry run: nothing was sent");
        return Ok(Outcome::success());
    }
    // The dataset group is another `aws:SourceArn` Personalize may send: read it, or check
    // without it.
    let p = session.personalize()?;
    match session
        .runtime()?
        .block_on(preflight_uploader::Personalize::describe_dataset(
            &p,
            &args.dataset_arn,
        )) {
        Ok(d) => request.dataset_group_arn = d.dataset_group_arn,
        Err(e) => session.warn(&format!(
            "could not read dataset `{}` (its dataset group is one of the `aws:SourceArn` values the trust policy may name): {e}",
            args.dataset_arn
        )),
    }
    let checked = access::check(session, &request)?;
    let mut report = Vec::new();
    match session.format() {
        Format::Json => writeln!(
            report,
            "{}",
            serde_json::to_string_pretty(&access::to_json(&checked))?
        )?,
        _ => access::print_human(&mut report, &checked)?,
    }
    match &session.clients().stdout {
        Some(captured) => captured
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(&report),
        None => std::io::stdout().lock().write_all(&report)?,
    }
    let warnings = checked.diagnostics.len() - checked.errors();
    let failing = match session.fail_on() {
        FailOn::Error => checked.errors() > 0,
        FailOn::Warning => checked.errors() + warnings > 0,
        FailOn::Never => false,
    };
    Ok(Outcome::exit(if failing {
        exit::FINDINGS
    } else {
        exit::SUCCESS
    }))
}
