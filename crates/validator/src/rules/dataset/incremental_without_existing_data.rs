//! PF314 `incremental-without-existing-data`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags an INCREMENTAL import planned without any existing bulk data: no `--existing` input,
    /// or existing inputs with no record.
    ///
    /// ## Why is this bad?
    /// Personalize accepts an INCREMENTAL import only into a dataset that already had a bulk import;
    /// the first import into a dataset must be FULL (the console does not even offer INCREMENTAL).
    /// Planning against no existing data also cannot tell which records are new.
    ///
    /// ## Example
    /// `preflight plan --mode incremental interactions.csv` for a new dataset.
    ///
    /// Use instead: `preflight plan --mode full interactions.csv` for the first import, or pass the
    /// dataset's current bulk data (or an export of it) with `--existing PATH`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetImportJob.html>
    pub const PF314 = "PF314", "incremental-without-existing-data", Dataset, Error;
}
