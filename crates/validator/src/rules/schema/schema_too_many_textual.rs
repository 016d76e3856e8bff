//! PF411 `schema-too-many-textual`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an Items schema with more than one textual field.
    ///
    /// ## Why is this bad?
    /// An Items schema may have at most one textual field; a second one makes the schema invalid.
    /// Combine the texts into one field (still at most 20,000 characters, 7,000 for Chinese and
    /// Japanese), or keep the second one as a plain string for filtering only.
    ///
    /// ## Example
    /// ```json
    /// { "name": "PRODUCT_DESCRIPTION", "type": ["null", "string"], "textual": true },
    /// { "name": "REVIEW_SUMMARY", "type": ["null", "string"], "textual": true }
    /// ```
    ///
    /// Use instead (REVIEW_SUMMARY folded into PRODUCT_DESCRIPTION):
    /// ```json
    /// { "name": "PRODUCT_DESCRIPTION", "type": ["null", "string"], "textual": true }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF411 = "PF411", "schema-too-many-textual", Schema, Error;
}

/// More than one textual field in an Items schema.
#[derive(Debug, Clone)]
pub struct SchemaTooManyTextual<'a> {
    /// Every field marked textual, in declaration order.
    pub fields: Vec<&'a str>,
}

impl Violation for SchemaTooManyTextual<'_> {
    const RULE: &'static Rule = &PF411;
    fn message(&self) -> String {
        format!(
            "the Items schema has {} textual fields ({}); at most 1 is allowed",
            self.fields.len(),
            self.fields.join(", ")
        )
    }
    fn help(&self) -> Option<String> {
        Some("keep one textual field; make the others categorical or drop them".into())
    }
}
