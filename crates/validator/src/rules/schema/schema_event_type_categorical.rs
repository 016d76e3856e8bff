//! PF412 `schema-event-type-categorical`.

use crate::diagnostic::{Family, Rule, Severity};

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
