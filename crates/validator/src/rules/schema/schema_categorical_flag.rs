//! PF413 `schema-categorical-flag`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a reserved categorical field without `categorical: true`, or a reserved plain string field with it.
    ///
    /// ## Why is this bad?
    /// Reserved fields must carry exactly their documented attributes. Categorical reserved fields, such
    /// as CATEGORY_L1 in ECOMMERCE Items or GENRES in VIDEO_ON_DEMAND Items, need `categorical: true`,
    /// and a required categorical field without it makes the schema invalid. Plain reserved strings
    /// such as IMPRESSION, RECOMMENDATION_ID and EVENT_ATTRIBUTION_SOURCE must not be categorical
    /// (EVENT_TYPE has its own rule, PF412).
    ///
    /// ## Example
    /// In an ECOMMERCE Items schema:
    /// ```json
    /// { "name": "CATEGORY_L1", "type": "string" }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "CATEGORY_L1", "type": "string", "categorical": true }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-datasets-and-schemas.html>
    pub const PF413 = "PF413", "schema-categorical-flag", Schema, Error;
}

/// A reserved field whose categorical or textual flag is not the one Personalize requires.
#[derive(Debug, Clone, Copy)]
pub enum SchemaCategoricalFlag<'a> {
    /// It must be categorical.
    MustBeCategorical {
        /// The field's name, as the schema declares it.
        field: &'a str,
    },
    /// It must be textual.
    MustBeTextual {
        /// The field's name, as the schema declares it.
        field: &'a str,
    },
    /// It must not be categorical.
    MustNotBeCategorical {
        /// The field's name, as the schema declares it.
        field: &'a str,
    },
}

impl Violation for SchemaCategoricalFlag<'_> {
    const RULE: &'static Rule = &PF413;
    fn message(&self) -> String {
        match self {
            SchemaCategoricalFlag::MustBeCategorical { field } => {
                format!("the reserved field `{field}` must be categorical")
            }
            SchemaCategoricalFlag::MustBeTextual { field } => {
                format!("the reserved field `{field}` must be textual")
            }
            SchemaCategoricalFlag::MustNotBeCategorical { field } => {
                format!("the reserved field `{field}` must not be categorical")
            }
        }
    }
    fn help(&self) -> Option<String> {
        Some(match self {
            SchemaCategoricalFlag::MustBeCategorical { field } => {
                format!("add \"categorical\": true to `{field}`")
            }
            SchemaCategoricalFlag::MustBeTextual { field } => {
                format!("add \"textual\": true to `{field}`")
            }
            SchemaCategoricalFlag::MustNotBeCategorical { field } => {
                format!("remove \"categorical\": true from `{field}`")
            }
        })
    }
}
