//! PF410 `schema-textual-misplaced`.

use crate::diagnostic::{Family, Rule, Severity};

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
