//! PF403 `schema-missing-required-field`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::{DatasetType, Domain, FieldType};

declare_rule! {
    /// ## What it does
    /// Flags a dataset type's required field missing from the schema.
    ///
    /// ## Why is this bad?
    /// Each dataset type has required fields: Item interactions USER_ID, ITEM_ID and TIMESTAMP (plus
    /// EVENT_TYPE in domain groups); Users USER_ID; Items ITEM_ID (plus PRICE and CATEGORY_L1 in
    /// ECOMMERCE, CREATION_TIMESTAMP and GENRES in VIDEO_ON_DEMAND); Actions ACTION_ID; Action
    /// interactions USER_ID, ACTION_ID, EVENT_TYPE and TIMESTAMP. A schema without one of them is
    /// invalid; Personalize rejects it with `InvalidInputException`.
    ///
    /// ## Example
    /// An Interactions schema without TIMESTAMP:
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "string" },
    ///   { "name": "ITEM_ID", "type": "string" },
    ///   { "name": "EVENT_TYPE", "type": "string" }
    /// ]
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "string" },
    ///   { "name": "ITEM_ID", "type": "string" },
    ///   { "name": "TIMESTAMP", "type": "long" },
    ///   { "name": "EVENT_TYPE", "type": "string" }
    /// ]
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-datasets-and-schemas.html>
    pub const PF403 = "PF403", "schema-missing-required-field", Schema, Error;
}

/// A required field the schema lacks.
#[derive(Debug, Clone, Copy)]
pub struct SchemaMissingRequiredField<'a> {
    /// The schema's dataset type.
    pub dataset_type: DatasetType,
    /// Its domain, if any.
    pub domain: Option<Domain>,
    /// The name the docs require (`USER_ID`), absent from the schema.
    pub field: &'a str,
    /// The type the schema gives the field (quoted in the message).
    pub ty: FieldType,
    /// Whether it must be categorical.
    pub categorical: bool,
    /// A field of the schema with the same name in another case, if any.
    pub near: Option<&'a str>,
}

impl Violation for SchemaMissingRequiredField<'_> {
    const RULE: &'static Rule = &PF403;
    fn message(&self) -> String {
        format!(
            "the {} schema{} has no `{}` field",
            self.dataset_type,
            self.domain.map(|d| format!(" ({d})")).unwrap_or_default(),
            self.field
        )
    }
    fn help(&self) -> Option<String> {
        Some(match self.near {
            Some(n) => format!(
                "rename `{n}` to `{}`: field names are matched exactly",
                self.field
            ),
            None => format!(
                "add {{\"name\": \"{}\", \"type\": \"{}\"{}}}",
                self.field,
                self.ty,
                if self.categorical {
                    ", \"categorical\": true"
                } else {
                    ""
                }
            ),
        })
    }
}
