//! Insights on small hand-made datasets: one test per check, each with the expected figure
//! worked out by hand in a comment.

use preflight_validator::{
    insights, DatasetType, Domain, InputFile, InsightOptions, InsightSet, Insights, Options,
    Report, SchemaSource,
};

fn opts(threads: usize, block_size: usize) -> Options {
    Options {
        threads,
        block_size,
        now: 1_800_000_000,
        ..Options::default()
    }
}

fn schema(name: &str, fields: &str) -> SchemaSource {
    SchemaSource::Text {
        text: format!(
            r#"{{"type":"record","name":"{name}","namespace":"com.amazonaws.personalize.schema","fields":[{fields}],"version":"1.0"}}"#
        ),
        source: format!("{name}.json"),
        dataset_type: None,
        domain: None,
        accepted: false,
    }
}

fn builtin(t: DatasetType, domain: Option<Domain>) -> SchemaSource {
    SchemaSource::Builtin {
        dataset_type: t,
        domain,
    }
}

/// One dataset's report, and the insights `insights()` returns beside it.
struct Analysed {
    report: Report,
    insights: Insights,
}

impl std::ops::Deref for Analysed {
    type Target = Report;
    fn deref(&self) -> &Report {
        &self.report
    }
}

/// Runs the insights on datasets given as (schema, CSV text).
fn run_with(sets: &[(SchemaSource, String)], o: &Options, io: &InsightOptions) -> Vec<Analysed> {
    let inputs: Vec<Vec<InputFile>> = sets
        .iter()
        .enumerate()
        .map(|(i, (_, csv))| {
            vec![InputFile::from_bytes(
                &format!("d{i}.csv"),
                csv.clone().into_bytes(),
            )]
        })
        .collect();
    let sets: Vec<InsightSet<'_>> = sets
        .iter()
        .zip(&inputs)
        .map(|((s, _), i)| InsightSet {
            schema: s,
            inputs: i,
            extra: Vec::new(),
        })
        .collect();
    insights(sets, o, io)
        .expect("in-memory input")
        .into_iter()
        .map(|(report, insights)| Analysed { report, insights })
        .collect()
}

fn run(sets: &[(SchemaSource, String)]) -> Vec<Analysed> {
    run_with(sets, &opts(1, 1 << 20), &InsightOptions::default())
}

fn ins(r: &Analysed) -> &Insights {
    &r.insights
}

/// The messages of one rule's findings.
fn messages(r: &Report, code: &str) -> Vec<String> {
    r.diagnostics
        .iter()
        .filter(|d| d.rule.code == code)
        .map(|d| d.message.clone())
        .collect()
}

fn items_csv(header: &str, rows: impl IntoIterator<Item = String>) -> String {
    let mut s = format!("{header}\n");
    for r in rows {
        s.push_str(&r);
        s.push('\n');
    }
    s
}

const ID: &str = r#"{"name":"ITEM_ID","type":"string"}"#;

#[test]
fn pf501_column_under_70_percent_complete() {
    // GENRE: 6 of 10 filled = 60% (flagged); PRICE: 7 of 10 = 70% (not under 70%).
    let rows = (0..10).map(|i| {
        let genre = if i < 6 { "drama" } else { "" };
        let price = if i < 7 { "9.5" } else { "" };
        format!("i{i},{genre},{price}")
    });
    let s = schema(
        "Items",
        &format!(
            r#"{ID},{{"name":"GENRE","type":["null","string"],"categorical":true}},{{"name":"PRICE","type":["null","float"]}}"#
        ),
    );
    let r = &run(&[(s, items_csv("ITEM_ID,GENRE,PRICE", rows))])[0];
    let m = messages(r, "PF501");
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].starts_with("`GENRE` has a value in 6 of 10 records (60.0% complete)"),
        "{}",
        m[0]
    );
    let genre = &ins(r).columns[1];
    assert_eq!((genre.filled, genre.completeness), (6, 0.6));
}

