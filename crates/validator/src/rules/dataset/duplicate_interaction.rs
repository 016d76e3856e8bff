//! PF308 `duplicate-interaction`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an interaction record identical to an earlier one in the same import.
    ///
    /// ## Why is this bad?
    /// Interactions have no ID; when two events have exactly the same timestamp and properties, only
    /// one is kept. So an exact duplicate is harmless but means fewer interactions than rows, which
    /// preflight's plan counts as collapsed (not documented; preflight's default is info). Duplicates
    /// usually come from re-running an export over an overlapping time window. A re-sent row that
    /// differs in any field is not a duplicate: it is a second interaction, not a correction.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,click
    /// u1,i1,1596238243,click
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,click
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    pub const PF308 = "PF308", "duplicate-interaction", Dataset, Info, fix = Unsafe;
}

/// An interaction identical to an earlier one.
#[derive(Debug, Clone, Copy)]
pub struct DuplicateInteraction<'a> {
    /// Where the first is: `line 3`, `line 3 of a.csv`.
    pub first: &'a str,
}

impl Violation for DuplicateInteraction<'_> {
    const RULE: &'static Rule = &PF308;
    fn message(&self) -> String {
        format!(
            "this interaction is identical to the record on {}",
            self.first
        )
    }
    fn help(&self) -> Option<String> {
        Some("exact duplicates collapse into one interaction; remove them if they are not intended".into())
    }
}
