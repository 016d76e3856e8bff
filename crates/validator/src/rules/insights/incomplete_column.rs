//! PF501 `incomplete-column`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::text::pct;

declare_rule! {
    /// ## What it does
    /// Flags a column that is less than 70% complete: fewer than 70% of the records have a value in it.
    ///
    /// ## Why is this bad?
    /// Personalize's own data analysis (Data insights) flags columns under 70% complete: a sparse
    /// column tells the model little and usually means a broken join or export. Completeness is the
    /// share of well-formed records whose value is not empty; textual columns have their own, higher
    /// threshold (PF502). The import succeeds.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,GENRE,PRICE
    /// i1,drama,
    /// i2,,
    /// i3,comedy,
    /// i4,,9.99
    /// ```
    /// `GENRE` is 50% complete and `PRICE` 25%.
    ///
    /// Use instead: fill the values in the export (or drop the column if the data does not exist).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF501 = "PF501", "incomplete-column", Insights, Warning;
}

/// A column with a value in under 70% of the records.
#[derive(Debug, Clone, Copy)]
pub struct IncompleteColumn<'a> {
    /// The column's schema field name.
    pub name: &'a str,
    /// Records with a value.
    pub filled: u64,
    /// All records.
    pub records: u64,
}

impl Violation for IncompleteColumn<'_> {
    const RULE: &'static Rule = &PF501;
    fn message(&self) -> String {
        format!(
            "`{}` has a value in {} of {} records ({} complete); Data insights flags columns under 70% complete",
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
