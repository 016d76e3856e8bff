//! `preflight stage`: validate, and upload to a fresh run folder meanwhile, committing nothing
//! before validation's verdict (see the uploader crate's `stage_gated`).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::bail;
use preflight_uploader::{
    stage, stage_gated, Action, Gate, Gated, LocalStore, Progress, RequestObserver, S3Store, Sse,
    StageOptions, StageOutcome, StageRequest, Target,
};
use preflight_validator::resolve;

use crate::args::StageArgs;
use crate::dataset;
use crate::exit;
use crate::outcome::Outcome;
use crate::progress::{is_ci, show_progress, Reporter};
use crate::render::{human_bytes, Section};
use crate::session::Session;
use crate::staging;

pub fn run(args: &StageArgs, session: &Session) -> anyhow::Result<Outcome> {
    let target = Target::parse(&args.to).map_err(anyhow::Error::msg)?;
    if let Some(p) = args.paths.iter().find(|p| *p == "-" || p.contains("://")) {
        bail!("`{p}`: stage uploads local files and folders (standard input and URLs cannot be staged)");
    }
    // The schema options, else the schema of the preflight.toml dataset the files belong to.
    let schema = dataset::Target::of(
        session.config(),
        args.dataset.as_deref(),
        &args.paths,
        &args.schema,
    )?
    .schema(&args.schema, session)?;
    let (inputs, extra) = resolve(&args.paths)?;
    // --fix: what is validated and staged is a repaired copy.
    let (repaired, plain) = if args.fix {
        let r = staging::Repaired::new(inputs, &schema, session, args.unsafe_fixes)?;
        r.print();
        (Some(r), Vec::new())
    } else {
        (None, inputs)
    };
    let inputs: &[preflight_validator::InputFile] =
        repaired.as_ref().map_or(&plain[..], |r| &r.inputs[..]);
    // The bar (where someone watches) and one line per retried request (always).
    let reporter = Arc::new(Reporter::new(
        !args.dry_run && show_progress(args.progress, std::io::stderr().is_terminal(), is_ci()),
    ));

    // What validation decides: the request to stage (its summary for the manifest), or the
    // refusal (unless --force), exactly as when validation ran first.
    let prefix = target.prefix().to_string();
    let judge =
        |report: preflight_validator::Report| -> Result<StageRequest, anyhow::Result<Outcome>> {
            let stops = staging::stops(&report, session);
            if stops || report.summary.warnings > 0 {
                // stdout carries the data location alone.
                reporter
                    .suspend(|| session.emit_to_stderr(&[Section::of(None, &report)]))
                    .map_err(Err)?;
            }
            if stops && !args.force {
                return Err(Ok(Outcome::failed(
                exit::FINDINGS,
                format!(
                    "validation found {}: nothing was staged (fix them, or stage anyway with --force)",
                    staging::what_stops(&report)
                ),
            )));
            }
            if stops {
                reporter.suspend(|| {
                    eprintln!(
                        "warning: staging despite {} (--force); the manifest records it",
                        validation_findings(&report)
                    )
                });
            }
            let mut request =
                staging::request(inputs, &report, &schema, prefix.clone(), stops).map_err(Err)?;
            if let Some(r) = &repaired {
                r.record(&mut request);
            }
            Ok(request)
        };
    let stage_opts = StageOptions {
        checksum: args.checksum.parse().map_err(anyhow::Error::msg)?,
        multipart_threshold: args.multipart_threshold << 20,
        part_size: args.part_size << 20,
        concurrency: args.concurrency as usize,
        dry_run: args.dry_run,
        keep: args.keep.map(|k| k as usize),
        keep_grace: args.keep_grace,
        now: session.now(),
    };

    // The store.
    let rt = session.runtime()?;
    let store = match &target {
        Target::S3 { bucket, .. } => {
            let mut s3 = crate::s3::options(session.aws());
            s3.sse = match args.sse.as_deref() {
                Some("aws:kms") => Some(Sse::Kms(args.kms_key_id.clone())),
                Some(_) => Some(Sse::Aes256),
                None => None,
            };
            if args.kms_key_id.is_some() && args.sse.as_deref() != Some("aws:kms") {
                bail!("--kms-key-id needs --sse aws:kms");
            }
            s3.expected_bucket_owner = args.expected_bucket_owner.clone();
            s3.observer = Some(reporter.clone() as Arc<dyn RequestObserver>);
            // A configuration that cannot reach S3 is reported after validation, as before.
            rt.block_on(S3Store::connect(bucket, &s3)).map(Store::S3)
        }
        Target::Local { dir } => {
            if args.sse.is_some() || args.expected_bucket_owner.is_some() {
                bail!("--sse and --expected-bucket-owner apply to s3:// targets only");
            }
            Ok(Store::Local(LocalStore::new(dir.clone())))
        }
    };

    // What names the run folder is known before validation (the files, their checksums, the
    // schema): the upload starts at once and validation runs beside it; nothing is committed
    // before its verdict (see `stage_gated`). A dry run, and a store that cannot be reached,
    // validate first.
    let begun = match &store {
        Ok(_) if !args.dry_run => staging::provisional(inputs, &schema, prefix.clone(), session),
        _ => None,
    };
    let result = match (store, begun) {
        (Ok(store), Some(begun)) => {
            let options = session.options();
            let gated = std::thread::scope(|scope| {
                let (tx, rx) = tokio::sync::oneshot::channel();
                let schema = &schema;
                scope.spawn(move || {
                    yield_to_the_upload();
                    let _ = tx.send(preflight_validator::validate(
                        schema, inputs, extra, &options,
                    ));
                });
                let gate = async {
                    match rx.await {
                        Ok(Ok(report)) => match judge(report) {
                            Ok(request) => Gate::Go(Box::new(request)),
                            Err(refused) => Gate::Stop(refused),
                        },
                        Ok(Err(e)) => Gate::Stop(Err(e.into())),
                        Err(_) => Gate::Stop(Err(anyhow::anyhow!(
                            "validation ended without a report: nothing was staged"
                        ))),
                    }
                };
                let progress = reporter.clone() as Arc<dyn Progress>;
                match store {
                    Store::S3(s) => rt.block_on(stage_gated(
                        Arc::new(s),
                        &begun,
                        &stage_opts,
                        progress,
                        gate,
                    )),
                    Store::Local(s) => rt.block_on(stage_gated(
                        Arc::new(s),
                        &begun,
                        &stage_opts,
                        progress,
                        gate,
                    )),
                }
            });
            match gated {
                Ok(Gated::Staged(o)) => Ok(o),
                // Every multipart upload begun is aborted: nothing of this run remains.
                Ok(Gated::Stopped { reason, .. }) => return reason,
                Err(e) => Err(e),
            }
        }
        (store, _) => {
            let report = preflight_validator::validate(&schema, inputs, extra, &session.options())?;
            let request = match judge(report) {
                Ok(r) => r,
                Err(refused) => return refused,
            };
            let progress = reporter.clone() as Arc<dyn Progress>;
            match store.map_err(anyhow::Error::msg)? {
                Store::S3(s) => rt.block_on(stage(Arc::new(s), &request, &stage_opts, progress)),
                Store::Local(s) => rt.block_on(stage(Arc::new(s), &request, &stage_opts, progress)),
            }
        }
    };
    let outcome = match result {
        Ok(o) => o,
        Err(e) => return staging::upload_failed(e, "No manifest was written, so this run folder cannot be imported; run the same command again to resume it."),
    };
    print_outcome(&outcome, &target)?;
    Ok(Outcome::success())
}

