//! PF308 `duplicate-interaction`.

use crate::diagnostic::{Family, Rule, Severity};

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
    pub const PF308 = "PF308", "duplicate-interaction", Dataset, Info;
}
