//! PF421 `schema-nullable-required-field`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::FieldType;

declare_rule! {
    /// ## What it does
    /// Flags a required field (an ID or TIMESTAMP) declared nullable.
    ///
    /// ## Why is this bad?
    /// Required fields such as USER_ID, ITEM_ID, ACTION_ID and TIMESTAMP are never nullable in
    /// Personalize's schemas: every record must have them, and reserved fields must use exactly their
    /// listed types, so `["null","string"]` on an ID makes the schema invalid. This usually comes from a
    /// generator that copied a nullable database column.
    ///
    /// ## Example
    /// ```json
    /// { "name": "ITEM_ID", "type": ["null", "string"] }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "ITEM_ID", "type": "string" }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF421 = "PF421", "schema-nullable-required-field", Schema, Error;
}

/// A required field declared nullable.
#[derive(Debug, Clone, Copy)]
pub struct SchemaNullableRequiredField<'a> {
    /// The field's name, as the schema declares it.
    pub field: &'a str,
    /// The Avro type the docs require for the field.
    pub required: FieldType,
}

impl Violation for SchemaNullableRequiredField<'_> {
    const RULE: &'static Rule = &PF421;
    fn message(&self) -> String {
        format!(
            "`{}` is declared nullable; Personalize requires a plain `{}`",
            self.field, self.required
        )
    }
    fn help(&self) -> Option<String> {
        Some(format!(
            "declare `{}` as \"{}\", without \"null\"",
            self.field, self.required
        ))
    }
}
