//! PF502 `incomplete-textual-column`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::text::pct;

declare_rule! {
    /// ## What it does
    /// Flags a textual column (`"textual": true`) that is less than 85% complete.
    ///
    /// ## Why is this bad?
    /// Personalize does not use a textual column that is less than 85% complete for training:
    /// the descriptions you exported are then silently ignored.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,DESCRIPTION
    /// i1,A warm comedy about two friends
    /// i2,
    /// ```
    /// `DESCRIPTION` is 50% complete.
    ///
    /// Use instead: fill in the descriptions of at least 85% of the items.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF502 = "PF502", "incomplete-textual-column", Insights, Warning;
}

/// A textual column with a value in under 85% of the records.
#[derive(Debug, Clone, Copy)]
pub struct IncompleteTextualColumn<'a> {
    /// The column's schema field name.
    pub name: &'a str,
    /// Records with a value.
    pub filled: u64,
    /// All records.
    pub records: u64,
}

impl Violation for IncompleteTextualColumn<'_> {
    const RULE: &'static Rule = &PF502;
    fn message(&self) -> String {
        format!(
            "`{}` has a value in {} of {} records ({} complete); Personalize does not train on a textual column under 85% complete",
            self.name,
            self.filled,
            self.records,
            pct(self.filled, self.records)
        )
    }
    fn help(&self) -> Option<String> {
        Some("fill in the missing values in the export, or drop the column if the data does not exist".into())
    }
}
