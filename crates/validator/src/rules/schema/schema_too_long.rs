//! PF416 `schema-too-long`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

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

/// A schema longer than the API accepts.
#[derive(Debug, Clone, Copy)]
pub struct SchemaTooLong {
    /// Its length in characters.
    pub chars: usize,
    /// The most characters CreateSchema accepts (20,000).
    pub limit: usize,
}

impl Violation for SchemaTooLong {
    const RULE: &'static Rule = &PF416;
    fn message(&self) -> String {
        format!(
            "the schema is {} characters long; the API accepts at most {}",
            self.chars, self.limit
        )
    }
    fn help(&self) -> Option<String> {
        Some("remove whitespace (send it minified) or drop unused fields".into())
    }
}
