//! PF314 `incremental-without-existing-data`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an INCREMENTAL import into a dataset known to hold no bulk data: the account lists no
    /// ACTIVE import job for it (`--dataset-arn`), `--first-import` says so, or the existing data
    /// given has no record.
    ///
    /// ## Why is this bad?
    /// Personalize accepts an INCREMENTAL import only into a dataset that already had a bulk import;
    /// the first import into a dataset must be FULL (the console does not even offer INCREMENTAL).
    ///
    /// Reading taken: only a dataset *known* to be empty is flagged. Existing data that is merely
    /// not given (no `--existing`, no `--existing-from-history`, no account asked) is *unknown*,
    /// which is the everyday INCREMENTAL import and not an error (see PF315). Having no local copy
    /// of the dataset is not the same as the dataset being empty. `preflight run` and `import` ask
    /// the account and refuse INCREMENTAL (exit 6) on a dataset with no earlier ACTIVE import.
    ///
    /// ## Example
    /// `preflight plan --mode incremental --first-import interactions.csv`, or `preflight plan
    /// --dataset-arn ARN --mode incremental interactions.csv` for a dataset never imported into.
    ///
    /// Use instead: `preflight plan --mode full interactions.csv` for the first import. If the
    /// dataset does hold bulk data, pass it with `--existing PATH` or `--existing-from-history`; a
    /// dataset export must be made with `ingestionMode` `BULK` (the default, `PUT`, holds only the
    /// records imported individually, which a FULL import does not replace).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetImportJob.html>
    pub const PF314 = "PF314", "incremental-without-existing-data", Dataset, Error;
}

/// An INCREMENTAL job into a dataset without bulk data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncrementalWithoutExistingData {
    /// The account lists no bulk import into the dataset, or the user says it has none.
    NoImport,
    /// The existing data given holds no record.
    NoRecord,
}

impl Violation for IncrementalWithoutExistingData {
    const RULE: &'static Rule = &PF314;
    fn message(&self) -> String {
        let why = match self {
            IncrementalWithoutExistingData::NoImport => "this dataset has had none",
            IncrementalWithoutExistingData::NoRecord => "the existing data holds no record",
        };
        format!("an INCREMENTAL import needs a dataset that already had a bulk import, but {why}")
    }
    fn help(&self) -> Option<String> {
        Some("make the first import into a dataset FULL; if the dataset already holds bulk data, pass it with --existing PATH (an export made with ingestionMode BULK) or --existing-from-history".into())
    }
}
