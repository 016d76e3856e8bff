//! `plan()`: every semantic rule on small hand-made existing/new pairs whose expected counts
//! are written by hand; the 1,500-rows-with-600-copies case; the merged file round-tripping
//! through `validate` with the plan's row count (a property test against a naive model); and
//! the same plan for any thread count, block size and chunk size.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use preflight_validator::{
    plan, validate, Existing, ExistingState, InputFile, Level, Mode, Options, Plan, PlanOptions,
    Policy, Report, SchemaSource, Severity,
};
use proptest::prelude::*;

const ITEMS_SCHEMA: &str = r#"{"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"ITEM_ID","type":"string"},{"name":"PRICE","type":"float"},{"name":"GENRES","type":["null","string"],"categorical":true}],"version":"1.0"}"#;
const INTERACTIONS_SCHEMA: &str = r#"{"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"EVENT_TYPE","type":"string"},{"name":"EVENT_VALUE","type":["null","float"]}],"version":"1.0"}"#;
const USERS_SCHEMA: &str = r#"{"type":"record","name":"Users","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"USER_ID","type":"string"},{"name":"AGE","type":["null","int"]},{"name":"TIER","type":["null","string"],"categorical":true}],"version":"1.0"}"#;

fn schema(text: &str) -> SchemaSource {
    SchemaSource::Text {
        text: text.into(),
        source: "schema.json".into(),
        dataset_type: None,
        domain: None,
        accepted: false,
    }
}

fn files(prefix: &str, contents: &[&str]) -> Vec<InputFile> {
    contents
        .iter()
        .enumerate()
        .map(|(i, c)| InputFile::from_bytes(&format!("{prefix}{i}.csv"), c.as_bytes().to_vec()))
        .collect()
}

fn opts(threads: usize, block_size: usize) -> Options {
    Options {
        threads,
        block_size,
        now: 1_700_000_000,
        ..Options::default()
    }
}

struct Run {
    report: Report,
    plan: Plan,
    merged: String,
    deduped: String,
}

impl Run {
    fn codes(&self, severity: Severity) -> Vec<&'static str> {
        self.report
            .rules
            .iter()
            .filter(|r| r.severity == severity)
            .map(|r| r.code)
            .collect()
    }
}

/// Plans `new` against `existing` (None: a dataset known to be empty), writing both output
/// files.
fn run_plan(
    schema_text: &str,
    existing: Option<&[&str]>,
    new: &[&str],
    mode: Mode,
    tune: impl FnOnce(&mut Options, &mut PlanOptions),
) -> Run {
    let existing = existing.map(|e| files("existing", e));
    run_plan_on(
        schema_text,
        existing.as_deref().map_or(Existing::Empty, Existing::Given),
        new,
        mode,
        tune,
    )
}

/// Plans `new` against what is known of the existing data.
fn run_plan_on(
    schema_text: &str,
    existing: Existing<'_>,
    new: &[&str],
    mode: Mode,
    tune: impl FnOnce(&mut Options, &mut PlanOptions),
) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(2, 8 << 20);
    let mut p = PlanOptions::new(mode);
    p.write_merged = Some(dir.path().join("merged.csv"));
    p.write_deduped = Some(dir.path().join("deduped.csv"));
    tune(&mut o, &mut p);
    let (report, plan) = plan(
        &schema(schema_text),
        &files("new", new),
        Vec::new(),
        existing,
        &o,
        &p,
    )
    .expect("the plan runs");
    let plan = plan.expect("a plan");
    let read = |p: &Option<std::path::PathBuf>| {
        p.as_deref()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .unwrap_or_default()
    };
    Run {
        merged: read(&p.write_merged),
        deduped: read(&p.write_deduped),
        report,
        plan,
    }
}

// -------------------------------------------------------------------------------------------
// Items, users, actions: keyed by ID.

const ITEMS_EXISTING: &str = "ITEM_ID,PRICE,GENRES\ni1,1.0,A\ni2,2.0,B\ni3,3.0,C\ni4,4.0,D\n";
/// i2 unchanged (2.00 = 2.0 as a float), i3 replaced, i5 added, i6 twice (the last wins).
const ITEMS_NEW: &str = "ITEM_ID,PRICE,GENRES\ni2,2.00,B\ni3,3.5,C\ni5,5.0,E\ni6,6.0,F\ni6,6.5,F\n";

#[test]
fn items_incremental_added_replaced_unchanged() {
    let r = run_plan(
        ITEMS_SCHEMA,
        Some(&[ITEMS_EXISTING]),
        &[ITEMS_NEW],
        Mode::Incremental,
        |_, _| {},
    );
    let p = &r.plan;
    assert_eq!(p.identity, "ITEM_ID");
    assert_eq!(p.batch.records, 5);
    assert_eq!(p.batch.distinct, 4);
    assert_eq!(
        p.batch.duplicates, 1,
        "the first i6 is superseded by the second"
    );
    assert_eq!(p.added, 2, "i5 and i6");
    assert_eq!(p.replaced, 1, "i3");
    assert_eq!(p.unchanged, 1, "i2");
    assert_eq!(p.new, 2);
    assert_eq!(p.collapsed, 1);
    assert_eq!(p.dropped, 0, "INCREMENTAL drops nothing");
    assert_eq!(p.superseded, 2, "the existing i2 and i3");
    assert_eq!(
        p.result_records, 6,
        "i1 i4 kept, i2 i3 i5 i6 from the batch"
    );
    assert_eq!(p.existing.as_ref().unwrap().records, 4);
    assert_eq!(
        r.merged,
        "ITEM_ID,PRICE,GENRES\ni1,1.0,A\ni4,4.0,D\ni2,2.00,B\ni3,3.5,C\ni5,5.0,E\ni6,6.5,F\n"
    );
    assert_eq!(
        r.deduped,
        "ITEM_ID,PRICE,GENRES\ni2,2.00,B\ni3,3.5,C\ni5,5.0,E\ni6,6.5,F\n"
    );
    // The in-batch duplicate is reported; no gate fails.
    assert_eq!(r.codes(Severity::Warning), vec!["PF307"]);
    assert!(r.codes(Severity::Error).is_empty(), "{:?}", r.report.rules);
}

