//! The schema rules (PF403–PF421 and friends): everything a schema must satisfy
//! (docs/personalize.md#dataset-types-and-fields and docs/personalize.md#schemas), checked on
//! the typed [`Schema`].

use std::collections::HashMap;

use super::load::{line_of, line_of_nth};
use super::{spec, DatasetType, FieldType, Schema};
use crate::diagnostic::{Diagnostic, Location};
use crate::rules::{
    SchemaBooleanField, SchemaCategoricalFlag, SchemaCategoricalNonString,
    SchemaCollidingFieldNames, SchemaDomainMismatch, SchemaDuplicateField,
    SchemaEventTypeCategorical, SchemaExpiryFieldName, SchemaInvalidFieldName,
    SchemaMissingRequiredField, SchemaNullableRequiredField, SchemaTextualMisplaced,
    SchemaTooFewMetadata, SchemaTooManyMetadata, SchemaTooManyTextual, SchemaUnusedStringMetadata,
    SchemaWrongFieldType, UncountedField, Violation,
};

/// Checks a typed schema against every schema rule. `text` is the file the schema came from,
/// used only to put line numbers on findings.
pub fn check_schema(schema: &Schema, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let ty = schema.dataset_type;
    let domain = schema.domain;
    let loc = |field: Option<&str>| Location {
        file: Some(schema.source.clone()),
        line: field.and_then(|f| line_of(text, f)),
        field: field.map(str::to_string),
        ..Location::default()
    };

    // PF417: Actions datasets exist only in custom dataset groups.
    if let (Some(d), DatasetType::Actions | DatasetType::ActionInteractions) = (domain, ty) {
        out.push(
            SchemaDomainMismatch::ActionsInDomain {
                dataset_type: ty,
                domain: d,
            }
            .diagnostic()
            .at(loc(None)),
        );
    }

    // PF403 / PF404 / PF421 / PF412 / PF413: required and reserved fields.
    for s in spec::fields_for(ty, domain) {
        let Some(f) = schema.field(s.name) else {
            if s.required && !schema.builtin {
                let near = schema
                    .fields
                    .iter()
                    .find(|f| f.name.eq_ignore_ascii_case(s.name));
                let found = SchemaMissingRequiredField {
                    dataset_type: ty,
                    domain,
                    field: s.name,
                    ty: s.ty,
                    categorical: s.categorical,
                    near: near.map(|n| n.name.as_str()),
                };
                out.push(found.diagnostic().at(loc(near.map(|n| n.name.as_str()))));
            }
            continue;
        };
        if f.inferred {
            continue;
        }
        if let Some(actual) = f.ty {
            if actual != s.ty {
                out.push(
                    SchemaWrongFieldType::Type {
                        field: s.name,
                        declared: actual,
                        required: s.ty,
                        nullable: s.nullable,
                    }
                    .diagnostic()
                    .at(loc(Some(s.name))),
                );
            }
        }
        if f.nullable && !s.nullable {
            let (field, required) = (s.name, s.ty);
            let found = if s.required {
                SchemaNullableRequiredField { field, required }.diagnostic()
            } else {
                SchemaWrongFieldType::Nullable { field, required }.diagnostic()
            };
            out.push(found.at(loc(Some(s.name))));
        }
        if s.name == "EVENT_TYPE" && f.categorical {
            out.push(
                SchemaEventTypeCategorical
                    .diagnostic()
                    .at(loc(Some(s.name))),
            );
        } else {
            let field = s.name;
            let flag = if s.categorical && !f.categorical {
                Some(SchemaCategoricalFlag::MustBeCategorical { field })
            } else if s.textual && !f.textual {
                Some(SchemaCategoricalFlag::MustBeTextual { field })
            } else if !s.categorical && !s.textual && s.ty == FieldType::String && f.categorical {
                Some(SchemaCategoricalFlag::MustNotBeCategorical { field })
            } else {
                None
            };
            if let Some(flag) = flag {
                out.push(flag.diagnostic().at(loc(Some(s.name))));
            }
        }
    }

    // Names: PF406, PF407, PF408.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut normalized: HashMap<String, &str> = HashMap::new();
    for f in &schema.fields {
        let valid = !f.name.is_empty()
            && f.name.len() <= 150
            && f.name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && f.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            out.push(
                SchemaInvalidFieldName { field: &f.name }
                    .diagnostic()
                    .at(loc(Some(&f.name))),
            );
        }
        let n = seen.entry(&f.name).or_insert(0);
        *n += 1;
        if *n == 2 {
            out.push(
                SchemaDuplicateField { field: &f.name }
                    .diagnostic()
                    // The repeated declaration, not the first one.
                    .at(Location {
                        line: line_of_nth(text, &f.name, 2).or_else(|| line_of(text, &f.name)),
                        ..loc(Some(&f.name))
                    }),
            );
            continue;
        }
        if *n > 2 {
            continue;
        }
        let norm: String = f
            .name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if let Some(other) = normalized.get(&norm) {
            out.push(
                SchemaCollidingFieldNames {
                    first: other,
                    second: &f.name,
                }
                .diagnostic()
                .at(loc(Some(&f.name))),
            );
        } else {
            normalized.insert(norm, &f.name);
        }
    }

    // Attributes: PF409, PF410, PF411, PF418, PF419, PF420.
    let mut textual = Vec::new();
    for f in schema.fields.iter().filter(|f| !f.inferred) {
        let Some(fty) = f.ty else { continue };
        if f.categorical && fty != FieldType::String {
            out.push(
                SchemaCategoricalNonString {
                    field: &f.name,
                    ty: fty,
                }
                .diagnostic()
                .at(loc(Some(&f.name))),
            );
        }
        if f.textual {
            let field = f.name.as_str();
            let misplaced = if ty != DatasetType::Items {
                Some(SchemaTextualMisplaced::NotItems {
                    field,
                    dataset_type: ty,
                })
            } else if fty != FieldType::String {
                Some(SchemaTextualMisplaced::NotString { field, ty: fty })
            } else if f.categorical {
                Some(SchemaTextualMisplaced::AlsoCategorical { field })
            } else {
                None
            };
            if let Some(m) = misplaced {
                out.push(m.diagnostic().at(loc(Some(field))));
            }
            textual.push(f.name.as_str());
        }
        if fty == FieldType::Boolean {
            out.push(
                SchemaBooleanField { field: &f.name }
                    .diagnostic()
                    .at(loc(Some(&f.name))),
            );
        }
        let reserved = spec::spec_of(ty, domain, &f.name).is_some();
        if fty == FieldType::String
            && !f.categorical
            && !f.textual
            && !reserved
            && spec::counts_as_metadata(ty, domain, &f.name)
        {
            out.push(
                SchemaUnusedStringMetadata {
                    field: &f.name,
                    items: ty == DatasetType::Items,
                }
                .diagnostic()
                .at(loc(Some(&f.name))),
            );
        }
        if ty == DatasetType::Actions && f.name == "ACTION_EXPIRATION_TIMESTAMP" {
            out.push(SchemaExpiryFieldName.diagnostic().at(loc(Some(&f.name))));
        }
    }
    if textual.len() > 1 && ty == DatasetType::Items {
        let second = textual[1];
        out.push(
            SchemaTooManyTextual { fields: textual }
                .diagnostic()
                .at(loc(Some(second))),
        );
    }

    // PF414 / PF415: metadata counts.
    let metadata: Vec<&str> = schema
        .fields
        .iter()
        .filter(|f| spec::counts_as_metadata(ty, domain, &f.name))
        .map(|f| f.name.as_str())
        .collect();
    if let Some(id) = ty.id_field() {
        if let Some(d) = too_few_metadata(schema, id, &metadata) {
            out.push(d.at(loc(None)));
        }
    }
    let limit = spec::metadata_limit(ty);
    if metadata.len() > limit {
        out.push(
            SchemaTooManyMetadata {
                dataset_type: ty,
                fields: metadata.len(),
                limit,
            }
            .diagnostic()
            .at(loc(metadata.get(limit).copied())),
        );
    }
    out
}

