//! `preflight plan`: validates the new data, then simulates the import job against the
//! dataset's existing data and shows what the dataset will hold (docs/commands/plan.md).
//!
//! The existing data is given (`--existing`, `--existing-from-history`, the config's
//! `existing`), known to be empty (`--first-import`, or the account lists no ACTIVE import for
//! the `--dataset-arn`), or unknown ([`crate::dataset::ExistingData`]).

use anyhow::bail;

use crate::args::PlanArgs;
use crate::dataset::{self, Target};
use crate::outcome::Outcome;
use crate::render::{human_bytes, Section};
use crate::session::Session;

pub fn run(args: &PlanArgs, session: &Session) -> anyhow::Result<Outcome> {
    let target = Target::of(
        session.config(),
        args.dataset.as_deref(),
        &args.paths,
        &args.schema,
    )?;
    let schema = target.schema(&args.schema, session)?;
    let mode = target.mode(args.mode)?;
    let (mut inputs, extra) = session.resolve_inputs(&target.paths(&args.paths)?)?;
    // Personalize reads an import's files in name order (an S3 listing); so does the plan.
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    let dataset_arn = target.dataset_arn(&args.schema);
    let existing = if args.existing_from_history {
        let Some(arn) = &dataset_arn else {
            bail!("--existing-from-history reads the import history of the dataset given by --dataset-arn");
        };
        dataset::history(arn, session, false)?
    } else {
        dataset::existing_data(
            &target.existing(&args.existing),
            args.existing.first_import,
            &inputs,
            session,
            &mut || dataset::account(dataset_arn.as_deref(), session),
        )?
    };
    let opts = session.options();
    let mut plan_opts = dataset::plan_options(mode, &args.existing);
    plan_opts.write_merged = args.write_merged.clone();
    plan_opts.write_deduped = args.write_deduped.clone();
    plan_opts.force = args.force;
    plan_opts.chunk_bytes = args.chunk_bytes.max(1);
    if let Some(dir) = &opts.temp_dir {
        if !dir.is_dir() {
            bail!("--temp-dir `{}` is not a folder", dir.display());
        }
    }
    if let Some(need) =
        preflight_validator::disk_estimate(&schema, &inputs, existing.get(), &opts, &plan_opts)
    {
        // Before the long read: where the partitions go and how much room they take.
        eprintln!(
            "note: the plan's keys of about {} new records exceed --memory-limit {}: it runs out of core, with about {} of temporary files in {} (--temp-dir), removed at the end",
            crate::render::thousands(need.new_records),
            human_bytes(plan_opts.memory_limit),
            human_bytes(need.bytes),
            need.dir.display()
        );
    }
    let (report, plan) =
        preflight_validator::plan(&schema, &inputs, extra, existing.get(), &opts, &plan_opts)?;
    // What the import changes in recommendations; per model with --dataset-arn.
    let changes = match &plan {
        Some(plan) => {
            // Listing the models never fails the plan: it does not depend on them.
            let (p, unreachable) = match dataset_arn.as_ref().map(|_| session.personalize()) {
                Some(Ok(p)) => (Some(p), None),
                Some(Err(e)) => (None, Some(format!("could not reach Personalize: {e:#}"))),
                None => (None, None),
            };
            let models = p
                .as_ref()
                .zip(dataset_arn.as_deref().map(crate::changes::Group::OfDataset));
            let mut c = crate::changes::of(plan, models, session)?;
            if unreachable.is_some() {
                c.models_unknown = unreachable;
            }
            Some(c)
        }
        None => None,
    };
    session.emit(&[Section {
        name: None,
        report: &report,
        plan: plan.as_ref(),
        insights: None,
        fix: None,
        changes: changes.as_ref(),
    }])?;
    Ok(Outcome::exit(session.exit_code(&report)))
}
