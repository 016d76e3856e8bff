//! PF105 `missing-column`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags schema fields that have no column in the CSV header.
    ///
    /// ## Why is this bad?
    /// Every schema field needs a column. The job fails with
    /// `Input CSV is missing the following columns: [COLUMN_NAME, COLUMN_NAME]`, but only after it has been
    /// queued and started, which can take many minutes. A nullable field still needs its column; leave
    /// its cells empty instead of dropping it.
    /// The usual causes are a misspelled or renamed column, a forgotten reserved column, or a BOM or quotes
    /// around the first header name.
    ///
    /// ## Example
    /// With a schema whose fields are `USER_ID`, `ITEM_ID`, `TIMESTAMP`, `EVENT_TYPE`:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,click
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    pub const PF105 = "PF105", "missing-column", Header, Error;
}