#[test]
fn pf502_textual_column_under_85_percent_complete() {
    // 8 of 10 descriptions = 80%: under 85% (PF502), not under 70% (no PF501).
    let rows = (0..10).map(|i| {
        let d = if i < 8 { "a nice trip" } else { "" };
        format!("i{i},{d},x")
    });
    let s = schema(
        "Items",
        &format!(
            r#"{ID},{{"name":"DESCRIPTION","type":["null","string"],"textual":true}},{{"name":"C","type":"string","categorical":true}}"#
        ),
    );
    let r = &run(&[(s, items_csv("ITEM_ID,DESCRIPTION,C", rows))])[0];
    let m = messages(r, "PF502");
    assert_eq!(m.len(), 1);
    assert!(
        m[0].contains("8 of 10 records (80.0% complete)"),
        "{}",
        m[0]
    );
    assert!(messages(r, "PF501").is_empty());
}

#[test]
fn pf503_more_than_30_categories() {
    // COLOR: 29 single values c0..c28 plus one `a|b` list = 31 categories (30 distinct values).
    // SIZE: 30 categories exactly: not flagged.
    let mut rows: Vec<String> = (0..29).map(|i| format!("i{i},c{i},s{i}")).collect();
    rows.push("i29,a|b,s29".into());
    let s = schema(
        "Items",
        &format!(
            r#"{ID},{{"name":"COLOR","type":"string","categorical":true}},{{"name":"SIZE","type":"string","categorical":true}}"#
        ),
    );
    let r = &run(&[(s, items_csv("ITEM_ID,COLOR,SIZE", rows))])[0];
    let m = messages(r, "PF503");
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].starts_with("categorical `COLOR` has 31 categories (more than 30)"),
        "{}",
        m[0]
    );
    let color = &ins(r).columns[1];
    assert_eq!((color.categories, color.distinct), (Some(31), Some(30)));
}

#[test]
fn pf504_more_than_1000_distinct_values() {
    // 2002 interactions: CABIN values v0..v1000 (1001 distinct) twice each.
    let mut csv = String::from("USER_ID,ITEM_ID,TIMESTAMP,CABIN\n");
    for i in 0..2002 {
        csv.push_str(&format!(
            "u{},i1,{},v{}\n",
            i % 50,
            1_600_000_000 + i,
            i % 1001
        ));
    }
    let s = schema(
        "Interactions",
        r#"{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"CABIN","type":"string","categorical":true}"#,
    );
    let r = &run(&[(s, csv)])[0];
    let m = messages(r, "PF504");
    assert_eq!(
        m,
        vec!["categorical `CABIN` has 1001 distinct values (more than 1000)".to_string()]
    );
    // Attributes of interactions are not judged all-distinct.
    assert!(messages(r, "PF506").is_empty());
}

#[test]
fn pf505_constant_attribute() {
    // CURRENCY is USD in all 5 items that have one (the sixth is empty).
    let rows = (0..6).map(|i| format!("i{i},{},{}", if i < 5 { "USD" } else { "" }, i));
    let s = schema(
        "Items",
        &format!(
            r#"{ID},{{"name":"CURRENCY","type":["null","string"],"categorical":true}},{{"name":"N","type":"int"}}"#
        ),
    );
    let r = &run(&[(s, items_csv("ITEM_ID,CURRENCY,N", rows))])[0];
    assert_eq!(
        messages(r, "PF505"),
        vec!["`CURRENCY` has the same value in all 5 items that have one".to_string()]
    );
}

