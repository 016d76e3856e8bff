//! PF418 `schema-boolean-field`.

use crate::diagnostic::{Family, Rule, Severity};

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
