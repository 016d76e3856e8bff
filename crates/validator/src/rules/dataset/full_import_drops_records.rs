//! PF313 `full-import-drops-records`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a FULL import that does not contain every record of the existing bulk data: the plan
    /// lists how many records it drops and the first of them.
    ///
    /// ## Why is this bad?
    /// A FULL import replaces all bulk data in the dataset (records sent with PutEvents, PutItems or
    /// PutUsers stay). Importing a partial file in FULL mode, such as one day's export, deletes
    /// everything else that was imported before, silently and successfully. `preflight run` refuses
    /// such an import unless `--allow-drop` says the loss is intended.
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