#[test]
fn items_full_drops_what_the_batch_lacks() {
    let r = run_plan(
        ITEMS_SCHEMA,
        Some(&[ITEMS_EXISTING]),
        &[ITEMS_NEW],
        Mode::Full,
        |_, _| {},
    );
    let p = &r.plan;
    assert_eq!((p.added, p.replaced, p.unchanged), (2, 1, 1));
    assert_eq!(p.dropped, 2, "i1 and i4");
    let sample: Vec<(Option<&str>, u64)> = p
        .dropped_sample
        .iter()
        .map(|d| (d.id.as_deref(), d.line))
        .collect();
    assert_eq!(sample, vec![(Some("i1"), 2), (Some("i4"), 5)]);
    assert_eq!(p.result_records, 4);
    assert_eq!(
        r.merged, r.deduped,
        "after FULL the dataset is the deduplicated batch"
    );
    // Dropping is a warning (PF313) that names the first dropped IDs.
    let d = r
        .report
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "PF313")
        .unwrap();
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.message.contains("drops 2 of the 4"), "{}", d.message);
    assert!(d.message.contains("`i1`, `i4`"), "{}", d.message);
    assert!(r.codes(Severity::Error).is_empty());
}

#[test]
fn the_last_occurrence_wins_across_files_in_order() {
    let r = run_plan(
        ITEMS_SCHEMA,
        Some(&["ITEM_ID,PRICE,GENRES\ni7,1,X\n"]),
        &[
            "ITEM_ID,PRICE,GENRES\ni7,2,Y\ni8,1,Z\n",
            "ITEM_ID,PRICE,GENRES\ni7,3,W\n",
        ],
        Mode::Incremental,
        |_, _| {},
    );
    let p = &r.plan;
    assert_eq!((p.batch.records, p.batch.distinct), (3, 2));
    assert_eq!((p.added, p.replaced, p.unchanged), (1, 1, 0));
    assert_eq!(r.deduped, "ITEM_ID,PRICE,GENRES\ni8,1,Z\ni7,3,W\n");
    assert_eq!(r.merged, "ITEM_ID,PRICE,GENRES\ni8,1,Z\ni7,3,W\n");
}

#[test]
fn existing_columns_are_matched_by_name_and_quoting_does_not_matter() {
    // Existing written in another column order, with quotes; typed values equal.
    let existing = "GENRES,PRICE,ITEM_ID\n\"A\",1,\"i1\"\nB,2.50,i2\n\"C, D\",3,i3\n";
    let new = "ITEM_ID,PRICE,GENRES\ni1,1.0,A\ni2,2.5,B\ni3,3,\"C, D\"\n";
    let r = run_plan(
        ITEMS_SCHEMA,
        Some(&[existing]),
        &[new],
        Mode::Incremental,
        |_, _| {},
    );
    assert_eq!((r.plan.added, r.plan.replaced, r.plan.unchanged), (0, 0, 3));
    assert_eq!(r.plan.result_records, 3);
    assert_eq!(
        r.merged,
        "ITEM_ID,PRICE,GENRES\ni1,1.0,A\ni2,2.5,B\ni3,3,\"C, D\"\n"
    );
}

#[test]
fn existing_duplicate_ids_compare_with_their_last_record() {
    // The dataset's files hold u1 twice (an earlier INCREMENTAL replaced it): the last decides.
    let existing = [
        "USER_ID,AGE,TIER\nu1,30,gold\nu2,40,free\n",
        "USER_ID,AGE,TIER\nu1,31,gold\n",
    ];
    let new = "USER_ID,AGE,TIER\nu1,31,gold\nu2,41,free\nu3,,\n";
    let r = run_plan(
        USERS_SCHEMA,
        Some(&existing),
        &[new],
        Mode::Incremental,
        |_, _| {},
    );
    let p = &r.plan;
    assert_eq!(
        (p.added, p.replaced, p.unchanged),
        (1, 1, 1),
        "u3 added, u2 replaced, u1 unchanged"
    );
    assert_eq!(p.superseded, 3, "both u1 lines and u2");
    assert_eq!(p.result_records, 3);
    assert_eq!(r.merged.lines().count() - 1, 3);
}

#[test]
fn existing_lines_that_are_not_records_are_counted_and_ignored() {
    let existing = "ITEM_ID,PRICE,GENRES\ni1,1,A\nbroken line\n\n,2,B\ni2,2,B\n";
    let r = run_plan(
        ITEMS_SCHEMA,
        Some(&[existing]),
        &["ITEM_ID,PRICE,GENRES\ni3,1,A\n"],
        Mode::Incremental,
        |_, _| {},
    );
    let e = r.plan.existing.as_ref().unwrap();
    assert_eq!(
        (e.records, e.unreadable_lines),
        (2, 2),
        "the wrong field count and the empty ID"
    );
    assert_eq!(r.plan.result_records, 3);
}

// -------------------------------------------------------------------------------------------
// Interactions: the whole record is the identity.

const INTER_HEADER: &str = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n";

fn inter(rows: &str) -> String {
    format!("{INTER_HEADER}{rows}")
}

