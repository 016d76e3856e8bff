//! Arbitrary existing/new pairs through `plan` (what `preflight plan` runs). The input is
//! `selector ‖ existing ‖ 0xFF ‖ new`: the selector picks the schema (items, interactions,
//! users), the mode, whether the merged and de-duplicated files are written and (without
//! existing data) whether the dataset is known to be empty or unknown; the first
//! 0xFF byte splits existing data from the new batch. It must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use preflight_validator::{plan, Existing, InputFile, Mode, Options, PlanOptions, SchemaSource};

const INTERACTIONS: &str = r#"{"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"EVENT_TYPE","type":"string"},{"name":"EVENT_VALUE","type":["null","float"]}],"version":"1.0"}"#;
const ITEMS: &str = r#"{"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"ITEM_ID","type":"string"},{"name":"PRICE","type":"float"},{"name":"GENRES","type":["null","string"],"categorical":true}],"version":"1.0"}"#;
const USERS: &str = r#"{"type":"record","name":"Users","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"USER_ID","type":"string"},{"name":"AGE","type":["null","int"]},{"name":"TIER","type":["null","string"],"categorical":true}],"version":"1.0"}"#;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let schema_text = match selector % 3 {
        0 => ITEMS,
        1 => INTERACTIONS,
        _ => USERS,
    };
    let schema = SchemaSource::Text {
        text: schema_text.into(),
        source: "schema.json".into(),
        dataset_type: None,
        domain: None,
        accepted: false,
    };
    let (existing, new) = match rest.iter().position(|&b| b == 0xFF) {
        Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
        None => (None, rest),
    };
    let mode = if selector & 4 == 0 {
        Mode::Incremental
    } else {
        Mode::Full
    };
    let opts = Options {
        threads: 1,
        block_size: if selector & 8 == 0 { 8 << 20 } else { 64 },
        now: 1_700_000_000,
        ..Options::default()
    };
    let mut plan_opts = PlanOptions::new(mode);
    // A small join chunk, so existing data is joined in several passes.
    plan_opts.chunk_bytes = if selector & 16 == 0 { 256 << 20 } else { 32 };
    let dir = if selector & 32 != 0 {
        tempfile::tempdir().ok()
    } else {
        None
    };
    if let Some(d) = &dir {
        plan_opts.write_merged = Some(d.path().join("merged.csv"));
        plan_opts.write_deduped = Some(d.path().join("deduped.csv"));
    }
    let new = [InputFile::from_bytes("new.csv", new.to_vec())];
    let existing = existing.map(|e| vec![InputFile::from_bytes("existing.csv", e.to_vec())]);
    let _ = plan(
        &schema,
        &new,
        Vec::new(),
        // Without existing data: a dataset known to be empty, or unknown.
        existing.as_deref().map_or(
            if selector & 64 == 0 {
                Existing::Empty
            } else {
                Existing::Unknown
            },
            Existing::Given,
        ),
        &opts,
        &plan_opts,
    );
});
