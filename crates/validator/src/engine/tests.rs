//! The engine's contract with its observer, checked with one that counts: every well-formed
//! record is seen once, every block is merged once and in file order, for any number of threads
//! and any block size; files without a header to check get no call; and watching changes no
//! finding.

use super::observer::{FileInfo, Observer, Record};
use super::*;
use crate::schema::DatasetType;

/// Counts what the engine shows it, and keeps the records' IDs in the order blocks are merged.
#[derive(Debug, Default)]
struct Counting {
    /// (columns, dataset type) of each file, in the order `file` was called.
    files: Vec<(Vec<String>, DatasetType)>,
    /// Blocks merged.
    blocks: u64,
    /// The number in each record's ITEM_ID (`i42` → 42, else `u64::MAX`), in merge order.
    order: Vec<u64>,
}

/// One block's records, and whether the worker said it was done with the block.
#[derive(Debug, Default)]
struct CountedBlock {
    file: Option<usize>,
    ids: Vec<u64>,
    ended: bool,
}

impl Observer for Counting {
    /// The file's index in `files`.
    type File = usize;
    type Block = CountedBlock;

    fn file(&mut self, file: &FileInfo<'_>) -> usize {
        self.files.push((
            file.columns.iter().map(|c| c.name.clone()).collect(),
            file.dataset_type,
        ));
        self.files.len() - 1
    }

    fn record(file: &usize, block: &mut CountedBlock, record: &Record<'_>) {
        assert!(!block.ended, "a record after the end of its block");
        assert!(block.file.is_none_or(|f| f == *file), "one block, one file");
        block.file = Some(*file);
        let id = String::from_utf8_lossy(record.value(0));
        let n = id.strip_prefix('i').and_then(|n| n.parse().ok());
        block.ids.push(n.unwrap_or(u64::MAX));
    }

    fn end_block(_: &usize, block: &mut CountedBlock) {
        block.ended = true;
    }

    fn merge(&mut self, block: CountedBlock) {
        assert!(block.ended, "a block merged before its worker ended it");
        self.blocks += 1;
        self.order.extend(block.ids);
    }
}

const ITEMS: &str = r#"{"type":"record","name":"Items","fields":[{"name":"ITEM_ID","type":"string"},{"name":"GENRES","type":"string","categorical":true}]}"#;

fn items_schema() -> SchemaSource {
    SchemaSource::Text {
        text: ITEMS.into(),
        source: "items.json".into(),
        dataset_type: None,
        domain: None,
        accepted: false,
    }
}

/// Items `from..to` with a header, plus lines the observer must not see: a blank line, a line
/// with a field too many and one with a field too few, every 7th item. Returns the file and the
/// IDs of its well-formed records.
fn items(from: u64, to: u64) -> (Vec<u8>, Vec<u64>) {
    let mut s = String::from("ITEM_ID,GENRES\n");
    let mut ids = Vec::new();
    for i in from..to {
        s.push_str(&format!("i{i},Comedy|Drama\n"));
        ids.push(i);
        match i % 7 {
            0 => s.push('\n'),
            3 => s.push_str("x,too,many\n"),
            5 => s.push_str("too-few\n"),
            _ => {}
        }
    }
    (s.into_bytes(), ids)
}

fn options(threads: usize, block_size: usize) -> Options {
    Options {
        threads,
        block_size,
        now: 1_700_000_000,
        ..Options::default()
    }
}

#[test]
fn every_record_is_seen_once_and_blocks_merge_in_file_order() {
    let (a, a_ids) = items(0, 300);
    let (b, b_ids) = items(300, 420);
    // Blocks as the engine's reader cuts them.
    let blocks = |f: &[u8], size: usize| {
        let mut r = blocks::BlockReader::new(f, size);
        std::iter::from_fn(|| r.next_block().unwrap()).count() as u64
    };
    let inputs = [
        InputFile::from_bytes("a.csv", a.clone()),
        InputFile::from_bytes("b.csv", b.clone()),
    ];
    let want: Vec<u64> = a_ids.into_iter().chain(b_ids).collect();
    for threads in [1, 2, 3, 8] {
        for block_size in [1, 7, 64, 1000, 1 << 20] {
            let mut seen = Counting::default();
            let opts = options(threads, block_size);
            let checked = check(
                &items_schema(),
                &inputs,
                Vec::new(),
                &opts,
                &mut seen,
                Limits::Judge,
            )
            .unwrap();
            let at = format!("{threads} threads, blocks of {block_size} bytes");
            assert_eq!(seen.order, want, "{at}");
            assert_eq!(seen.files.len(), 2, "{at}");
            for f in &seen.files {
                assert_eq!(f.0, ["ITEM_ID", "GENRES"], "{at}");
                assert_eq!(f.1, DatasetType::Items, "{at}");
            }
            let records: u64 = checked.files.iter().map(|f| f.records).sum();
            assert!(
                records > want.len() as u64,
                "{at}: malformed lines are records too"
            );
            // Every block is merged once, the first of a file too (its header's block may
            // hold no record).
            let read = blocks(&a, block_size) + blocks(&b, block_size);
            assert_eq!(seen.blocks, read, "{at}");
            assert_eq!(read == 2, block_size == 1 << 20, "{at}");
        }
    }
}

#[test]
fn files_without_a_header_to_check_get_no_call() {
    let (good, ids) = items(0, 10);
    let inputs = [
        InputFile::from_bytes("empty.csv", Vec::new()),
        InputFile::from_bytes("data.csv.gz", vec![0x1F, 0x8B, 8, 0, 0, 0]),
        InputFile::from_bytes("good.csv", good),
    ];
    let mut seen = Counting::default();
    let checked = check(
        &items_schema(),
        &inputs,
        Vec::new(),
        &options(2, 64),
        &mut seen,
        Limits::Judge,
    )
    .unwrap();
    assert_eq!(seen.files.len(), 1);
    assert_eq!(seen.order, ids);
    assert_eq!(checked.files.len(), 3);

    // No schema to check against (not a record): no file is watched.
    let broken = SchemaSource::Text {
        text: "[1, 2]".into(),
        source: "broken.json".into(),
        dataset_type: None,
        domain: None,
        accepted: false,
    };
    let mut seen = Counting::default();
    let (good, _) = items(0, 10);
    let inputs = [InputFile::from_bytes("good.csv", good)];
    check(
        &broken,
        &inputs,
        Vec::new(),
        &options(1, 64),
        &mut seen,
        Limits::Judge,
    )
    .unwrap();
    assert!(seen.files.is_empty());
    assert!(seen.order.is_empty());
    assert_eq!(seen.blocks, 0);
}

#[test]
fn watching_changes_no_finding() {
    // Duplicate IDs, a wrong field count, a blank line: dataset-, row- and line-level findings.
    let mut data = items(0, 50).0;
    data.extend_from_slice(b"i3,Comedy\ni\"x,Drama\n");
    let inputs = [InputFile::from_bytes("a.csv", data)];
    for threads in [1, 2] {
        let opts = options(threads, 100);
        let plain = validate(&items_schema(), &inputs, Vec::new(), &opts).unwrap();
        let mut seen = Counting::default();
        let watched = check(
            &items_schema(),
            &inputs,
            Vec::new(),
            &opts,
            &mut seen,
            Limits::Judge,
        )
        .unwrap()
        .into_report();
        assert!(!plain.diagnostics.is_empty());
        assert_eq!(plain, watched, "{threads} threads");
    }
}