/// Where to stage.
enum Store {
    S3(S3Store),
    Local(LocalStore),
}

/// Lowers the calling thread's scheduling priority to nice 10, and so that of every thread it
/// starts (validation's workers inherit it). Validation beside the upload then takes the CPU
/// the upload leaves: when every core is busy (a store on the same machine, a loaded CI
/// runner), the parts go out at the pace they would without validation, which has the whole
/// upload to finish in (its verdict is needed only before the commits). On Linux, where the
/// nice value is a thread's; elsewhere it would slow the whole process, so nothing changes.
fn yield_to_the_upload() {
    #[cfg(target_os = "linux")]
    {
        // Raising one's own nice value needs no privilege; a failure only leaves it as it was.
        let now = rustix::process::getpriority_process(None).unwrap_or(0);
        let _ = rustix::process::setpriority_process(None, now.max(10));
    }
}

/// What `--force` staged despite: the errors, else the warnings that stop.
fn validation_findings(report: &preflight_validator::Report) -> String {
    if report.summary.errors > 0 {
        format!("{} validation error(s)", report.summary.errors)
    } else {
        format!("{} validation warning(s)", report.summary.warnings)
    }
}

/// Complete run folders of this content that changed since they were staged.
fn print_changed(o: &StageOutcome) {
    for (folder, what) in &o.changed {
        eprintln!(
            "warning: {folder} was staged with this content, but {what}; it is left as it is (an import job may read it), and a fresh run folder is staged"
        );
    }
}

