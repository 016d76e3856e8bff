//! PF108 `duplicate-column`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a column name that appears more than once in the header.
    ///
    /// ## Why is this bad?
    /// Schema field names must be unique and each field maps to one column, so two columns with the
    /// same name cannot both be mapped; one of them is an extra column.
    /// What Personalize does with it is not documented; preflight reports an error. The usual cause is
    /// an export that joined two tables and kept both copies of the key.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,ITEM_ID
    /// u1,i1,1596238243,i1
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
    pub const PF108 = "PF108", "duplicate-column", Header, Error;
}

/// A header name repeated.
#[derive(Debug, Clone, Copy)]
pub struct DuplicateColumn<'a> {
    /// The repeated header name, as written.
    pub name: &'a str,
}

impl Violation for DuplicateColumn<'_> {
    const RULE: &'static Rule = &PF108;
    fn message(&self) -> String {
        format!("column `{}` appears more than once in the header", self.name)
    }
    fn help(&self) -> Option<String> {
        Some("remove or rename the repeated column".into())
    }
}
