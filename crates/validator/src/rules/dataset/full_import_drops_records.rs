//! PF313 `full-import-drops-records`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags a FULL import that does not contain every record of the existing bulk data: the plan
    /// lists how many records it drops and the first of them. When the existing data is unknown,
    /// it warns that the job replaces whatever bulk data the dataset holds.
    ///
    /// ## Why is this bad?
    /// A FULL import replaces all bulk data in the dataset (records sent with PutEvents, PutItems or
    /// PutUsers stay). Importing a partial file in FULL mode, such as one day's export, deletes
    /// everything else that was imported before, silently and successfully. `preflight run` refuses
    /// such an import unless `--allow-drop` says the loss is intended.
    ///
    /// Readings taken, by what is known of the existing data:
    /// - *given*: the dropped records are counted and listed;
    /// - *known to be empty* (the account lists no ACTIVE import, or `--first-import`): nothing is
    ///   dropped, no finding;
    /// - *unknown* (nothing given or fetched): the plan cannot tell what is dropped, and warns that
    ///   the job replaces whatever the dataset holds. `preflight run` and `preflight import` ask the
    ///   account: when it lists an earlier ACTIVE import, they refuse the FULL job (exit 6, nothing
    ///   staged or created) unless `--allow-drop`; `--existing-from-history` shows what it drops.
    ///
    /// ## Example
    /// The dataset holds items `i1` to `i9`; the FULL import's file has only `i1` and `i2`: seven items
    /// are dropped.
    ///
    /// Use instead: import the day's file with `--mode incremental`, or include the existing records
    /// in the FULL import (`preflight plan --write-merged FILE` writes what an INCREMENTAL import would
    /// leave in the dataset).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/updating-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetImportJob.html>
    pub const PF313 = "PF313", "full-import-drops-records", Dataset, Warning;
}

/// Existing records a FULL job drops.
#[derive(Debug, Clone)]
pub enum FullImportDropsRecords<'a> {
    /// The existing data is unknown: which records go cannot be told.
    Unknown,
    /// Existing records the new data lacks.
    Drops {
        /// How many.
        dropped: u64,
        /// The existing records.
        existing: u64,
        /// Interactions rather than records with an ID.
        interactions: bool,
        /// The first dropped: (ID, line) each.
        first: Vec<(Option<&'a str>, &'a str)>,
    },
}

impl Violation for FullImportDropsRecords<'_> {
    const RULE: &'static Rule = &PF313;
    fn message(&self) -> String {
        match self {
            FullImportDropsRecords::Unknown => "the existing data is unknown: a FULL import replaces whatever bulk data the dataset holds, and this plan cannot tell which records it drops".into(),
            FullImportDropsRecords::Drops {
                dropped,
                existing,
                interactions,
                first,
            } => {
                let first: Vec<String> = first
                    .iter()
                    .take(5)
                    .map(|(id, record)| match id {
                        Some(id) => quote_value(id.as_bytes(), 40),
                        None => quote_value(record.as_bytes(), 60),
                    })
                    .collect();
                let what = if *interactions {
                    "interaction"
                } else {
                    "record"
                };
                format!(
                    "the FULL import drops {dropped} of the {existing} existing {what}s, which the new data does not contain (first: {}{})",
                    first.join(", "),
                    if *dropped > first.len() as u64 { ", …" } else { "" }
                )
            }
        }
    }
    fn help(&self) -> Option<String> {
        Some(match self {
            FullImportDropsRecords::Unknown => "to see what is dropped pass the dataset's data with --existing-from-history (with --dataset-arn) or --existing PATH; to add to the dataset use --mode incremental; for a first import say so with --first-import. `preflight run` and `import` refuse this job on a dataset that holds bulk data unless --allow-drop".into(),
            FullImportDropsRecords::Drops { .. } => "use --mode incremental to keep them, or include them in the import; `preflight run` refuses this import without --allow-drop".into(),
        })
    }
}