/// The users and items of an interactions import against the existing interactions, counted
/// by hand:
/// - existing users {u1, u2}, items {i1, i2};
/// - batch users {u1, u3, u4, "u5"} (u5 quoted: the same ID as u5), items {i1, i3, i4}; a
///   record identical to an existing one still counts its IDs (they are not new anyway).
///
/// So 4 distinct users of which 3 are new (u3, u4, u5), 3 distinct items of which 2 are new
/// (i3, i4), whatever the mode: FULL counts against the bulk data it replaces. Known empty,
/// every distinct ID is new; unknown, `new` is the bound `distinct`.
#[test]
fn an_interactions_import_counts_its_new_users_and_items() {
    use preflight_validator::{IdCounts, NewIdCounts};
    let existing =
        inter("u1,i1,1596238243,click,1.0\nu1,i2,1596238244,click,2.0\nu2,i1,1596238245,view,\n");
    let new = inter(concat!(
        "u1,i1,1596238243,click,1.0\n", // identical to an existing record
        "u3,i3,1596238246,click,1.0\n",
        "u3,i1,1596238247,click,1.0\n",
        "u4,i4,1596238248,view,\n",
        "\"u5\",i3,1596238249,view,\n",
        "u5,i1,1596238250,view,\n",
    ));
    let counts = |users: (u64, u64), items: (u64, u64)| NewIdCounts {
        users: IdCounts {
            distinct: users.0,
            new: users.1,
        },
        items: IdCounts {
            distinct: items.0,
            new: items.1,
        },
    };
    for mode in [Mode::Incremental, Mode::Full] {
        let r = run_plan(
            INTERACTIONS_SCHEMA,
            Some(&[&existing]),
            &[&new],
            mode,
            |_, _| {},
        );
        assert_eq!(r.plan.ids, Some(counts((4, 3), (3, 2))), "{mode:?}");
        // Out of core, the same.
        let r = run_plan(
            INTERACTIONS_SCHEMA,
            Some(&[&existing]),
            &[&new],
            mode,
            |_, p| {
                p.memory_limit = 1;
            },
        );
        assert_eq!(
            r.plan.ids,
            Some(counts((4, 3), (3, 2))),
            "{mode:?} out of core"
        );
    }
    let empty = run_plan(INTERACTIONS_SCHEMA, None, &[&new], Mode::Full, |_, _| {});
    assert_eq!(empty.plan.existing_state, ExistingState::Empty);
    assert_eq!(empty.plan.ids, Some(counts((4, 4), (3, 3))));
    let unknown = run_plan_on(
        INTERACTIONS_SCHEMA,
        Existing::Unknown,
        &[&new],
        Mode::Incremental,
        |_, _| {},
    );
    assert_eq!(unknown.plan.ids, Some(counts((4, 4), (3, 3))));
    // Action interactions: users and actions.
    let ex = "USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE\nu1,a1,1596238243,TAKEN\n";
    let nw =
        "USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE\nu1,a2,1596238244,TAKEN\nu2,a2,1596238245,TAKEN\n";
    let r = run_plan(
        ACTION_INTERACTIONS_SCHEMA,
        Some(&[ex]),
        &[nw],
        Mode::Incremental,
        |_, _| {},
    );
    assert_eq!(r.plan.ids, Some(counts((2, 1), (1, 1))));
    // Items, users, actions: no such counts.
    let items = run_plan(
        ITEMS_SCHEMA,
        None,
        &["ITEM_ID,PRICE,GENRES\ni1,1.0,A\n"],
        Mode::Full,
        |_, _| {},
    );
    assert_eq!(items.plan.ids, None);
}

#[test]
fn interactions_new_versus_collapsed() {
    let existing =
        inter("u1,i1,1596238243,click,1.0\nu1,i2,1596238244,click,2.0\nu2,i1,1596238245,view,\n");
    let new = inter(concat!(
        "u1,i1,1596238243,click,1.00\n", // identical to an existing record (typed): collapsed
        "u1,i2,1596238244,click,2.5\n",  // another value: new
        "u3,i3,1596238246,click,1.0\n",  // new
        "u3,i3,1596238246,click,1\n",    // identical to the previous row: collapsed
        "u2,i1,1596238245,view,\n",      // identical to an existing record: collapsed
        "\"u4\",i4,1596238247,click,1\n"  // new
    ));
    let r = run_plan(
        INTERACTIONS_SCHEMA,
        Some(&[&existing]),
        &[&new],
        Mode::Incremental,
        |_, _| {},
    );
    let p = &r.plan;
    assert_eq!(p.identity, "record");
    assert_eq!(
        (p.batch.records, p.batch.distinct, p.batch.duplicates),
        (6, 5, 1)
    );
    assert_eq!(p.new, 3);
    assert_eq!(
        p.collapsed, 3,
        "one repeated in the batch, two already in the dataset"
    );
    assert_eq!(p.unchanged, 2);
    assert_eq!((p.added, p.replaced), (0, 0));
    assert_eq!(p.result_records, 6, "3 existing + 3 new");
    assert_eq!(
        r.merged,
        inter(concat!(
            "u1,i1,1596238243,click,1.0\nu1,i2,1596238244,click,2.0\nu2,i1,1596238245,view,\n",
            "u1,i2,1596238244,click,2.5\nu3,i3,1596238246,click,1.0\nu4,i4,1596238247,click,1\n"
        ))
    );
    assert_eq!(r.deduped.lines().count() - 1, 5);
    // Fewer than 1000 new records: the INCREMENTAL gate fails (and the 1000-record minimum).
    assert_eq!(r.codes(Severity::Error), vec!["PF301", "PF310"]);
    let d = r
        .report
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "PF310")
        .unwrap();
    assert!(
        d.message.contains("adds 3 new interactions"),
        "{}",
        d.message
    );
}

#[test]
fn interactions_full_drops_records_the_batch_lacks() {
    let existing =
        inter("u1,i1,1596238243,click,1.0\nu1,i2,1596238244,click,2.0\nu2,i1,1596238245,view,\n");
    let new = inter("u1,i1,1596238243,click,1\nu9,i9,1596238249,click,\nu9,i9,1596238249,click,\n");
    let r = run_plan(
        INTERACTIONS_SCHEMA,
        Some(&[&existing]),
        &[&new],
        Mode::Full,
        |_, _| {},
    );
    let p = &r.plan;
    assert_eq!((p.new, p.collapsed, p.unchanged), (1, 2, 1));
    assert_eq!(p.dropped, 2);
    let lines: Vec<u64> = p.dropped_sample.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![3, 4]);
    assert_eq!(p.dropped_sample[0].record, "u1,i2,1596238244,click,2.0");
    assert_eq!(p.result_records, 2);
    assert_eq!(
        r.merged,
        inter("u1,i1,1596238243,click,1\nu9,i9,1596238249,click,\n")
    );
    assert!(r.codes(Severity::Warning).contains(&"PF313"));
    assert!(
        !r.codes(Severity::Error).contains(&"PF310"),
        "FULL has no new-record gate"
    );
}

/// `n` distinct interactions of 50 users, starting at timestamp offset `from`.
fn distinct_rows(from: u64, n: u64) -> String {
    let mut s = String::new();
    for k in from..from + n {
        let _ = writeln!(s, "u{},i{},{},click,1.5", k % 50, k % 97, 1_596_238_243 + k);
    }
    s
}

#[test]
fn fifteen_hundred_rows_with_six_hundred_copies_of_existing_rows() {
    // Existing: 2,000 interactions. New: 600 of them again, then 900 never seen.
    let existing = inter(&distinct_rows(0, 2000));
    let new = inter(&format!(
        "{}{}",
        distinct_rows(1400, 600),
        distinct_rows(5000, 900)
    ));
    let inc = run_plan(
        INTERACTIONS_SCHEMA,
        Some(&[&existing]),
        &[&new],
        Mode::Incremental,
        |_, _| {},
    );
    assert_eq!(
        (inc.plan.batch.records, inc.plan.new, inc.plan.collapsed),
        (1500, 900, 600)
    );
    assert_eq!(inc.plan.result_records, 2900);
    assert_eq!(
        inc.codes(Severity::Error),
        vec!["PF310"],
        "only the 1000-new-records gate fails"
    );
    let full = run_plan(
        INTERACTIONS_SCHEMA,
        Some(&[&existing]),
        &[&new],
        Mode::Full,
        |_, _| {},
    );
    assert!(
        full.codes(Severity::Error).is_empty(),
        "FULL passes: {:?}",
        full.report.rules
    );
    assert_eq!(full.plan.dropped, 1400);
    assert_eq!(full.plan.result_records, 1500);
}

