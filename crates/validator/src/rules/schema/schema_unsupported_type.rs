//! PF405 `schema-unsupported-type`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a field type other than `int`, `long`, `float`, `double`, `string`, `boolean`, optionally in a union with `null`.
    ///
    /// ## Why is this bad?
    /// Personalize supports only these primitive types, with a union such as `["null","string"]` for
    /// nullable fields. Complex types (arrays, maps, records, enums) are not supported: the schema must
    /// be flat, and CreateSchema rejects it otherwise. A list of values goes into a categorical string
    /// field instead, with the values separated by `|` in the CSV (`Action|Crime`).
    ///
    /// ## Example
    /// ```json
    /// { "name": "GENRES", "type": { "type": "array", "items": "string" } }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "GENRES", "type": "string", "categorical": true }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF405 = "PF405", "schema-unsupported-type", Schema, Error;
}

/// A field of a type Personalize does not support.
#[derive(Debug, Clone, Copy)]
pub struct SchemaUnsupportedType<'a> {
    /// The field's name, as the schema declares it.
    pub field: &'a str,
    /// The field's `type` as JSON text, shortened past 60 characters.
    pub ty: &'a str,
}

impl Violation for SchemaUnsupportedType<'_> {
    const RULE: &'static Rule = &PF405;
    fn message(&self) -> String {
        format!(
            "field `{}` has the unsupported type {}",
            self.field, self.ty
        )
    }
    fn help(&self) -> Option<String> {
        Some("use int, long, float, double, string or boolean, optionally in a union with \"null\"; the schema must be flat".into())
    }
}
