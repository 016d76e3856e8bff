//! The plan's gates: findings that say Personalize would reject the job, or that it would do
//! something the user probably does not want. Each is a rule (PF310–PF315) whose severity can
//! be changed like any other.
//!
//! Each gate reads the existing data's state: given, known to be empty, or unknown. Unknown is
//! never an error by itself; a gate fails on it only when the job fails whatever the dataset
//! holds (fewer than 1,000 distinct interactions in an INCREMENTAL batch).

use super::{ExistingState, Mode, Plan, PlanOptions};
use crate::report::Collector;
use crate::rules::{
    ExistingDataUnknown, FullImportDropsRecords, FullImportTooLarge, IncrementalImportTooLarge,
    IncrementalWithoutExistingData, TooFewNewInteractions, Violation,
};
use crate::schema::{spec, DatasetType};
use crate::text::Holds;
use crate::training::{action_scores_finding, actions_finding, items_finding};

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
    match plan.mode {
        Mode::Incremental => {
            let empty = match plan.existing_state {
                ExistingState::Empty => Some(IncrementalWithoutExistingData::NoImport),
                ExistingState::Given if plan.existing.as_ref().is_some_and(|e| e.records == 0) => {
                    Some(IncrementalWithoutExistingData::NoRecord)
                }
                _ => None,
            };
            if let Some(why) = empty {
                collector.push_dataset(why.diagnostic());
            }
            if interactions && !plan.knows_existing() {
                unknown_new_records(collector, plan);
            } else if interactions && plan.new < spec::MIN_IMPORT_INTERACTIONS {
                collector.push_dataset(
                    TooFewNewInteractions::Counted {
                        new: plan.new,
                        collapsed: plan.collapsed,
                        records: plan.batch.records,
                        existing: plan.unchanged,
                        repeated: plan.batch.duplicates,
                    }
                    .diagnostic(),
                );
            }
            if plan.batch.bytes > opts.max_incremental_bytes {
                collector.push_dataset(
                    IncrementalImportTooLarge {
                        bytes: plan.batch.bytes,
                        limit: opts.max_incremental_bytes,
                    }
                    .diagnostic(),
                );
            }
        }
        Mode::Full => {
            if plan.batch.bytes > opts.max_full_bytes {
                collector.push_dataset(
                    FullImportTooLarge {
                        bytes: plan.batch.bytes,
                        limit: opts.max_full_bytes,
                    }
                    .diagnostic(),
                );
            }
            if plan.existing_state == ExistingState::Unknown {
                collector.push_dataset(FullImportDropsRecords::Unknown.diagnostic());
            } else if plan.dropped > 0 {
                let first = plan
                    .dropped_sample
                    .iter()
                    .take(5)
                    .map(|d| (d.id.as_deref(), d.record.as_str()))
                    .collect();
                collector.push_dataset(
                    FullImportDropsRecords::Drops {
                        dropped: plan.dropped,
                        existing: plan.existing.as_ref().map_or(0, |e| e.records),
                        interactions,
                        first,
                    }
                    .diagnostic(),
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
    let distinct = plan.batch.distinct;
    let (records, repeated) = (plan.batch.records, plan.batch.duplicates);
    if distinct < spec::MIN_IMPORT_INTERACTIONS {
        collector.push_dataset(
            TooFewNewInteractions::AtMost {
                distinct,
                records,
                repeated,
            }
            .diagnostic(),
        );
    } else {
        collector.push_dataset(
            ExistingDataUnknown {
                distinct,
                records,
                repeated,
            }
            .diagnostic(),
        );
    }
}

/// The plan's notes about training (info): what the dataset holds after the job, against the
/// limits training applies. Items and actions are counted from the plan's records; with the
/// existing data unknown, INCREMENTAL gives a lower bound. Next-Best-Action's minimum is counted
/// only when the batch is the whole dataset after the job (FULL).
fn training_notes(collector: &mut Collector, plan: &Plan) {
    let count = if plan.mode == Mode::Incremental && plan.existing.is_none() {
        Holds::AtLeastAfterJob
    } else {
        Holds::AfterJob
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