#[test]
fn pf506_all_distinct_categorical_attribute() {
    // SKU: 10 users, 10 distinct values (flagged); TIER: 10 users, 2 values (not).
    let rows = (0..10).map(|i| {
        format!(
            "u{i},SKU-{i:04},{}",
            if i % 2 == 0 { "gold" } else { "silver" }
        )
    });
    let s = schema(
        "Users",
        r#"{"name":"USER_ID","type":"string"},{"name":"SKU","type":"string","categorical":true},{"name":"TIER","type":"string","categorical":true}"#,
    );
    let r = &run(&[(s, items_csv("USER_ID,SKU,TIER", rows))])[0];
    assert_eq!(
        messages(r, "PF506"),
        vec![
            "categorical `SKU` has a different value in each of its 10 users: it groups nothing"
                .to_string()
        ]
    );
    // Nine distinct values are not judged (fewer than 10).
    let rows = (0..9).map(|i| format!("u{i},SKU-{i:04},gold"));
    let s = schema(
        "Users",
        r#"{"name":"USER_ID","type":"string"},{"name":"SKU","type":"string","categorical":true},{"name":"TIER","type":"string","categorical":true}"#,
    );
    assert!(messages(
        &run(&[(s, items_csv("USER_ID,SKU,TIER", rows))])[0],
        "PF506"
    )
    .is_empty());
}