/// The data location on stdout (for scripts); what was done on stderr.
fn print_outcome(o: &StageOutcome, target: &Target) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let loc = |key: &str| match target {
        Target::S3 { bucket, .. } => format!("s3://{bucket}/{key}"),
        Target::Local { dir } => Path::new(dir).join(key).display().to_string(),
    };
    if o.dry_run {
        for obj in &o.objects {
            let what = match &obj.action {
                Action::Put => "put".to_string(),
                Action::Reused => "keep (already there, same checksum)".to_string(),
                Action::ReadBack { why } => format!(
                    "read back to verify ({why}): kept if its bytes are the file's, else put again"
                ),
                Action::Multipart { uploaded, reused } if *reused > 0 => {
                    format!("resume multipart ({uploaded} parts to send, {reused} already there)")
                }
                Action::Multipart { uploaded, .. } => format!("multipart ({uploaded} parts)"),
            };
            writeln!(out, "{}\t{}\t{what}", loc(&obj.key), obj.bytes)?;
        }
        if !o.already_staged {
            writeln!(
                out,
                "{}\t-\tput last, after every object is verified",
                loc(&o.manifest_key)
            )?;
        }
        print_changed(o);
        eprintln!(
            "dry run: nothing was written; the import's dataLocation would be {}",
            o.data_location
        );
        return Ok(());
    }
    let total: u64 = o.objects.iter().map(|x| x.bytes).sum();
    let reused = o
        .objects
        .iter()
        .filter(|x| x.action == Action::Reused)
        .count();
    print_changed(o);
    if o.already_staged {
        eprintln!(
            "already staged: {} holds these {} file(s) ({}), verified; nothing was uploaded",
            o.data_location,
            o.objects.len(),
            human_bytes(total)
        );
    } else {
        eprintln!(
            "staged {} file(s) ({}) to {}{}: {} uploaded, {} already there",
            o.objects.len(),
            human_bytes(total),
            o.data_location,
            if o.resumed { " (resumed)" } else { "" },
            o.objects.len() - reused,
            reused
        );
        eprintln!("manifest: {}", loc(&o.manifest_key));
    }
    for (key, why) in &o.read_back {
        eprintln!("verified `{key}` by reading it back: {why}");
    }
    for f in &o.deleted {
        eprintln!("deleted old run folder {}", loc(f));
    }
    for f in &o.spared {
        eprintln!(
            "kept {} (staged within the --keep-grace period: an import job may still read it)",
            loc(f)
        );
    }
    writeln!(out, "{}", o.data_location)?;
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The validation thread yields to the upload, and so do the threads it starts (the
    /// workers); the thread that started it (the upload's) keeps its priority.
    #[test]
    fn validation_threads_yield_to_the_upload() {
        let nice = || rustix::process::getpriority_process(None).unwrap();
        let before = nice();
        let (own, started) = std::thread::spawn(move || {
            super::yield_to_the_upload();
            (nice(), std::thread::spawn(nice).join().unwrap())
        })
        .join()
        .unwrap();
        assert_eq!((own, started), (before.max(10), before.max(10)));
        assert_eq!(nice(), before);
    }
}
