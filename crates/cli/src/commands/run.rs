//! `preflight run`: validate → plan → stage → import → watch, stopping at the first failed
//! gate. `main` and the in-process tests both call [`execute`] (through `commands::run_with`).

use std::sync::Arc;

use anyhow::{bail, Context};
use bytes::Bytes;
use preflight_uploader::import::{active_dataset, check_mode, verify_manifest};
use preflight_uploader::{
    stage, Action, Checksum, ChecksumAlgorithm, ImportError, Listing, MultipartUpload, NoProgress,
    ObjectBody, ObjectInfo, ObjectStore, S3Store, StageFile, StageOptions, StageRequest,
    StoreError, StoreResult, Target, Tool, UploadedPart,
};
use preflight_validator::{Mode, Options, Source};

use super::import::{check_arns, create_and_watch, now, print_dry_request, refused, request};
use super::Clients;
use crate::args::{ImportMode, RunArgs};
use crate::exit::{self, Code};
use crate::render;

pub fn execute(args: RunArgs, clients: &Clients) -> anyhow::Result<Code> {
    let Some(dataset_arn) = args.schema.dataset_arn.clone() else {
        bail!("preflight run imports into a dataset: give --dataset-arn ARN");
    };
    check_arns(&dataset_arn, &args.job.role_arn)?;
    let Target::S3 { bucket, prefix } =
        Target::parse(&args.stage_to).map_err(anyhow::Error::msg)?
    else {
        bail!("--stage-to must be an s3:// prefix: Personalize imports from S3 only");
    };
    if let Some(p) = args.paths.iter().find(|p| *p == "-" || p.contains("://")) {
        bail!(
            "`{p}`: run stages local files and folders (standard input and URLs cannot be staged)"
        );
    }
    if let Some(n) = &args.job.job_name {
        preflight_uploader::check_job_name(n).map_err(anyhow::Error::msg)?;
    }
    let at = now(args.now);
    let rt = crate::s3::runtime()?;

    // 1. The schema: from the dataset, or (dry run) from --schema / --dataset-type.
    let personalize = if args.dry_run {
        None
    } else {
        Some(clients.personalize(&args.aws, &rt)?)
    };
    let schema = match &personalize {
        None => {
            if args.existing_from_history {
                bail!("--existing-from-history reads the dataset's import history, which a dry run does not: give the data with --existing");
            }
            super::validate::schema_source(&args.schema).context(
                "with --dry-run nothing is fetched: the schema comes from --schema or --dataset-type",
            )?
        }
        Some(p) => {
            if args.schema.schema.is_some() {
                bail!("--schema and --dataset-arn both name a schema: run reads the dataset's schema (give --schema only with --dry-run)");
            }
            // The account-side facts that refuse the import whatever the data: checked first.
            let mode = match args.mode {
                ImportMode::Full => preflight_uploader::ImportMode::Full,
                ImportMode::Incremental => preflight_uploader::ImportMode::Incremental,
            };
            let r = rt.block_on(async {
                let d = active_dataset(p, &dataset_arn).await?;
                check_mode(p, &dataset_arn, mode).await?;
                Ok::<_, ImportError>(d)
            });
            let dataset = match r {
                Ok(d) => d,
                Err(e) => return Ok(refused(Err(e))?.unwrap_or(exit::FAILURE)),
            };
            rt.block_on(super::aws::schema_of(p, &dataset, &args.schema))?
        }
    };

    // 2. Validate and plan.
    let (mut inputs, extra) = preflight_validator::resolve(&args.paths)?;
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    let (existing, _io) = if args.existing_from_history {
        let (e, io) = super::plan::history_inputs(&dataset_arn, &args.aws, clients, true)?;
        (Some(e), Some(io))
    } else if args.existing.existing.is_empty() {
        (None, None)
    } else {
        let (e, _) = preflight_validator::resolve(&args.existing.existing)
            .context("failed to read the existing data")?;
        let mut e = preflight_validator::existing_data(e);
        e.sort_by(|a, b| a.name.cmp(&b.name));
        (Some(e), None)
    };
    let mut opts = Options {
        threads: args.threads,
        policy: super::validate::policy(&args.report),
        ..Options::default()
    };
    if let Some(n) = args.now {
        opts.now = n;
    }
    let mut plan_opts = preflight_validator::PlanOptions::new(match args.mode {
        ImportMode::Full => Mode::Full,
        ImportMode::Incremental => Mode::Incremental,
    });
    plan_opts.max_incremental_bytes = args.existing.max_incremental_bytes;
    plan_opts.max_full_bytes = args.existing.max_full_bytes;
    let report = preflight_validator::plan(
        &schema,
        &inputs,
        extra,
        existing.as_deref(),
        &opts,
        &plan_opts,
    )?;
    let failing = super::validate::exit_code_for(&report, fail_on(&args.report));
    if failing != exit::SUCCESS || report.summary.warnings > 0 {
        render::emit(&args.report, &report)?;
    }
    if failing != exit::SUCCESS {
        eprintln!(
            "error: validation and planning found {} error(s): nothing was staged or imported",
            report.summary.errors
        );
        return Ok(exit::FINDINGS);
    }
    if let Some(plan) = &report.plan {
        eprintln!(
            "plan: {} import of {} record(s): {} new, {} replaced, {} dropped; the dataset holds {} after the job",
            plan.mode.api_name(),
            plan.batch.records,
            plan.new,
            plan.superseded,
            plan.dropped,
            plan.result_records
        );
        if plan.dropped > 0 && !args.allow_drop {
            eprintln!(
                "error: this FULL import would drop {} existing record(s) (PF313 full-import-drops-records): nothing was staged or imported. Import with --mode incremental, include the existing records, or pass --allow-drop if the loss is intended",
                plan.dropped
            );
            return Ok(exit::FINDINGS);
        }
    }

    // 3. Stage.
    let mut files = Vec::new();
    for input in &inputs {
        let Source::Path(path) = &input.source else {
            bail!("`{}` is not a file", input.name);
        };
        let summary = report.files.iter().find(|f| f.path == input.name);
        files.push(StageFile {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .with_context(|| format!("`{}` has no file name", input.name))?,
            path: path.clone(),
            records: summary.map_or(0, |s| s.records),
            lines: summary.map_or(0, |s| s.lines),
        });
    }
    let (dataset_type, schema_info) = super::stage::schema_info(&schema, &report)?;
    let mut validation = serde_json::to_value(&report.summary)?;
    validation["forced"] = serde_json::Value::Bool(false);
    let stage_req = StageRequest {
        files,
        prefix: prefix.clone(),
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
        dry_run: args.dry_run,
        now: at,
        ..StageOptions::default()
    };
    let outcome = if args.dry_run {
        let store = Arc::new(Offline {
            bucket: bucket.clone(),
        });
        rt.block_on(stage(store, &stage_req, &stage_opts, Arc::new(NoProgress)))?
    } else {
        // One line per retried request, naming the part ("UploadPart 7 of 38").
        let reporter = Arc::new(crate::progress::Reporter::new(false));
        let mut s3 = crate::s3::options(&args.aws);
        s3.observer = Some(reporter.clone() as Arc<dyn preflight_uploader::RequestObserver>);
        let store = rt
            .block_on(S3Store::connect(&bucket, &s3))
            .map_err(anyhow::Error::msg)?;
        match rt.block_on(stage(Arc::new(store), &stage_req, &stage_opts, reporter)) {
            Ok(o) => o,
            Err(e) if e.is_usage() => return Err(e.into()),
            Err(e) => {
                super::stage::report_upload_error(e);
                eprintln!("  No manifest was written and no import job was created; run the same command again to resume the upload.");
                return Ok(exit::UPLOAD_FAILED);
            }
        }
    };
    let import = request(
        &args.job,
        &dataset_arn,
        &outcome.data_location,
        args.mode,
        at,
    )?;

    // 4. Import (a dry run prints the requests instead).
    if args.dry_run {
        for o in &outcome.objects {
            let op = match o.action {
                Action::Put => "PutObject",
                Action::Multipart { .. } => "CreateMultipartUpload",
                Action::ReadBack { .. } => "GetObject",
                Action::Reused => continue,
            };
            print_dry_request(
                "s3",
                op,
                serde_json::json!({"Bucket": bucket, "Key": o.key, "ContentLength": o.bytes, "ChecksumAlgorithm": stage_opts.checksum.as_str().to_ascii_uppercase()}),
            )?;
        }
        print_dry_request(
            "s3",
            "PutObject",
            serde_json::json!({"Bucket": bucket, "Key": outcome.manifest_key}),
        )?;
        if import.import_mode == preflight_uploader::ImportMode::Incremental {
            print_dry_request(
                "personalize",
                "ListDatasetImportJobs",
                serde_json::json!({"datasetArn": dataset_arn}),
            )?;
        }
        print_dry_request(
            "personalize",
            "ListDatasetImportJobs",
            serde_json::json!({}),
        )?;
        print_dry_request(
            "personalize",
            "CreateDatasetImportJob",
            serde_json::to_value(&import)?,
        )?;
        print_dry_request(
            "personalize",
            "DescribeDatasetImportJob",
            serde_json::json!({"datasetImportJobArn": "(the datasetImportJobArn CreateDatasetImportJob returns)"}),
        )?;
        eprintln!("dry run: nothing was sent");
        return Ok(exit::SUCCESS);
    }
    let p = personalize.expect("connected unless a dry run");
    eprintln!("staged to {}", outcome.data_location);
    let store = rt
        .block_on(S3Store::connect(&bucket, &crate::s3::options(&args.aws)))
        .map_err(anyhow::Error::msg)?;
    let r = rt.block_on(async {
        verify_manifest(&store, &outcome.run_folder).await?;
        Ok::<_, ImportError>(())
    });
    if let Some(code) = refused(r)? {
        return Ok(code);
    }

    // 5. Watch.
    create_and_watch(
        &p,
        &import,
        &args.job,
        true,
        args.watch.timeout,
        clients,
        &rt,
    )
}

