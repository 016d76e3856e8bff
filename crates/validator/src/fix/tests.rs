use std::sync::atomic::AtomicBool;

use proptest::prelude::*;

use super::*;

const INTERACTIONS: &str = r#"{"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"EVENT_TYPE","type":"string"},{"name":"TIMESTAMP","type":"long"}],"version":"1.0"}"#;
const ITEMS: &str = r#"{"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"ITEM_ID","type":"string"},{"name":"GENRE","type":"string","categorical":true}],"version":"1.0"}"#;

fn schema(text: &str) -> SchemaSource {
    SchemaSource::Text {
        text: text.into(),
        source: "schema.json".into(),
        dataset_type: None,
        domain: None,
        accepted: false,
    }
}

fn run(text: &str, input: &[u8], unsafe_fixes: bool, block_size: usize) -> (Vec<u8>, FixSummary) {
    run_on(text, input, unsafe_fixes, block_size, 2)
}

fn run_on(
    text: &str,
    input: &[u8],
    unsafe_fixes: bool,
    block_size: usize,
    threads: usize,
) -> (Vec<u8>, FixSummary) {
    let mut out = Vec::new();
    let opts = FixOptions {
        unsafe_fixes,
        threads,
        block_size,
        ..FixOptions::default()
    };
    let summary = fix(
        &schema(text),
        &InputFile::from_bytes("in.csv", input.to_vec()),
        &mut out,
        &std::env::temp_dir(),
        &opts,
        &AtomicBool::new(false),
    )
    .expect("fix runs");
    (out, summary)
}

fn codes(s: &FixSummary) -> Vec<&'static str> {
    s.changes.iter().map(|c| c.rule.code).collect()
}

#[test]
fn safe_fixes_change_only_the_form() {
    let input = b"\xEF\xBB\xBF\"user_id\",ITEM_ID,TIMESTAMP,EVENT_TYPE\r\nu1,i1,1596238243.0,click\r\n\r\nu2,\"say \"\"hi\"\"\",1596238244,view\n";
    let (out, s) = run(INTERACTIONS, input, false, 1 << 20);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\nu1,i1,click,1596238243\nu2,\"say \\\"hi\\\"\",view,1596238244\n"
    );
    assert_eq!(
        codes(&s),
        ["PF005", "PF006", "PF102", "PF103", "PF104", "PF107", "PF203", "PF207"]
    );
    assert_eq!((s.records_in, s.records_out, s.dropped()), (3, 2, 1));
    let blank = s.changes.iter().find(|c| c.rule.code == "PF006").unwrap();
    assert_eq!(blank.examples[0].line, 3);
    assert_eq!(blank.examples[0].after, None);
}

#[test]
fn unsafe_fixes_wait_for_the_flag() {
    let input = b"USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\n u1 ,i1,click,1596238243000\nu1,i1,Click,1596238243\nu2,i2,click,1596238250\n";
    let (out, s) = run(INTERACTIONS, input, false, 1 << 20);
    assert_eq!(out, input);
    assert!(s.changes.is_empty());
    assert_eq!(
        s.unsafe_available
            .iter()
            .map(|(r, n)| (r.code, *n))
            .collect::<Vec<_>>(),
        [("PF215", 1), ("PF224", 1)]
    );
    let (out, s) = run(INTERACTIONS, input, true, 1 << 20);
    // Trimmed and in seconds, the first record is the second once `Click` is `click`: the
    // duplicate is dropped, keeping the last.
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\nu1,i1,click,1596238243\nu2,i2,click,1596238250\n"
    );
    assert_eq!(codes(&s), ["PF215", "PF224", "PF305", "PF308"]);
    assert_eq!((s.records_in, s.records_out, s.dropped()), (3, 2, 1));
}

#[test]
fn repeated_ids_keep_the_last() {
    let input = b"ITEM_ID,GENRE\ni1,a\ni2,b\ni1,c\n";
    let (out, s) = run(ITEMS, input, true, 1 << 20);
    assert_eq!(out, b"ITEM_ID,GENRE\ni2,b\ni1,c\n");
    let c = &s.changes[0];
    assert_eq!(
        (c.rule.code, c.dropped, c.examples[0].line),
        ("PF307", 1, 2)
    );
}

