//! Arbitrary JSON to the schema loader and checker: never a panic.

use preflight_validator::schema::{check_schema, load_schema};
use proptest::prelude::*;
use serde_json::Value;

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just("record".to_string()),
            Just("string".to_string()),
            Just("long".to_string()),
            Just("null".to_string()),
            Just("USER_ID".to_string()),
            Just("Interactions".to_string()),
            Just("ECOMMERCE".to_string()),
            "[A-Za-z_]{0,8}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        Just("type".to_string()),
                        Just("name".to_string()),
                        Just("fields".to_string()),
                        Just("schema".to_string()),
                        Just("domain".to_string()),
                        Just("categorical".to_string()),
                        Just("textual".to_string()),
                        "[a-z]{1,6}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(v in json()) {
        let text = v.to_string();
        if let Ok(loaded) = load_schema(&text, "fuzz.json", None, None) {
            if let Some(s) = loaded.schema {
                let _ = check_schema(&s, &text);
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = load_schema(&text, "fuzz.json", None, None);
    }
}