// -------------------------------------------------------------------------------------------
// Gates.

#[test]
fn incremental_needs_existing_bulk_data() {
    let new = "ITEM_ID,PRICE,GENRES\ni1,1,A\n";
    let none = run_plan(ITEMS_SCHEMA, None, &[new], Mode::Incremental, |_, _| {});
    assert_eq!(none.codes(Severity::Error), vec!["PF314"]);
    assert!(none.plan.existing.is_none());
    let empty = run_plan(
        ITEMS_SCHEMA,
        Some(&["ITEM_ID,PRICE,GENRES\n"]),
        &[new],
        Mode::Incremental,
        |_, _| {},
    );
    assert_eq!(empty.codes(Severity::Error), vec!["PF314"]);
    // A first import is FULL: nothing to drop, nothing to fail.
    let first = run_plan(ITEMS_SCHEMA, None, &[new], Mode::Full, |_, _| {});
    assert!(first.report.rules.is_empty(), "{:?}", first.report.rules);
    assert_eq!((first.plan.added, first.plan.result_records), (1, 1));
}

/// The existing data in its three states: given, known to be empty, unknown. Unknown is never
/// an error by itself: the batch's distinct records bound the new ones.
#[test]
fn unknown_existing_data_gives_bounds_not_errors() {
    let new = "ITEM_ID,PRICE,GENRES\ni1,1,A\ni1,2,B\ni2,3,C\n";
    let none = |_: &mut Options, _: &mut PlanOptions| {};
    let inc = run_plan_on(
        ITEMS_SCHEMA,
        Existing::Unknown,
        &[new],
        Mode::Incremental,
        none,
    );
    assert_eq!(inc.codes(Severity::Error), Vec::<&str>::new());
    assert_eq!(inc.plan.existing_state, ExistingState::Unknown);
    assert!(!inc.plan.knows_existing());
    assert_eq!(inc.plan.result(), None, "INCREMENTAL: unknown");
    assert_eq!(inc.plan.batch.distinct, 2);
    let full = run_plan_on(ITEMS_SCHEMA, Existing::Unknown, &[new], Mode::Full, none);
    assert_eq!(full.codes(Severity::Warning), ["PF307", "PF313"]);
    assert_eq!(full.plan.dropped(), None);
    assert_eq!(full.plan.result(), Some(2), "FULL: the batch");
    let empty = run_plan_on(ITEMS_SCHEMA, Existing::Empty, &[new], Mode::Full, none);
    assert_eq!(empty.codes(Severity::Warning), ["PF307"]);
    assert_eq!(empty.plan.dropped(), Some(0));

    // Interactions: 999 distinct records cannot add 1,000 new ones, whatever the dataset holds.
    let rows = |n| inter(&distinct_rows(0, n));
    let small = run_plan_on(
        INTERACTIONS_SCHEMA,
        Existing::Unknown,
        &[&rows(999)],
        Mode::Incremental,
        none,
    );
    assert_eq!(small.codes(Severity::Error), ["PF301", "PF310"]);
    let enough = run_plan_on(
        INTERACTIONS_SCHEMA,
        Existing::Unknown,
        &[&rows(1000)],
        Mode::Incremental,
        none,
    );
    assert_eq!(enough.codes(Severity::Error), Vec::<&str>::new());
    assert_eq!(enough.codes(Severity::Info), ["PF315"]);
    let empty = run_plan_on(
        INTERACTIONS_SCHEMA,
        Existing::Empty,
        &[&rows(1000)],
        Mode::Incremental,
        none,
    );
    assert_eq!(empty.codes(Severity::Error), ["PF314"]);
}

/// The limits of an interactions dataset are judged on the existing records plus the new ones,
/// the same for any thread count, block size and join chunk.
#[test]
fn limits_after_the_job_count_the_existing_records() {
    let with_types = |from: u64, n: u64, types: &[&str]| {
        let mut s = String::new();
        for k in from..from + n {
            let _ = writeln!(
                s,
                "u{k},i{},{},{},1.5",
                k % 97,
                1_596_238_243 + k,
                types[k as usize % types.len()]
            );
        }
        inter(&s)
    };
    let existing = with_types(0, 3000, &["a", "b", "c", "d", "e", "f"]);
    // 500 records repeat existing ones (no new user, no new type); 1,000 are new.
    let mut new = with_types(2500, 500, &["a", "b", "c", "d", "e", "f"]);
    new.push_str(&with_types(10_000, 1000, &["g", "h", "i", "j", "k", "l"])[INTER_HEADER.len()..]);
    let mut seen = Vec::new();
    for (threads, block, chunk) in [(1, 8 << 20, 256 << 20), (2, 4096, 10_000), (3, 777, 5_000)] {
        let r = run_plan(
            INTERACTIONS_SCHEMA,
            Some(&[&existing]),
            &[&new],
            Mode::Incremental,
            |o, p| {
                *o = opts(threads, block);
                p.chunk_bytes = chunk;
            },
        );
        assert_eq!(r.plan.new, 1000);
        assert_eq!(r.plan.result_records, 4000);
        // PF304 after the job is about the dataset: the new data itself has no error.
        assert!(r.codes(Severity::Error).contains(&"PF304"));
        assert_eq!(r.plan.data_errors, 0);
        let messages: Vec<String> = r
            .report
            .diagnostics
            .iter()
            .filter(|d| d.rule.family == preflight_validator::Family::Dataset)
            .map(|d| format!("{} {}", d.rule.code, d.message))
            .collect();
        seen.push(messages);
    }
    let m = &seen[0];
    assert!(
        m.iter()
            .any(|x| x.starts_with("PF304 after the job: 12 distinct event types")),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|x| x.starts_with("PF302 after the job: only 0 of 4000 users")),
        "{m:?}"
    );
    assert!(seen.iter().all(|x| x == m), "{seen:?}");
}

