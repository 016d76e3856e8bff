//! PF401 `schema-not-a-record`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

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

/// A schema that is not a flat Avro record with a list of named fields.
#[derive(Debug, Clone)]
pub enum SchemaNotARecord {
    /// The JSON is not an object.
    NotAnObject {
        /// What it is: an array, a string…
        kind: &'static str,
    },
    /// Its `type` is not `"record"`.
    NotRecordType {
        /// The `type` as written, or `missing`.
        found: String,
    },
    /// It has no `fields` list.
    NoFields,
    /// A field is not an object.
    FieldNotAnObject {
        /// The field's 1-based position.
        number: usize,
        /// What it is.
        kind: &'static str,
    },
    /// A field has no `name`.
    FieldWithoutName {
        /// The field's 1-based position.
        number: usize,
    },
}

impl Violation for SchemaNotARecord {
    const RULE: &'static Rule = &PF401;
    fn message(&self) -> String {
        match self {
            SchemaNotARecord::NotAnObject { kind } => {
                format!("the schema is a JSON {kind}, not an Avro record object")
            }
            SchemaNotARecord::NotRecordType { found } => {
                format!("`type` is {found}, not \"record\"")
            }
            SchemaNotARecord::NoFields => "the record has no `fields` list".into(),
            SchemaNotARecord::FieldNotAnObject { number, kind } => {
                format!("field #{number} is a JSON {kind}, not an object")
            }
            SchemaNotARecord::FieldWithoutName { number } => {
                format!("field #{number} has no `name`")
            }
        }
    }
    fn help(&self) -> Option<String> {
        match self {
            SchemaNotARecord::NotAnObject { .. } => Some(
                r#"write {"type": "record", "name": "Interactions", "fields": [...]}"#.into(),
            ),
            SchemaNotARecord::NotRecordType { .. } => Some(
                r#"a Personalize schema is {"type": "record", "name": ..., "fields": [...]}"#
                    .into(),
            ),
            SchemaNotARecord::NoFields => {
                Some("list the fields, in the order of the CSV columns".into())
            }
            SchemaNotARecord::FieldNotAnObject { .. }
            | SchemaNotARecord::FieldWithoutName { .. } => None,
        }
    }
}
