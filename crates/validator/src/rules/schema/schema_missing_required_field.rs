//! PF403 `schema-missing-required-field`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a dataset type's required field missing from the schema.
    ///
    /// ## Why is this bad?
    /// Each dataset type has required fields: Item interactions USER_ID, ITEM_ID and TIMESTAMP (plus
    /// EVENT_TYPE in domain groups); Users USER_ID; Items ITEM_ID (plus PRICE and CATEGORY_L1 in
    /// ECOMMERCE, CREATION_TIMESTAMP and GENRES in VIDEO_ON_DEMAND); Actions ACTION_ID; Action
    /// interactions USER_ID, ACTION_ID, EVENT_TYPE and TIMESTAMP. A schema without one of them is
    /// invalid; Personalize rejects it with `InvalidInputException`.
    ///
    /// ## Example
    /// An Interactions schema without TIMESTAMP:
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "string" },
    ///   { "name": "ITEM_ID", "type": "string" },
    ///   { "name": "EVENT_TYPE", "type": "string" }
    /// ]
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "string" },
    ///   { "name": "ITEM_ID", "type": "string" },
    ///   { "name": "TIMESTAMP", "type": "long" },
    ///   { "name": "EVENT_TYPE", "type": "string" }
    /// ]
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-datasets-and-schemas.html>
    pub const PF403 = "PF403", "schema-missing-required-field", Schema, Error;
}
