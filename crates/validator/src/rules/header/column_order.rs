//! PF107 `column-order`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a header whose columns are in a different order than the schema fields.
    ///
    /// ## Why is this bad?
    /// The docs say the schema fields can appear in any order, but it must match the order of the
    /// column headers in the CSV. If columns are taken by position, values land in the wrong fields: the
    /// job fails on a type error or, worse, imports IDs into the wrong field.
    /// What Personalize does with a mismatch is not documented; preflight's default is an error, following
    /// the documented rule.
    ///
    /// ## Example
    /// With a schema whose fields are `USER_ID`, `ITEM_ID`, `TIMESTAMP`, in that order:
    /// ```csv
    /// ITEM_ID,USER_ID,TIMESTAMP
    /// i1,u1,1596238243
    /// ```
    ///
    /// Use instead (reorder the columns, or the schema fields):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF107 = "PF107", "column-order", Header, Error, fix = Safe;
}

/// Columns in another order than the schema's fields.
#[derive(Debug, Clone)]
pub struct ColumnOrder<'a> {
    /// The mapped columns' fields, in header order.
    pub header: Vec<&'a str>,
    /// The same fields in schema order.
    pub schema: Vec<&'a str>,
}

impl Violation for ColumnOrder<'_> {
    const RULE: &'static Rule = &PF107;
    fn message(&self) -> String {
        format!(
            "the columns are in the order {}, but the schema declares {}",
            self.header.join(","),
            self.schema.join(",")
        )
    }
    fn help(&self) -> Option<String> {
        Some("reorder the CSV columns to the schema's field order (or create a schema whose fields follow the CSV)".into())
    }
}
