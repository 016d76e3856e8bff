//! PF407 `schema-duplicate-field`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a field name used twice.
    ///
    /// ## Why is this bad?
    /// Field names must be unique, and each field maps to one CSV column. A schema that lists a name
    /// twice is invalid. It often happens when a reserved field is added to a generated schema that
    /// already has a metadata field of the same name.
    ///
    /// ## Example
    /// ```json
    /// "fields": [
    ///   { "name": "ITEM_ID", "type": "string" },
    ///   { "name": "PRICE", "type": "float" },
    ///   { "name": "PRICE", "type": ["null", "float"] }
    /// ]
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "fields": [
    ///   { "name": "ITEM_ID", "type": "string" },
    ///   { "name": "PRICE", "type": "float" }
    /// ]
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF407 = "PF407", "schema-duplicate-field", Schema, Error;
}

/// A field declared twice.
#[derive(Debug, Clone, Copy)]
pub struct SchemaDuplicateField<'a> {
    /// The field's name, as the schema declares it.
    pub field: &'a str,
}

impl Violation for SchemaDuplicateField<'_> {
    const RULE: &'static Rule = &PF407;
    fn message(&self) -> String {
        format!("field `{}` is declared more than once", self.field)
    }
    fn help(&self) -> Option<String> {
        Some("remove the repeated field".into())
    }
}
