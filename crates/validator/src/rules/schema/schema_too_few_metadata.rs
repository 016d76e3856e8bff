//! PF414 `schema-too-few-metadata`.

use crate::diagnostic::{Family, Rule, Severity};

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
