//! PF409 `schema-categorical-non-string`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::FieldType;

declare_rule! {
    /// ## What it does
    /// Flags `categorical: true` on a field that is not a string.
    ///
    /// ## Why is this bad?
    /// The docs put `categorical: true` only on `string` fields: categorical values are strings, with
    /// several per cell separated by `|`. On an `int`, `float` or other type its meaning is not
    /// documented; preflight treats it as invalid. If a numeric code is really a category (a store ID,
    /// a postcode), declare it as a categorical string; if it is a quantity, drop the flag.
    ///
    /// ## Example
    /// ```json
    /// { "name": "STORE_ID", "type": "int", "categorical": true }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "STORE_ID", "type": "string", "categorical": true }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF409 = "PF409", "schema-categorical-non-string", Schema, Error;
}

/// A categorical field that is not a string.
#[derive(Debug, Clone, Copy)]
pub struct SchemaCategoricalNonString<'a> {
    /// The field's name, as the schema declares it.
    pub field: &'a str,
    /// The type the schema gives the field (quoted in the message).
    pub ty: FieldType,
}

impl Violation for SchemaCategoricalNonString<'_> {
    const RULE: &'static Rule = &PF409;
    fn message(&self) -> String {
        format!("`{}` is `{}` and marked categorical", self.field, self.ty)
    }
    fn help(&self) -> Option<String> {
        Some(format!(
            "make `{}` a string, or remove \"categorical\": true",
            self.field
        ))
    }
}
