//! PF419 `schema-unused-string-metadata`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a string metadata field that is neither categorical nor textual.
    ///
    /// ## Why is this bad?
    /// A metadata `string` field without `categorical: true` or `textual: true` is ignored in training;
    /// it can only be used in filters. Usually `categorical: true` was forgotten: the import succeeds and
    /// the model never sees the column. Filter-only fields are legitimate, so this is not documented as
    /// an error; preflight's default is a warning.
    ///
    /// ## Example
    /// ```json
    /// { "name": "BRAND", "type": ["null", "string"] }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "BRAND", "type": ["null", "string"], "categorical": true }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF419 = "PF419", "schema-unused-string-metadata", Schema, Warning;
}
