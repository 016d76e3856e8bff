//! PF502 `incomplete-textual-column`.

use crate::diagnostic::{Family, Rule, Severity};

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
