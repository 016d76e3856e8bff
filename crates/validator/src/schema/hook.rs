//! What a schema rule's hook reads ([`SchemaCx`]), and the hook point.

use serde_json::{Map, Value};

use super::load::{line_of, LoadedSchema};
use super::Schema;
use crate::diagnostic::{Diagnostic, Location};
use crate::report::Policy;

/// A schema file as the schema hooks see it (`rules::hooks::SchemaHook`).
#[derive(Debug, Clone, Copy)]
#[allow(
    dead_code,
    reason = "what every hook of the family is given; the hooks of today read only part of it"
)]
pub(crate) struct SchemaCx<'a> {
    /// The file's text, for line numbers.
    pub text: &'a str,
    /// The file's path or label, as findings name it.
    pub source: &'a str,
    /// The JSON document as written: a bare Avro record, a CreateSchema request body
    /// (`{"name", "domain", "schema"}`) or a DescribeSchema response (`{"schema": {…}}`).
    pub document: &'a Value,
    /// The Avro record inside it: the document itself when bare, else the wrapped record
    /// (parsed from the embedded JSON string when the wrapper holds one).
    pub record: &'a Value,
    /// The typed schema, or `None` when the record is too broken to type (PF401, PF402).
    pub schema: Option<&'a Schema>,
}

#[allow(
    dead_code,
    reason = "what every hook of the family is given; the hooks of today read only part of it"
)]
impl<'a> SchemaCx<'a> {
    /// The record's field declarations that are JSON objects, in order.
    pub fn fields(&self) -> impl Iterator<Item = &'a Map<String, Value>> {
        self.record
            .get("fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
    }

    /// A location in the file: the line of the first `"needle"` (best effort: the first
    /// occurrence of the quoted text), or the file alone when `needle` is `None` or not found.
    pub fn location(&self, needle: Option<&str>) -> Location {
        Location {
            file: Some(self.source.to_string()),
            line: needle.and_then(|n| line_of(self.text, n)),
            ..Location::default()
        }
    }
}

/// Runs the schema hooks on a loaded schema file; `text` and `source` are what it was loaded
/// from.
pub(crate) fn run_hooks(
    loaded: &LoadedSchema,
    text: &str,
    source: &str,
    policy: &Policy,
) -> Vec<Diagnostic> {
    let cx = SchemaCx {
        text,
        source,
        document: &loaded.document,
        record: &loaded.record,
        schema: loaded.schema.as_ref(),
    };
    let mut out = Vec::new();
    crate::rules::hooks::schema(policy, &cx, &mut out);
    out
}
