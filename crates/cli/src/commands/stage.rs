//! `preflight stage`: validate, then upload to a fresh run folder (see the uploader crate).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use preflight_uploader::{
    stage, Action, LocalStore, RequestObserver, S3Store, SchemaInfo, Sse, StageError, StageFile,
    StageOptions, StageOutcome, StageRequest, Target, Tool,
};
use preflight_validator::{
    resolve, schema::builtin, schema::load_schema, Options, Report, SchemaSource, Severity, Source,
};

use super::validate::policy;
use crate::args::StageArgs;
use crate::exit::{self, Code};
use crate::progress::{is_ci, show_progress, Reporter};
use crate::render;
use crate::render::human_bytes;

pub fn run(args: StageArgs, clients: &super::Clients) -> anyhow::Result<Code> {
    let target = Target::parse(&args.to).map_err(anyhow::Error::msg)?;
    if let Some(p) = args.paths.iter().find(|p| *p == "-" || p.contains("://")) {
        bail!("`{p}`: stage uploads local files and folders (standard input and URLs cannot be staged)");
    }
    let schema = super::aws::schema_source(&args.schema, &args.aws, clients)?;
    let (inputs, extra) = resolve(&args.paths)?;
    let mut opts = Options {
        threads: args.threads,
        policy: policy(&args.report),
        ..Options::default()
    };
    if let Some(now) = args.now {
        opts.now = now;
    }

    // 1. Validate: refuse on errors unless --force.
    let report = preflight_validator::validate(&schema, &inputs, extra, &opts)?;
    let errors = report.has_at_least(Severity::Error);
    if errors || report.summary.warnings > 0 {
        // stdout carries the data location alone.
        render::emit_to_stderr(&args.report, &report)?;
    }
    if errors && !args.force {
        eprintln!(
            "error: validation found {} error(s): nothing was staged (fix them, or stage anyway with --force)",
            report.summary.errors
        );
        return Ok(exit::FINDINGS);
    }
    if errors {
        eprintln!(
            "warning: staging despite {} validation error(s) (--force); the manifest records it",
            report.summary.errors
        );
    }

    // 2. What to stage.
    let mut files = Vec::new();
    for input in &inputs {
        let Source::Path(path) = &input.source else {
            bail!("`{}` is not a file", input.name);
        };
        let summary = report.files.iter().find(|f| f.path == input.name);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .with_context(|| format!("`{}` has no file name", input.name))?;
        files.push(StageFile {
            name,
            path: path.clone(),
            records: summary.map_or(0, |s| s.records),
            lines: summary.map_or(0, |s| s.lines),
        });
    }
    let (dataset_type, schema_info) = schema_info(&schema, &report)?;
    let mut validation = serde_json::to_value(&report.summary)?;
    validation["forced"] = serde_json::Value::Bool(errors);
    let request = StageRequest {
        files,
        prefix: target.prefix().to_string(),
        dataset_type,
        schema: schema_info,
        validation,
        tool: Tool {
            name: "preflight".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
    };
    let stage_opts = StageOptions {
        checksum: args.checksum.parse().map_err(anyhow::Error::msg)?,
        multipart_threshold: args.multipart_threshold << 20,
        part_size: args.part_size << 20,
        concurrency: args.concurrency as usize,
        dry_run: args.dry_run,
        keep: args.keep.map(|k| k as usize),
        keep_grace: args.keep_grace,
        now: args.now.map_or_else(SystemTime::now, |s| {
            UNIX_EPOCH + Duration::from_secs(s.max(0) as u64)
        }),
    };
    // The bar (where someone watches) and one line per retried request (always).
    let reporter = Arc::new(Reporter::new(
        !args.dry_run && show_progress(args.progress, std::io::stderr().is_terminal(), is_ci()),
    ));

    // 3. Upload.
    let rt = crate::s3::runtime()?;
    let result = match &target {
        Target::S3 { bucket, .. } => {
            let mut s3 = crate::s3::options(&args.aws);
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
            let store = rt
                .block_on(S3Store::connect(bucket, &s3))
                .map_err(anyhow::Error::msg)?;
            rt.block_on(stage(Arc::new(store), &request, &stage_opts, reporter))
        }
        Target::Local { dir } => {
            if args.sse.is_some() || args.expected_bucket_owner.is_some() {
                bail!("--sse and --expected-bucket-owner apply to s3:// targets only");
            }
            let store = LocalStore::new(dir.clone());
            rt.block_on(stage(Arc::new(store), &request, &stage_opts, reporter))
        }
    };
    let outcome = match result {
        Ok(o) => o,
        Err(e) if e.is_usage() => return Err(e.into()),
        Err(e) => {
            report_upload_error(e);
            eprintln!("  No manifest was written, so this run folder cannot be imported; run the same command again to resume it.");
            return Ok(exit::UPLOAD_FAILED);
        }
    };
    print_outcome(&outcome, &target)?;
    Ok(exit::SUCCESS)
}

/// A failed upload on stderr, redacted (an error may quote what a server answered), with the
/// way around a store whose multipart uploads misbehave.
pub(crate) fn report_upload_error(e: StageError) {
    let hint = e.multipart_misbehaved();
    let redactor = crate::logging::Redactor::from_environment();
    let err = anyhow::Error::new(e);
    eprintln!(
        "error: upload failed: {}",
        redactor.redact(&err.to_string())
    );
    for cause in err.chain().skip(1) {
        eprintln!("  Caused by: {}", redactor.redact(&cause.to_string()));
    }
    if let Some(call) = hint {
        eprintln!(
            "  The store does not answer {call} as S3 does. Files up to 5 GiB can go up in one PutObject each instead: run again with --multipart-threshold 5120 (MiB; each file is read from disk as it is sent, with its checksum, so memory stays bounded; a file sent whole must reach the store within --request-timeout, so raise it and --request-deadline where a file takes longer to send)."
        );
    }
}

/// The dataset type's folder name and the schema facts for the manifest.
pub(crate) fn schema_info(
    source: &SchemaSource,
    report: &Report,
) -> anyhow::Result<(String, SchemaInfo)> {
    let header = report
        .files
        .iter()
        .find(|f| !f.header.is_empty())
        .map(|f| f.header.as_slice());
    let schema = match source {
        SchemaSource::Text {
            text,
            source,
            dataset_type,
            domain,
            ..
        } => load_schema(text, source, *dataset_type, *domain)?.schema,
        SchemaSource::Builtin {
            dataset_type,
            domain,
        } => builtin(*dataset_type, *domain, header),
    };
    let Some(schema) = schema else {
        bail!("the schema cannot be used (see the findings above)");
    };
    Ok((
        schema.dataset_type.cli_name().to_string(),
        SchemaInfo {
            source: match source {
                SchemaSource::Text { source, .. } => Some(source.clone()),
                SchemaSource::Builtin { .. } => None,
            },
            domain: schema.domain.map(|d| d.api_name().to_string()),
            fingerprint: schema.fingerprint(),
        },
    ))
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