#[test]
fn a_rule_turned_off_is_not_fixed() {
    let mut policy = Policy::default();
    policy.levels.insert("PF005", crate::diagnostic::Level::Off);
    let opts = FixOptions {
        policy,
        ..FixOptions::default()
    };
    let input = b"ITEM_ID,GENRE\r\ni1,a\r\n";
    let mut out = Vec::new();
    let s = fix(
        &schema(ITEMS),
        &InputFile::from_bytes("in.csv", input.to_vec()),
        &mut out,
        &std::env::temp_dir(),
        &opts,
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(out, input);
    assert!(s.changes.is_empty());
}

#[test]
fn lines_that_do_not_split_keep_their_bytes() {
    let input = b"ITEM_ID,GENRE\ni1,\"open\ni2\ni3,a,b\n";
    let (out, s) = run(ITEMS, input, true, 1 << 20);
    assert_eq!(out, input);
    assert_eq!((s.records_in, s.records_out), (3, 3));
}

#[test]
fn a_file_that_is_not_csv_is_copied() {
    let input = b"\x1f\x8b\x08\x00gzip";
    let (out, s) = run(ITEMS, input, true, 1 << 20);
    assert_eq!(out, input);
    assert!(s.not_csv);
}

#[test]
fn cancelled_between_blocks() {
    let input = b"ITEM_ID,GENRE\ni1,a\n";
    let mut out = Vec::new();
    let r = fix(
        &schema(ITEMS),
        &InputFile::from_bytes("in.csv", input.to_vec()),
        &mut out,
        &std::env::temp_dir(),
        &FixOptions::default(),
        &AtomicBool::new(true),
    );
    assert!(matches!(r, Err(FixError::Interrupted)));
}

/// A valid interactions line: IDs and event types of safe characters, seconds.
fn valid_record() -> impl Strategy<Value = String> {
    (
        "[a-z0-9]{1,8}",
        "[a-z0-9]{1,8}",
        prop::sample::select(vec!["click", "view", "purchase"]),
        1_000_000_000i64..1_700_000_000,
    )
        .prop_map(|(u, i, e, t)| format!("{u},{i},{e},{t}\n"))
}

/// Anything a messy export holds: valid lines, CRLF, blank lines, BOM, doubled quotes,
/// milliseconds, padded IDs, decimals, event type variants, duplicates, broken quotes.
fn messy_line() -> impl Strategy<Value = String> {
    prop_oneof![
        valid_record(),
        valid_record().prop_map(|l| l.replace('\n', "\r\n")),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("u1,\"say \"\"hi\"\"\",click,1596238243\n".to_string()),
        Just("u1,i1,click,1596238243000\n".to_string()),
        Just(" u1 ,i1,Click,1596238243.0\n".to_string()),
        Just("u1,i1,click ,1596238243\n".to_string()),
        Just("u1,\"open,click,1\n".to_string()),
        Just("u1,i1\n".to_string()),
        Just("u1,\"a\"\"b, c\",view,1596238243\n".to_string()),
        "[ -~]{0,20}\n",
    ]
}

fn header() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\n",
        "\u{feff}USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\r\n",
        "user_id,\"ITEM_ID\",TIMESTAMP,EVENT_TYPE\n",
        "ITEM_ID,USER_ID,EVENT_TYPE,TIMESTAMP,EXTRA\n",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_valid_file_is_left_as_it_is(
        lines in prop::collection::vec(valid_record(), 0..60),
        block in 16usize..400,
        unsafe_fixes: bool,
    ) {
        let input = format!("USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\n{}", lines.concat());
        let mut dedup = std::collections::HashSet::new();
        // Exact duplicates are a finding (PF308) the unsafe fixes repair: not a valid file.
        prop_assume!(!unsafe_fixes || lines.iter().all(|l| dedup.insert(l.clone())));
        let (out, s) = run(INTERACTIONS, input.as_bytes(), unsafe_fixes, block);
        prop_assert_eq!(String::from_utf8(out).unwrap(), input);
        prop_assert!(s.changes.is_empty());
    }

    #[test]
    fn fixing_twice_is_fixing_once(
        head in header(),
        lines in prop::collection::vec(messy_line(), 0..40),
        block in 16usize..400,
        unsafe_fixes: bool,
    ) {
        let input = format!("{head}{}", lines.concat());
        let (once, _) = run(INTERACTIONS, input.as_bytes(), unsafe_fixes, block);
        let (twice, s) = run(INTERACTIONS, &once, unsafe_fixes, block);
        prop_assert_eq!(
            String::from_utf8_lossy(&twice),
            String::from_utf8_lossy(&once),
            "second run changed {:?}",
            s.changes
        );
    }

    /// The output and the report (counts, and the input lines of the examples, which the
    /// dataset fixes find from each record's block) do not depend on how the file is cut into
    /// blocks or on the number of workers.
    #[test]
    fn the_result_does_not_depend_on_blocks_or_threads(
        head in header(),
        lines in prop::collection::vec(messy_line(), 0..60),
        block in 16usize..300,
        threads in 1usize..4,
    ) {
        let input = format!("{head}{}", lines.concat());
        let whole = run_on(INTERACTIONS, input.as_bytes(), true, 1 << 20, 1);
        let cut = run_on(INTERACTIONS, input.as_bytes(), true, block, threads);
        prop_assert_eq!(String::from_utf8_lossy(&cut.0), String::from_utf8_lossy(&whole.0));
        prop_assert_eq!(cut.1, whole.1);
    }

    #[test]
    fn records_out_are_records_in_less_the_dropped(
        head in header(),
        lines in prop::collection::vec(messy_line(), 0..40),
        unsafe_fixes: bool,
    ) {
        let input = format!("{head}{}", lines.concat());
        let (out, s) = run(INTERACTIONS, input.as_bytes(), unsafe_fixes, 64);
        prop_assert_eq!(s.records_out, s.records_in - s.dropped());
        let written = out.iter().filter(|&&b| b == b'\n').count() as u64;
        prop_assert_eq!(written, s.records_out + 1);
    }
}

#[test]
fn the_fixer_knows_every_rule_that_declares_a_fix() {
    let declared: Vec<&str> = crate::rules::ALL
        .iter()
        .filter(|r| r.fix.is_some())
        .map(|r| r.code)
        .collect();
    let driven: Vec<&str> = FIXABLE.iter().map(|r| r.code).collect();
    assert_eq!(declared, driven);
}
