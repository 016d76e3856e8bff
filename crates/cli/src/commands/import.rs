//! `preflight import`: the account-side checks, the staged folder verified against its
//! manifest, then CreateDatasetImportJob (and, with `--wait`, the watch).

use anyhow::bail;
use preflight_uploader::import::{active_dataset, check_bulk_data, verify_manifest};
use preflight_uploader::{AccessRequest, CreateImportJob, ImportError, S3Url};
use preflight_validator::DatasetType;

use crate::args::ImportArgs;
use crate::exit;
use crate::import_job::{check_arns, create_and_watch, print_dry_request, refused, request};
use crate::outcome::Outcome;
use crate::session::Session;

pub fn run(args: &ImportArgs, session: &Session) -> anyhow::Result<Outcome> {
    let url = S3Url::parse(&args.from).map_err(anyhow::Error::msg)?;
    check_arns(&args.dataset_arn, &args.job.role_arn)?;
    if !url.is_folder() && !args.unverified {
        bail!("`{}` is one object: preflight verifies a folder against its manifest; give the staged folder (ending in `/`), or import the object with --unverified", args.from);
    }
    let request = request(
        &args.job,
        &args.dataset_arn,
        &args.from,
        args.mode,
        session.now(),
    )?;
    let access = crate::access::request(
        &args.dataset_arn,
        None,
        &args.job.role_arn,
        &url,
        &request.job_name,
        None,
    );
    if args.dry_run {
        if !args.job.skip_access_check {
            crate::access::print_planned(&access)?;
        }
        print_request(&request)?;
        eprintln!("dry run: nothing was sent");
        return Ok(Outcome::success());
    }
    let p = session.personalize()?;
    let rt = session.runtime()?;
    let result = rt.block_on(async {
        let dataset = active_dataset(&p, &args.dataset_arn).await?;
        let group = dataset.dataset_group_arn.clone();
        // FULL over bulk data replaces it all, and `import` cannot see what it drops.
        check_bulk_data(&p, &args.dataset_arn, request.import_mode, args.allow_drop).await?;
        if args.unverified {
            eprintln!("warning: --unverified: `{}` is imported as it is, without checking it against a manifest", args.from);
        } else {
            let store = preflight_uploader::S3Store::connect(
                &url.bucket,
                &crate::s3::options(session.aws()),
            )
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
        Ok::<_, ImportError>(group)
    });
    let group = match result {
        Ok(g) => g,
        Err(e) => return Ok(refused(Err(e))?.unwrap_or_else(|| Outcome::exit(exit::FAILURE))),
    };
    // Whether Personalize may read the data: a job that cannot fails only after its wait in
    // the queue.
    if !args.job.skip_access_check {
        let access = AccessRequest {
            dataset_group_arn: group,
            ..access
        };
        if let Some(outcome) = crate::access::gate(session, &access)? {
            return Ok(outcome);
        }
    }
    create_and_watch(&request, &args.job, args.wait, args.watch.timeout, session)
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
