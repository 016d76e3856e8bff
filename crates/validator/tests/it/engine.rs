//! Engine properties: never a panic on arbitrary input, and the same report for any thread
//! count and any block size (blocks that split a multi-byte character or a `\r\n` included).

use preflight_validator::{validate, DatasetType, InputFile, Options, Report, SchemaSource};
use proptest::prelude::*;

fn run(data: &[u8], threads: usize, block_size: usize) -> Report {
    let schema = SchemaSource::Builtin {
        dataset_type: DatasetType::Interactions,
        domain: None,
    };
    let inputs = [InputFile::from_bytes("t.csv", data.to_vec())];
    let opts = Options {
        threads,
        block_size,
        now: 1_700_000_000,
        ..Options::default()
    };
    validate(&schema, &inputs, Vec::new(), &opts).expect("in-memory input cannot fail to read")
}

/// CSV-like bytes: the characters that matter to the parser, in any order.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\\".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"|".to_vec()),
        Just("é".as_bytes().to_vec()),
        Just("日本".as_bytes().to_vec()),
        Just(vec![0xFF]),
        Just(vec![0]),
        Just(b"1596238243".to_vec()),
        Just(b"1596238243000".to_vec()),
        Just(b"u1".to_vec()),
        Just(b"click".to_vec()),
        Just(b"1.5".to_vec()),
        "[a-z0-9 ]{0,6}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec(piece, 0..80).prop_map(|v| {
        let mut out = b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n".to_vec();
        out.extend(v.concat());
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        run(&data, 1, 64);
    }

    #[test]
    fn same_report_for_any_threads_and_block_size(data in csvish(), block in 1usize..300) {
        let reference = run(&data, 1, 1 << 20);
        prop_assert_eq!(&run(&data, 1, block), &reference);
        prop_assert_eq!(&run(&data, 2, block), &reference);
        prop_assert_eq!(&run(&data, 3, block), &reference);
    }
}

#[test]
fn blocks_split_inside_multibyte_characters_and_crlf() {
    // A file where every block boundary candidate falls inside `é` or between `\r` and `\n`.
    let mut data = b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\r\n".to_vec();
    for i in 0..300 {
        data.extend_from_slice(
            format!("usér{i},ïtem{},{},clïck\r\n", i % 7, 1_596_238_243 + i).as_bytes(),
        );
    }
    let reference = run(&data, 1, 1 << 20);
    assert_eq!(reference.summary.records, 300);
    assert_eq!(
        reference
            .rules
            .iter()
            .find(|c| c.code == "PF005")
            .map(|c| c.total),
        Some(1)
    );
    for block in [1, 2, 3, 5, 7, 13, 64, 1000] {
        assert_eq!(run(&data, 2, block), reference, "block size {block}");
    }
}

#[test]
fn line_numbers_stay_exact_across_blocks() {
    let mut data = b"USER_ID,ITEM_ID,TIMESTAMP\n".to_vec();
    for i in 0..2000u64 {
        let ts = if i % 500 == 0 {
            "1596238243000".to_string()
        } else {
            (1_596_238_243 + i).to_string()
        };
        data.extend_from_slice(format!("u{},i{i},{ts}\n", i % 40).as_bytes());
    }
    let report = run(&data, 2, 97);
    let lines: Vec<u64> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "PF215")
        .filter_map(|d| d.location.line)
        .collect();
    assert_eq!(lines, [2, 502, 1002, 1502]);
    let bytes: Vec<u64> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "PF215")
        .filter_map(|d| d.location.byte)
        .collect();
    for (line, byte) in lines.iter().zip(bytes) {
        // The byte offset points at the timestamp value of that line.
        let start = data
            .split(|&b| b == b'\n')
            .take(*line as usize - 1)
            .map(|l| l.len() + 1)
            .sum::<usize>();
        let line_text = &data[start..];
        let ts_at = line_text
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b',')
            .nth(1)
            .unwrap()
            .0
            + 1;
        assert_eq!(byte as usize, start + ts_at);
    }
}
