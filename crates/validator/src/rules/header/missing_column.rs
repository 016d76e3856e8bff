//! PF105 `missing-column`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

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

/// Schema fields without a column.
#[derive(Debug, Clone)]
pub struct MissingColumn<'a> {
    /// The fields without a column, in schema order.
    pub missing: Vec<&'a str>,
    /// Every field of the schema, in order.
    pub fields: Vec<&'a str>,
}

impl Violation for MissingColumn<'_> {
    const RULE: &'static Rule = &PF105;
    fn message(&self) -> String {
        format!(
            "the header is missing the column{} {}",
            if self.missing.len() > 1 { "s" } else { "" },
            self.missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
    fn help(&self) -> Option<String> {
        Some(format!(
            "every schema field needs a column, in schema order: {}",
            self.fields.join(",")
        ))
    }
}
