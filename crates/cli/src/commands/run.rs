//! `preflight run`: validate → plan → stage → import → watch, stopping at the first failed
//! gate.

use std::sync::Arc;

use anyhow::{bail, Context};
use preflight_uploader::import::{active_dataset, check_bulk_data, verify_manifest};
use preflight_uploader::{
    stage, stage_gated, Action, Change, Gate, Gated, ImportError, NoProgress, Progress, S3Store,
    S3Url, StageOptions, StageRequest, Target as UploadTarget,
};

use crate::args::RunArgs;
use crate::commands::train;
use crate::dataset::{self, Target};
use crate::exit;
use crate::import_job::{check_arns, create_and_watch, print_dry_request, refused, request};
use crate::outcome::Outcome;
use crate::render::Section;
use crate::session::{local_schema, Session};
use crate::staging::{self, Offline};

pub fn run(args: &RunArgs, session: &Session) -> anyhow::Result<Outcome> {
    let target = Target::of(
        session.config(),
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
    for arn in &args.retrain {
        if !(arn.starts_with("arn:") && arn.contains(":personalize:") && arn.contains(":solution/"))
        {
            bail!("--retrain `{arn}` is not a Personalize solution ARN (arn:aws:personalize:REGION:ACCOUNT:solution/NAME)");
        }
    }
    // The access checks judge the policies on the staging prefix (the run folder is made
    // below it), before anything is uploaded.
    let stage_url = S3Url::parse(&args.stage_to).map_err(anyhow::Error::msg)?;
    let check_name = match &args.job.job_name {
        Some(n) => n.clone(),
        None => preflight_uploader::job_name(
            dataset_arn.rsplit('/').next().unwrap_or("dataset"),
            &dataset_arn,
            &args.stage_to,
            session.now(),
        ),
    };
    let mut access = crate::access::request(
        &dataset_arn,
        None,
        &args.job.role_arn,
        &stage_url,
        &check_name,
        None,
    );
    let existing_paths = target.existing(&args.existing);
    let first_import = args.existing.first_import;
    // Whether the plan will know what a FULL job replaces (then PF313 counts what it drops).
    let knows_existing = args.existing_from_history || !existing_paths.is_empty();
    let at = session.now();
    let rt = session.runtime()?;

    // 1. The schema: from the dataset, or (dry run) from --schema / --dataset-type or the
    // preflight.toml dataset's schema file or type.
    let mut had_bulk_import = None;
    // The dataset group (DescribeDataset), for the models the import changes.
    let mut group_arn = None;
    let schema = if args.dry_run {
        if args.existing_from_history {
            bail!("--existing-from-history reads the dataset's import history, which a dry run does not: give the data with --existing");
        }
        let named = args.schema.schema.is_some() || args.schema.dataset_type.is_some();
        match target.local_schema(session) {
            Some(s) if !named => s?,
            _ => local_schema(&args.schema).context(
                "with --dry-run nothing is fetched: the schema comes from --schema or --dataset-type",
            )?,
        }
    } else {
        let p = session.personalize()?;
        if args.schema.schema.is_some() {
            bail!("--schema and --dataset-arn both name a schema: run reads the dataset's schema (give --schema only with --dry-run)");
        }
        // The account-side facts that refuse the import whatever the data: checked first.
        // FULL over bulk data is refused here unless the plan will see what it drops, or
        // --allow-drop says the loss is intended.
        let replace_ok = knows_existing || args.allow_drop || first_import;
        let r = rt.block_on(async {
            let d = active_dataset(&p, &dataset_arn).await?;
            let had = check_bulk_data(&p, &dataset_arn, mode, replace_ok).await?;
            Ok::<_, ImportError>((d, had))
        });
        let dataset = match r {
            Ok((d, had)) => {
                had_bulk_import = Some(had);
                d
            }
            Err(e) => return Ok(refused(Err(e))?.unwrap_or_else(|| Outcome::exit(exit::FAILURE))),
        };
        group_arn = Some(dataset.dataset_group_arn.clone());
        // Whether Personalize may read the data: checked before anything is uploaded, since
        // a job that cannot read it fails only after its wait in the queue.
        if !args.job.skip_access_check {
            access.dataset_group_arn = dataset.dataset_group_arn.clone();
            if let Some(outcome) = crate::access::gate(session, &access)? {
                return Ok(outcome);
            }
        }
        if first_import && had_bulk_import == Some(true) {
            return Ok(Outcome::failed(
                exit::IMPORT_REFUSED,
                format!("import refused: --first-import says dataset `{dataset_arn}` holds no bulk data, but it already had an ACTIVE import job"),
            )
            .note("No import job was created."));
        }
        rt.block_on(crate::aws::schema_of(&p, &dataset, &args.schema))?
    };

    // 2. Validate and plan: what decides whether the files may be staged (and imported).
    let (mut inputs, extra) = preflight_validator::resolve(&paths)?;
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    // --fix: what is validated, planned and staged is a repaired copy.
    let (repaired, plain) = if args.fix {
        let r = staging::Repaired::new(inputs, &schema, session, args.unsafe_fixes)?;
        r.print();
        (Some(r), Vec::new())
    } else {
        (None, inputs)
    };
    let inputs: &[preflight_validator::InputFile] =
        repaired.as_ref().map_or(&plain[..], |r| &r.inputs[..]);
    let decide = || -> anyhow::Result<Result<StageRequest, Outcome>> {
        let existing = if args.existing_from_history {
            dataset::history(&dataset_arn, session, true)?
        } else {
            dataset::existing_data(&existing_paths, first_import, inputs, session, &mut || {
                Ok(had_bulk_import)
            })?
        };
        let plan_opts = dataset::plan_options(mode, &args.existing);
        let (report, plan) = preflight_validator::plan(
            &schema,
            inputs,
            extra,
            existing.get(),
            &session.options(),
            &plan_opts,
        )?;
        let stops = staging::stops(&report, session);
        if stops || report.summary.warnings > 0 {
            session.emit(&[Section {
                name: None,
                report: &report,
                plan: plan.as_ref(),
                insights: None,
                fix: None,
                changes: None,
            }])?;
        }
        if stops {
            return Ok(Err(Outcome::failed(
                exit::FINDINGS,
                format!(
                    "validation and planning found {}: nothing was staged or imported",
                    staging::what_stops(&report)
                ),
            )));
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
            // What the import changes in recommendations, per model of the dataset group (a dry
            // run lists no models: it sends nothing).
            let p = if args.dry_run {
                None
            } else {
                Some(session.personalize()?)
            };
            let models = p
                .as_ref()
                .zip(group_arn.clone().map(crate::changes::Group::Known));
            let mut changes = crate::changes::of(plan, models, session)?;
            if args.dry_run {
                changes.models_unknown = Some(
                    "a dry run sends nothing, so the dataset group's solutions and recommenders are not listed".into(),
                );
            }
            eprint!("{}", crate::changes::human(&changes));
            if plan.dropped > 0 && !args.allow_drop {
                return Ok(Err(Outcome::failed(
                    exit::FINDINGS,
                    format!(
                        "this FULL import would drop {} existing record(s) (PF313 full-import-drops-records): nothing was staged or imported. Import with --mode incremental, include the existing records, or pass --allow-drop if the loss is intended",
                        plan.dropped
                    ),
                )));
            }
        }

        let mut stage_req = staging::request(inputs, &report, &schema, prefix.clone(), false)?;
        if let Some(r) = &repaired {
            r.record(&mut stage_req);
        }
        Ok(Ok(stage_req))
    };

    // 3. Stage: the upload begins while step 2 runs on its own thread (the run folder's name
    // does not depend on it) and commits nothing before its verdict; a refusal aborts the
    // uploads begun. A dry run decides first.
    let stage_opts = StageOptions {
        checksum: args.checksum.parse().map_err(anyhow::Error::msg)?,
        dry_run: args.dry_run,
        now: at,
        ..StageOptions::default()
    };
    let outcome = if args.dry_run {
        let stage_req = match decide()? {
            Ok(r) => r,
            Err(refused) => return Ok(refused),
        };
        let store = Arc::new(Offline {
            bucket: bucket.clone(),
        });
        rt.block_on(stage(store, &stage_req, &stage_opts, Arc::new(NoProgress)))?
    } else {
        // One line per retried request, naming the part ("UploadPart 7 of 38").
        let reporter = Arc::new(crate::progress::Reporter::new(false));
        let mut s3 = crate::s3::options(session.aws());
        s3.observer = Some(reporter.clone() as Arc<dyn preflight_uploader::RequestObserver>);
        let store = rt.block_on(S3Store::connect(&bucket, &s3));
        let begun = match &store {
            Ok(_) => staging::provisional(inputs, &schema, prefix.clone(), session),
            Err(_) => None,
        };
        let result = match (store, begun) {
            (Ok(store), Some(begun)) => {
                let gated = std::thread::scope(|scope| {
                    let (tx, rx) = tokio::sync::oneshot::channel();
                    scope.spawn(move || {
                        let _ = tx.send(decide());
                    });
                    let gate = async {
                        match rx.await {
                            Ok(Ok(Ok(request))) => Gate::Go(Box::new(request)),
                            Ok(Ok(Err(refused))) => Gate::Stop(Ok(refused)),
                            Ok(Err(e)) => Gate::Stop(Err(e)),
                            Err(_) => Gate::Stop(Err(anyhow::anyhow!(
                                "validation ended without a report: nothing was staged or imported"
                            ))),
                        }
                    };
                    rt.block_on(stage_gated(
                        Arc::new(store),
                        &begun,
                        &stage_opts,
                        reporter.clone() as Arc<dyn Progress>,
                        gate,
                    ))
                });
                match gated {
                    Ok(Gated::Staged(o)) => Ok(o),
                    Ok(Gated::Stopped { reason, .. }) => return reason,
                    Err(e) => Err(e),
                }
            }
            (store, _) => {
                let stage_req = match decide()? {
                    Ok(r) => r,
                    Err(refused) => return Ok(refused),
                };
                let store = store.map_err(anyhow::Error::msg)?;
                rt.block_on(stage(Arc::new(store), &stage_req, &stage_opts, reporter))
            }
        };
        match result {
            Ok(o) => o,
            Err(e) => return staging::upload_failed(e, "No manifest was written and no import job was created; run the same command again to resume the upload."),
        }
    };
    let import = request(&args.job, &dataset_arn, &outcome.data_location, mode, at)?;

    // 4. Import (a dry run prints the requests instead).
    if args.dry_run {
        if !args.job.skip_access_check {
            crate::access::print_planned(&access)?;
        }
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
        for arn in &args.retrain {
            print_dry_request(
                "personalize",
                "DescribeSolution",
                serde_json::json!({"solutionArn": arn}),
            )?;
            print_dry_request(
                "personalize",
                "CreateSolutionVersion",
                serde_json::json!({"solutionArn": arn, "trainingMode": "(FULL, or UPDATE where the recipe supports it and only items were imported)"}),
            )?;
        }
        eprintln!("dry run: nothing was sent");
        return Ok(Outcome::success());
    }
    eprintln!("staged to {}", outcome.data_location);
    let store = session.s3_store(&bucket)?;
    let r = rt.block_on(async {
        verify_manifest(store.as_ref(), &outcome.run_folder).await?;
        Ok::<_, ImportError>(())
    });
    if let Some(outcome) = refused(r)? {
        return Ok(outcome);
    }

    // 5. Watch.
    let outcome = create_and_watch(&import, &args.job, true, args.watch.timeout, session)?;
    if outcome.code != exit::SUCCESS || args.retrain.is_empty() {
        return Ok(outcome);
    }

    // 6. Retrain, when asked: only after the data is in the dataset.
    let p = session.personalize()?;
    let changes = changes_of(&dataset_arn);
    for arn in &args.retrain {
        let mode = train::mode_after_import(&p, arn, &changes, session)?;
        let outcome = train::train(&p, arn, mode, None, true, args.watch.timeout, session)?;
        if outcome.code != exit::SUCCESS {
            return Ok(outcome.note("The import job is ACTIVE: the data is in the dataset."));
        }
    }
    Ok(Outcome::success())
}

/// What an import into this dataset brings, for the training mode (the dataset ARN ends with
/// its type: `…/ITEMS`).
fn changes_of(dataset_arn: &str) -> Vec<Change> {
    match dataset_arn.rsplit('/').next().unwrap_or_default() {
        "ITEMS" => vec![Change::NewItems],
        "USERS" => vec![Change::NewUsers],
        "ACTIONS" => vec![Change::NewActions],
        "ACTION_INTERACTIONS" => vec![Change::NewActionInteractions],
        _ => vec![Change::NewInteractions],
    }
}
