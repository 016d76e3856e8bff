//! PF404 `schema-wrong-field-type`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::FieldType;

declare_rule! {
    /// ## What it does
    /// Flags a required or reserved field with a type other than the documented one.
    ///
    /// ## Why is this bad?
    /// Required and reserved fields must use exactly their listed types: IDs `string`, TIMESTAMP and
    /// CREATION_TIMESTAMP `long`, EVENT_VALUE `float` or `null`, IMPRESSION `string` or `null`, and so on.
    /// An ID declared `long` because the IDs look numeric, or a TIMESTAMP declared `string` or `int`,
    /// makes the schema invalid. Where the docs disagree (one page gives ECOMMERCE CREATION_TIMESTAMP
    /// as `float`, the schema table as `long`), preflight uses `long`.
    ///
    /// ## Example
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "long" },
    ///   { "name": "ITEM_ID", "type": "string" },
    ///   { "name": "TIMESTAMP", "type": "string" }
    /// ]
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "string" },
    ///   { "name": "ITEM_ID", "type": "string" },
    ///   { "name": "TIMESTAMP", "type": "long" }
    /// ]
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF404 = "PF404", "schema-wrong-field-type", Schema, Error;
}

/// A reserved field declared with another type than Personalize requires.
#[derive(Debug, Clone, Copy)]
pub enum SchemaWrongFieldType<'a> {
    /// Another type.
    Type {
        /// The field's name, as the schema declares it.
        field: &'a str,
        /// The Avro type the schema declares for it.
        declared: FieldType,
        /// The Avro type the docs require for the field.
        required: FieldType,
        /// Whether the field may be null.
        nullable: bool,
    },
    /// Nullable, where Personalize requires a plain type (an optional reserved field).
    Nullable {
        /// The field's name, as the schema declares it.
        field: &'a str,
        /// The Avro type the docs require for the field.
        required: FieldType,
    },
}

impl Violation for SchemaWrongFieldType<'_> {
    const RULE: &'static Rule = &PF404;
    fn message(&self) -> String {
        match self {
            SchemaWrongFieldType::Type {
                field,
                declared,
                required,
                ..
            } => format!("`{field}` is declared as `{declared}`; Personalize requires `{required}`"),
            SchemaWrongFieldType::Nullable { field, required } => format!(
                "`{field}` is declared nullable; Personalize requires a plain `{required}`"
            ),
        }
    }
    fn help(&self) -> Option<String> {
        Some(match self {
            SchemaWrongFieldType::Type {
                field,
                required,
                nullable,
                ..
            } => format!(
                "declare `{field}` as {}",
                if *nullable {
                    format!("[\"{required}\", \"null\"]")
                } else {
                    format!("\"{required}\"")
                }
            ),
            SchemaWrongFieldType::Nullable { field, required } => {
                format!("declare `{field}` as \"{required}\", without \"null\"")
            }
        })
    }
}
