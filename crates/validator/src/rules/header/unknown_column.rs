//! PF106 `unknown-column`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a CSV column that no schema field describes.
    ///
    /// ## Why is this bad?
    /// Personalize maps CSV columns to the schema fields. What it does with a column the schema lacks is
    /// not documented; preflight's default is an error, because an extra column can shift or break the
    /// mapping of the columns after it.
    /// Either add the field to the schema (it then counts toward the metadata limit) or drop the column
    /// before import.
    ///
    /// ## Example
    /// With a schema whose fields are `USER_ID`, `ITEM_ID`, `TIMESTAMP`:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,SESSION_ID
    /// u1,i1,1596238243,s-93
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF106 = "PF106", "unknown-column", Header, Error;
}
