//! PF501 `incomplete-column`.

use crate::diagnostic::{Family, Rule, Severity};

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
