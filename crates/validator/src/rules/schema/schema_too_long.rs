//! PF416 `schema-too-long`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a schema whose JSON text is longer than 20,000 characters.
    ///
    /// ## Why is this bad?
    /// CreateSchema accepts a schema string of at most 20,000 characters and rejects a longer one, before
    /// any dataset exists. This happens with Items schemas near the 100-field limit, long field names
    /// and pretty-printed JSON. The limit applies to the string sent, so sending the schema minified,
    /// without indentation and line breaks, is often enough.
    ///
    /// ## Example
    /// An Items schema of 100 fields, pretty-printed with four-space indentation, 23,400 characters:
    /// ```json
    /// {
    ///     "type": "record",
    ///     "name": "Items",
    ///     "fields": [
    ///         { "name": "ITEM_ID", "type": "string" },
    ///         ...
    /// ```
    ///
    /// Use instead (the same schema minified):
    /// ```json
    /// {"type":"record","name":"Items","fields":[{"name":"ITEM_ID","type":"string"},...]}
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/API_CreateSchema.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF416 = "PF416", "schema-too-long", Schema, Error;
}