/// PF414: a Users, Items or Actions schema needs at least one metadata field of a kind the
/// docs count: a categorical string or a numeric field, or for Items also a textual string
/// (docs/personalize.md#metadata-columns-how-many). A plain string or a boolean does not count. Reserved fields
/// count by their type (CREATION_TIMESTAMP and VALUE are numeric); a field whose type is
/// unknown (inferred from a header, or unsupported: PF405) is given the benefit of the doubt.
fn too_few_metadata(schema: &Schema, id: &str, metadata: &[&str]) -> Option<Diagnostic> {
    let ty = schema.dataset_type;
    let items = ty == DatasetType::Items;
    let fields: Vec<_> = metadata.iter().filter_map(|n| schema.field(n)).collect();
    let counts = |f: &&super::SchemaField| {
        f.inferred
            || match f.ty {
                None => true,
                Some(FieldType::Int | FieldType::Long | FieldType::Float | FieldType::Double) => {
                    true
                }
                Some(FieldType::String) => f.categorical || (items && f.textual),
                Some(FieldType::Boolean) => false,
            }
    };
    if fields.iter().any(counts) {
        return None;
    }
    let fields = fields
        .iter()
        .map(|f| {
            let why = match f.ty {
                Some(FieldType::Boolean) => UncountedField::Boolean,
                _ if f.textual => UncountedField::Textual,
                _ => UncountedField::PlainString,
            };
            (f.name.as_str(), why)
        })
        .collect();
    Some(
        SchemaTooFewMetadata {
            dataset_type: ty,
            id,
            fields,
        }
        .diagnostic(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::load_schema;

    fn codes(text: &str) -> Vec<&'static str> {
        let l = load_schema(text, "s.json", None, None).unwrap();
        let mut c: Vec<_> = l.diagnostics.iter().map(|d| d.rule.code).collect();
        c.extend(
            check_schema(&l.schema.unwrap(), text)
                .iter()
                .map(|d| d.rule.code),
        );
        c
    }

    #[test]
    fn clean_interactions_schema() {
        let t = r#"{"type":"record","name":"Interactions","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"EVENT_TYPE","type":"string"}]}"#;
        assert!(codes(t).is_empty());
    }

    #[test]
    fn collisions_and_wrong_types() {
        let t = r#"{"type":"record","name":"Items","fields":[{"name":"ITEM_ID","type":"string"},{"name":"GENRES_FIELD_1","type":"string","categorical":true},{"name":"GENRESFIELD1","type":"string","categorical":true},{"name":"CREATION_TIMESTAMP","type":"int"}]}"#;
        assert_eq!(codes(t), ["PF404", "PF408"]);
    }

    #[test]
    fn minimum_metadata_counts_only_categorical_textual_and_numeric_fields() {
        let schema = |name: &str, fields: &str| {
            let id = if name == "Users" {
                "USER_ID"
            } else if name == "Items" {
                "ITEM_ID"
            } else {
                "ACTION_ID"
            };
            format!(
                r#"{{"type":"record","name":"{name}","fields":[{{"name":"{id}","type":"string"}}{fields}]}}"#
            )
        };
        let pf414 = |name: &str, fields: &str| codes(&schema(name, fields)).contains(&"PF414");
        // No metadata at all, or only a plain string or a boolean: not met.
        assert!(pf414("Users", ""));
        assert!(pf414("Users", r#",{"name":"NAME","type":"string"}"#));
        assert!(pf414("Users", r#",{"name":"VIP","type":"boolean"}"#));
        assert!(pf414(
            "Items",
            r#",{"name":"TITLE","type":"string"},{"name":"NEW","type":"boolean"}"#
        ));
        assert!(pf414("Actions", r#",{"name":"TITLE","type":"string"}"#));
        // A textual field counts for Items only.
        assert!(pf414(
            "Users",
            r#",{"name":"BIO","type":"string","textual":true}"#
        ));
        assert!(!pf414(
            "Items",
            r#",{"name":"DESCRIPTION","type":["null","string"],"textual":true}"#
        ));
        // A categorical string or a numeric field (reserved ones included) meets it.
        assert!(!pf414(
            "Users",
            r#",{"name":"TIER","type":"string","categorical":true}"#
        ));
        assert!(!pf414("Users", r#",{"name":"AGE","type":"int"}"#));
        assert!(!pf414(
            "Items",
            r#",{"name":"CREATION_TIMESTAMP","type":"long"}"#
        ));
        assert!(!pf414(
            "Actions",
            r#",{"name":"VALUE","type":["null","long"]}"#
        ));
    }

    #[test]
    fn an_unused_string_field_of_items_may_be_textual() {
        let help = |name: &str, id: &str| {
            let t = format!(
                r#"{{"type":"record","name":"{name}","fields":[{{"name":"{id}","type":"string"}},{{"name":"AGE","type":"int"}},{{"name":"NOTE","type":"string"}}]}}"#
            );
            let l = load_schema(&t, "s.json", None, None).unwrap();
            check_schema(&l.schema.unwrap(), &t)
                .into_iter()
                .find(|d| d.rule.code == "PF419")
                .and_then(|d| d.help)
                .unwrap()
        };
        assert!(help("Items", "ITEM_ID").contains("\"textual\": true"));
        assert!(!help("Users", "USER_ID").contains("textual"));
    }

    #[test]
    fn missing_required_field_and_categorical_event_type() {
        let t = r#"{"type":"record","name":"Interactions","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"EVENT_TYPE","type":"string","categorical":true}]}"#;
        assert_eq!(codes(t), ["PF403", "PF412"]);
    }
}
