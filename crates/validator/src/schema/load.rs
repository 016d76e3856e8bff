//! Loads a schema from the three shapes users have: a bare Avro record, a CreateSchema request
//! body (`{"name", "domain", "schema": <object or JSON string>}`) and a DescribeSchema response
//! (`{"schema": {"schema": "<JSON string>", "domain": …}}`).
//!
//! JSON that does not parse is an error (the tool cannot run); JSON that parses but is not a
//! valid Personalize schema yields findings.

use serde_json::Value;

use super::{spec, DatasetType, Domain, FieldType, Schema, SchemaField};
use crate::diagnostic::{Diagnostic, Location};
use crate::rules::{
    SchemaDomainMismatch, SchemaNameMismatch, SchemaNotARecord, SchemaTooLong,
    SchemaUnsupportedType, Violation,
};

/// A schema that could not be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The text is not JSON.
    #[error("failed to parse schema `{source_name}` as JSON: {message}")]
    Json {
        /// Path or label.
        source_name: String,
        /// serde_json's message, with line and column.
        message: String,
    },
}

/// The result of loading: the typed schema when it is usable, and the findings.
#[derive(Debug, Clone)]
pub struct LoadedSchema {
    /// The typed schema, or `None` when it is too broken to check data against.
    pub schema: Option<Schema>,
    /// Findings from loading (PF401, PF402, PF405, PF416, PF417).
    pub diagnostics: Vec<Diagnostic>,
    /// The Avro schema text as Personalize would receive it.
    pub avro_text: String,
    /// The JSON document as written (a bare record, a CreateSchema request body or a
    /// DescribeSchema response), for the schema hooks ([`super::SchemaCx`]).
    pub(crate) document: Value,
    /// The Avro record inside it (parsed from the embedded string when there is one).
    pub(crate) record: Value,
}

/// Finds the 1-based line of the first `"needle"` in `text` (best effort, for locations).
pub(crate) fn line_of(text: &str, needle: &str) -> Option<u64> {
    line_of_nth(text, needle, 1)
}

/// Finds the 1-based line of the `n`th (1-based) `"needle"` in `text` (best effort).
pub(crate) fn line_of_nth(text: &str, needle: &str, n: usize) -> Option<u64> {
    let quoted = format!("\"{needle}\"");
    let escaped = format!("\\\"{needle}\\\"");
    let nth = |pat: &str| {
        text.match_indices(pat)
            .nth(n.saturating_sub(1))
            .map(|(p, _)| p)
    };
    let pos = nth(&quoted).or_else(|| nth(&escaped))?;
    Some(text[..pos].bytes().filter(|&b| b == b'\n').count() as u64 + 1)
}