#[test]
fn pf507_numeric_outliers_by_tukey_fences() {
    // PRICE 10, 12, 11, 13, 99999: sorted 10 11 12 13 99999; Q1 = 11 (rank 1), Q3 = 13 (rank 3),
    // IQR 2, fences 11 - 6 = 5 and 13 + 6 = 19: one outlier (99999), 20% of 5.
    let rows = ["10", "12", "11", "13", "99999"]
        .iter()
        .enumerate()
        .map(|(i, p)| format!("i{i},{p}"));
    let s = schema(
        "Items",
        &format!(r#"{ID},{{"name":"PRICE","type":"float"}}"#),
    );
    let r = &run(&[(s, items_csv("ITEM_ID,PRICE", rows))])[0];
    assert_eq!(
        messages(r, "PF507"),
        vec!["`PRICE` has 1 outlier (20.0%) outside Tukey's fences [5, 19] (Q1 11, Q3 13, k = 3); the values range from 10 to 99999".to_string()]
    );
    let n = ins(r).columns[1].numeric.clone().unwrap();
    assert_eq!((n.q1, n.median, n.q3, n.outliers), (11.0, 12.0, 13.0, 1));
    // Six values 1, 2, 3, 4, 5, 6: Q1 at rank 1.25 = 2.25, Q3 at rank 3.75 = 4.75: no outlier.
    let rows = (1..=6).map(|i| format!("i{i},{i}"));
    let s = schema(
        "Items",
        &format!(r#"{ID},{{"name":"PRICE","type":"float"}}"#),
    );
    let r = &run(&[(s, items_csv("ITEM_ID,PRICE", rows))])[0];
    let n = ins(r).columns[1].numeric.clone().unwrap();
    assert_eq!((n.q1, n.q3, n.outliers), (2.25, 4.75, 0));
    assert!(messages(r, "PF507").is_empty());
}

fn interactions(rows: &[(&str, &str, i64, &str)]) -> String {
    let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
    for (u, i, t, e) in rows {
        s.push_str(&format!("{u},{i},{t},{e}\n"));
    }
    s
}

#[test]
fn more_than_10_event_types_is_pf304() {
    // 11 distinct event types e0..e10: the engine's PF304 is part of the insights report.
    let rows: Vec<(String, i64, String)> = (0..11)
        .map(|i| (format!("u{i}"), 1_600_000_000 + i, format!("e{i}")))
        .collect();
    let rows: Vec<(&str, &str, i64, &str)> = rows
        .iter()
        .map(|(u, t, e)| (u.as_str(), "i1", *t, e.as_str()))
        .collect();
    let r = &run(&[(
        builtin(DatasetType::Interactions, None),
        interactions(&rows),
    )])[0];
    assert_eq!(messages(r, "PF304").len(), 1);
    assert_eq!(ins(r).event_types.len(), 11);
}

#[test]
fn identical_timestamps_is_pf309() {
    let rows = [
        ("u1", "i1", 1_600_000_000, "click"),
        ("u2", "i2", 1_600_000_000, "click"),
        ("u3", "i1", 1_600_000_000, "click"),
    ];
    let r = &run(&[(
        builtin(DatasetType::Interactions, None),
        interactions(&rows),
    )])[0];
    assert_eq!(
        messages(r, "PF309"),
        vec!["all 3 interactions have the same TIMESTAMP 1600000000".to_string()]
    );
    assert_eq!(ins(r).time_range, Some((1_600_000_000, 1_600_000_000)));
}

#[test]
fn event_type_shares_and_domain_use_cases() {
    // 3 View and 1 Purchase: 75% and 25%; no use case has its 1000 events.
    let rows = [
        ("u1", "i1", 1_600_000_000, "View"),
        ("u1", "i2", 1_600_000_100, "View"),
        ("u2", "i1", 1_600_000_200, "Purchase"),
        ("u2", "i3", 1_600_000_300, "View"),
    ];
    let r = &run(&[(
        builtin(DatasetType::Interactions, Some(Domain::Ecommerce)),
        interactions(&rows),
    )])[0];
    let e = &ins(r).event_types;
    assert_eq!(
        (e[0].event_type.as_str(), e[0].count, e[0].share),
        ("View", 3, 0.75)
    );
    assert_eq!(
        (e[1].event_type.as_str(), e[1].count, e[1].share),
        ("Purchase", 1, 0.25)
    );
    let cases = &ins(r).use_cases;
    let best = cases.iter().find(|c| c.name == "Best sellers").unwrap();
    assert_eq!(
        (best.event_type.as_deref(), best.events, best.ok),
        (Some("Purchase"), 1, false)
    );
    let rfy = cases
        .iter()
        .find(|c| c.name == "Recommended for you")
        .unwrap();
    assert_eq!((rfy.event_type.as_deref(), rfy.events), (None, 4));
    // The engine's PF306 says which required types lack 1000 events.
    assert_eq!(messages(r, "PF306").len(), 2);
}

#[test]
fn pf508_action_interactions_older_than_6_weeks() {
    // Latest day 2024-03-01 (day 19783); the window starts 42 days before, on 2024-01-19.
    // Two records (2024-01-01, 2024-01-18) are before it, three are inside: 2 of 5 (40%).
    let day = |d: i64| d * 86_400 + 3600;
    let mut csv = String::from("USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE\n");
    for d in [19_723, 19_740, 19_741, 19_760, 19_783] {
        csv.push_str(&format!("u1,a1,{},Taken\n", day(d)));
    }
    let r = &run(&[(builtin(DatasetType::ActionInteractions, None), csv)])[0];
    let m = messages(r, "PF508");
    assert_eq!(m.len(), 1);
    assert!(
        m[0].starts_with("2 of 5 interactions (40.0%) are from before 2024-01-19"),
        "{}",
        m[0]
    );
    assert_eq!(ins(r).window.as_ref().unwrap().older, 2);
    // NOT_TAKEN and VIEWED both count toward the second 50 (Next-Best-Action's recipe page).
    let help = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "PF508")
        .and_then(|d| d.help.clone())
        .unwrap();
    assert!(help.contains("50 NOT_TAKEN or VIEWED"), "{help}");
    // The same read counts that minimum: a1 has 3 TAKEN in the window and nothing else.
    let m = messages(r, "PF514");
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].starts_with("0 of 1 actions have at least 50 TAKEN"),
        "{}",
        m[0]
    );
    assert!(
        m[0].contains("`a1` (3 TAKEN, 0 NOT_TAKEN/VIEWED)"),
        "{}",
        m[0]
    );
}

#[test]
fn pf508_item_interactions_beyond_the_training_quota() {
    // Quota lowered to 3: of 5 interactions on 5 days, the 3 most recent days are kept and the
    // 2 on the first two days are outside.
    let rows: Vec<(&str, &str, i64, &str)> = (0..5)
        .map(|d| ("u1", "i1", 1_700_000_000 + d * 86_400, "click"))
        .collect();
    let io = InsightOptions {
        training_interactions: 3,
        ..InsightOptions::default()
    };
    let r = &run_with(
        &[(
            builtin(DatasetType::Interactions, None),
            interactions(&rows),
        )],
        &opts(1, 1 << 20),
        &io,
    )[0];
    let m = messages(r, "PF508");
    assert_eq!(m.len(), 1);
    assert!(m[0].starts_with("2 of 5 interactions (40.0%)"), "{}", m[0]);
}

