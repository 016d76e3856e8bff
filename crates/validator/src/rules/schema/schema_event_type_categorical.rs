//! PF412 `schema-event-type-categorical`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags EVENT_TYPE marked `categorical`.
    ///
    /// ## Why is this bad?
    /// The docs state that EVENT_TYPE must be a `string` and must not be categorical, so a schema with
    /// `categorical: true` on EVENT_TYPE is invalid. Each interaction has exactly one event type; it is
    /// never a `|` list.
    ///
    /// ## Example
    /// ```json
    /// { "name": "EVENT_TYPE", "type": "string", "categorical": true }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "EVENT_TYPE", "type": "string" }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    pub const PF412 = "PF412", "schema-event-type-categorical", Schema, Error;
}

/// EVENT_TYPE marked categorical.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchemaEventTypeCategorical;

impl Violation for SchemaEventTypeCategorical {
    const RULE: &'static Rule = &PF412;
    fn message(&self) -> String {
        "`EVENT_TYPE` is marked categorical".into()
    }
    fn help(&self) -> Option<String> {
        Some("remove \"categorical\": true from EVENT_TYPE; it must be a plain string".into())
    }
}
