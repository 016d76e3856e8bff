//! The plan's gates: findings that say Personalize would reject the job, or that it would do
//! something the user probably does not want. Each is a rule (PF310–PF315) whose severity can
//! be changed like any other.
//!
//! Each gate reads the existing data's state: given, known to be empty, or unknown. Unknown is
//! never an error by itself; a gate fails on it only when the job fails whatever the dataset
//! holds (fewer than 1,000 distinct interactions in an INCREMENTAL batch).

use super::{ExistingState, Mode, Plan, PlanOptions};
use crate::diagnostic::{quote_value, Diagnostic};
use crate::report::Collector;
use crate::rules;
use crate::schema::{spec, DatasetType};
use crate::training::{action_scores_finding, actions_finding, items_finding, Count};

/// Whether `code` is one of the plan's gates.
pub(crate) fn is_gate(code: &str) -> bool {
    matches!(
        code,
        "PF310" | "PF311" | "PF312" | "PF313" | "PF314" | "PF315"
    )
}

/// Adds the gates that fail to the report.
pub(crate) fn push(collector: &mut Collector, plan: &Plan, opts: &PlanOptions) {
    let interactions = plan.dataset_type.is_interactions();
    let records = |n: u64| format!("{n} record{}", if n == 1 { "" } else { "s" });
    match plan.mode {
        Mode::Incremental => {
            let empty = match plan.existing_state {
                ExistingState::Empty => Some("this dataset has had none"),
                ExistingState::Given if plan.existing.as_ref().is_some_and(|e| e.records == 0) => {
                    Some("the existing data holds no record")
                }
                _ => None,
            };
            if let Some(why) = empty {
                collector.push_dataset(
                    Diagnostic::new(&rules::PF314, format!("an INCREMENTAL import needs a dataset that already had a bulk import, but {why}"))
                        .with_help("make the first import into a dataset FULL; if the dataset already holds bulk data, pass it with --existing PATH (an export made with ingestionMode BULK) or --existing-from-history"),
                );
            }
            if interactions && !plan.knows_existing() {
                unknown_new_records(collector, plan);
            } else if interactions && plan.new < spec::MIN_IMPORT_INTERACTIONS {
                collector.push_dataset(
                    Diagnostic::new(
                        &rules::PF310,
                        format!(
                            "the INCREMENTAL import adds {} new interaction{}: {} of its {} collapse into identical records ({} already in the dataset, {} repeated in the batch); Personalize needs at least 1000 new records",
                            plan.new,
                            if plan.new == 1 { "" } else { "s" },
                            plan.collapsed,
                            records(plan.batch.records),
                            plan.unchanged,
                            plan.batch.duplicates,
                        ),
                    )
                    .with_help("export only events newer than the last import, combine this batch with the next one, or send small increments with PutEvents"),
                );
            }
            if plan.batch.bytes > opts.max_incremental_bytes {
                collector.push_dataset(
                    Diagnostic::new(&rules::PF311, format!("the INCREMENTAL import holds {} bytes; one INCREMENTAL job takes at most {} bytes", plan.batch.bytes, opts.max_incremental_bytes))
                        .with_help("split the batch into several INCREMENTAL jobs, or pass your raised quota with --max-incremental-bytes"),
                );
            }
        }
        Mode::Full => {
            if plan.batch.bytes > opts.max_full_bytes {
                collector.push_dataset(
                    Diagnostic::new(&rules::PF312, format!("the FULL import holds {} bytes; one FULL job takes at most {} bytes", plan.batch.bytes, opts.max_full_bytes))
                        .with_help("import less (the most recent data matters most), or pass your raised quota with --max-full-bytes"),
                );
            }
            if plan.existing_state == ExistingState::Unknown {
                collector.push_dataset(
                    Diagnostic::new(&rules::PF313, "the existing data is unknown: a FULL import replaces whatever bulk data the dataset holds, and this plan cannot tell which records it drops")
                        .with_help("to see what is dropped pass the dataset's data with --existing-from-history (with --dataset-arn) or --existing PATH; to add to the dataset use --mode incremental; for a first import say so with --first-import. `preflight run` and `import` refuse this job on a dataset that holds bulk data unless --allow-drop"),
                );
            } else if plan.dropped > 0 {
                let existing = plan.existing.as_ref().map_or(0, |e| e.records);
                let first: Vec<String> = plan
                    .dropped_sample
                    .iter()
                    .take(5)
                    .map(|d| match &d.id {
                        Some(id) => quote_value(id.as_bytes(), 40),
                        None => quote_value(d.record.as_bytes(), 60),
                    })
                    .collect();
                let what = if interactions {
                    "interaction"
                } else {
                    "record"
                };
                collector.push_dataset(
                    Diagnostic::new(
                        &rules::PF313,
                        format!(
                            "the FULL import drops {} of the {existing} existing {what}s, which the new data does not contain (first: {}{})",
                            plan.dropped,
                            first.join(", "),
                            if plan.dropped > first.len() as u64 { ", …" } else { "" }
                        ),
                    )
                    .with_help("use --mode incremental to keep them, or include them in the import; `preflight run` refuses this import without --allow-drop"),
                );
            }
        }
    }
    // Not a gate: what training will leave out (info).
    training_notes(collector, plan);
}

/// INCREMENTAL interactions with the existing data unknown: the batch's distinct records are an
/// upper bound on the new ones. Under 1,000 the job fails whatever the dataset holds (PF310);
/// otherwise a note says what is known (PF315).
fn unknown_new_records(collector: &mut Collector, plan: &Plan) {
    let at_most = plan.batch.distinct;
    let collapse = if plan.batch.duplicates > 0 {
        format!(
            " ({} of its {} records repeat an earlier one in the batch)",
            plan.batch.duplicates, plan.batch.records
        )
    } else {
        String::new()
    };
    if at_most < spec::MIN_IMPORT_INTERACTIONS {
        collector.push_dataset(
            Diagnostic::new(
                &rules::PF310,
                format!(
                    "the INCREMENTAL import has {at_most} distinct interaction{} after in-batch collapse{collapse}, so it adds at most {at_most} new records whatever the dataset holds; Personalize needs at least 1000 new records",
                    if at_most == 1 { "" } else { "s" },
                ),
            )
            .with_help("combine this batch with the next one, or send small increments with PutEvents"),
        );
    } else {
        collector.push_dataset(
            Diagnostic::new(
                &rules::PF315,
                format!(
                    "the existing data is unknown: at most {at_most} new interactions (the batch's distinct records{collapse}); pass --existing or --existing-from-history to count exactly"
                ),
            )
            .with_help("records identical to ones already in the dataset collapse and do not count toward the 1000 new records an INCREMENTAL job needs: export only events newer than the last import"),
        );
    }
}

/// The plan's notes about training (info): what the dataset holds after the job, against the
/// limits training applies. Items and actions are counted from the plan's records; with the
/// existing data unknown, INCREMENTAL gives a lower bound. Next-Best-Action's minimum is counted
/// only when the batch is the whole dataset after the job (FULL).
fn training_notes(collector: &mut Collector, plan: &Plan) {
    let count = if plan.mode == Mode::Incremental && plan.existing.is_none() {
        Count::AtLeastAfterJob
    } else {
        Count::AfterJob
    };
    let found = match plan.dataset_type {
        DatasetType::Items => items_finding(plan.result_records, count),
        DatasetType::Actions => actions_finding(plan.result_records, count),
        DatasetType::ActionInteractions => plan
            .next_best_action
            .as_ref()
            .and_then(action_scores_finding),
        _ => None,
    };
    if let Some(d) = found {
        collector.push_dataset(d);
    }
}
