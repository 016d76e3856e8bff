//! PF402 `schema-name-mismatch`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::DatasetType;

declare_rule! {
    /// ## What it does
    /// Flags a record name that does not match the dataset type.
    ///
    /// ## Why is this bad?
    /// The schema's record `name` must match the dataset type; the doc examples use `Interactions`,
    /// `Items`, `Users`, `Actions` and `ActionInteractions`. The dataset type given to CreateDataset
    /// must match it too, so a schema named after a project or table cannot be used for the dataset.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "record",
    ///   "name": "ProductCatalog",
    ///   "namespace": "com.amazonaws.personalize.schema",
    ///   "fields": [ { "name": "ITEM_ID", "type": "string" }, ... ]
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "record",
    ///   "name": "Items",
    ///   "namespace": "com.amazonaws.personalize.schema",
    ///   "fields": [ { "name": "ITEM_ID", "type": "string" }, ... ]
    /// }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF402 = "PF402", "schema-name-mismatch", Schema, Error;
}

/// A record name that does not name the dataset type.
#[derive(Debug, Clone, Copy)]
pub enum SchemaNameMismatch<'a> {
    /// It names another type than the one given.
    OtherType {
        /// The Avro record's `name`, as written.
        name: &'a str,
        /// The dataset type the record name stands for.
        named: DatasetType,
        /// The dataset type given by `--dataset-type`.
        given: DatasetType,
    },
    /// It names no type; the type is given.
    NotAType {
        /// The Avro record's `name`, as written.
        name: &'a str,
        /// The dataset type given by `--dataset-type`.
        given: DatasetType,
    },
    /// It names no type; the fields look like one.
    LooksLike {
        /// The Avro record's `name`, as written.
        name: &'a str,
        /// The dataset type whose required fields the schema has.
        inferred: DatasetType,
    },
    /// It names no type, and the fields fit none.
    FitsNone {
        /// The Avro record's `name`, as written.
        name: &'a str,
    },
}

impl Violation for SchemaNameMismatch<'_> {
    const RULE: &'static Rule = &PF402;
    fn message(&self) -> String {
        match self {
            SchemaNameMismatch::OtherType { name, named, given } => format!(
                "the record is named `{name}`, which is the {named} dataset type, but the data is for {given}"
            ),
            SchemaNameMismatch::NotAType { name, .. } => {
                format!("the record name `{name}` does not name a dataset type")
            }
            SchemaNameMismatch::LooksLike { name, inferred } => format!(
                "the record name `{name}` does not name a dataset type; its fields look like {inferred}"
            ),
            SchemaNameMismatch::FitsNone { name } => format!(
                "the record name `{name}` does not name a dataset type, and its fields fit none"
            ),
        }
    }
    fn help(&self) -> Option<String> {
        Some(match self {
            SchemaNameMismatch::OtherType { given, .. }
            | SchemaNameMismatch::NotAType { given, .. } => {
                format!("name the record `{}`", given.record_name())
            }
            SchemaNameMismatch::LooksLike { inferred, .. } => format!(
                "name the record `{}` (or pass --dataset-type)",
                inferred.record_name()
            ),
            SchemaNameMismatch::FitsNone { .. } => "name the record Interactions, Items, Users, Actions or ActionInteractions, or pass --dataset-type".into(),
        })
    }
}
