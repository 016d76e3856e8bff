//! `preflight import` and `preflight watch`: the account-side checks, CreateDatasetImportJob,
//! and following the job to ACTIVE or CREATE FAILED (see `preflight_uploader::import`).

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::bail;
use preflight_uploader::import::{active_dataset, check_bulk_data, submit, verify_manifest, watch};
use preflight_uploader::{
    check_job_name, classify_failure, job_name, Backoff, CreateImportJob, DataSource, FailureKind,
    ImportError, Personalize, PersonalizeError, Queue, S3Store, S3Url, SdkPersonalize,
    WatchOutcome,
};
use preflight_validator::DatasetType;

use super::Clients;
use crate::args::{ImportArgs, ImportMode as CliMode, JobArgs, WatchArgs};
use crate::exit::{self, Code};

pub fn execute(args: ImportArgs, clients: &Clients) -> anyhow::Result<Code> {
    let url = S3Url::parse(&args.from).map_err(anyhow::Error::msg)?;
    check_arns(&args.dataset_arn, &args.job.role_arn)?;
    if !url.is_folder() && !args.unverified {
        bail!("`{}` is one object: preflight verifies a folder against its manifest; give the staged folder (ending in `/`), or import the object with --unverified", args.from);
    }
    let now = now(args.now);
    let request = request(&args.job, &args.dataset_arn, &args.from, args.mode, now)?;
    if args.dry_run {
        print_request(&request)?;
        eprintln!("dry run: nothing was sent");
        return Ok(exit::SUCCESS);
    }
    let rt = crate::s3::runtime()?;
    let p = clients.personalize(&args.aws, &rt)?;
    let result = rt.block_on(async {
        let dataset = active_dataset(&p, &args.dataset_arn).await?;
        // FULL over bulk data replaces it all, and `import` cannot see what it drops.
        check_bulk_data(&p, &args.dataset_arn, request.import_mode, args.allow_drop).await?;
        if args.unverified {
            eprintln!("warning: --unverified: `{}` is imported as it is, without checking it against a manifest", args.from);
        } else {
            let store = S3Store::connect(&url.bucket, &crate::s3::options(&args.aws))
                .await
                .map_err(|e| ImportError::Manifest(format!("cannot read `{}`: {e}", args.from)))?;
            let verified = verify_manifest(&store, &url.key).await?;
            check_manifest_type(&verified.manifest.dataset_type, &dataset.dataset_type)?;
            eprintln!(
                "verified {} object(s) of {} against its manifest",
                verified.manifest.files.len(),
                args.from
            );
            for (key, why) in &verified.read_back {
                eprintln!("  `{key}` read back and hashed: {why}");
            }
        }
        Ok::<_, ImportError>(())
    });
    if let Some(code) = refused(result)? {
        return Ok(code);
    }
    create_and_watch(
        &p,
        &request,
        &args.job,
        args.wait,
        args.watch.timeout,
        clients,
        &rt,
    )
}

pub fn watch_command(args: WatchArgs, clients: &Clients) -> anyhow::Result<Code> {
    let rt = crate::s3::runtime()?;
    let p = clients.personalize(&args.aws, &rt)?;
    follow(&p, &args.job_arn, args.watch.timeout, clients, &rt)
}

/// The current time, or `PREFLIGHT_NOW`.
pub fn now(fixed: Option<i64>) -> SystemTime {
    fixed.map_or_else(SystemTime::now, |s| {
        UNIX_EPOCH + Duration::from_secs(s.max(0) as u64)
    })
}

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
    mode: CliMode,
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
        import_mode: mode.into(),
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

fn print_request(r: &CreateImportJob) -> anyhow::Result<()> {
    print_dry_request(
        "personalize",
        "CreateDatasetImportJob",
        serde_json::to_value(r)?,
    )
}

/// The manifest's dataset type must be the dataset's.
fn check_manifest_type(manifest: &str, dataset: &str) -> Result<(), ImportError> {
    let (Ok(a), Ok(b)) = (
        manifest.parse::<DatasetType>(),
        dataset.parse::<DatasetType>(),
    ) else {
        return Ok(());
    };
    if a != b {
        return Err(ImportError::Manifest(format!(
            "the folder was validated as {a} data but the dataset is an {b} dataset: import it into the {a} dataset"
        )));
    }
    Ok(())
}

/// A refusal before any job exists is exit 6 with the reason; other failures stop the command.
pub fn refused(result: Result<(), ImportError>) -> anyhow::Result<Option<Code>> {
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
            eprintln!("error: import refused: {e}");
            if let ImportError::Personalize(PersonalizeError::AlreadyExists { .. }) = e {
                eprintln!("  Job names are unique per account and region: choose another --job-name, or leave it out for a generated one.");
            }
            eprintln!("  No import job was created.");
            Ok(Some(exit::IMPORT_REFUSED))
        }
        Err(e) => Err(e.into()),
    }
}

/// Creates the job (waiting for a slot unless `--no-queue`), prints its ARN, and watches it
/// when asked.
pub fn create_and_watch(
    p: &SdkPersonalize,
    request: &CreateImportJob,
    job: &JobArgs,
    wait: bool,
    timeout: Option<Duration>,
    clients: &Clients,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<Code> {
    let queue = if job.no_queue {
        Queue::Fail
    } else {
        Queue::Wait
    };
    let created = rt.block_on(submit(
        p,
        request,
        queue,
        clients.clock.as_ref(),
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
            return Ok(refused(Err(e))?.unwrap_or(exit::FAILURE));
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
        return Ok(exit::SUCCESS);
    }
    follow(p, &arn, timeout, clients, rt)
}

/// Watches a job; Ctrl-C stops watching and leaves the job running.
pub fn follow<P: Personalize>(
    p: &P,
    arn: &str,
    timeout: Option<Duration>,
    clients: &Clients,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<Code> {
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
            r = watch(p, arn, clients.clock.as_ref(), Backoff::default(), timeout, &mut on_poll) => Some(r),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    let Some(outcome) = outcome else {
        eprintln!("stopped watching: the import job goes on (Ctrl-C does not cancel it); re-attach with `preflight watch {arn}`");
        return Ok(exit::INTERRUPTED);
    };
    match outcome? {
        WatchOutcome::Active(job) => {
            eprintln!(
                "import job `{}` is ACTIVE: the data is in the dataset",
                job.name
            );
            Ok(exit::SUCCESS)
        }
        WatchOutcome::Failed(job) => {
            let reason = job
                .failure_reason
                .as_deref()
                .unwrap_or("(no failureReason given)");
            eprintln!("error: import job `{}` is CREATE FAILED", job.name);
            eprintln!("  failureReason: {reason}");
            if let Some(hint) = classify_failure(reason).map(|k| hint(&k)) {
                eprintln!("  {hint}");
            }
            Ok(exit::IMPORT_FAILED)
        }
        WatchOutcome::TimedOut(job) => {
            eprintln!(
                "error: import job `{}` is still {} after the --timeout; it goes on: re-attach with `preflight watch {arn}`",
                job.name, job.status
            );
            Ok(exit::WATCH_TIMEOUT)
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
        FailureKind::Privileges => "Personalize could not read the data: the role (--role-arn) needs s3:GetObject and s3:ListBucket on the bucket and its objects, the bucket policy must allow the service principal personalize.amazonaws.com the same, and an SSE-KMS key must grant the role and Personalize kms:Decrypt (README: \"IAM role and bucket policy\")".to_string(),
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
