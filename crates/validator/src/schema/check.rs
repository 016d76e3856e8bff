//! The schema rules (PF403–PF421 and friends): everything personalize-rules.md §1–2 says a
//! schema must satisfy, checked on the typed [`Schema`].

use std::collections::HashMap;

use super::load::{line_of, line_of_nth};
use super::{spec, DatasetType, FieldType, Schema};
use crate::diagnostic::{Diagnostic, Location};
use crate::rules;

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
            Diagnostic::new(
                &rules::PF417,
                format!("{ty} datasets cannot be created in a {d} domain dataset group"),
            )
            .with_help("use a custom dataset group (no domain) for actions and action interactions")
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
                let mut d = Diagnostic::new(
                    &rules::PF403,
                    format!(
                        "the {ty} schema{} has no `{}` field",
                        domain.map(|d| format!(" ({d})")).unwrap_or_default(),
                        s.name
                    ),
                );
                d = match near {
                    Some(n) => d.with_help(format!(
                        "rename `{}` to `{}`: field names are matched exactly",
                        n.name, s.name
                    )),
                    None => d.with_help(format!(
                        "add {{\"name\": \"{}\", \"type\": \"{}\"{}}}",
                        s.name,
                        s.ty,
                        if s.categorical {
                            ", \"categorical\": true"
                        } else {
                            ""
                        }
                    )),
                };
                out.push(d.at(loc(near.map(|n| n.name.as_str()))));
            }
            continue;
        };
        if f.inferred {
            continue;
        }
        if let Some(actual) = f.ty {
            if actual != s.ty {
                out.push(
                    Diagnostic::new(
                        &rules::PF404,
                        format!(
                            "`{}` is declared as `{actual}`; Personalize requires `{}`",
                            s.name, s.ty
                        ),
                    )
                    .with_help(format!(
                        "declare `{}` as {}",
                        s.name,
                        if s.nullable {
                            format!("[\"{}\", \"null\"]", s.ty)
                        } else {
                            format!("\"{}\"", s.ty)
                        }
                    ))
                    .at(loc(Some(s.name))),
                );
            }
        }
        if f.nullable && !s.nullable {
            let rule = if s.required {
                &rules::PF421
            } else {
                &rules::PF404
            };
            out.push(
                Diagnostic::new(
                    rule,
                    format!(
                        "`{}` is declared nullable; Personalize requires a plain `{}`",
                        s.name, s.ty
                    ),
                )
                .with_help(format!(
                    "declare `{}` as \"{}\", without \"null\"",
                    s.name, s.ty
                ))
                .at(loc(Some(s.name))),
            );
        }
        if s.name == "EVENT_TYPE" && f.categorical {
            out.push(
                Diagnostic::new(&rules::PF412, "`EVENT_TYPE` is marked categorical")
                    .with_help(
                        "remove \"categorical\": true from EVENT_TYPE; it must be a plain string",
                    )
                    .at(loc(Some(s.name))),
            );
        } else if s.categorical && !f.categorical {
            out.push(
                Diagnostic::new(
                    &rules::PF413,
                    format!("the reserved field `{}` must be categorical", s.name),
                )
                .with_help(format!("add \"categorical\": true to `{}`", s.name))
                .at(loc(Some(s.name))),
            );
        } else if s.textual && !f.textual {
            out.push(
                Diagnostic::new(
                    &rules::PF413,
                    format!("the reserved field `{}` must be textual", s.name),
                )
                .with_help(format!("add \"textual\": true to `{}`", s.name))
                .at(loc(Some(s.name))),
            );
        } else if !s.categorical && !s.textual && s.ty == FieldType::String && f.categorical {
            out.push(
                Diagnostic::new(
                    &rules::PF413,
                    format!("the reserved field `{}` must not be categorical", s.name),
                )
                .with_help(format!("remove \"categorical\": true from `{}`", s.name))
                .at(loc(Some(s.name))),
            );
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
                Diagnostic::new(&rules::PF406, format!("field name `{}` is not alphanumeric with underscores (at most 150 characters, not starting with a digit)", f.name))
                    .with_help("use letters, digits and underscores only, for example `ITEM_COLOR`")
                    .at(loc(Some(&f.name))),
            );
        }
        let n = seen.entry(&f.name).or_insert(0);
        *n += 1;
        if *n == 2 {
            out.push(
                Diagnostic::new(
                    &rules::PF407,
                    format!("field `{}` is declared more than once", f.name),
                )
                .with_help("remove the repeated field")
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
                Diagnostic::new(&rules::PF408, format!("field names `{other}` and `{}` collide once underscores and case are ignored", f.name))
                    .with_help("rename one of them so that the names differ in letters or digits")
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
                Diagnostic::new(
                    &rules::PF409,
                    format!("`{}` is `{fty}` and marked categorical", f.name),
                )
                .with_help(format!(
                    "make `{}` a string, or remove \"categorical\": true",
                    f.name
                ))
                .at(loc(Some(&f.name))),
            );
        }
        if f.textual {
            if ty != DatasetType::Items {
                out.push(
                    Diagnostic::new(&rules::PF410, format!("`{}` is textual in the {ty} schema; only Items schemas may have a textual field", f.name))
                        .with_help("remove \"textual\": true, or move the text to the Items dataset")
                        .at(loc(Some(&f.name))),
                );
            } else if fty != FieldType::String {
                out.push(
                    Diagnostic::new(
                        &rules::PF410,
                        format!("`{}` is `{fty}` and marked textual", f.name),
                    )
                    .with_help("textual fields must be strings")
                    .at(loc(Some(&f.name))),
                );
            } else if f.categorical {
                out.push(
                    Diagnostic::new(
                        &rules::PF410,
                        format!("`{}` is marked both textual and categorical", f.name),
                    )
                    .with_help("keep one: textual for free text, categorical for labels")
                    .at(loc(Some(&f.name))),
                );
            }
            textual.push(f.name.as_str());
        }
        if fty == FieldType::Boolean {
            out.push(
                Diagnostic::new(&rules::PF418, format!("`{}` is boolean; Personalize ignores boolean fields for training and filtering", f.name))
                    .with_help("use a categorical string with values \"True\"/\"False\", or an int with 0/1")
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
                Diagnostic::new(&rules::PF419, format!("string field `{}` is neither categorical nor textual, so training ignores it", f.name))
                    .with_help(if ty == DatasetType::Items {
                        format!("add \"categorical\": true to `{}` if it holds labels, or \"textual\": true if it is free text such as a description (one textual field per schema); it can still be used in filters either way", f.name)
                    } else {
                        format!("add \"categorical\": true to `{}` if it holds labels (it can still be used in filters either way)", f.name)
                    })
                    .at(loc(Some(&f.name))),
            );
        }
        if ty == DatasetType::Actions && f.name == "ACTION_EXPIRATION_TIMESTAMP" {
            out.push(
                Diagnostic::new(&rules::PF420, "`ACTION_EXPIRATION_TIMESTAMP` is the docs' prose name; the schema table and the Next-Best-Action recipe use `EXPIRATION_TIMESTAMP`")
                    .with_help("rename the field to `EXPIRATION_TIMESTAMP`")
                    .at(loc(Some(&f.name))),
            );
        }
    }
    if textual.len() > 1 && ty == DatasetType::Items {
        out.push(
            Diagnostic::new(
                &rules::PF411,
                format!(
                    "the Items schema has {} textual fields ({}); at most 1 is allowed",
                    textual.len(),
                    textual.join(", ")
                ),
            )
            .with_help("keep one textual field; make the others categorical or drop them")
            .at(loc(Some(textual[1]))),
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
        let what = if ty.is_interactions() {
            "optional metadata fields (not counting reserved ones)"
        } else {
            "metadata fields"
        };
        out.push(
            Diagnostic::new(
                &rules::PF415,
                format!(
                    "the {ty} schema has {} {what}; the limit is {limit}",
                    metadata.len()
                ),
            )
            .with_help("drop the least useful fields")
            .at(loc(metadata.get(limit).copied())),
        );
    }
    out
}