fn fail_on(report: &crate::args::ReportArgs) -> crate::args::FailOn {
    if report.exit_zero {
        return crate::args::FailOn::Never;
    }
    report.fail_on.unwrap_or(crate::args::FailOn::Error)
}

/// A store that answers as an empty bucket and writes nothing: a dry run's stage sends no
/// request, and still names the run folder and the objects it would write.
#[derive(Debug)]
struct Offline {
    bucket: String,
}

fn offline<T>(operation: &'static str) -> StoreResult<T> {
    Err(StoreError::Unsupported { operation })
}

impl ObjectStore for Offline {
    fn root(&self) -> String {
        format!("s3://{}", self.bucket)
    }
    fn location(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
    async fn put_object(&self, _: &str, _: Bytes, _: &Checksum) -> StoreResult<()> {
        offline("PutObject in a dry run")
    }
    async fn create_multipart_upload(&self, _: &str, _: ChecksumAlgorithm) -> StoreResult<String> {
        offline("CreateMultipartUpload in a dry run")
    }
    async fn upload_part(
        &self,
        _: &str,
        _: &str,
        _: u32,
        _: Bytes,
        _: &Checksum,
    ) -> StoreResult<UploadedPart> {
        offline("UploadPart in a dry run")
    }
    async fn complete_multipart_upload(
        &self,
        _: &str,
        _: &str,
        _: ChecksumAlgorithm,
        _: &[UploadedPart],
        _: Option<&str>,
    ) -> StoreResult<()> {
        offline("CompleteMultipartUpload in a dry run")
    }
    async fn abort_multipart_upload(&self, _: &str, _: &str) -> StoreResult<()> {
        offline("AbortMultipartUpload in a dry run")
    }
    async fn list_multipart_uploads(&self, _: &str) -> StoreResult<Vec<MultipartUpload>> {
        offline("ListMultipartUploads in a dry run")
    }
    async fn list_parts(&self, _: &str, _: &str) -> StoreResult<Vec<UploadedPart>> {
        offline("ListParts in a dry run")
    }
    async fn list_objects(&self, _: &str, _: bool) -> StoreResult<Listing> {
        Ok(Listing::default())
    }
    async fn head_object(&self, _: &str) -> StoreResult<Option<ObjectInfo>> {
        Ok(None)
    }
    async fn get_object(&self, _: &str) -> StoreResult<ObjectBody> {
        offline("GetObject in a dry run")
    }
    async fn delete_objects(&self, _: &[String]) -> StoreResult<()> {
        offline("DeleteObjects in a dry run")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offline_store_reads_as_empty_and_refuses_writes() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let s = Offline { bucket: "b".into() };
        rt.block_on(async {
            assert_eq!(
                s.list_objects("p/", true).await.unwrap(),
                Listing::default()
            );
            assert!(s.head_object("k").await.unwrap().is_none());
            assert!(s
                .put_object(
                    "k",
                    Bytes::new(),
                    &Checksum {
                        algorithm: ChecksumAlgorithm::Sha256,
                        value: String::new()
                    }
                )
                .await
                .is_err());
        });
        assert_eq!(s.location("a/"), "s3://b/a/");
    }
}
