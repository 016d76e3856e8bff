//! PF414 `schema-too-few-metadata`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a Users, Items or Actions schema with no metadata field besides the ID.
    ///
    /// ## Why is this bad?
    /// Users, Items and Actions datasets need at least one metadata field besides the ID: a categorical
    /// string or a numeric field (Items also accept a textual string). A schema with only the ID is
    /// invalid. If you have no metadata for users or items, leave that dataset out: only the Item
    /// interactions dataset is needed to train.
    ///
    /// ## Example
    /// A Users schema:
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "string" }
    /// ]
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "string" },
    ///   { "name": "MEMBERSHIP_STATUS", "type": "string", "categorical": true }
    /// ]
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF414 = "PF414", "schema-too-few-metadata", Schema, Error;
}