#[test]
fn distributions_and_timeline() {
    // u1 has 3 interactions, u2 1: buckets "1" = 1 user, "2" = 0, "3–4" = 1; median 2, mean 2.
    // i1 has 2, i2 and i3 1 each. Two days: 2020-09-13 (3) and 2020-09-14 (1).
    let rows = [
        ("u1", "i1", 1_600_000_000, "click"),
        ("u1", "i2", 1_600_000_100, "click"),
        ("u1", "i1", 1_600_000_200, "click"),
        ("u2", "i3", 1_600_086_400, "click"),
    ];
    let r = &run(&[(
        builtin(DatasetType::Interactions, None),
        interactions(&rows),
    )])[0];
    let i = ins(r);
    let users = &i.distributions[0];
    assert_eq!(
        (
            users.field.as_str(),
            users.ids,
            users.min,
            users.max,
            users.median,
            users.mean
        ),
        ("USER_ID", 2, 1, 3, 2.0, 2.0)
    );
    let bars: Vec<(&str, u64)> = users
        .bars
        .iter()
        .map(|b| (b.label.as_str(), b.count))
        .collect();
    assert_eq!(bars, vec![("1", 1), ("2", 0), ("3–4", 1)]);
    let items = &i.distributions[1];
    assert_eq!((items.ids, items.max), (3, 2));
    let days: Vec<(&str, u64)> = i
        .over_time
        .iter()
        .map(|b| (b.label.as_str(), b.count))
        .collect();
    assert_eq!(days, vec![("2020-09-13", 3), ("2020-09-14", 1)]);
    assert_eq!(i.time_unit.as_deref(), Some("day"));
}

