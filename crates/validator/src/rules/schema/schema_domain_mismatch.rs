//! PF417 `schema-domain-mismatch`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a domain that does not exist, or an Actions or Action interactions schema in a domain.
    ///
    /// ## Why is this bad?
    /// The only domains are `ECOMMERCE` and `VIDEO_ON_DEMAND`, and a schema for a domain dataset group
    /// must be created with that group's domain. Actions and Action interactions datasets cannot be
    /// created in a domain dataset group at all, only in a custom one, so such a schema or dataset is
    /// rejected.
    ///
    /// ## Example
    /// ```text
    /// CreateSchema  name=nba-actions  domain=ECOMMERCE  schema={"type":"record","name":"Actions",...}
    /// ```
    ///
    /// Use instead (no domain; the dataset goes into a custom dataset group):
    /// ```text
    /// CreateSchema  name=nba-actions  schema={"type":"record","name":"Actions",...}
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/API_CreateSchema.html>
    pub const PF417 = "PF417", "schema-domain-mismatch", Schema, Error;
}
