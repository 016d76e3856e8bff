//! PF402 `schema-name-mismatch`.

use crate::diagnostic::{Family, Rule, Severity};

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
