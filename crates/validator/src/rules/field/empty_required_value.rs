//! PF206 `empty-required-value`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an empty value in a field whose schema type does not allow `null`.
    ///
    /// ## Why is this bad?
    /// Only fields whose type is a union with `"null"` (such as `["float","null"]`) may be left empty.
    /// Required IDs and TIMESTAMP are never nullable, and a metadata field may hold empty values only
    /// when its schema allows `null`. An empty value anywhere else does not match the field's type, so
    /// the record is invalid for the import.
    ///
    /// ## Example
    /// With TIMESTAMP `long` and EVENT_VALUE `["float","null"]`:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_VALUE
    /// u1,i1,,4.5
    /// ```
    ///
    /// Use instead (an empty EVENT_VALUE is fine):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_VALUE
    /// u1,i1,1596238243,
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF206 = "PF206", "empty-required-value", Field, Error;
}

/// An empty value in a field that is not nullable.
#[derive(Debug, Clone, Copy)]
pub struct EmptyRequiredValue<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
}

impl Violation for EmptyRequiredValue<'_> {
    const RULE: &'static Rule = &PF206;
    fn message(&self) -> String {
        format!("`{}` is empty, but its type does not allow null", self.name)
    }
    fn help(&self) -> Option<String> {
        Some(format!("fill in `{}`, or drop the record (only fields declared as a union with \"null\" may be empty)", self.name))
    }
}