fn coverage_sets() -> Vec<(SchemaSource, String)> {
    // Interactions mention items i1 (3 times), i2, `I3` and `i4 ` (once each), users u1, u2.
    // Items: i1, i2, i3, i5, i6. Missing from Items: `I3`, `i4 ` (2 of 4 IDs, 2 of 6
    // interactions); `I3` matches `i3` after lower-casing; `i4 ` matches nothing. Items without
    // interactions: i3, i5, i6 (3 of 5). Users: u1 only: u2 missing (1 of 2, 1 of 6
    // interactions), and every user has interactions.
    let rows = [
        ("u1", "i1", 1_600_000_000, "click"),
        ("u1", "i1", 1_600_000_001, "click"),
        ("u2", "i1", 1_600_000_002, "click"),
        ("u1", "i2", 1_600_000_003, "click"),
        ("u1", "I3", 1_600_000_004, "click"),
        ("u1", "\"i4 \"", 1_600_000_005, "click"),
    ];
    vec![
        (
            builtin(DatasetType::Interactions, None),
            interactions(&rows),
        ),
        (
            schema(
                "Items",
                &format!(r#"{ID},{{"name":"G","type":"string","categorical":true}}"#),
            ),
            "ITEM_ID,G\ni1,a\ni2,b\ni3,a\ni5,b\ni6,a\n".into(),
        ),
        (
            schema(
                "Users",
                r#"{"name":"USER_ID","type":"string"},{"name":"T","type":"string","categorical":true}"#,
            ),
            "USER_ID,T\nu1,gold\n".into(),
        ),
    ]
}

#[test]
fn coverage_between_interactions_items_and_users() {
    let reports = run(&coverage_sets());
    let cov = &ins(&reports[0]).coverage;
    let items = cov.iter().find(|c| c.field == "ITEM_ID").unwrap();
    assert_eq!(
        (
            items.interaction_ids,
            items.interactions,
            items.missing_ids,
            items.missing_interactions
        ),
        (4, 6, 2, 2)
    );
    assert_eq!((items.dataset_ids, items.without_interactions), (5, 3));
    assert_eq!((items.near_ids, items.near_interactions), (1, 1));
    assert_eq!(items.examples, vec![("I3".to_string(), "i3".to_string())]);
    let users = cov.iter().find(|c| c.field == "USER_ID").unwrap();
    assert_eq!(
        (
            users.interaction_ids,
            users.missing_ids,
            users.missing_interactions
        ),
        (2, 1, 1)
    );
    assert_eq!(users.without_interactions, 0);

    let pf509 = messages(&reports[0], "PF509");
    assert!(pf509.contains(&"2 of 4 distinct ITEM_IDs in the interactions (50.0%) are not in the Items dataset; 2 of 6 interactions (33.3%) have one".to_string()), "{pf509:?}");
    assert!(pf509.contains(&"1 of 2 distinct USER_IDs in the interactions (50.0%) are not in the Users dataset; 1 of 6 interactions (16.7%) have one".to_string()), "{pf509:?}");
    assert_eq!(
        messages(&reports[0], "PF511"),
        vec!["1 ITEM_IDs of the interactions (1 interactions) match an ID of the Items dataset only after trimming spaces or changing case, e.g. `I3` vs `i3`".to_string()]
    );
    assert_eq!(
        messages(&reports[1], "PF510"),
        vec!["3 of 5 items (60.0%) have no interactions in the Interactions dataset".to_string()]
    );
    assert!(messages(&reports[2], "PF510").is_empty());
}

#[test]
fn same_insights_for_any_threads_and_block_size() {
    let sets = coverage_sets();
    let io = InsightOptions::default();
    let reference = run_with(&sets, &opts(1, 1 << 20), &io);
    for (threads, block) in [(1, 7), (2, 16), (2, 64), (3, 1)] {
        let other = run_with(&sets, &opts(threads, block), &io);
        for (a, b) in reference.iter().zip(&other) {
            assert_eq!(a.insights, b.insights, "threads {threads}, block {block}");
            assert_eq!(
                a.diagnostics, b.diagnostics,
                "threads {threads}, block {block}"
            );
        }
    }
}

#[test]
fn validation_findings_are_summarised_not_shown() {
    // A row with a bad timestamp is a validation error (PF207): hidden from the insights
    // report, counted in its `validation` summary; kept with `keep_validation`.
    let csv = "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,abc\nu1,i2,1600000000\n".to_string();
    let sets = [(builtin(DatasetType::Interactions, None), csv)];
    let r = &run(&sets)[0];
    assert!(messages(r, "PF207").is_empty());
    assert_eq!(ins(r).validation.as_ref().map(|s| s.errors), Some(1));
    let io = InsightOptions {
        keep_validation: true,
        ..InsightOptions::default()
    };
    let r = &run_with(&sets, &opts(1, 1 << 20), &io)[0];
    assert_eq!(messages(r, "PF207").len(), 1);
    assert_eq!(ins(r).validation, None);
}

#[test]
fn timeline_leaves_out_invalid_timestamps() {
    // A millisecond value (a PF215 error) would stretch the timeline to the year 52000: only
    // the two valid days are charted.
    let rows = [
        ("u1", "i1", 1_600_000_000, "click"),
        ("u2", "i2", 1_600_000_000_000, "click"),
        ("u1", "i2", 1_600_086_400, "click"),
    ];
    let r = &run(&[(
        builtin(DatasetType::Interactions, None),
        interactions(&rows),
    )])[0];
    let days: Vec<(&str, u64)> = ins(r)
        .over_time
        .iter()
        .map(|b| (b.label.as_str(), b.count))
        .collect();
    assert_eq!(days, vec![("2020-09-13", 1), ("2020-09-14", 1)]);
}

#[test]
fn columns_the_schema_does_not_type_are_judged_by_their_values() {
    // The built-in Items schema adapted to the header knows only ITEM_ID. PRICE is numeric in
    // every record (10, 12, 11, 13, 99999: the outlier of the PF507 test); COLOR is `red` in all
    // 5 (constant, PF505); CODE has `7` and `x` (not all numbers: categorical, 2 distinct);
    // NOTE differs in every record, but whether it is a category or free text is unknown, so
    // neither PF506 nor the category counts judge it.
    let rows = ["10", "12", "11", "13", "99999"]
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let code = if i == 0 { "x" } else { "7" };
            format!("i{i},{p},red,{code},note {i}")
        });
    let r = &run(&[(
        builtin(DatasetType::Items, None),
        items_csv("ITEM_ID,PRICE,COLOR,CODE,NOTE", rows),
    )])[0];
    let cols = &ins(r).columns;
    let kinds: Vec<(&str, &str)> = cols
        .iter()
        .map(|c| (c.name.as_str(), c.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("ITEM_ID", "id"),
            ("PRICE", "numeric (inferred)"),
            ("COLOR", "categorical (inferred)"),
            ("CODE", "categorical (inferred)"),
            ("NOTE", "categorical (inferred)"),
        ]
    );
    let n = cols[1].numeric.clone().unwrap();
    assert_eq!((n.q1, n.median, n.q3, n.outliers), (11.0, 12.0, 13.0, 1));
    assert_eq!(messages(r, "PF507").len(), 1);
    assert_eq!(
        messages(r, "PF505"),
        vec!["`COLOR` has the same value in all 5 items that have one".to_string()]
    );
    assert_eq!(cols[3].distinct, Some(2));
    assert!(cols[3].numeric.is_none());
    assert_eq!(cols[4].distinct, Some(5));
    assert!(messages(r, "PF506").is_empty());

    // Blocks of a few lines, checked by several threads: a block of numbers merged with one
    // where CODE is not a number gives the same judgement.
    let sets = [(
        builtin(DatasetType::Items, None),
        items_csv(
            "ITEM_ID,PRICE,COLOR,CODE,NOTE",
            ["10", "12", "11", "13", "99999"]
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let code = if i == 0 { "x" } else { "7" };
                    format!("i{i},{p},red,{code},note {i}")
                }),
        ),
    )];
    for (threads, block) in [(2, 16), (3, 40), (2, 64)] {
        let small = &run_with(&sets, &opts(threads, block), &InsightOptions::default())[0];
        assert_eq!(ins(small), ins(r), "{threads} threads, {block}-byte blocks");
    }
}

