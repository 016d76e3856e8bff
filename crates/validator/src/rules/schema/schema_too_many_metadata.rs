//! PF415 `schema-too-many-metadata`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::DatasetType;

declare_rule! {
    /// ## What it does
    /// Flags a schema with more metadata fields than its dataset type allows (Users 25, Items 100, Actions 10, interactions 5 optional).
    ///
    /// ## Why is this bad?
    /// The limits are 25 metadata fields for Users, 100 for Items and 10 for Actions; Item interactions
    /// and Action interactions allow 5 optional metadata columns, not counting reserved fields. A schema
    /// over the limit is invalid. Older docs gave lower numbers (Users 5, Items 50); preflight uses the
    /// current ones. For Item interactions, distinct event types plus the metadata fields (EVENT_TYPE,
    /// EVENT_VALUE and the optional ones) must also stay at or below 10 (PF304).
    ///
    /// ## Example
    /// Six optional metadata fields in an Interactions schema, after USER_ID, ITEM_ID and TIMESTAMP:
    /// ```json
    /// { "name": "DEVICE", "type": "string", "categorical": true },
    /// { "name": "OS", "type": "string", "categorical": true },
    /// { "name": "BROWSER", "type": "string", "categorical": true },
    /// { "name": "COUNTRY", "type": "string", "categorical": true },
    /// { "name": "CITY", "type": "string", "categorical": true },
    /// { "name": "PAGE", "type": "string", "categorical": true }
    /// ```
    ///
    /// Use instead: keep at most five, e.g. drop CITY (COUNTRY carries most of its signal); in the CSV,
    /// drop its column too.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    pub const PF415 = "PF415", "schema-too-many-metadata", Schema, Error;
}

/// More metadata fields than a schema may have.
#[derive(Debug, Clone, Copy)]
pub struct SchemaTooManyMetadata {
    /// The schema's dataset type.
    pub dataset_type: DatasetType,
    /// Its metadata fields.
    pub fields: usize,
    /// The most metadata fields the dataset type may have.
    pub limit: usize,
}

impl Violation for SchemaTooManyMetadata {
    const RULE: &'static Rule = &PF415;
    fn message(&self) -> String {
        let what = if self.dataset_type.is_interactions() {
            "optional metadata fields (not counting reserved ones)"
        } else {
            "metadata fields"
        };
        format!(
            "the {} schema has {} {what}; the limit is {}",
            self.dataset_type, self.fields, self.limit
        )
    }
    fn help(&self) -> Option<String> {
        Some("drop the least useful fields".into())
    }
}
