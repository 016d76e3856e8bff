//! PF009 `no-records`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a file that has a header but no records.
    ///
    /// ## Why is this bad?
    /// The file adds nothing to the import. It usually comes from an export whose query matched no rows.
    /// What a FULL import of only such files does is not documented, but FULL (the default mode)
    /// replaces all bulk data in the dataset, so it may leave the dataset empty. Interactions imports
    /// also need at least 1,000 records per job.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,GENRES
    /// ```
    ///
    /// Use instead (or leave the file out of the import):
    /// ```csv
    /// ITEM_ID,GENRES
    /// i1,Action|Crime
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF009 = "PF009", "no-records", File, Warning;
}

/// A file with a header and no record.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRecords;

impl Violation for NoRecords {
    const RULE: &'static Rule = &PF009;
    fn message(&self) -> String {
        "the file has a header but no records".into()
    }
    fn help(&self) -> Option<String> {
        Some("remove the file from the import, or check the export that wrote it".into())
    }
}