/// Loads a schema from JSON text. `dataset_type` and `domain` come from the command line and
/// take precedence over what the schema says; a conflict is reported.
pub fn load_schema(
    text: &str,
    source: &str,
    dataset_type: Option<DatasetType>,
    domain: Option<Domain>,
) -> Result<LoadedSchema, SchemaError> {
    let root: Value = serde_json::from_str(text).map_err(|e| SchemaError::Json {
        source_name: source.to_string(),
        message: e.to_string(),
    })?;
    let mut diags = Vec::new();
    let loc = |line: Option<u64>| Location {
        file: Some(source.to_string()),
        line,
        ..Location::default()
    };

    // Unwrap the request/response shapes.
    let mut wrapper_domain: Option<&Value> = None;
    let mut avro_text = text.to_string();
    let mut record = root.clone();
    if let Some(obj) = root.as_object() {
        if obj.get("type").is_none() && obj.contains_key("schema") {
            let inner = &obj["schema"];
            wrapper_domain = obj.get("domain");
            // DescribeSchema: {"schema": {"schema": "<string>", "domain": ...}}
            let inner = match inner.as_object() {
                Some(o) if o.get("type").is_none() && o.contains_key("schema") => {
                    wrapper_domain = o.get("domain").or(wrapper_domain);
                    &o["schema"]
                }
                _ => inner,
            };
            match inner {
                Value::String(s) => {
                    avro_text = s.clone();
                    record = serde_json::from_str(s).map_err(|e| SchemaError::Json {
                        source_name: format!("{source} (the embedded schema string)"),
                        message: e.to_string(),
                    })?;
                }
                other => {
                    avro_text = serde_json::to_string(other).unwrap_or_default();
                    record = other.clone();
                }
            }
        }
    }

    // PF416: the schema string is limited to 20,000 characters.
    let chars = avro_text.chars().count();
    if chars > spec::MAX_SCHEMA_CHARS {
        diags.push(
            SchemaTooLong {
                chars,
                limit: spec::MAX_SCHEMA_CHARS,
            }
            .diagnostic()
            .at(loc(None)),
        );
    }

    // Domain: flag > wrapper.
    let mut schema_domain = None;
    if let Some(d) = wrapper_domain {
        match d {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::String(s) => match s.parse::<Domain>() {
                Ok(d) => schema_domain = Some(d),
                Err(_) => diags.push(
                    SchemaDomainMismatch::UnknownDomain { name: s }
                        .diagnostic()
                        .at(loc(line_of(text, "domain"))),
                ),
            },
            other => diags.push(
                SchemaDomainMismatch::NotAString {
                    value: other.to_string(),
                }
                .diagnostic()
                .at(loc(line_of(text, "domain"))),
            ),
        }
    }
    if let (Some(flag), Some(found)) = (domain, schema_domain) {
        if flag != found {
            diags.push(
                SchemaDomainMismatch::FlagDiffers {
                    schema: found,
                    given: flag,
                }
                .diagnostic()
                .at(loc(line_of(text, "domain"))),
            );
        }
    }
    let domain = domain.or(schema_domain);

    // PF401: a flat record with a fields list.
    let Some(obj) = record.as_object() else {
        diags.push(
            SchemaNotARecord::NotAnObject {
                kind: json_kind(&record),
            }
            .diagnostic()
            .at(loc(Some(1))),
        );
        return Ok(LoadedSchema {
            schema: None,
            diagnostics: diags,
            avro_text,
            document: root,
            record,
        });
    };
    if obj.get("type").and_then(Value::as_str) != Some("record") {
        let found = obj
            .get("type")
            .map(|v| v.to_string())
            .unwrap_or_else(|| "missing".into());
        diags.push(
            SchemaNotARecord::NotRecordType { found }
                .diagnostic()
                .at(loc(line_of(text, "type").or(Some(1)))),
        );
    }
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(fields_json) = obj.get("fields").and_then(Value::as_array) else {
        diags.push(SchemaNotARecord::NoFields.diagnostic().at(loc(Some(1))));
        return Ok(LoadedSchema {
            schema: None,
            diagnostics: diags,
            avro_text,
            document: root,
            record,
        });
    };

    // Fields.
    let mut fields = Vec::with_capacity(fields_json.len());
    for (i, f) in fields_json.iter().enumerate() {
        let Some(fo) = f.as_object() else {
            diags.push(
                SchemaNotARecord::FieldNotAnObject {
                    number: i + 1,
                    kind: json_kind(f),
                }
                .diagnostic()
                .at(loc(None)),
            );
            continue;
        };
        let Some(fname) = fo.get("name").and_then(Value::as_str) else {
            diags.push(
                SchemaNotARecord::FieldWithoutName { number: i + 1 }
                    .diagnostic()
                    .at(loc(None)),
            );
            continue;
        };
        let floc = loc(line_of(text, fname));
        let (ty, nullable) = match parse_type(fo.get("type")) {
            Ok(t) => t,
            Err(desc) => {
                diags.push(
                    SchemaUnsupportedType {
                        field: fname,
                        ty: &desc,
                    }
                    .diagnostic()
                    .at(Location {
                        field: Some(fname.to_string()),
                        ..floc.clone()
                    }),
                );
                (None, false)
            }
        };
        let flag = |key: &str| fo.get(key).and_then(Value::as_bool).unwrap_or(false);
        fields.push(SchemaField {
            name: fname.to_string(),
            ty,
            nullable,
            categorical: flag("categorical"),
            textual: flag("textual"),
            inferred: false,
        });
    }

    // Dataset type: flag > record name > field shape.
    let from_name = DatasetType::from_record_name(&name);
    let dataset_type = match (dataset_type, from_name) {
        (Some(t), Some(n)) if t != n => {
            diags.push(
                SchemaNameMismatch::OtherType {
                    name: &name,
                    named: n,
                    given: t,
                }
                .diagnostic()
                .at(loc(line_of(text, &name))),
            );
            t
        }
        (Some(t), None) => {
            diags.push(
                SchemaNameMismatch::NotAType {
                    name: &name,
                    given: t,
                }
                .diagnostic()
                .at(loc(line_of(text, &name).or(Some(1)))),
            );
            t
        }
        (Some(t), Some(_)) => t,
        (None, Some(n)) => n,
        (None, None) => match infer_type(&fields) {
            Some(t) => {
                diags.push(
                    SchemaNameMismatch::LooksLike {
                        name: &name,
                        inferred: t,
                    }
                    .diagnostic()
                    .at(loc(line_of(text, &name).or(Some(1)))),
                );
                t
            }
            None => {
                diags.push(
                    SchemaNameMismatch::FitsNone { name: &name }
                        .diagnostic()
                        .at(loc(Some(1))),
                );
                return Ok(LoadedSchema {
                    schema: None,
                    diagnostics: diags,
                    avro_text,
                    document: root,
                    record,
                });
            }
        },
    };

    let schema = Schema {
        name,
        dataset_type,
        domain,
        fields,
        source: source.to_string(),
        builtin: false,
    };
    Ok(LoadedSchema {
        schema: Some(schema),
        diagnostics: diags,
        avro_text,
        document: root,
        record,
    })
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Parses an Avro field type: a primitive name, `{"type": primitive}`, or a two-member union
/// with `null`. Returns a description of anything else.
fn parse_type(v: Option<&Value>) -> Result<(Option<FieldType>, bool), String> {
    let Some(v) = v else {
        return Err("(missing)".into());
    };
    let prim = |v: &Value| -> Option<FieldType> {
        match v {
            Value::String(s) => FieldType::from_avro(s),
            Value::Object(o) => match o.get("type") {
                Some(Value::String(s))
                    if o.len() == 1
                        || !o.contains_key("items")
                            && !o.contains_key("values")
                            && !o.contains_key("fields")
                            && !o.contains_key("symbols") =>
                {
                    FieldType::from_avro(s)
                }
                _ => None,
            },
            _ => None,
        }
    };
    match v {
        Value::Array(members) => {
            let nulls = members
                .iter()
                .filter(|m| m.as_str() == Some("null"))
                .count();
            let others: Vec<&Value> = members
                .iter()
                .filter(|m| m.as_str() != Some("null"))
                .collect();
            match (nulls, others.as_slice()) {
                (1, [one]) => prim(one).map(|t| (Some(t), true)).ok_or_else(|| short(v)),
                (0, [one]) => prim(one).map(|t| (Some(t), false)).ok_or_else(|| short(v)),
                _ => Err(short(v)),
            }
        }
        other => prim(other)
            .map(|t| (Some(t), false))
            .ok_or_else(|| short(other)),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

/// Guesses the dataset type from the fields when the record name does not say.
fn infer_type(fields: &[SchemaField]) -> Option<DatasetType> {
    let has = |n: &str| fields.iter().any(|f| f.name.eq_ignore_ascii_case(n));
    if has("ACTION_ID") && has("USER_ID") {
        Some(DatasetType::ActionInteractions)
    } else if has("ACTION_ID") {
        Some(DatasetType::Actions)
    } else if has("USER_ID") && has("ITEM_ID") {
        Some(DatasetType::Interactions)
    } else if has("ITEM_ID") {
        Some(DatasetType::Items)
    } else if has("USER_ID") {
        Some(DatasetType::Users)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BARE: &str = r#"{"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema",
        "fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},
        {"name":"EVENT_VALUE","type":["null","float"]}],"version":"1.0"}"#;

    #[test]
    fn loads_bare_avro() {
        let l = load_schema(BARE, "s.json", None, None).unwrap();
        let s = l.schema.unwrap();
        assert_eq!(s.dataset_type, DatasetType::Interactions);
        assert_eq!(s.fields.len(), 4);
        assert_eq!(s.fields[3].ty, Some(FieldType::Float));
        assert!(s.fields[3].nullable);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    }

    #[test]
    fn loads_create_schema_body_with_object_and_string() {
        let obj = format!(r#"{{"name":"x","domain":"ECOMMERCE","schema":{BARE}}}"#);
        let l = load_schema(&obj, "c.json", None, None).unwrap();
        assert_eq!(l.schema.unwrap().domain, Some(Domain::Ecommerce));
        let as_string =
            serde_json::to_string(&serde_json::from_str::<Value>(BARE).unwrap()).unwrap();
        let body = serde_json::json!({"name": "x", "schema": as_string}).to_string();
        let l = load_schema(&body, "c.json", None, None).unwrap();
        assert_eq!(l.schema.unwrap().fields.len(), 4);
    }

    #[test]
    fn loads_describe_schema_response() {
        let as_string =
            serde_json::to_string(&serde_json::from_str::<Value>(BARE).unwrap()).unwrap();
        let body = serde_json::json!({"schema": {"name": "x", "schemaArn": "arn:aws:personalize:us-east-1:1:schema/x",
            "schema": as_string, "domain": "VIDEO_ON_DEMAND"}}).to_string();
        let l = load_schema(&body, "d.json", None, None).unwrap();
        let s = l.schema.unwrap();
        assert_eq!(s.domain, Some(Domain::VideoOnDemand));
        assert_eq!(s.dataset_type, DatasetType::Interactions);
    }

    #[test]
    fn invalid_json_is_an_error_not_a_finding() {
        assert!(load_schema("{", "x.json", None, None).is_err());
    }

    #[test]
    fn unsupported_types_are_findings() {
        let t = r#"{"type":"record","name":"Items","fields":[{"name":"ITEM_ID","type":"string"},
            {"name":"TAGS","type":{"type":"array","items":"string"}},{"name":"X","type":["null","string","int"]}]}"#;
        let l = load_schema(t, "x.json", None, None).unwrap();
        let codes: Vec<_> = l.diagnostics.iter().map(|d| d.rule.code).collect();
        assert_eq!(codes, ["PF405", "PF405"]);
        assert_eq!(l.diagnostics[0].location.line, Some(2));
    }

    #[test]
    fn record_name_vs_flag() {
        let l = load_schema(BARE, "s.json", Some(DatasetType::Items), None).unwrap();
        assert_eq!(l.diagnostics[0].rule.code, "PF402");
        assert_eq!(l.schema.unwrap().dataset_type, DatasetType::Items);
    }
}
