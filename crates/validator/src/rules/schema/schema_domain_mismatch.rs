//! PF417 `schema-domain-mismatch`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::{DatasetType, Domain};

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

/// A domain that does not fit the schema or the dataset group.
#[derive(Debug, Clone)]
pub enum SchemaDomainMismatch<'a> {
    /// Actions and action interactions exist only in custom dataset groups.
    ActionsInDomain {
        /// The schema's dataset type.
        dataset_type: DatasetType,
        /// The domain the schema or `--domain` gives.
        domain: Domain,
    },
    /// The schema names a domain that does not exist.
    UnknownDomain {
        /// The `domain` of the request body, as written.
        name: &'a str,
    },
    /// The schema's `domain` is not a string.
    NotAString {
        /// The value as JSON.
        value: String,
    },
    /// The schema's domain is not the one given with `--domain`.
    FlagDiffers {
        /// The schema's domain.
        schema: Domain,
        /// The domain given by `--domain`.
        given: Domain,
    },
}

impl Violation for SchemaDomainMismatch<'_> {
    const RULE: &'static Rule = &PF417;
    fn message(&self) -> String {
        match self {
            SchemaDomainMismatch::ActionsInDomain {
                dataset_type,
                domain,
            } => format!(
                "{dataset_type} datasets cannot be created in a {domain} domain dataset group"
            ),
            SchemaDomainMismatch::UnknownDomain { name } => format!("unknown domain `{name}`"),
            SchemaDomainMismatch::NotAString { value } => {
                format!("`domain` must be a string, not {value}")
            }
            SchemaDomainMismatch::FlagDiffers { schema, given } => {
                format!("the schema is for the {schema} domain but --domain says {given}")
            }
        }
    }
    fn help(&self) -> Option<String> {
        match self {
            SchemaDomainMismatch::ActionsInDomain { .. } => Some(
                "use a custom dataset group (no domain) for actions and action interactions"
                    .into(),
            ),
            SchemaDomainMismatch::UnknownDomain { .. } => Some("use ECOMMERCE or VIDEO_ON_DEMAND, or leave the domain out for a custom dataset group".into()),
            SchemaDomainMismatch::NotAString { .. } => None,
            SchemaDomainMismatch::FlagDiffers { .. } => Some("a schema used in a domain dataset group must be created with that group's domain".into()),
        }
    }
}
