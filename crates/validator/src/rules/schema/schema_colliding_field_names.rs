//! PF408 `schema-colliding-field-names`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

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

/// Two field names equal once underscores and case are ignored.
#[derive(Debug, Clone, Copy)]
pub struct SchemaCollidingFieldNames<'a> {
    /// The field declared first.
    pub first: &'a str,
    /// The field declared later, equal to `first` once only letters and digits are kept and
    /// case is ignored.
    pub second: &'a str,
}

impl Violation for SchemaCollidingFieldNames<'_> {
    const RULE: &'static Rule = &PF408;
    fn message(&self) -> String {
        format!(
            "field names `{}` and `{}` collide once underscores and case are ignored",
            self.first, self.second
        )
    }
    fn help(&self) -> Option<String> {
        Some("rename one of them so that the names differ in letters or digits".into())
    }
}
