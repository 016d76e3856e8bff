//! PF106 `unknown-column`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

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

/// A header name that is not a schema field.
#[derive(Debug, Clone, Copy)]
pub struct UnknownColumn<'a> {
    /// The header cell that names no schema field, as written.
    pub name: &'a str,
    /// An unused schema field within two edits of it, if any.
    pub suggestion: Option<&'a str>,
}

impl Violation for UnknownColumn<'_> {
    const RULE: &'static Rule = &PF106;
    fn message(&self) -> String {
        format!("column `{}` is not in the schema", self.name)
    }
    fn help(&self) -> Option<String> {
        Some(match self.suggestion {
            Some(s) => format!(
                "did you mean `{s}`? Otherwise remove the column or add it to the schema"
            ),
            None => "remove the column, or add the field to the schema (a schema cannot be changed once created: add it to a new one)".into(),
        })
    }
}
