//! PF404 `schema-wrong-field-type`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a required or reserved field with a type other than the documented one.
    ///
    /// ## Why is this bad?
    /// Required and reserved fields must use exactly their listed types: IDs `string`, TIMESTAMP and
    /// CREATION_TIMESTAMP `long`, EVENT_VALUE `float` or `null`, IMPRESSION `string` or `null`, and so on.
    /// An ID declared `long` because the IDs look numeric, or a TIMESTAMP declared `string` or `int`,
    /// makes the schema invalid. Where the docs disagree (one page gives ECOMMERCE CREATION_TIMESTAMP
    /// as `float`, the schema table as `long`), preflight uses `long`.
    ///
    /// ## Example
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "long" },
    ///   { "name": "ITEM_ID", "type": "string" },
    ///   { "name": "TIMESTAMP", "type": "string" }
    /// ]
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "fields": [
    ///   { "name": "USER_ID", "type": "string" },
    ///   { "name": "ITEM_ID", "type": "string" },
    ///   { "name": "TIMESTAMP", "type": "long" }
    /// ]
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF404 = "PF404", "schema-wrong-field-type", Schema, Error;
}
