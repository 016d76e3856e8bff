//! PF414 `schema-too-few-metadata`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::DatasetType;

declare_rule! {
    /// ## What it does
    /// Flags a Users, Items or Actions schema without a metadata field of a kind the minimum
    /// counts: a categorical string or a numeric field, and for Items also a textual string.
    ///
    /// ## Why is this bad?
    /// Users, Items and Actions datasets need at least one metadata field besides the ID, and the
    /// docs say which kind: a categorical string or a numeric (`int`, `long`, `float`, `double`)
    /// field; Items also accept a textual string. A schema with only the ID does not meet it, and
    /// neither does one whose only metadata is a plain string (neither categorical nor textual) or a
    /// boolean: training ignores both, so the dataset would bring nothing to a model. If you have no
    /// such metadata for users or items, leave that dataset out: only the Item interactions dataset
    /// is needed to train.
    /// Reading taken where the docs are terse: reserved fields count by their type
    /// (CREATION_TIMESTAMP and VALUE are numeric), and a field whose type preflight cannot tell (a
    /// column of a built-in schema adapted to the header) counts.
    ///
    /// ## Example
    /// A Users schema whose only metadata is a plain string and a boolean:
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "string" },
    ///   { "name": "NAME", "type": "string" },
    ///   { "name": "VIP", "type": "boolean" }
    /// ]
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "string" },
    ///   { "name": "MEMBERSHIP_STATUS", "type": "string", "categorical": true },
    ///   { "name": "VIP", "type": "int" }
    /// ]
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF414 = "PF414", "schema-too-few-metadata", Schema, Error;
}

/// A Users, Items or Actions schema without a metadata field of a kind the minimum counts.
#[derive(Debug, Clone)]
pub struct SchemaTooFewMetadata<'a> {
    /// The schema's dataset type.
    pub dataset_type: DatasetType,
    /// Its ID field.
    pub id: &'a str,
    /// Its metadata fields, none of which counts, and why.
    pub fields: Vec<(&'a str, UncountedField)>,
}

/// Why a metadata field does not count toward the minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UncountedField {
    /// A boolean.
    Boolean,
    /// A textual string outside Items.
    Textual,
    /// A string neither categorical nor textual.
    PlainString,
}

impl SchemaTooFewMetadata<'_> {
    fn kinds(&self) -> &'static str {
        if self.dataset_type == DatasetType::Items {
            "a categorical or textual string, or a numeric field"
        } else {
            "a categorical string or a numeric field"
        }
    }
}

impl Violation for SchemaTooFewMetadata<'_> {
    const RULE: &'static Rule = &PF414;
    fn message(&self) -> String {
        let ty = self.dataset_type;
        if self.fields.is_empty() {
            return format!("the {ty} schema has no metadata field besides `{}`", self.id);
        }
        let described: Vec<String> = self
            .fields
            .iter()
            .map(|(name, why)| {
                let what = match why {
                    UncountedField::Boolean => "a boolean",
                    UncountedField::Textual => "a textual string, which only Items count",
                    UncountedField::PlainString => {
                        "a plain string, neither categorical nor textual"
                    }
                };
                format!("`{name}` is {what}")
            })
            .collect();
        format!(
            "the {ty} schema has no metadata field of a kind the minimum counts ({}): {}",
            self.kinds(),
            described.join(", ")
        )
    }
    fn help(&self) -> Option<String> {
        if self.fields.is_empty() {
            return Some(format!("add at least one metadata field: {}", self.kinds()));
        }
        let textual = if self.dataset_type == DatasetType::Items {
            ", `\"textual\": true` on free text,"
        } else {
            ""
        };
        Some(format!(
            "add `\"categorical\": true` to a string field that holds labels{textual} or add a numeric field (a yes/no flag can be an `int` of 0 or 1)"
        ))
    }
}
