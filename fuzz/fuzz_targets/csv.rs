//! Arbitrary bytes as a CSV file, checked through `validate` (the entry `preflight validate`
//! uses) against a fixed schema. The first byte picks the schema (interactions, items, users,
//! or a built-in adapted to the header) and the block size, so block splitting is exercised
//! as well; the rest is the file. It must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use preflight_validator::{validate, DatasetType, InputFile, Options, SchemaSource};

const INTERACTIONS: &str = r#"{"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"EVENT_TYPE","type":"string"},{"name":"EVENT_VALUE","type":["null","float"]}],"version":"1.0"}"#;
const ITEMS: &str = r#"{"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"ITEM_ID","type":"string"},{"name":"PRICE","type":"float"},{"name":"GENRES","type":["null","string"],"categorical":true},{"name":"DESCRIPTION","type":["null","string"],"textual":true},{"name":"CREATION_TIMESTAMP","type":"long"}],"version":"1.0"}"#;
const USERS: &str = r#"{"type":"record","name":"Users","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"USER_ID","type":"string"},{"name":"AGE","type":["null","int"]},{"name":"MEMBER","type":"boolean"},{"name":"TIER","type":["null","string"],"categorical":true}],"version":"1.0"}"#;

fn text(t: &str) -> SchemaSource {
    SchemaSource::Text {
        text: t.into(),
        source: "schema.json".into(),
        dataset_type: None,
        domain: None,
        accepted: false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, csv)) = data.split_first() else {
        return;
    };
    let schema = match selector & 3 {
        0 => text(INTERACTIONS),
        1 => text(ITEMS),
        2 => text(USERS),
        _ => SchemaSource::Builtin {
            dataset_type: DatasetType::Interactions,
            domain: None,
        },
    };
    // 8 MiB (the CLI's default) or a small block, so a file spans several blocks.
    let block_size = if selector & 4 == 0 {
        8 << 20
    } else {
        16 << (selector >> 5)
    };
    let opts = Options {
        threads: 1,
        block_size,
        now: 1_700_000_000,
        ..Options::default()
    };
    let inputs = [InputFile::from_bytes("fuzz.csv", csv.to_vec())];
    let _ = validate(&schema, &inputs, Vec::new(), &opts);
});
