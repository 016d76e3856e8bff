//! The plan's gates: findings that say Personalize would reject the job, or that it would do
//! something the user probably does not want. Each is a rule (PF310–PF314) whose severity can
//! be changed like any other.

use super::{Mode, Plan, PlanOptions};
use crate::diagnostic::{quote_value, Diagnostic};
use crate::report::Collector;
use crate::rules;
use crate::schema::spec;

/// Whether `code` is one of the plan's gates.
pub(crate) fn is_gate(code: &str) -> bool {
    matches!(code, "PF310" | "PF311" | "PF312" | "PF313" | "PF314")
}

/// Adds the gates that fail to the report.
pub(crate) fn push(collector: &mut Collector, plan: &Plan, opts: &PlanOptions) {
    let interactions = plan.dataset_type.is_interactions();
    let records = |n: u64| format!("{n} record{}", if n == 1 { "" } else { "s" });
    match plan.mode {
        Mode::Incremental => {
            let existing_records = plan.existing.as_ref().map_or(0, |e| e.records);
            if existing_records == 0 {
                let why = if plan.existing.is_none() {
                    "no existing data was given (--existing)"
                } else {
                    "the existing data holds no record"
                };
                collector.push_dataset(
                    Diagnostic::new(&rules::PF314, format!("an INCREMENTAL import needs a dataset that already had a bulk import, but {why}"))
                        .with_help("make the first import into a dataset FULL; if the dataset already holds bulk data, pass it (or an export of it) with --existing PATH"),
                );
            }
            if interactions && plan.new < spec::MIN_IMPORT_INTERACTIONS {
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
            if plan.dropped > 0 {
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
    crate::training::plan_notes(collector, plan);
}
