//! PF408 `schema-colliding-field-names`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags two field names that are equal once underscores and case are ignored (`GENRES_FIELD_1`, `GENRESFIELD1`).
    ///
    /// ## Why is this bad?
    /// The docs give the example that `GENRES_FIELD_1` and `GENRESFIELD1` cannot both exist in one
    /// schema, so names are compared with non-alphanumeric characters removed, and such a schema is
    /// invalid. Whether case is ignored as well is not documented; preflight ignores it too, to be safe
    /// (preflight's default).
    ///
    /// ## Example
    /// ```json
    /// { "name": "GENRES_FIELD_1", "type": "string", "categorical": true },
    /// { "name": "GENRESFIELD1", "type": ["null", "string"], "categorical": true }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "GENRES_PRIMARY", "type": "string", "categorical": true },
    /// { "name": "GENRES_SECONDARY", "type": ["null", "string"], "categorical": true }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF408 = "PF408", "schema-colliding-field-names", Schema, Error;
}
