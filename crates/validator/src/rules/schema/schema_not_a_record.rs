//! PF401 `schema-not-a-record`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a schema that is not a flat Avro record with a `fields` list.
    ///
    /// ## Why is this bad?
    /// A Personalize schema is an Avro record written as JSON: `"type": "record"`, a `name`, and a
    /// `fields` array of objects with a `name` and a `type`. Anything else (a plain name-to-type map,
    /// a JSON Schema document, invalid JSON) is rejected by CreateSchema with `InvalidInputException`.
    /// The doc examples also include `namespace` and `version`; whether those are mandatory is not documented.
    ///
    /// ## Example
    /// ```json
    /// { "USER_ID": "string", "ITEM_ID": "string", "TIMESTAMP": "long" }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "record",
    ///   "name": "Interactions",
    ///   "namespace": "com.amazonaws.personalize.schema",
    ///   "fields": [
    ///     { "name": "USER_ID", "type": "string" },
    ///     { "name": "ITEM_ID", "type": "string" },
    ///     { "name": "TIMESTAMP", "type": "long" }
    ///   ],
    ///   "version": "1.0"
    /// }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/API_CreateSchema.html>
    pub const PF401 = "PF401", "schema-not-a-record", Schema, Error;
}
