//! Where the schema comes from, and loading it once: a schema file's text, or a built-in schema
//! adapted to the first file's header. Its findings go to the collector before any file's.

use super::Error;
use crate::report::Collector;
use crate::schema::{
    builtin, check_schema, load_schema, run_hooks, spec, DatasetType, Domain, Schema,
};

/// Where the schema comes from.
#[derive(Debug, Clone)]
pub enum SchemaSource {
    /// A schema file's text (any of the three JSON shapes).
    Text {
        /// The JSON text.
        text: String,
        /// Its path, for findings.
        source: String,
        /// `--dataset-type`, if given.
        dataset_type: Option<DatasetType>,
        /// `--domain`, if given.
        domain: Option<Domain>,
        /// The schema of an existing dataset (DescribeSchema): Personalize accepted it, so its
        /// findings are at most warnings (see [`Collector::push_accepted_schema`]).
        accepted: bool,
    },
    /// A built-in schema, adapted to the first file's header.
    Builtin {
        /// The dataset type whose built-in schema is used (`--dataset-type`).
        dataset_type: DatasetType,
        /// The domain, or custom.
        domain: Option<Domain>,
    },
}

/// What the report says was checked against: the dataset type, the domain and the schema's
/// source, from the resolved schema, else from what the source says.
pub(super) type Described = (Option<String>, Option<String>, Option<String>);

pub(super) fn describe(schema: Option<&Schema>, source: &SchemaSource) -> Described {
    match schema {
        Some(s) => (
            Some(s.dataset_type.api_name().into()),
            s.domain.map(|d| d.api_name().into()),
            Some(s.source.clone()),
        ),
        None => match source {
            SchemaSource::Text { source, .. } => (None, None, Some(source.clone())),
            SchemaSource::Builtin {
                dataset_type,
                domain,
            } => (
                Some(dataset_type.api_name().into()),
                domain.map(|d| d.api_name().into()),
                None,
            ),
        },
    }
}

/// Loads and checks the schema; built-ins are adapted to `header` (the first file's header).
pub(super) fn resolve_schema(
    source: &SchemaSource,
    header: Option<&[String]>,
    collector: &mut Collector,
) -> Result<Option<Schema>, Error> {
    match source {
        SchemaSource::Text {
            text,
            source,
            dataset_type,
            domain,
            accepted,
        } => {
            let loaded = load_schema(text, source, *dataset_type, *domain)?;
            let mut checked = loaded
                .schema
                .as_ref()
                .map(|s| check_schema(s, text))
                .unwrap_or_default();
            // The rules detected in their own files (rules::hooks::SchemaHook).
            checked.extend(run_hooks(&loaded, text, source, collector.policy()));
            for d in loaded.diagnostics.into_iter().chain(checked) {
                if *accepted {
                    collector.push_accepted_schema(d);
                } else {
                    collector.push_schema(d);
                }
            }
            Ok(loaded.schema)
        }
        SchemaSource::Builtin {
            dataset_type,
            domain,
        } => {
            let schema = builtin(*dataset_type, *domain, header).ok_or(Error::NoBuiltin {
                dataset_type: *dataset_type,
                domain: domain.unwrap_or(Domain::Ecommerce),
            })?;
            let text = crate::schema::builtin_text(*dataset_type, *domain).unwrap_or_default();
            for d in check_schema(&schema, text) {
                // The adapted schema's findings are about the CSV, not a file the user has.
                collector.push_schema(d);
            }
            Ok(Some(schema))
        }
    }
}

/// Whether a header names any required or reserved field of the dataset type (ignoring case and
/// spaces): the first such header adapts a built-in schema.
pub(super) fn names_a_field(ty: DatasetType, domain: Option<Domain>, names: &[String]) -> bool {
    spec::fields_for(ty, domain)
        .iter()
        .any(|f| names.iter().any(|n| n.trim().eq_ignore_ascii_case(f.name)))
}
