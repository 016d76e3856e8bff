//! Every emitter snapshotted on one shared sample: an interactions import with findings, its
//! plan (INCREMENTAL, against existing data) and its insights, made by the real validator from
//! a few records in memory.

use preflight_validator::{
    DatasetType, Existing, ImportMode, InputFile, InsightOptions, InsightSet, Insights, Options,
    Plan, PlanOptions, Policy, Report, SchemaSource,
};

use super::{render, Section};
use crate::args::Format;

/// The new batch: a millisecond timestamp, a missing item ID, an exact duplicate and a record
/// the dataset already holds.
const NEW: &str = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
u1,i1,1700000000,click
u1,i2,1700000060,click
u2,i1,1700086400,purchase
u2,i3,1700000000000,click
u3,,1700172800,click
u1,i1,1700000000,click
u4,i4,1700259200,watch
u4,i2,1700259300,click
";

/// What the dataset holds before the job.
const EXISTING: &str = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
u1,i1,1700000000,click
u9,i9,1699000000,click
";

/// The report with the plan's gates, the plan and the insights.
fn sample() -> (Report, Plan, Insights) {
    let schema = SchemaSource::Builtin {
        dataset_type: DatasetType::Interactions,
        domain: None,
    };
    let opts = Options {
        threads: 1,
        now: 1_700_500_000,
        policy: Policy::default(),
        ..Options::default()
    };
    let new = [InputFile::from_bytes("new.csv", NEW)];
    let existing = [InputFile::from_bytes("existing.csv", EXISTING)];
    let (report, plan) = preflight_validator::plan(
        &schema,
        &new,
        Vec::new(),
        Existing::Given(&existing),
        &opts,
        &PlanOptions::new(ImportMode::Incremental),
    )
    .unwrap();
    let plan = plan.expect("a plan");
    let set = InsightSet {
        schema: &schema,
        inputs: &new,
        extra: Vec::new(),
    };
    let mut analysed =
        preflight_validator::insights(vec![set], &opts, &InsightOptions::default()).unwrap();
    let (_, insights) = analysed.remove(0);
    (report, plan, insights)
}

/// The sample rendered in `format`, the version number redacted: what each emitter's snapshot
/// test renders (here, or in the emitter's own file).
pub(super) fn rendered(format: Format) -> String {
    let (report, plan, insights) = sample();
    let section = Section {
        name: None,
        report: &report,
        plan: Some(&plan),
        insights: Some(&insights),
        fix: None,
        changes: None,
    };
    render(format, false, &[section]).replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn the_sample_has_findings_a_plan_and_insights() {
    let (report, plan, insights) = sample();
    assert!(report.summary.errors > 0 && report.summary.warnings > 0);
    assert_eq!(plan.mode, ImportMode::Incremental);
    assert!(plan.knows_existing());
    assert!(!insights.event_types.is_empty());
}

#[test]
fn human() {
    insta::assert_snapshot!(rendered(Format::Human));
}

#[test]
fn json() {
    let out = rendered(Format::Json);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["plan"].is_object() && v["insights"].is_object(), "{v}");
    insta::assert_snapshot!(out);
}

#[test]
fn github() {
    insta::assert_snapshot!(rendered(Format::Github));
}

/// The XML with each suite's passing test cases (one per rule the suite's scope checks) checked
/// here and left out, and the counts they add up to redacted: the snapshot is about this
/// sample's findings, and adding a rule leaves it unchanged.
#[test]
fn junit() {
    let xml = rendered(Format::Junit);
    let suites: Vec<&str> = xml.split("<testsuite ").skip(1).collect();
    assert!(!suites.is_empty(), "{xml}");
    for suite in &suites {
        use preflight_validator::Family;
        let families: &[Family] = match suite.split('"').nth(1).unwrap() {
            "schema" => &[Family::Schema],
            "dataset" => &[Family::Dataset, Family::Insights],
            "plan" => continue,
            _ => &[Family::File, Family::Header, Family::Field],
        };
        let want = preflight_validator::rules::ALL
            .iter()
            .filter(|r| families.contains(&r.family))
            .count();
        let cases = suite.matches("<testcase ").count();
        assert_eq!(cases, want, "one test case per rule of the scope: {suite}");
        assert!(suite.contains(&format!(" tests=\"{want}\" ")), "{suite}");
    }
    let kept: String = xml
        .lines()
        .filter(|l| !(l.trim_start().starts_with("<testcase ") && l.ends_with("/>")))
        .map(|l| format!("{l}\n"))
        .collect();
    let redacted = regex::Regex::new(r#" tests="\d+""#)
        .unwrap()
        .replace_all(&kept, " tests=\"[one per rule]\"");
    insta::assert_snapshot!(redacted);
}

#[test]
fn markdown() {
    insta::assert_snapshot!(rendered(Format::Markdown));
}

/// The log, with `tool.driver.rules` (every rule's documentation, checked against the SARIF
/// schema in `tests/it/gating.rs`) checked here to be every rule in code order and left out, so
/// the snapshot is about this sample and adding a rule leaves it unchanged.
#[test]
fn sarif() {
    let mut v: serde_json::Value = serde_json::from_str(&rendered(Format::Sarif)).unwrap();
    let ids: Vec<String> = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            for key in ["id", "name", "shortDescription", "fullDescription", "help"] {
                assert!(r.get(key).is_some(), "a rule without `{key}`: {r}");
            }
            r["id"].as_str().unwrap().to_string()
        })
        .collect();
    let all: Vec<&str> = preflight_validator::rules::ALL
        .iter()
        .map(|r| r.code)
        .collect();
    assert_eq!(ids, all, "every rule, in code order");
    // A result's `ruleIndex` points into that table: checked, then left out with it.
    let results = v["runs"][0]["results"].as_array_mut().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let index = r["ruleIndex"]
            .as_u64()
            .expect("every result has a ruleIndex") as usize;
        assert_eq!(ids[index], r["ruleId"].as_str().unwrap(), "{r}");
        r.as_object_mut().unwrap().shift_remove("ruleIndex");
    }
    v["runs"][0]["tool"]["driver"]["rules"] =
        serde_json::Value::String("[every rule in rules::ALL, checked above]".into());
    insta::assert_snapshot!(serde_json::to_string_pretty(&v).unwrap());
}
