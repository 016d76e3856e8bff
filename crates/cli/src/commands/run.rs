//! `preflight run`: validate → plan → stage → import → watch, stopping at the first failed
//! gate. `main` and the in-process tests both call [`execute`] (through `commands::run_with`).

use std::sync::Arc;

use anyhow::{bail, Context};
use bytes::Bytes;
use preflight_uploader::import::{active_dataset, check_bulk_data, verify_manifest};
use preflight_uploader::{
    stage, Action, Checksum, ChecksumAlgorithm, ImportError, Listing, MultipartUpload, NoProgress,
    ObjectBody, ObjectInfo, ObjectStore, S3Store, StageFile, StageOptions, StageRequest,
    StoreError, StoreResult, Target as UploadTarget, Tool, UploadedPart,
};
use preflight_validator::Source;

use super::import::{check_arns, create_and_watch, now, print_dry_request, refused, request};
use super::plan::Target;
use super::Clients;
use crate::args::RunArgs;
use crate::config::{self, Settings};
use crate::exit::{self, Code};
use crate::render;

pub fn execute(args: RunArgs, clients: &Clients) -> anyhow::Result<Code> {
    let env = |k: &str| std::env::var(k).ok();
    let flags = Settings::from_args(&args.report, args.engine.threads, None);
    let (config, settings) = config::load_layers(&args.config, flags, &env)?;
    let target = Target::of(
        config.as_ref(),
        args.dataset.as_deref(),
        &args.paths,
        &args.schema,
    )?;
    let Some(dataset_arn) = target.dataset_arn(&args.schema) else {
        bail!("preflight run imports into a dataset: give --dataset-arn ARN (or the dataset's dataset_arn in preflight.toml)");
    };
    check_arns(&dataset_arn, &args.job.role_arn)?;
    let mode = target.mode(args.mode)?;
    let paths = target.paths(&args.paths)?;
    let UploadTarget::S3 { bucket, prefix } =
        UploadTarget::parse(&args.stage_to).map_err(anyhow::Error::msg)?
    else {
        bail!("--stage-to must be an s3:// prefix: Personalize imports from S3 only");
    };
    if let Some(p) = paths.iter().find(|p| *p == "-" || p.contains("://")) {
        bail!(
            "`{p}`: run stages local files and folders (standard input and URLs cannot be staged)"
        );
    }
    if let Some(n) = &args.job.job_name {
        preflight_uploader::check_job_name(n).map_err(anyhow::Error::msg)?;
    }
    let existing_paths = target.existing(&args.existing);
    let first_import = args.existing.first_import;
    // Whether the plan will know what a FULL job replaces (then PF313 counts what it drops).
    let knows_existing = args.existing_from_history || !existing_paths.is_empty();
    let at = now(args.engine.now);
    let rt = crate::s3::runtime()?;

    // 1. The schema: from the dataset, or (dry run) from --schema / --dataset-type or the
    // preflight.toml dataset's schema file or type.
    let personalize = if args.dry_run {
        None
    } else {
        Some(clients.personalize(&args.aws, &rt)?)
    };
    let mut had_bulk_import = None;
    let schema = match &personalize {
        None => {
            if args.existing_from_history {
                bail!("--existing-from-history reads the dataset's import history, which a dry run does not: give the data with --existing");
            }
            let named = args.schema.schema.is_some() || args.schema.dataset_type.is_some();
            match target.local_schema() {
                Some(s) if !named => s?,
                _ => super::validate::schema_source(&args.schema).context(
                    "with --dry-run nothing is fetched: the schema comes from --schema or --dataset-type",
                )?,
            }
        }
        Some(p) => {
            if args.schema.schema.is_some() {
                bail!("--schema and --dataset-arn both name a schema: run reads the dataset's schema (give --schema only with --dry-run)");
            }
            // The account-side facts that refuse the import whatever the data: checked first.
            // FULL over bulk data is refused here unless the plan will see what it drops, or
            // --allow-drop says the loss is intended.
            let replace_ok = knows_existing || args.allow_drop || first_import;
            let r = rt.block_on(async {
                let d = active_dataset(p, &dataset_arn).await?;
                let had = check_bulk_data(p, &dataset_arn, mode.into(), replace_ok).await?;
                Ok::<_, ImportError>((d, had))
            });
            let dataset = match r {
                Ok((d, had)) => {
                    had_bulk_import = Some(had);
                    d
                }
                Err(e) => return Ok(refused(Err(e))?.unwrap_or(exit::FAILURE)),
            };
            if first_import && had_bulk_import == Some(true) {
                eprintln!("error: import refused: --first-import says dataset `{dataset_arn}` holds no bulk data, but it already had an ACTIVE import job");
                eprintln!("  No import job was created.");
                return Ok(exit::IMPORT_REFUSED);
            }
            rt.block_on(super::aws::schema_of(p, &dataset, &args.schema))?
        }
    };

    // 2. Validate and plan.
    let (mut inputs, extra) = preflight_validator::resolve(&paths)?;
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    let existing = if args.existing_from_history {
        super::plan::history(&dataset_arn, &args.aws, clients, true)?
    } else {
        super::plan::existing_data(
            &existing_paths,
            first_import,
            &inputs,
            &args.aws,
            &mut || Ok(had_bulk_import),
        )?
    };
    let opts = super::validate::engine_options(&args.engine, &settings);
    let plan_opts = super::plan::plan_options(mode, &args.existing);
    let (report, plan) =
        preflight_validator::plan(&schema, &inputs, extra, existing.get(), &opts, &plan_opts)?;
    let failing = super::validate::exit_code_for(&report, settings.fail_on());
    if failing != exit::SUCCESS || report.summary.warnings > 0 {
        render::emit_sections(
            settings.format(),
            args.report.color,
            &[render::Section::of(None, &report)],
        )?;
    }
    if failing != exit::SUCCESS {
        eprintln!(
            "error: validation and planning found {} error(s): nothing was staged or imported",
            report.summary.errors
        );
        return Ok(exit::FINDINGS);
    }
    if let Some(plan) = &plan {
        let unknown = "unknown".to_string();
        eprintln!(
            "plan: {} import of {} record(s): {} new, {} replaced, {} dropped; the dataset holds {} after the job{}",
            plan.mode.api_name(),
            plan.batch.records,
            if plan.knows_existing() { plan.new.to_string() } else { format!("at most {}", plan.batch.distinct) },
            if plan.knows_existing() { plan.superseded.to_string() } else { unknown.clone() },
            plan.dropped().map_or(unknown.clone(), |d| d.to_string()),
            plan.result().map_or(unknown, |d| d.to_string()),
            if plan.knows_existing() { "" } else { " (the existing data is unknown)" }
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
    let import = request(&args.job, &dataset_arn, &outcome.data_location, mode, at)?;

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
        // Whether the dataset had an ACTIVE import: INCREMENTAL needs one; FULL over one
        // replaces its bulk data.
        print_dry_request(
            "personalize",
            "ListDatasetImportJobs",
            serde_json::json!({"datasetArn": dataset_arn}),
        )?;
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
