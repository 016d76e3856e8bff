//! PF410 `schema-textual-misplaced`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::{DatasetType, FieldType};

declare_rule! {
    /// ## What it does
    /// Flags `textual: true` outside an Items schema, on a non-string field, or together with `categorical`.
    ///
    /// ## Why is this bad?
    /// Textual fields exist only in Items schemas, on a `string` field (optionally nullable), and there
    /// is at most one. A textual field in a Users, Actions or interactions schema, or on a numeric
    /// field, makes the schema invalid. A field that is both textual and categorical has no documented
    /// meaning; preflight reports it as well (preflight's default).
    ///
    /// ## Example
    /// In a Users schema:
    /// ```json
    /// { "name": "FAVOURITE_GENRES", "type": ["null", "string"], "textual": true }
    /// ```
    ///
    /// Use instead (values like `Action|Comedy`):
    /// ```json
    /// { "name": "FAVOURITE_GENRES", "type": ["null", "string"], "categorical": true }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF410 = "PF410", "schema-textual-misplaced", Schema, Error;
}

/// A textual field where none may be.
#[derive(Debug, Clone, Copy)]
pub enum SchemaTextualMisplaced<'a> {
    /// In a schema other than Items.
    NotItems {
        /// The field's name, as the schema declares it.
        field: &'a str,
        /// The schema's dataset type.
        dataset_type: DatasetType,
    },
    /// On a field that is not a string.
    NotString {
        /// The field's name, as the schema declares it.
        field: &'a str,
        /// The type the schema gives the field (quoted in the message).
        ty: FieldType,
    },
    /// On a field also marked categorical.
    AlsoCategorical {
        /// The field's name, as the schema declares it.
        field: &'a str,
    },
}

impl Violation for SchemaTextualMisplaced<'_> {
    const RULE: &'static Rule = &PF410;
    fn message(&self) -> String {
        match self {
            SchemaTextualMisplaced::NotItems {
                field,
                dataset_type,
            } => format!("`{field}` is textual in the {dataset_type} schema; only Items schemas may have a textual field"),
            SchemaTextualMisplaced::NotString { field, ty } => {
                format!("`{field}` is `{ty}` and marked textual")
            }
            SchemaTextualMisplaced::AlsoCategorical { field } => {
                format!("`{field}` is marked both textual and categorical")
            }
        }
    }
    fn help(&self) -> Option<String> {
        Some(
            match self {
                SchemaTextualMisplaced::NotItems { .. } => {
                    "remove \"textual\": true, or move the text to the Items dataset"
                }
                SchemaTextualMisplaced::NotString { .. } => "textual fields must be strings",
                SchemaTextualMisplaced::AlsoCategorical { .. } => {
                    "keep one: textual for free text, categorical for labels"
                }
            }
            .into(),
        )
    }
}
