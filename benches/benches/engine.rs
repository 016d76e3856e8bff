//! Micro-benchmarks of the parser, the value rules and the whole engine on generated data.
//! `cargo bench -p preflight-benches`

use preflight_validator::dialect::{split_line, Fields};
use preflight_validator::values::{parse_float, parse_int};
use preflight_validator::{validate, DatasetType, InputFile, Options, SchemaSource};

fn main() {
    divan::main();
}

fn interactions(rows: usize) -> Vec<u8> {
    let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n");
    for i in 0..rows {
        s.push_str(&format!(
            "user_{:07},item_{:06},{},click,{}.{}\n",
            i * 7919 % 1_000_000,
            i * 104_729 % 100_000,
            1_590_000_000 + i,
            i % 10,
            i % 100
        ));
    }
    s.into_bytes()
}

#[divan::bench]
fn split_plain_line(b: divan::Bencher) {
    let line = b"user_0012345,item_004567,1596238243,click,3.25";
    let mut f = Fields::default();
    b.counter(divan::counter::BytesCount::new(line.len()))
        .bench_local(|| {
            split_line(divan::black_box(line), &mut f);
            f.len()
        });
}

#[divan::bench]
fn split_quoted_line(b: divan::Bencher) {
    let line =
        br#"item_0000001,1590000000,Action|Drama,12.50,"A title, with \"quotes\" and commas""#;
    let mut f = Fields::default();
    b.counter(divan::counter::BytesCount::new(line.len()))
        .bench_local(|| {
            split_line(divan::black_box(line), &mut f);
            f.len()
        });
}

#[divan::bench]
fn parse_long(b: divan::Bencher) {
    b.bench_local(|| parse_int(divan::black_box(b"1596238243"), 64));
}

#[divan::bench]
fn parse_float_value(b: divan::Bencher) {
    b.bench_local(|| parse_float(divan::black_box(b"123.25"), false));
}

#[divan::bench(args = [1, 2])]
fn validate_interactions_10mb(b: divan::Bencher, threads: usize) {
    let data = interactions(220_000);
    let schema = SchemaSource::Builtin {
        dataset_type: DatasetType::Interactions,
        domain: None,
    };
    let opts = Options {
        threads,
        ..Options::default()
    };
    b.counter(divan::counter::BytesCount::new(data.len()))
        .bench_local(|| {
            let inputs = [InputFile::from_bytes("b.csv", data.clone())];
            validate(&schema, &inputs, Vec::new(), &opts)
                .unwrap()
                .summary
                .records
        });
}
