//! PF419 `schema-unused-string-metadata`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a string metadata field that is neither categorical nor textual.
    ///
    /// ## Why is this bad?
    /// A metadata `string` field without `categorical: true` or `textual: true` is ignored in training;
    /// it can only be used in filters. Usually `categorical: true` was forgotten: the import succeeds and
    /// the model never sees the column. Filter-only fields are legitimate, so this is not documented as
    /// an error; preflight's default is a warning.
    ///
    /// ## Example
    /// ```json
    /// { "name": "BRAND", "type": ["null", "string"] }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "BRAND", "type": ["null", "string"], "categorical": true }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF419 = "PF419", "schema-unused-string-metadata", Schema, Warning;
}

/// A string metadata field neither categorical nor textual, which training ignores.
#[derive(Debug, Clone, Copy)]
pub struct SchemaUnusedStringMetadata<'a> {
    /// The field's name, as the schema declares it.
    pub field: &'a str,
    /// The schema is an Items schema (which may have a textual field).
    pub items: bool,
}

impl Violation for SchemaUnusedStringMetadata<'_> {
    const RULE: &'static Rule = &PF419;
    fn message(&self) -> String {
        format!(
            "string field `{}` is neither categorical nor textual, so training ignores it",
            self.field
        )
    }
    fn help(&self) -> Option<String> {
        let f = self.field;
        Some(if self.items {
            format!("add \"categorical\": true to `{f}` if it holds labels, or \"textual\": true if it is free text such as a description (one textual field per schema); it can still be used in filters either way")
        } else {
            format!("add \"categorical\": true to `{f}` if it holds labels (it can still be used in filters either way)")
        })
    }
}