#[test]
fn size_limits() {
    let new = "ITEM_ID,PRICE,GENRES\ni1,1,A\n"; // 28 bytes
    let small = |o: &mut Options, p: &mut PlanOptions| {
        let _ = o;
        p.max_incremental_bytes = 27;
        p.max_full_bytes = 27;
    };
    let inc = run_plan(
        ITEMS_SCHEMA,
        Some(&[ITEMS_EXISTING]),
        &[new],
        Mode::Incremental,
        small,
    );
    assert_eq!(inc.codes(Severity::Error), vec!["PF311"]);
    let full = run_plan(ITEMS_SCHEMA, None, &[new], Mode::Full, small);
    assert_eq!(full.codes(Severity::Error), vec!["PF312"]);
    let fits = run_plan(
        ITEMS_SCHEMA,
        Some(&[ITEMS_EXISTING]),
        &[new],
        Mode::Incremental,
        |_, p| {
            p.max_incremental_bytes = 28;
        },
    );
    assert!(fits.codes(Severity::Error).is_empty());
}

#[test]
fn invalid_new_data_is_said_and_planned_over_its_records() {
    // One line with a missing field: not a record; one invalid price: a record with an error.
    let new = "ITEM_ID,PRICE,GENRES\ni1,1,A\ni2,oops,B\ni3,1\n";
    let r = run_plan(
        ITEMS_SCHEMA,
        Some(&[ITEMS_EXISTING]),
        &[new],
        Mode::Incremental,
        |_, _| {},
    );
    assert_eq!(r.plan.data_errors, 2);
    assert_eq!(r.plan.batch.records, 2);
    // i1 is unchanged (1 = 1.0), i2 replaced (its price does not parse: compared as text).
    assert_eq!((r.plan.added, r.plan.replaced, r.plan.unchanged), (0, 1, 1));
}

#[test]
fn outputs_are_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("merged.csv");
    std::fs::write(&target, "keep me").unwrap();
    let mut p = PlanOptions::new(Mode::Full);
    p.write_merged = Some(target.clone());
    let new = files("new", &["ITEM_ID,PRICE,GENRES\ni1,1,A\n"]);
    let err = plan(
        &schema(ITEMS_SCHEMA),
        &new,
        Vec::new(),
        Existing::Empty,
        &opts(1, 1 << 20),
        &p,
    )
    .unwrap_err();
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    p.force = true;
    plan(
        &schema(ITEMS_SCHEMA),
        &new,
        Vec::new(),
        Existing::Empty,
        &opts(1, 1 << 20),
        &p,
    )
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "ITEM_ID,PRICE,GENRES\ni1,1,A\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode of any file the user writes (whatever the umask), not a private 0600.
        let plain = dir.path().join("plain.csv");
        std::fs::write(&plain, "").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&target), mode(&plain));
    }
}

// -------------------------------------------------------------------------------------------
// Properties: merged round-trips through validate, counts match a naive model, and the plan
// does not depend on threads, block size or chunk size.

