//! The built-in schemas in `schemas/`, embedded in the binary, and their adaptation to a CSV
//! header for `--dataset-type` validation without a schema file.

use super::{load_schema, spec, DatasetType, Domain, FieldType, Schema, SchemaField};

/// Every built-in schema: (domain, dataset type, JSON text).
pub static BUILTINS: &[(Option<Domain>, DatasetType, &str)] = &[
    (
        None,
        DatasetType::Interactions,
        include_str!("../../../../schemas/custom/interactions.json"),
    ),
    (
        None,
        DatasetType::Items,
        include_str!("../../../../schemas/custom/items.json"),
    ),
    (
        None,
        DatasetType::Users,
        include_str!("../../../../schemas/custom/users.json"),
    ),
    (
        None,
        DatasetType::Actions,
        include_str!("../../../../schemas/custom/actions.json"),
    ),
    (
        None,
        DatasetType::ActionInteractions,
        include_str!("../../../../schemas/custom/action_interactions.json"),
    ),
    (
        Some(Domain::Ecommerce),
        DatasetType::Interactions,
        include_str!("../../../../schemas/ecommerce/interactions.json"),
    ),
    (
        Some(Domain::Ecommerce),
        DatasetType::Items,
        include_str!("../../../../schemas/ecommerce/items.json"),
    ),
    (
        Some(Domain::Ecommerce),
        DatasetType::Users,
        include_str!("../../../../schemas/ecommerce/users.json"),
    ),
    (
        Some(Domain::VideoOnDemand),
        DatasetType::Interactions,
        include_str!("../../../../schemas/video_on_demand/interactions.json"),
    ),
    (
        Some(Domain::VideoOnDemand),
        DatasetType::Items,
        include_str!("../../../../schemas/video_on_demand/items.json"),
    ),
    (
        Some(Domain::VideoOnDemand),
        DatasetType::Users,
        include_str!("../../../../schemas/video_on_demand/users.json"),
    ),
];

/// The JSON text of a built-in schema, if that dataset type exists in that domain.
pub fn builtin_text(ty: DatasetType, domain: Option<Domain>) -> Option<&'static str> {
    BUILTINS
        .iter()
        .find(|(d, t, _)| *d == domain && *t == ty)
        .map(|(_, _, text)| *text)
}

/// The built-in schema for a dataset type and domain, adapted to a CSV header: required fields
/// always stay; reserved fields stay only when the header has them; header columns the skeleton
/// does not know become metadata fields of unknown type (`inferred`). Fields follow the
/// header's order, so only real problems (missing required columns, wrong case) remain.
pub fn builtin(
    ty: DatasetType,
    domain: Option<Domain>,
    header: Option<&[String]>,
) -> Option<Schema> {
    let text = builtin_text(ty, domain)?;
    let loaded = load_schema(text, "builtin", Some(ty), domain).ok()?;
    let mut skeleton = loaded.schema?;
    skeleton.source = format!(
        "builtin:{}/{}",
        domain.map(Domain::dir_name).unwrap_or("custom"),
        ty.cli_name()
    );
    skeleton.builtin = true;
    let Some(header) = header else {
        return Some(skeleton);
    };

    let mut fields: Vec<SchemaField> = Vec::new();
    let mut used = vec![false; skeleton.fields.len()];
    for col in header {
        let exact = skeleton.fields.iter().position(|f| &f.name == col);
        let folded = exact.or_else(|| {
            skeleton
                .fields
                .iter()
                .position(|f| f.name.eq_ignore_ascii_case(col))
        });
        match folded {
            Some(i) if !used[i] => {
                used[i] = true;
                fields.push(skeleton.fields[i].clone());
            }
            _ => fields.push(SchemaField {
                inferred: true,
                ..SchemaField::new(col, FieldType::String, true)
            }),
        }
    }
    for (i, f) in skeleton.fields.iter().enumerate() {
        let required = spec::spec_of(ty, domain, &f.name).is_some_and(|s| s.required);
        if !used[i] && required {
            fields.push(f.clone());
        }
    }
    skeleton.fields = fields;
    Some(skeleton)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::check_schema;

    #[test]
    fn every_builtin_loads_and_passes_its_own_checks() {
        for (domain, ty, text) in BUILTINS {
            let l = load_schema(text, "builtin", None, *domain).unwrap();
            assert!(
                l.diagnostics.is_empty(),
                "{ty} {domain:?}: {:?}",
                l.diagnostics
            );
            // The rules detected by hooks judge the built-ins too.
            let hooked = crate::schema::run_hooks(&l, text, "builtin", &Default::default());
            let s = l.schema.unwrap();
            assert_eq!(s.dataset_type, *ty);
            let findings: Vec<_> = check_schema(&s, text)
                .into_iter()
                .chain(hooked)
                .filter(|d| d.rule.code != "PF414") // custom Users is a skeleton: metadata comes from the CSV
                .collect();
            assert!(findings.is_empty(), "{ty} {domain:?}: {findings:?}");
        }
    }

    #[test]
    fn adapts_to_header() {
        let header: Vec<String> = ["ITEM_ID", "USER_ID", "TIMESTAMP", "EVENT_TYPE", "CABIN"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = builtin(DatasetType::Interactions, None, Some(&header)).unwrap();
        let names: Vec<_> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["ITEM_ID", "USER_ID", "TIMESTAMP", "EVENT_TYPE", "CABIN"]
        );
        assert!(s.fields[4].inferred);
        let header: Vec<String> = ["user_id", "ITEM_ID"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = builtin(DatasetType::Interactions, None, Some(&header)).unwrap();
        let names: Vec<_> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["USER_ID", "ITEM_ID", "TIMESTAMP"]);
    }
}
