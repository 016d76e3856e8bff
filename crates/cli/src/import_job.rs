//! The import job, for `import`, `run` and `watch`: the request (checked ARNs, a checked or
//! generated job name), what a refusal before any job exists tells the user (exit 6),
//! creating the job (waiting for a slot unless `--no-queue`) and following it to `ACTIVE` or
//! `CREATE FAILED` (see `preflight_uploader::import`).

use std::io::Write;
use std::time::{Duration, SystemTime};

use anyhow::bail;
use preflight_uploader::import::{submit, watch};
use preflight_uploader::{
    check_job_name, classify_failure, job_name, Backoff, CreateImportJob, DataSource, FailureKind,
    ImportError, Personalize, PersonalizeError, Queue, WatchOutcome,
};
use preflight_validator::ImportMode;

use crate::args::JobArgs;
use crate::exit;
use crate::outcome::Outcome;
use crate::session::Session;

/// A syntax check of the ARNs (the API's patterns), so a typo fails before any request.
pub fn check_arns(dataset_arn: &str, role_arn: &str) -> anyhow::Result<()> {
    if !(dataset_arn.starts_with("arn:") && dataset_arn.contains(":personalize:")) {
        bail!("`{dataset_arn}` is not a Personalize dataset ARN (arn:aws:personalize:REGION:ACCOUNT:dataset/GROUP/TYPE)");
    }
    let role_ok =
        role_arn.starts_with("arn:") && role_arn.contains(":iam::") && role_arn.contains(":role/");
    if !role_ok {
        bail!("`{role_arn}` is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
    }
    Ok(())
}

/// The CreateDatasetImportJob request: the given job name (checked) or a fresh one.
pub fn request(
    job: &JobArgs,
    dataset_arn: &str,
    data_location: &str,
    mode: ImportMode,
    now: SystemTime,
) -> anyhow::Result<CreateImportJob> {
    let job_name = match &job.job_name {
        Some(n) => {
            check_job_name(n).map_err(anyhow::Error::msg)?;
            n.clone()
        }
        None => {
            // The dataset ARN ends with the type (`…/INTERACTIONS`).
            let ty = dataset_arn.rsplit('/').next().unwrap_or("dataset");
            job_name(ty, dataset_arn, data_location, now)
        }
    };
    Ok(CreateImportJob {
        job_name,
        dataset_arn: dataset_arn.to_string(),
        data_source: DataSource {
            data_location: data_location.to_string(),
        },
        role_arn: job.role_arn.clone(),
        import_mode: mode,
    })
}

/// One request a dry run would send, as a JSON line on stdout.
pub fn print_dry_request(
    service: &str,
    operation: &str,
    request: serde_json::Value,
) -> anyhow::Result<()> {
    let line = serde_json::json!({"service": service, "operation": operation, "request": request});
    writeln!(std::io::stdout().lock(), "{line}")?;
    Ok(())
}

/// A refusal before any job exists is exit 6 with the reason; other failures stop the command.
pub fn refused(result: Result<(), ImportError>) -> anyhow::Result<Option<Outcome>> {
    match result {
        Ok(()) => Ok(None),
        Err(
            e @ (ImportError::DatasetNotActive { .. }
            | ImportError::NoBulkImport { .. }
            | ImportError::WouldReplaceBulkData { .. }
            | ImportError::QueueFull { .. }
            | ImportError::Manifest(_)
            | ImportError::JobName(_)
            | ImportError::Personalize(
                PersonalizeError::AlreadyExists { .. }
                | PersonalizeError::LimitExceeded { .. }
                | PersonalizeError::NotFound { .. }
                | PersonalizeError::InvalidInput { .. }
                | PersonalizeError::InUse { .. },
            )),
        ) => {
            let mut outcome = Outcome::failed(exit::IMPORT_REFUSED, format!("import refused: {e}"));
            if let ImportError::Personalize(PersonalizeError::AlreadyExists { .. }) = e {
                outcome = outcome.note("Job names are unique per account and region: choose another --job-name, or leave it out for a generated one.");
            }
            Ok(Some(outcome.note("No import job was created.")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Creates the job (waiting for a slot unless `--no-queue`), prints its ARN, and watches it
/// when asked.
pub fn create_and_watch(
    request: &CreateImportJob,
    job: &JobArgs,
    wait: bool,
    timeout: Option<Duration>,
    session: &Session,
) -> anyhow::Result<Outcome> {
    let p = session.personalize()?;
    let rt = session.runtime()?;
    let queue = if job.no_queue {
        Queue::Fail
    } else {
        Queue::Wait
    };
    let created = rt.block_on(submit(
        &p,
        request,
        queue,
        session.clock(),
        Backoff::default(),
        &mut |pending, wait| {
            eprintln!(
                "{pending} import jobs are pending or in progress in this region (the limit is 5): waiting {}s for a free slot (nothing was created; --no-queue fails instead)",
                wait.as_secs()
            )
        },
    ));
    let arn = match created {
        Ok(arn) => arn,
        Err(e) => {
            return Ok(refused(Err(e))?.unwrap_or_else(|| Outcome::exit(exit::FAILURE)));
        }
    };
    eprintln!(
        "created import job `{}` ({} of {} into {})",
        request.job_name,
        request.import_mode,
        request.data_source.data_location,
        request.dataset_arn
    );
    writeln!(std::io::stdout().lock(), "{arn}")?;
    if !wait {
        eprintln!("follow it with: preflight watch {arn}");
        return Ok(Outcome::success());
    }
    follow(&p, &arn, timeout, session)
}

/// Watches a job; Ctrl-C stops watching and leaves the job running.
pub fn follow<P: Personalize>(
    p: &P,
    arn: &str,
    timeout: Option<Duration>,
    session: &Session,
) -> anyhow::Result<Outcome> {
    let rt = session.runtime()?;
    // Before the first line: a Ctrl-C from here on stops the watch (see `Session::ctrl_c`).
    let ctrl_c = session.ctrl_c()?;
    eprintln!("watching {arn} (Ctrl-C stops watching; it does not cancel the job)");
    let mut last = String::new();
    let mut on_poll = |job: &preflight_uploader::ImportJob, t: Duration| {
        if job.status != last {
            eprintln!("  {:<20} {}", job.status, elapsed(t));
            last = job.status.clone();
        } else {
            eprintln!("  {:<20} {} (still)", job.status, elapsed(t));
        }
    };
    let outcome = rt.block_on(async {
        tokio::select! {
            r = watch(p, arn, session.clock(), Backoff::default(), timeout, &mut on_poll) => Some(r),
            true = ctrl_c => None,
        }
    });
    let Some(outcome) = outcome else {
        eprintln!("stopped watching: the import job goes on (Ctrl-C does not cancel it); re-attach with `preflight watch {arn}`");
        return Ok(Outcome::exit(exit::INTERRUPTED));
    };
    match outcome? {
        WatchOutcome::Active(job) => {
            eprintln!(
                "import job `{}` is ACTIVE: the data is in the dataset",
                job.name
            );
            Ok(Outcome::success())
        }
        WatchOutcome::Failed(job) => {
            let reason = job
                .failure_reason
                .as_deref()
                .unwrap_or("(no failureReason given)");
            let mut outcome = Outcome::failed(
                exit::IMPORT_FAILED,
                format!("import job `{}` is CREATE FAILED", job.name),
            )
            .note(format!("failureReason: {reason}"));
            if let Some(hint) = classify_failure(reason).map(|k| hint(&k)) {
                outcome = outcome.note(hint);
            }
            Ok(outcome)
        }
        WatchOutcome::TimedOut(job) => {
            Ok(Outcome::failed(
                exit::WATCH_TIMEOUT,
                format!(
                    "import job `{}` is still {} after the --timeout; it goes on: re-attach with `preflight watch {arn}`",
                    job.name, job.status
                ),
            ))
        }
    }
}

fn elapsed(t: Duration) -> String {
    let s = t.as_secs();
    if s >= 3600 {
        format!("{}h {:02}m {:02}s", s / 3600, s % 3600 / 60, s % 60)
    } else {
        format!("{}m {:02}s", s / 60, s % 60)
    }
}

/// What a known failure means, with the rules that catch it before an import.
pub fn hint(kind: &FailureKind) -> String {
    match kind {
        FailureKind::MissingColumns(cols) => format!(
            "PF105 missing-column: the CSV header lacks {} of the dataset's schema (a byte-order mark, PF103, or a case difference, PF104, look the same to Personalize). Fix: `preflight validate --dataset-arn DATASET_ARN FILES` shows which file and column",
            if cols.is_empty() { "columns".to_string() } else { cols.join(", ") }
        ),
        FailureKind::LengthLimit { limit, column } => format!(
            "PF210 id-too-long / PF211 categorical-value-too-long / PF212 string-value-too-long{}{}: a value is too long, or the CSV is malformed so fields ran together (PF205 stray-quote, PF202 unclosed-quote). Fix: `preflight validate` finds the line",
            column.as_ref().map(|c| format!(" in {c}")).unwrap_or_default(),
            limit.map(|l| format!(" (limit {l})")).unwrap_or_default()
        ),
        FailureKind::Privileges => "Personalize could not read the data: the role (--role-arn) needs s3:GetObject and s3:ListBucket on the bucket and its objects, the bucket policy must allow the service principal personalize.amazonaws.com the same, and an SSE-KMS key must grant the role and Personalize kms:Decrypt (the policies: docs/iam.md)".to_string(),
        FailureKind::DataLocation => "the dataLocation is not a valid S3 path: a folder needs a trailing `/` (give the run folder printed by `preflight stage`)".to_string(),
        FailureKind::TooManyJobs => "5 import jobs were pending or in progress in the region: run again later (without --no-queue, preflight waits for a slot)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_failures_name_the_rules_that_catch_them() {
        let h = hint(&FailureKind::MissingColumns(vec!["TIMESTAMP".into()]));
        assert!(
            h.starts_with("PF105 missing-column") && h.contains("lacks TIMESTAMP"),
            "{h}"
        );
        let h = hint(&FailureKind::LengthLimit {
            limit: Some(256),
            column: Some("ITEM_ID".into()),
        });
        assert!(
            h.contains("PF210") && h.contains("in ITEM_ID (limit 256)"),
            "{h}"
        );
        assert!(h.contains("PF205 stray-quote"), "{h}");
        assert!(hint(&FailureKind::Privileges).contains("bucket policy"));
        assert!(hint(&FailureKind::DataLocation).contains("trailing `/`"));
    }

    #[test]
    fn elapsed_is_minutes_and_hours() {
        assert_eq!(elapsed(Duration::from_secs(5)), "0m 05s");
        assert_eq!(elapsed(Duration::from_secs(875)), "14m 35s");
        assert_eq!(elapsed(Duration::from_secs(3725)), "1h 02m 05s");
    }

    #[test]
    fn arns_are_checked_before_any_request() {
        let ds = "arn:aws:personalize:us-east-1:123456789012:dataset/g/ITEMS";
        let role = "arn:aws:iam::123456789012:role/R";
        check_arns(ds, role).unwrap();
        assert!(check_arns("dataset/g/ITEMS", role).is_err());
        assert!(check_arns(ds, "arn:aws:iam::123456789012:user/U").is_err());
    }
}
