//! PF420 `schema-expiry-field-name`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags ACTION_EXPIRATION_TIMESTAMP in an Actions schema.
    ///
    /// ## Why is this bad?
    /// The docs name the action expiry field twice: `EXPIRATION_TIMESTAMP` in the custom schema table and
    /// on the Next-Best-Action recipe page, `ACTION_EXPIRATION_TIMESTAMP` in the prose. Which name
    /// Personalize recognises is not documented. If the name is not the reserved one, the field is
    /// probably treated as plain metadata and expired actions keep being recommended. preflight accepts
    /// both names and warns on the prose one (preflight's default); the table's name is the safer choice.
    ///
    /// ## Example
    /// ```json
    /// { "name": "ACTION_EXPIRATION_TIMESTAMP", "type": ["long", "null"] }
    /// ```
    ///
    /// Use instead (and rename the CSV column):
    /// ```json
    /// { "name": "EXPIRATION_TIMESTAMP", "type": ["long", "null"] }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-next-best-action.html>
    pub const PF420 = "PF420", "schema-expiry-field-name", Schema, Warning;
}

/// ACTION_EXPIRATION_TIMESTAMP, the docs' prose name of an action's expiry.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchemaExpiryFieldName;

impl Violation for SchemaExpiryFieldName {
    const RULE: &'static Rule = &PF420;
    fn message(&self) -> String {
        "`ACTION_EXPIRATION_TIMESTAMP` is the docs' prose name; the schema table and the Next-Best-Action recipe use `EXPIRATION_TIMESTAMP`".into()
    }
    fn help(&self) -> Option<String> {
        Some("rename the field to `EXPIRATION_TIMESTAMP`".into())
    }
}