#[test]
fn actions_beyond_the_training_limit_count_the_interactions_actions_too() {
    // 999 actions in the Actions dataset, and action interactions with two more: 1,001 actions
    // in all, one over what Next-Best-Action considers. The finding is on the Actions dataset.
    let mut actions = String::from("ACTION_ID,LEVEL\n");
    for k in 0..999 {
        actions.push_str(&format!("a{k},gold\n"));
    }
    let mut ai = String::from("USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE\n");
    for (k, a) in ["a1", "a998", "a999", "a1000"].iter().enumerate() {
        ai.push_str(&format!("u{k},{a},{},Taken\n", 1_700_000_000 + k as i64));
    }
    let r = run(&[
        (builtin(DatasetType::Actions, None), actions.clone()),
        (builtin(DatasetType::ActionInteractions, None), ai.clone()),
    ]);
    let m = messages(&r[0], "PF513");
    assert_eq!(m.len(), 1, "{:?}", r[0].diagnostics);
    assert!(m[0].contains("holds 1,001 actions"), "{}", m[0]);
    assert!(messages(&r[1], "PF513").is_empty());
    // Alone, neither dataset is over the limit.
    let r = run(&[(builtin(DatasetType::Actions, None), actions)]);
    assert!(messages(&r[0], "PF513").is_empty());
    let r = run(&[(builtin(DatasetType::ActionInteractions, None), ai)]);
    assert!(messages(&r[0], "PF513").is_empty());
}