/// A value of a small domain, written in one of several spellings of the same typed value.
fn spelled(choices: &[&'static str]) -> impl Strategy<Value = &'static str> {
    proptest::sample::select(choices.to_vec())
}

fn item_row() -> impl Strategy<Value = (u8, &'static str, &'static str)> {
    (
        0u8..12,
        spelled(&["1", "1.0", "1.00", "2.5", "2.50", "3"]),
        spelled(&["A", "B", "\"A\"", "\"x, y\""]),
    )
}

fn interaction_row() -> impl Strategy<Value = (u8, u8, &'static str)> {
    (0u8..4, 0u8..4, spelled(&["", "1", "1.0", "2.5", "2.50"]))
}

/// The typed value of a price or event value, for the model.
fn typed(v: &str) -> Option<u32> {
    (!v.is_empty()).then(|| v.parse::<f32>().unwrap().to_bits())
}

fn unquote(v: &str) -> String {
    v.trim_matches('"').to_string()
}

/// Lenient settings for the round-trip: tiny files are below the dataset-level minimums.
fn lenient() -> Policy {
    let mut p = Policy::default();
    for code in ["PF301", "PF302", "PF303", "PF309"] {
        p.levels.insert(code, Level::Off);
    }
    p
}

fn round_trip(schema_text: &str, merged: &Path) -> Report {
    let inputs = [InputFile {
        name: "merged.csv".into(),
        source: preflight_validator::Source::Path(merged.to_path_buf()),
        in_folder: false,
    }];
    let o = Options {
        policy: lenient(),
        ..opts(1, 1 << 20)
    };
    validate(&schema(schema_text), &inputs, Vec::new(), &o).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn items_merged_round_trips_with_the_plans_count(
        existing_ids in proptest::collection::btree_set(0u8..12, 0..10),
        existing_vals in proptest::collection::vec(item_row(), 10),
        new in proptest::collection::vec(item_row(), 1..16),
        full in any::<bool>(),
        chunk in 1usize..200,
    ) {
        let mode = if full { Mode::Full } else { Mode::Incremental };
        // The dataset holds each ID once.
        let mut ex = String::from("ITEM_ID,PRICE,GENRES\n");
        let mut model: HashMap<String, (Option<u32>, String)> = HashMap::new();
        for (id, (_, price, genre)) in existing_ids.iter().zip(&existing_vals) {
            let _ = writeln!(ex, "i{id},{price},{genre}");
            model.insert(format!("i{id}"), (typed(price), unquote(genre)));
        }
        let mut nw = String::from("ITEM_ID,PRICE,GENRES\n");
        let mut last: Vec<(String, (Option<u32>, String))> = Vec::new();
        for (id, price, genre) in &new {
            let _ = writeln!(nw, "i{id},{price},{genre}");
            let key = format!("i{id}");
            last.retain(|(k, _)| *k != key);
            last.push((key, (typed(price), unquote(genre))));
        }
        let r = run_plan(ITEMS_SCHEMA, Some(&[&ex]), &[&nw], mode, |o, p| {
            o.block_size = 64;
            p.chunk_bytes = chunk;
        });
        // The model.
        let (mut added, mut replaced, mut unchanged) = (0, 0, 0);
        for (k, v) in &last {
            match model.get(k) {
                None => added += 1,
                Some(old) if old == v => unchanged += 1,
                Some(_) => replaced += 1,
            }
        }
        let in_batch: HashSet<&String> = last.iter().map(|(k, _)| k).collect();
        let dropped = model.keys().filter(|k| !in_batch.contains(k)).count() as u64;
        let p = &r.plan;
        prop_assert_eq!((p.added, p.replaced, p.unchanged), (added, replaced, unchanged));
        prop_assert_eq!(p.batch.duplicates, new.len() as u64 - last.len() as u64);
        let existing_n = model.len() as u64;
        let expected = match mode {
            Mode::Full => {
                prop_assert_eq!(p.dropped, dropped);
                existing_n - (p.replaced + p.unchanged) - p.dropped + p.added + p.replaced + p.unchanged
            }
            Mode::Incremental => {
                prop_assert_eq!(p.dropped, 0);
                existing_n - p.replaced - p.unchanged + p.added + p.replaced + p.unchanged
            }
        };
        prop_assert_eq!(p.result_records, expected);
        // The merged file: its row count is the plan's, and it validates clean.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("merged.csv");
        std::fs::write(&path, &r.merged).unwrap();
        prop_assert_eq!(r.merged.lines().count() as u64 - 1, p.result_records);
        let v = round_trip(ITEMS_SCHEMA, &path);
        prop_assert!(v.rules.is_empty(), "merged file not clean: {:?}\n{}", v.rules, r.merged);
        prop_assert_eq!(v.summary.records, p.result_records);
    }

    #[test]
    fn interactions_merged_round_trips_with_the_plans_count(
        existing in proptest::collection::btree_set((0u8..4, 0u8..4, 0u8..3), 0..12),
        new in proptest::collection::vec(interaction_row(), 1..20),
        full in any::<bool>(),
        chunk in 1usize..300,
        threads in 1usize..3,
    ) {
        let mode = if full { Mode::Full } else { Mode::Incremental };
        let values = ["", "1", "2.5"];
        let mut ex = String::from(INTER_HEADER);
        let mut model: HashSet<(u8, u8, Option<u32>)> = HashSet::new();
        for (u, i, v) in &existing {
            let _ = writeln!(ex, "u{u},i{i},1596238243,click,{}", values[*v as usize]);
            model.insert((*u, *i, typed(values[*v as usize])));
        }
        let mut nw = String::from(INTER_HEADER);
        let mut seen: HashSet<(u8, u8, Option<u32>)> = HashSet::new();
        let mut new_count = 0u64;
        for (u, i, v) in &new {
            let _ = writeln!(nw, "u{u},i{i},1596238243,click,{v}");
            let key = (*u, *i, typed(v));
            if seen.insert(key) && !model.contains(&key) {
                new_count += 1;
            }
        }
        let r = run_plan(INTERACTIONS_SCHEMA, Some(&[&ex]), &[&nw], mode, |o, p| {
            o.block_size = 48;
            o.threads = threads;
            p.chunk_bytes = chunk;
        });
        let p = &r.plan;
        prop_assert_eq!(p.new, new_count);
        prop_assert_eq!(p.new + p.collapsed, new.len() as u64);
        prop_assert_eq!(p.batch.distinct, seen.len() as u64);
        let expected = match mode {
            Mode::Full => {
                prop_assert_eq!(p.dropped, model.iter().filter(|k| !seen.contains(k)).count() as u64);
                seen.len() as u64
            }
            Mode::Incremental => model.len() as u64 + new_count,
        };
        prop_assert_eq!(p.result_records, expected);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("merged.csv");
        std::fs::write(&path, &r.merged).unwrap();
        prop_assert_eq!(r.merged.lines().count() as u64 - 1, expected);
        let v = round_trip(INTERACTIONS_SCHEMA, &path);
        prop_assert!(v.rules.is_empty(), "merged file not clean: {:?}\n{}", v.rules, r.merged);
    }
}

#[test]
fn the_plan_does_not_depend_on_threads_blocks_or_chunks() {
    let existing = inter(&distinct_rows(0, 300));
    let new = inter(&format!(
        "{}{}{}",
        distinct_rows(250, 100),
        distinct_rows(1000, 40),
        distinct_rows(1000, 40)
    ));
    let reference = run_plan(
        INTERACTIONS_SCHEMA,
        Some(&[&existing]),
        &[&new],
        Mode::Full,
        |_, _| {},
    );
    for (threads, block, chunk) in [(1, 1, 1), (2, 7, 100), (3, 64, 1 << 20), (2, 1 << 20, 1)] {
        let r = run_plan(
            INTERACTIONS_SCHEMA,
            Some(&[&existing]),
            &[&new],
            Mode::Full,
            |o, p| {
                o.threads = threads;
                o.block_size = block;
                p.chunk_bytes = chunk;
            },
        );
        assert_eq!(r.plan.written.len(), 2);
        let strip = |p: &Plan| {
            let mut p = p.clone();
            p.written.clear();
            p
        };
        assert_eq!(
            strip(&r.plan),
            strip(&reference.plan),
            "threads {threads} block {block} chunk {chunk}"
        );
        assert_eq!(r.merged, reference.merged);
    }
    assert_eq!(
        (
            reference.plan.new,
            reference.plan.unchanged,
            reference.plan.batch.duplicates
        ),
        (90, 50, 40)
    );
    assert_eq!(reference.plan.dropped, 250);
}

const ACTIONS_SCHEMA: &str = r#"{"type":"record","name":"Actions","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"ACTION_ID","type":"string"},{"name":"VALUE","type":["null","int"]}],"version":"1.0"}"#;
const ACTION_INTERACTIONS_SCHEMA: &str = r#"{"type":"record","name":"ActionInteractions","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"USER_ID","type":"string"},{"name":"ACTION_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"EVENT_TYPE","type":"string"}],"version":"1.0"}"#;

#[test]
fn actions_are_keyed_by_action_id() {
    let existing = "ACTION_ID,VALUE\na1,5\na2,7\n";
    let new = "ACTION_ID,VALUE\na1,05\na3,1\n"; // 05 = 5 as an int: unchanged
    let r = run_plan(
        ACTIONS_SCHEMA,
        Some(&[existing]),
        &[new],
        Mode::Incremental,
        |_, _| {},
    );
    assert_eq!(r.plan.identity, "ACTION_ID");
    assert_eq!((r.plan.added, r.plan.replaced, r.plan.unchanged), (1, 0, 1));
    assert_eq!(r.plan.result_records, 3);
    let full = run_plan(
        ACTIONS_SCHEMA,
        Some(&[existing]),
        &[new],
        Mode::Full,
        |_, _| {},
    );
    assert_eq!(full.plan.dropped_sample[0].id.as_deref(), Some("a2"));
}

#[test]
fn action_interactions_need_1000_new_records_too() {
    let h = "USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE\n";
    let existing = format!("{h}u1,a1,1596238243,Taken\nu2,a1,1596238244,Viewed\n");
    let new = format!("{h}u1,a1,1596238243,Taken\nu3,a2,1596238245,Taken\n");
    let r = run_plan(
        ACTION_INTERACTIONS_SCHEMA,
        Some(&[&existing]),
        &[&new],
        Mode::Incremental,
        |_, _| {},
    );
    assert_eq!(r.plan.identity, "record");
    assert_eq!((r.plan.new, r.plan.collapsed), (1, 1));
    // The 1000-new-records minimum applies; the 1000-records-per-job one is for item
    // interactions only (docs/personalize.md#per-import-job).
    assert_eq!(r.codes(Severity::Error), vec!["PF310"]);
}

#[test]
fn no_plan_without_an_id_column() {
    let existing = files("existing", &[ITEMS_EXISTING]);
    let new = files("new", &["PRICE,GENRES\n1,A\n"]);
    let (report, plan) = plan(
        &schema(ITEMS_SCHEMA),
        &new,
        Vec::new(),
        Existing::Given(&existing),
        &opts(1, 1 << 20),
        &PlanOptions::new(Mode::Incremental),
    )
    .unwrap();
    assert!(plan.is_none());
    assert!(report.rules.iter().any(|r| r.code == "PF105"));
}

// -------------------------------------------------------------------------------------------
// Out of core: past `memory_limit`, the keys go to hash partitions on disk (a Grace hash join)
// with the same results.

/// A small deterministic generator (no dependency, the same data on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Items with repeated IDs (other values, or the same record again, quoted or not), lines
/// that are not records, and blank lines.
fn generated_items(seed: u64, rows: usize, ids: u64) -> String {
    let mut r = Lcg(seed);
    let mut s = String::from("ITEM_ID,PRICE,GENRES\n");
    for _ in 0..rows {
        let id = r.next(ids);
        let price = ["1.0", "1.00", "2.5", "3"][r.next(4) as usize];
        let genre = ["A", "\"A\"", "B|C", "\"a, b\""][r.next(4) as usize];
        match r.next(40) {
            0 => s.push_str("broken,line,with,too,many\n"),
            1 => s.push('\n'),
            _ => {
                let _ = writeln!(s, "i{id},{price},{genre}");
            }
        }
    }
    s
}

/// Interactions with exact copies (the same values spelled alike or not) and a few event
/// types, over `users` users and 30 items.
fn generated_interactions(seed: u64, rows: usize, users: u64) -> String {
    generated_interactions_over(seed, rows, users, 30)
}

/// [`generated_interactions`] over `items` items.
fn generated_interactions_over(seed: u64, rows: usize, users: u64, items: u64) -> String {
    let mut r = Lcg(seed);
    let mut s = String::from(INTER_HEADER);
    for _ in 0..rows {
        let event = ["click", "view", "\"buy\""][r.next(3) as usize];
        let value = ["", "1", "1.0", "2.5"][r.next(4) as usize];
        let _ = writeln!(
            s,
            "u{},i{},{},{event},{value}",
            r.next(users),
            r.next(items),
            1_596_238_243 + r.next(20)
        );
    }
    s
}

/// Every field of the plan but the written paths, the report, and both files.
fn outcome(r: &Run) -> (Plan, String, String, String) {
    let mut p = r.plan.clone();
    for w in &mut p.written {
        w.path = std::path::PathBuf::new();
    }
    (
        p,
        format!("{:?}", r.report),
        r.merged.clone(),
        r.deduped.clone(),
    )
}

#[test]
fn a_tiny_memory_limit_gives_the_same_plan_report_and_files() {
    let cases = [
        (
            ITEMS_SCHEMA,
            generated_items(1, 3000, 700),
            generated_items(2, 2500, 900),
        ),
        (
            INTERACTIONS_SCHEMA,
            generated_interactions(3, 3000, 40),
            generated_interactions(4, 2500, 40),
        ),
        // Many users and items, most of them in one side only: the new users and items (in
        // the plan compared below) are counted out of core too.
        (
            INTERACTIONS_SCHEMA,
            generated_interactions_over(5, 3000, 4000, 3000),
            generated_interactions_over(6, 2500, 4000, 3000),
        ),
    ];
    for (schema_text, existing, new) in &cases {
        for mode in [Mode::Incremental, Mode::Full] {
            for given in [true, false] {
                let existing_files = files("existing", &[existing, "ITEM_ID\n"][..1]);
                let state = if given {
                    Existing::Given(&existing_files)
                } else {
                    Existing::Empty
                };
                let reference = run_plan_on(schema_text, state, &[new], mode, |_, _| {});
                assert_eq!(reference.plan.existing_state, state.state());
                if let Some(ids) = reference.plan.ids {
                    assert!(ids.users.distinct > 0 && ids.items.distinct > 0, "{ids:?}");
                }
                // The last: out of core, with room left for the existing keys in memory
                // (validation's share of the budget is 64 MiB and 3 blocks a thread).
                let kept = (64 << 20) + 3 * 2 * 4096 + 200_000;
                for (threads, block, limit) in [
                    (1, 1 << 20, 1),
                    (2, 97, 1),
                    (2, 4096, 60_000),
                    (2, 4096, kept),
                ] {
                    let r = run_plan_on(schema_text, state, &[new], mode, |o, p| {
                        o.threads = threads;
                        o.block_size = block;
                        p.memory_limit = limit;
                    });
                    assert_eq!(
                        outcome(&r),
                        outcome(&reference),
                        "{mode:?} given {given} threads {threads} block {block} limit {limit}"
                    );
                }
                // No file written, and (FULL) dropped records listed or not: out of core, a
                // side no walk reads keeps no order file, and the plan is the same all the same.
                let samples: &[usize] = if mode == Mode::Full { &[0, 10] } else { &[0] };
                for &sample in samples {
                    let quiet = |p: &mut PlanOptions| {
                        p.write_merged = None;
                        p.write_deduped = None;
                        p.sample = sample;
                    };
                    let reference = run_plan_on(schema_text, state, &[new], mode, |_, p| quiet(p));
                    let r = run_plan_on(schema_text, state, &[new], mode, |o, p| {
                        quiet(p);
                        o.block_size = 97;
                        p.memory_limit = 1;
                    });
                    assert_eq!(
                        outcome(&r),
                        outcome(&reference),
                        "{mode:?} given {given} sample {sample}, nothing written"
                    );
                }
            }
        }
    }
}

#[test]
fn a_streamed_existing_input_is_copied_for_the_walks_out_of_core() {
    // A stream cannot be read twice: out of core, its text goes to the temporary folder for
    // the merged file (INCREMENTAL) and the dropped records (FULL).
    let existing = generated_items(5, 2000, 500);
    let new = generated_items(6, 1500, 800);
    for mode in [Mode::Incremental, Mode::Full] {
        let from_bytes = files("existing", &[&existing]);
        let reference = run_plan_on(
            ITEMS_SCHEMA,
            Existing::Given(&from_bytes),
            &[&new],
            mode,
            |_, _| {},
        );
        let streamed = [InputFile::from_reader(
            "existing0.csv",
            std::io::Cursor::new(existing.clone().into_bytes()),
            None,
        )];
        let r = run_plan_on(
            ITEMS_SCHEMA,
            Existing::Given(&streamed),
            &[&new],
            mode,
            |o, p| {
                o.block_size = 300;
                p.memory_limit = 1;
            },
        );
        assert_eq!(outcome(&r), outcome(&reference), "{mode:?}");
        if mode == Mode::Full {
            assert_eq!(r.plan.dropped_sample.len(), 10);
        }
    }
}

/// A reader that notes the files in `dir` when it is first read (the batch has been keyed by
/// then), and fails after `fail_after` bytes if set.
struct Watching {
    data: std::io::Cursor<Vec<u8>>,
    dir: std::path::PathBuf,
    seen: std::sync::Arc<std::sync::Mutex<Option<usize>>>,
    fail_after: Option<u64>,
}

impl std::io::Read for Watching {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut seen = self.seen.lock().unwrap();
        if seen.is_none() {
            *seen = Some(count_files(&self.dir));
        }
        if self.fail_after.is_some_and(|n| self.data.position() >= n) {
            return Err(std::io::Error::other("the network went away"));
        }
        let cap = buf.len().min(1000);
        self.data.read(&mut buf[..cap])
    }
}

fn count_files(dir: &Path) -> usize {
    walk_files(dir).len()
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.push(p.clone());
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn temporary_files_are_removed_after_success_and_after_an_error() {
    let existing = generated_interactions(7, 3000, 50);
    let new = generated_interactions(8, 3000, 50);
    for fail in [false, true] {
        let temp = tempfile::tempdir().unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
        let inputs = [InputFile::from_reader(
            "existing0.csv",
            Watching {
                data: std::io::Cursor::new(existing.clone().into_bytes()),
                dir: temp.path().to_path_buf(),
                seen: seen.clone(),
                fail_after: fail.then_some(20_000),
            },
            None,
        )];
        let out = tempfile::tempdir().unwrap();
        let mut o = opts(2, 512);
        o.temp_dir = Some(temp.path().to_path_buf());
        let mut p = PlanOptions::new(Mode::Incremental);
        p.memory_limit = 1;
        p.write_merged = Some(out.path().join("merged.csv"));
        let result = plan(
            &schema(INTERACTIONS_SCHEMA),
            &files("new", &[&new]),
            Vec::new(),
            Existing::Given(&inputs),
            &o,
            &p,
        );
        assert_eq!(result.is_err(), fail, "{:?}", result.err());
        let during = seen.lock().unwrap().expect("the existing data was read");
        assert!(
            during >= 2,
            "the batch's partitions were in the temporary folder: {during} files"
        );
        assert_eq!(
            walk_files(temp.path()),
            Vec::<std::path::PathBuf>::new(),
            "fail {fail}"
        );
        // Beside the output: the merged file when it succeeded, nothing else.
        let left: Vec<_> = walk_files(out.path())
            .into_iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let expect: Vec<String> = if fail {
            Vec::new()
        } else {
            vec!["merged.csv".into()]
        };
        assert_eq!(left, expect, "fail {fail}");
    }
}

#[test]
fn the_default_memory_limit_keeps_small_plans_in_memory() {
    // A temporary folder that cannot hold a folder: the plan out of core would fail.
    let not_a_dir = tempfile::NamedTempFile::new().unwrap();
    let existing = generated_items(9, 500, 100);
    let new = generated_items(10, 500, 100);
    let ex = files("existing", &[&existing]);
    let r = run_plan_on(
        ITEMS_SCHEMA,
        Existing::Given(&ex),
        &[&new],
        Mode::Full,
        |o, _| {
            o.temp_dir = Some(not_a_dir.path().to_path_buf());
        },
    );
    assert!(r.plan.batch.records > 400);
    let err = plan(
        &schema(ITEMS_SCHEMA),
        &files("new", &[&new]),
        Vec::new(),
        Existing::Given(&ex),
        &Options {
            temp_dir: Some(not_a_dir.path().to_path_buf()),
            ..opts(1, 1 << 20)
        },
        &PlanOptions {
            memory_limit: 1,
            ..PlanOptions::new(Mode::Full)
        },
    )
    .expect_err("out of core, the partitions need a folder");
    assert!(err.to_string().contains("temporary partitions"), "{err}");
}

#[test]
fn the_in_memory_table_built_in_parts_gives_the_plan_of_one_table() {
    // 70,000 new records, in memory: on two threads the batch's table is built in four parts
    // (by the keys' top bits) and probed part by part; on one thread it is one table.
    let cases = [
        (
            ITEMS_SCHEMA,
            generated_items(7, 9000, 3000),
            generated_items(8, 70_000, 20_000),
        ),
        (
            INTERACTIONS_SCHEMA,
            generated_interactions_over(9, 9000, 50, 30),
            generated_interactions_over(10, 70_000, 50, 30),
        ),
    ];
    for (schema_text, existing, new) in &cases {
        for mode in [Mode::Incremental, Mode::Full] {
            let existing_files = files("existing", &[existing]);
            let state = Existing::Given(&existing_files);
            let one = run_plan_on(schema_text, state, &[new], mode, |o, _| o.threads = 1);
            let two = run_plan_on(schema_text, state, &[new], mode, |o, _| o.threads = 2);
            assert_eq!(outcome(&two), outcome(&one), "{mode:?}");
            // Records of every kind: the comparison is not of empty plans.
            let p = &one.plan;
            assert!(
                p.collapsed > 0 && p.unchanged + p.replaced > 0,
                "{mode:?} {p:?}"
            );
        }
    }
}
