//! PF406 `schema-invalid-field-name`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a field name that is not alphanumeric with underscores, or longer than 150 characters.
    ///
    /// ## Why is this bad?
    /// Field names must be alphanumeric; underscores are allowed, as the reserved names show. The API
    /// limits column names to `[A-Za-z_][A-Za-z0-9_]*` and 150 characters, and preflight applies that
    /// pattern (an inference from the API, not a documented schema rule). Names with spaces, hyphens or
    /// dots make the schema invalid; the CSV header must use the new name too.
    ///
    /// ## Example
    /// ```json
    /// { "name": "release-year", "type": ["null", "int"] }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "RELEASE_YEAR", "type": ["null", "int"] }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF406 = "PF406", "schema-invalid-field-name", Schema, Error;
}

/// A field name that is not alphanumeric with underscores.
#[derive(Debug, Clone, Copy)]
pub struct SchemaInvalidFieldName<'a> {
    /// The field's name, as the schema declares it.
    pub field: &'a str,
}

impl Violation for SchemaInvalidFieldName<'_> {
    const RULE: &'static Rule = &PF406;
    fn message(&self) -> String {
        format!("field name `{}` is not alphanumeric with underscores (at most 150 characters, not starting with a digit)", self.field)
    }
    fn help(&self) -> Option<String> {
        Some("use letters, digits and underscores only, for example `ITEM_COLOR`".into())
    }
}
