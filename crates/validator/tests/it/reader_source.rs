//! `Source::Reader`: any blocking reader (an S3 object streamed by the CLI) goes through the
//! same engine as bytes and files, with the same report, and is read once.

use preflight_validator::{validate, DatasetType, InputFile, Options, SchemaSource};

fn csv() -> Vec<u8> {
    let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP\n");
    for i in 0..1500u64 {
        let ts = if i == 700 {
            1_596_238_243_000
        } else {
            1_596_238_243 + i
        };
        s.push_str(&format!("u{},i{},{ts}\n", i % 300, i % 97));
    }
    s.into_bytes()
}

/// A reader that hands out at most 7 bytes per call, like a network stream.
struct Trickle(std::io::Cursor<Vec<u8>>);
impl std::io::Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(7);
        self.0.read(&mut buf[..n])
    }
}

#[test]
fn a_reader_gives_the_same_report_as_bytes() {
    let schema = SchemaSource::Builtin {
        dataset_type: DatasetType::Interactions,
        domain: None,
    };
    let opts = Options {
        threads: 2,
        block_size: 4096,
        now: 1_700_000_000,
        ..Options::default()
    };
    let bytes = validate(
        &schema,
        &[InputFile::from_bytes("s3://b/a.csv", csv())],
        Vec::new(),
        &opts,
    )
    .unwrap();
    let reader = InputFile::from_reader("s3://b/a.csv", Trickle(std::io::Cursor::new(csv())), None);
    let streamed = validate(&schema, &[reader], Vec::new(), &opts).unwrap();
    assert_eq!(streamed, bytes);
    assert!(
        streamed.summary.errors > 0,
        "the millisecond timestamp is found"
    );
    assert_eq!(streamed.files[0].records, 1500);
}

#[test]
fn a_reader_can_be_read_only_once() {
    let input = InputFile::from_reader("r", std::io::Cursor::new(csv()), Some(10));
    assert!(input.open().is_ok());
    assert!(input.open().is_err());
}
