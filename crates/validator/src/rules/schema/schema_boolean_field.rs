//! PF418 `schema-boolean-field`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a field of type `boolean`.
    ///
    /// ## Why is this bad?
    /// The current docs say Personalize does not use `boolean` fields for training or filtering, and
    /// filter expressions cannot reference them; the data imports but is lost to the model. (The 2023
    /// docs still listed `boolean` as supported, with lowercase `true` and `false`.) The docs recommend a
    /// string with `True`/`False` or an `int`/`long` with 0 and 1 instead.
    /// Not documented as an error; preflight's default is a warning.
    ///
    /// ## Example
    /// ```json
    /// { "name": "IS_PREMIUM", "type": "boolean" }
    /// ```
    ///
    /// Use instead (values `True` and `False` in the CSV):
    /// ```json
    /// { "name": "IS_PREMIUM", "type": "string", "categorical": true }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    pub const PF418 = "PF418", "schema-boolean-field", Schema, Warning;
}

/// A boolean field, which Personalize ignores.
#[derive(Debug, Clone, Copy)]
pub struct SchemaBooleanField<'a> {
    /// The field's name, as the schema declares it.
    pub field: &'a str,
}

impl Violation for SchemaBooleanField<'_> {
    const RULE: &'static Rule = &PF418;
    fn message(&self) -> String {
        format!("`{}` is boolean; Personalize ignores boolean fields for training and filtering", self.field)
    }
    fn help(&self) -> Option<String> {
        Some("use a categorical string with values \"True\"/\"False\", or an int with 0/1".into())
    }
}