/// PF414: a Users, Items or Actions schema needs at least one metadata field of a kind the
/// docs count: a categorical string or a numeric field, or for Items also a textual string
/// (personalize-rules.md §1.2). A plain string or a boolean does not count. Reserved fields
/// count by their type (CREATION_TIMESTAMP and VALUE are numeric); a field whose type is
/// unknown (inferred from a header, or unsupported: PF405) is given the benefit of the doubt.
fn too_few_metadata(schema: &Schema, id: &str, metadata: &[&str]) -> Option<Diagnostic> {
    let ty = schema.dataset_type;
    let items = ty == DatasetType::Items;
    let kinds = if items {
        "a categorical or textual string, or a numeric field"
    } else {
        "a categorical string or a numeric field"
    };
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
    if fields.is_empty() {
        return Some(
            Diagnostic::new(
                &rules::PF414,
                format!("the {ty} schema has no metadata field besides `{id}`"),
            )
            .with_help(format!("add at least one metadata field: {kinds}")),
        );
    }
    let described: Vec<String> = fields
        .iter()
        .map(|f| {
            let what = match f.ty {
                Some(FieldType::Boolean) => "a boolean",
                _ if f.textual => "a textual string, which only Items count",
                _ => "a plain string, neither categorical nor textual",
            };
            format!("`{}` is {what}", f.name)
        })
        .collect();
    let textual = if items {
        ", `\"textual\": true` on free text,"
    } else {
        ""
    };
    Some(
        Diagnostic::new(
            &rules::PF414,
            format!(
                "the {ty} schema has no metadata field of a kind the minimum counts ({kinds}): {}",
                described.join(", ")
            ),
        )
        .with_help(format!(
            "add `\"categorical\": true` to a string field that holds labels{textual} or add a numeric field (a yes/no flag can be an `int` of 0 or 1)"
        )),
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
