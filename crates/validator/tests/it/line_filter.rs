//! The line filter (`Options::lines`, behind `--changed-since`): row-level findings only on the
//! selected lines, not counted elsewhere (so they do not use up the per-rule cap), the same
//! for any thread count and block size; file-, header- and dataset-level findings unchanged.

use std::collections::HashMap;

use preflight_validator::{
    validate, DatasetType, InputFile, LineSet, Options, Report, SchemaSource,
};
use proptest::prelude::*;

/// A header, then `bad` rows with millisecond timestamps (PF215), then `good` good rows, then
/// two more bad rows and a blank line. 1-based line numbers: header 1, first bad rows 2..,
/// the last two bad rows and the blank line at the end.
fn data(bad: usize, good: usize) -> Vec<u8> {
    let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP\n");
    for i in 0..bad {
        s.push_str(&format!("u{i},i{i},{}\n", 1_596_238_243_000u64 + i as u64));
    }
    for i in 0..good {
        s.push_str(&format!("u{i},i{i},{}\n", 1_596_238_243u64 + i as u64));
    }
    s.push_str("u1,i1,1596238243999\nu2,i2,1596238244999\n\n");
    s.into_bytes()
}

fn run(data: &[u8], lines: Option<LineSet>, threads: usize, block_size: usize) -> Report {
    let schema = SchemaSource::Builtin {
        dataset_type: DatasetType::Interactions,
        domain: None,
    };
    let inputs = [InputFile::from_bytes("t.csv", data.to_vec())];
    let mut filter = HashMap::new();
    if let Some(l) = lines {
        filter.insert("t.csv".to_string(), l);
    }
    let opts = Options {
        threads,
        block_size,
        now: 1_700_000_000,
        lines: filter,
        ..Options::default()
    };
    validate(&schema, &inputs, Vec::new(), &opts).expect("in-memory input")
}

fn found(r: &Report, code: &str) -> Vec<u64> {
    r.diagnostics
        .iter()
        .filter(|d| d.rule.code == code)
        .map(|d| d.location.line.unwrap_or(0))
        .collect()
}

fn total(r: &Report, code: &str) -> u64 {
    r.rules
        .iter()
        .find(|c| c.code == code)
        .map_or(0, |c| c.total)
}

#[test]
fn findings_outside_the_lines_are_neither_shown_nor_counted() {
    // 100 old bad rows fill the per-rule cap (20) many times over; the 2 new ones must still show.
    let d = data(100, 50);
    let last = 1 + 100 + 50;
    let changed = LineSet::from_ranges([last + 1..=last + 3]);
    for (threads, block) in [(1, 1 << 20), (1, 97), (2, 97), (4, 333)] {
        let r = run(&d, Some(changed.clone()), threads, block);
        assert_eq!(
            found(&r, "PF215"),
            vec![last + 1, last + 2],
            "threads {threads}, block {block}"
        );
        assert_eq!(total(&r, "PF215"), 2);
        assert_eq!(found(&r, "PF006"), vec![last + 3], "the blank line is new");
        // The dataset-level check still sees all 152 records: fewer than 1,000 is an error.
        assert_eq!(total(&r, "PF301"), 1);
        assert_eq!(r.summary.records, 152);
    }
    // Without a filter: every bad row counts, the first 20 are shown.
    let r = run(&d, None, 2, 97);
    assert_eq!(total(&r, "PF215"), 102);
    assert_eq!(found(&r, "PF215").len(), 20);
}

#[test]
fn an_empty_set_mutes_every_row_finding_but_not_file_level_ones() {
    let mut d = b"user_id,ITEM_ID,TIMESTAMP\r\n".to_vec();
    d.extend_from_slice(&data(10, 0)[26..]);
    let r = run(&d, Some(LineSet::empty()), 2, 64);
    assert_eq!(total(&r, "PF215"), 0);
    assert_eq!(total(&r, "PF006"), 0);
    assert_eq!(total(&r, "PF104"), 1, "header findings stay");
    assert_eq!(total(&r, "PF005"), 1, "the CRLF summary stays");
    assert_eq!(total(&r, "PF301"), 1, "dataset findings stay");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Exactly the bad lines in the set are reported (the first 20 shown), for any set, thread
    /// count and block size.
    #[test]
    fn exactly_the_bad_lines_in_the_set(
        bad in 0usize..60,
        good in 0usize..60,
        picks in proptest::collection::vec((1u64..130, 0u64..4), 0..6),
        threads in 1usize..4,
        block in 16usize..400,
    ) {
        let d = data(bad, good);
        let set = LineSet::from_ranges(picks.iter().map(|&(s, n)| s..=s + n));
        let r = run(&d, Some(set.clone()), threads, block);
        let last = 1 + bad as u64 + good as u64;
        let bad_lines: Vec<u64> = (2..2 + bad as u64)
            .chain([last + 1, last + 2])
            .filter(|l| set.contains(*l))
            .collect();
        prop_assert_eq!(total(&r, "PF215"), bad_lines.len() as u64);
        prop_assert_eq!(found(&r, "PF215"), bad_lines.into_iter().take(20).collect::<Vec<_>>());
        prop_assert_eq!(total(&r, "PF006"), u64::from(set.contains(last + 3)));
        prop_assert_eq!(r.summary.records, bad as u64 + good as u64 + 2);
    }
}
