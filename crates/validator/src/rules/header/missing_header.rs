//! PF101 `missing-header`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags a first line that is not a header: none of its cells is a schema field name.
    ///
    /// ## Why is this bad?
    /// The first row of every import file must be the header, which maps the columns to the schema fields.
    /// Without it, the first record would be read as the header, none of the schema's columns would be
    /// found, and the job would fail with `Input CSV is missing the following columns: [..]`.
    /// Headerless files typically come from database `UNLOAD` or `COPY` exports run without a header option.
    ///
    /// ## Example
    /// ```csv
    /// u1,i1,1596238243
    /// u2,i7,1596238301
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// u2,i7,1596238301
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    pub const PF101 = "PF101", "missing-header", Header, Error;
}

/// A first line that names no field of the schema.
#[derive(Debug, Clone)]
pub struct MissingHeader<'a> {
    /// The file's first line, without byte order mark and line ending.
    pub line: &'a [u8],
    /// The schema's field names, in order.
    pub fields: Vec<&'a str>,
}

impl Violation for MissingHeader<'_> {
    const RULE: &'static Rule = &PF101;
    fn message(&self) -> String {
        format!(
            "the first line {} is not a header: no cell names a schema field",
            quote_value(self.line, 80)
        )
    }
    fn help(&self) -> Option<String> {
        Some(format!(
            "add the header line `{}` as the first line",
            self.fields.join(",")
        ))
    }
}
