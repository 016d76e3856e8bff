//! Arbitrary bytes as a schema file: the loader (three JSON shapes) and the schema checks, as
//! `preflight schema check` and `--schema` run them. It must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use preflight_validator::schema::{check_schema, load_schema};
use preflight_validator::{check_schema_source, DatasetType, Policy, SchemaSource};

fuzz_target!(|data: &[u8]| {
    // The CLI reads the file as UTF-8 and reports anything else before the loader sees it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let forced = match data.first().map(|b| b % 4) {
        Some(1) => Some(DatasetType::Items),
        Some(2) => Some(DatasetType::Interactions),
        _ => None,
    };
    if let Ok(loaded) = load_schema(text, "fuzz.json", forced, None) {
        if let Some(s) = loaded.schema {
            let _ = check_schema(&s, text);
        }
    }
    let source = SchemaSource::Text {
        text: text.to_string(),
        source: "fuzz.json".into(),
        dataset_type: forced,
        domain: None,
        accepted: false,
    };
    let _ = check_schema_source(&source, Policy::default());
});
