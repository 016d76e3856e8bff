//! `preflight plan` and `validate --mode/--existing` through the real binary: the plan in every
//! format, exit codes, written files (round-tripping through `validate`), inputs in name order,
//! and the 1,500-rows-with-600-copies gate.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common;
use common::{preflight, root};

const ITEMS: [&str; 4] = [
    "--schema",
    "testdata/plan/items-schema.json",
    "--existing",
    "testdata/plan/items-existing.csv",
];

fn items_plan(mode: &str, format: &str) -> (String, i32) {
    let out = preflight()
        .args(["plan", "--mode", mode])
        .args(ITEMS)
        .args(["testdata/plan/items-new.csv", "--format", format])
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn human_plan_incremental() {
    let (out, code) = items_plan("incremental", "human");
    assert_eq!(code, 0, "a duplicate ID is only a warning");
    insta::assert_snapshot!(out);
}

#[test]
fn human_plan_full() {
    let (out, code) = items_plan("full", "human");
    assert_eq!(code, 0, "dropping records is a warning");
    insta::assert_snapshot!(out);
}

#[test]
fn the_plan_says_what_the_import_changes_in_recommendations() {
    let (out, code) = items_plan("incremental", "json");
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let c = &v["changes"];
    assert_eq!(c["new"][0]["change"], "new-items");
    // The existing data is given: the count is the plan's new records.
    assert_eq!(c["new"][0]["count"], v["plan"]["new"]);
    assert!(c["new"][0]["at_most"].is_null());
    let reaches = c["new"][0]["reaches"].as_str().unwrap();
    assert!(reaches.contains("within about 2 hours"), "{reaches}");
    assert!(reaches.contains("new solution version"), "{reaches}");
    assert!(c["filters"].as_str().unwrap().contains("within 20 minutes"));
    // Without --dataset-arn no model is listed, and the human format says how to see them.
    assert!(c.get("models").is_none());
    let (human, _) = items_plan("incremental", "human");
    assert!(
        human.contains("What this import changes in recommendations:"),
        "{human}"
    );
    assert!(
        human.contains("Give --dataset-arn to see it per solution"),
        "{human}"
    );
    let (md, _) = items_plan("incremental", "markdown");
    assert!(
        md.contains("#### What this import changes in recommendations"),
        "{md}"
    );
}

/// An interactions import's new users and items, counted by hand:
/// - existing users {u1, u2}, items {i1, i2};
/// - batch users {u1, u3, u4, u5} (`"u5"` quoted is u5), items {i1, i3, i4}.
///
/// Given (INCREMENTAL, or FULL against the data it replaces): 3 new users (u3, u4, u5) and 2 new
/// items (i3, i4). Known empty: all 4 and 3. Unknown: at most 4 and 3.
#[test]
fn an_interactions_plan_counts_new_users_and_new_items() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\n";
    std::fs::write(
        d.join("existing.csv"),
        format!("{header}u1,i1,1596238243,click,,mobile\nu1,i2,1596238244,click,,\nu2,i1,1596238245,view,,\n"),
    )
    .unwrap();
    std::fs::write(
        d.join("new.csv"),
        format!(
            "{header}u1,i1,1596238243,click,,mobile\nu3,i3,1596238246,click,,\nu3,i1,1596238247,click,,\nu4,i4,1596238248,view,,\n\"u5\",i3,1596238249,view,,\nu5,i1,1596238250,view,,\n"
        ),
    )
    .unwrap();
    let plan = |mode: &str, existing: &[&str], format: &str| {
        let out = preflight()
            .args(["plan", "--mode", mode, "--format", format])
            .args(["--schema", "testdata/example/schema.json"])
            .args(existing)
            .arg(d.join("new.csv"))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let ex = d.join("existing.csv");
    let ex = ["--existing", ex.to_str().unwrap()];
    let counts = |v: &Value| -> Vec<(String, Value, Value, Value)> {
        v["changes"]["new"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["change"].as_str().unwrap().to_string(),
                    n["count"].clone(),
                    n["at_most"].clone(),
                    n["against"].clone(),
                )
            })
            .collect()
    };
    let row = |c: &str, count: Value, at_most: Value, against: Value| {
        (c.to_string(), count, at_most, against)
    };
    let null = Value::Null;
    for mode in ["incremental", "full"] {
        let v: Value = serde_json::from_str(&plan(mode, &ex, "json")).unwrap();
        assert_eq!(
            counts(&v),
            [
                row("new-interactions", 5.into(), null.clone(), null.clone()),
                row(
                    "new-users",
                    3.into(),
                    null.clone(),
                    "existing-interactions".into()
                ),
                row(
                    "new-items",
                    2.into(),
                    null.clone(),
                    "existing-interactions".into()
                ),
            ],
            "{mode}"
        );
        let reaches = v["changes"]["new"][1]["reaches"].as_str().unwrap();
        assert!(reaches.contains("popular items"), "{reaches}");
        let reaches = v["changes"]["new"][2]["reaches"].as_str().unwrap();
        assert!(reaches.contains("about every 2 hours"), "{reaches}");
    }
    let human = plan("incremental", &ex, "human");
    assert!(
        human.contains("  3 new users (not in the existing interactions): their bulk interactions reach a model only at its next training"),
        "{human}"
    );
    assert!(
        human.contains("  2 new items (not in the existing interactions): User-Personalization"),
        "{human}"
    );
    let human = plan("full", &ex, "human");
    assert!(
        human.contains("  3 new users (not in the bulk interactions this FULL import replaces): "),
        "{human}"
    );
    let md = plan("incremental", &ex, "markdown");
    assert!(
        md.contains("- **2 new items** (not in the existing interactions): "),
        "{md}"
    );
    // Known empty: every distinct ID is new.
    let v: Value = serde_json::from_str(&plan("full", &["--first-import"], "json")).unwrap();
    assert_eq!(
        counts(&v)[1..],
        [
            row("new-users", 4.into(), null.clone(), "empty-dataset".into()),
            row("new-items", 3.into(), null.clone(), "empty-dataset".into()),
        ]
    );
    // Unknown: the batch's distinct IDs bound them.
    let v: Value = serde_json::from_str(&plan("incremental", &[], "json")).unwrap();
    assert_eq!(
        counts(&v)[1..],
        [
            row("new-users", null.clone(), 4.into(), "batch".into()),
            row("new-items", null.clone(), 3.into(), "batch".into()),
        ]
    );
    let human = plan("incremental", &[], "human");
    assert!(
        human.contains(
            "  at most 4 new users (the batch's distinct IDs; the existing data is unknown): "
        ),
        "{human}"
    );
    // Tiny --memory-limit: the same counts out of core.
    let tiny = plan(
        "incremental",
        &[ex[0], ex[1], "--memory-limit", "1"],
        "json",
    );
    let v: Value = serde_json::from_str(&tiny).unwrap();
    assert_eq!(counts(&v)[1].1, 3, "{tiny}");
    assert_eq!(counts(&v)[2].1, 2, "{tiny}");
}

/// `run` prints the same counts on stderr before it stages anything (a dry run, FULL over
/// existing data it partly drops, hence --allow-drop). The hand-counted rows of the test above,
/// plus users w0..w99 and items j0..j49 that both sides hold (1,200 rows, so that the dataset
/// after the job passes the 1,000-interactions minimum): still 3 new users and 2 new items.
#[test]
fn run_says_the_new_users_and_items_before_staging() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\n";
    let mut existing = format!(
        "{header}u1,i1,1596238243,click,,mobile\nu1,i2,1596238244,click,,\nu2,i1,1596238245,view,,\n"
    );
    for k in 0..100 {
        let _ = writeln!(existing, "w{k},j{},{},click,,", k % 50, 1_596_230_000 + k);
    }
    let mut new = format!(
        "{header}u1,i1,1596238243,click,,mobile\nu3,i3,1596238246,click,,\nu3,i1,1596238247,click,,\nu4,i4,1596238248,view,,\n\"u5\",i3,1596238249,view,,\nu5,i1,1596238250,view,,\n"
    );
    for k in 0..1200 {
        let _ = writeln!(
            new,
            "w{},j{},{},click,,",
            k % 100,
            k % 50,
            1_596_240_000 + k
        );
    }
    std::fs::write(d.join("existing.csv"), existing).unwrap();
    std::fs::write(d.join("new.csv"), new).unwrap();
    let out = preflight()
        .args([
            "run",
            "--dry-run",
            "--schema",
            "testdata/example/schema.json",
        ])
        .args([
            "--dataset-arn",
            "arn:aws:personalize:us-east-1:123456789012:dataset/shop/INTERACTIONS",
            "--role-arn",
            "arn:aws:iam::123456789012:role/PersonalizeS3Read",
            "--stage-to",
            "s3://my-bucket/personalize/",
            "--mode",
            "full",
            "--allow-drop",
            "--existing",
        ])
        .arg(d.join("existing.csv"))
        .arg(d.join("new.csv"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("  3 new users (not in the bulk interactions this FULL import replaces): ")
            && stderr.contains(
                "  2 new items (not in the bulk interactions this FULL import replaces): "
            ),
        "{stderr}"
    );
}

#[test]
fn json_plan_has_every_count() {
    let (out, code) = items_plan("full", "json");
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let p = &v["plan"];
    assert_eq!(p["mode"], "FULL");
    assert_eq!(p["dataset_type"], "Items");
    assert_eq!(p["identity"], "ITEM_ID");
    assert_eq!(p["existing"]["records"], 4);
    assert_eq!(p["batch"]["records"], 5);
    assert_eq!(p["batch"]["distinct"], 4);
    for (k, n) in [
        ("added", 2),
        ("replaced", 1),
        ("unchanged", 1),
        ("new", 2),
        ("collapsed", 1),
        ("superseded", 2),
        ("dropped", 2),
        ("result_records", 4),
        ("data_errors", 0),
    ] {
        assert_eq!(p[k], n, "{k}");
    }
    assert_eq!(p["dropped_sample"][0]["id"], "i1");
    assert_eq!(p["dropped_sample"][0]["line"], 2);
    assert_eq!(p["dropped_sample"][1]["id"], "i4");
    let codes: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["PF307", "PF313"]);
}

#[test]
fn other_formats_carry_the_plan() {
    let (github, _) = items_plan("incremental", "github");
    assert!(
        github.contains("::notice title=preflight plan::INCREMENTAL import into an Items dataset: 5 records in the batch (2 added, 1 replaced, 1 unchanged, 1 collapsed); 6 records after the job"),
        "{github}"
    );
    let (junit, _) = items_plan("full", "junit");
    assert!(
        junit.contains("<testsuite name=\"plan\" tests=\"1\" failures=\"0\""),
        "{junit}"
    );
    assert!(
        junit.contains("<property name=\"dropped\" value=\"2\"/>"),
        "{junit}"
    );
    let (markdown, _) = items_plan("incremental", "markdown");
    assert!(
        markdown.contains("| replaced | 1 | same ID, other values |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| **after the job** | **6** | |"),
        "{markdown}"
    );
    let (sarif, _) = items_plan("full", "sarif");
    let v: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(v["runs"][0]["properties"]["plans"][0]["dropped"], 2);
    // The step summary gets the plan table too.
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    preflight()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["plan", "--mode", "full"])
        .args(ITEMS)
        .args(["testdata/plan/items-new.csv", "--format", "github"])
        .assert()
        .code(0);
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("| dropped | 2 |"), "{md}");
}

#[test]
fn written_files_round_trip_through_validate() {
    let dir = tempfile::tempdir().unwrap();
    let merged = dir.path().join("merged.csv");
    let deduped = dir.path().join("deduped.csv");
    let out = preflight()
        .args(["plan", "--mode", "incremental", "--format", "json"])
        .args(ITEMS)
        .arg("testdata/plan/items-new.csv")
        .arg("--write-merged")
        .arg(&merged)
        .arg("--write-deduped")
        .arg(&deduped)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = v["plan"]["result_records"].as_u64().unwrap();
    assert_eq!(
        std::fs::read_to_string(&merged).unwrap(),
        "ITEM_ID,PRICE,GENRES\ni1,1.0,Comedy\ni4,4.0,Kids\ni2,2.00,Drama\ni3,3.5,Horror\ni5,5.0,Comedy|Drama\ni6,6.5,Kids\n"
    );
    assert_eq!(v["plan"]["written"][0]["records"], result);
    for (file, records) in [(&merged, result), (&deduped, 4)] {
        let out = preflight()
            .args([
                "validate",
                "--schema",
                "testdata/plan/items-schema.json",
                "--format",
                "json",
            ])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", file.display());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["summary"]["records"], records);
        assert_eq!(
            v["rules"],
            Value::Array(Vec::new()),
            "clean: {}",
            file.display()
        );
    }
    // Never overwritten without --force.
    let again = preflight()
        .args(["plan", "--mode", "incremental"])
        .args(ITEMS)
        .arg("testdata/plan/items-new.csv")
        .arg("--write-merged")
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("--force"), "{err}");
    preflight()
        .args(["plan", "--mode", "full", "--force"])
        .args(ITEMS)
        .arg("testdata/plan/items-new.csv")
        .arg("--write-merged")
        .arg(&merged)
        .assert()
        .code(0);
    assert_eq!(std::fs::read_to_string(&merged).unwrap().lines().count(), 5);
}

/// `n` distinct interactions of 50 users from record `from` on.
fn interactions(from: u64, n: u64) -> String {
    let mut s = String::new();
    for k in from..from + n {
        let _ = writeln!(s, "u{},i{},{},click", k % 50, k % 97, 1_596_238_243 + k);
    }
    s
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn six_hundred_copies_fail_the_incremental_gate_but_not_full() {
    let dir = tempfile::tempdir().unwrap();
    let header = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n";
    let existing = write(
        dir.path(),
        "existing.csv",
        &format!("{header}{}", interactions(0, 2000)),
    );
    let new = write(
        dir.path(),
        "new.csv",
        &format!(
            "{header}{}{}",
            interactions(1400, 600),
            interactions(5000, 900)
        ),
    );
    let run = |mode: &str| {
        let out = preflight()
            .args([
                "plan",
                "--dataset-type",
                "interactions",
                "--format",
                "json",
                "--mode",
                mode,
            ])
            .arg("--existing")
            .arg(&existing)
            .arg(&new)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        )
    };
    let (code, v) = run("incremental");
    assert_eq!(code, 1);
    assert_eq!(v["plan"]["batch"]["records"], 1500);
    assert_eq!(v["plan"]["new"], 900);
    assert_eq!(v["plan"]["collapsed"], 600);
    let errors: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(errors, ["PF310"]);
    let (code, v) = run("full");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["plan"]["dropped"], 1400);
    // `validate --mode` adds the same gate to the validation report, without the plan.
    let out = preflight()
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "--format",
            "json",
            "--mode",
            "incremental",
        ])
        .arg("--existing")
        .arg(&existing)
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.get("plan").is_none());
    assert_eq!(v["rules"][0]["code"], "PF310");
}

#[test]
fn new_files_are_read_in_name_order_and_stdin_works() {
    let dir = tempfile::tempdir().unwrap();
    let header = "ITEM_ID,PRICE,GENRES\n";
    let b = write(dir.path(), "b.csv", &format!("{header}i1,2,B\n"));
    let a = write(dir.path(), "a.csv", &format!("{header}i1,1,A\n"));
    let deduped = dir.path().join("out.csv");
    // Given as b then a: a.csv is read first, so b.csv's i1 wins.
    preflight()
        .args([
            "plan",
            "--mode",
            "full",
            "--schema",
            "testdata/plan/items-schema.json",
        ])
        .arg(&b)
        .arg(&a)
        .arg("--write-deduped")
        .arg(&deduped)
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(&deduped).unwrap(),
        format!("{header}i1,2,B\n")
    );
    // The new data from standard input.
    let out = preflight()
        .args(["plan", "--mode", "incremental", "--format", "json"])
        .args(ITEMS)
        .arg("-")
        .write_stdin(format!("{header}i1,1.00,Comedy\n"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["plan"]["unchanged"], 1);
    assert_eq!(v["plan"]["result_records"], 4);
}

#[test]
fn usage_errors_exit_two() {
    // --existing needs --mode in validate; plan needs --mode.
    preflight()
        .args([
            "validate",
            "--dataset-type",
            "items",
            "--existing",
            "x.csv",
            "y.csv",
        ])
        .assert()
        .code(2);
    preflight()
        .args([
            "plan",
            "--dataset-type",
            "items",
            "testdata/plan/items-new.csv",
        ])
        .assert()
        .code(2);
    // An existing file that lacks the ID column.
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "e.csv", "PRICE,GENRES\n1,A\n");
    let out = preflight()
        .args([
            "plan",
            "--mode",
            "incremental",
            "--schema",
            "testdata/plan/items-schema.json",
            "--existing",
        ])
        .arg(&bad)
        .arg("testdata/plan/items-new.csv")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no `ITEM_ID` column"));
}

#[test]
fn existing_data_from_a_folder_or_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let ex = dir.path().join("dataset");
    std::fs::create_dir(&ex).unwrap();
    let header = "ITEM_ID,PRICE,GENRES\n";
    // Name order: a.csv then b.csv; b.csv's i2 is the one the dataset holds.
    write(
        &ex,
        "b.csv",
        &format!("{header}i2,2.0,Drama\ni4,4.0,Kids\n"),
    );
    write(
        &ex,
        "a.csv",
        &format!("{header}i1,1.0,Comedy\ni2,9.0,Drama\n"),
    );
    write(&ex, "notes.txt", "not data\n");
    let out = preflight()
        .args(["plan", "--mode", "incremental", "--format", "json"])
        .args(["--schema", "testdata/plan/items-schema.json", "--existing"])
        .arg(&ex)
        .arg("testdata/plan/items-new.csv")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The file left out is named, so a copy whose data files lack `.csv` is not taken for empty.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not read as existing data") && stderr.contains("notes.txt"),
        "{stderr}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &v["plan"];
    assert_eq!(p["existing"]["files"].as_array().unwrap().len(), 2);
    assert_eq!(p["existing"]["records"], 4);
    // i2 2.00 = the last i2 (2.0): unchanged; i3 i5 i6 added; the existing i2 lines superseded.
    assert_eq!(
        (p["added"].as_u64(), p["unchanged"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(p["superseded"], 2);
    assert_eq!(p["result_records"], 6);

    let existing =
        std::fs::read_to_string(root().join("testdata/plan/items-existing.csv")).unwrap();
    let out = preflight()
        .args(["plan", "--mode", "incremental", "--format", "json"])
        .args([
            "--schema",
            "testdata/plan/items-schema.json",
            "--existing",
            "-",
        ])
        .arg("testdata/plan/items-new.csv")
        .write_stdin(existing)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["plan"]["existing"]["files"][0]["path"], "-");
    assert_eq!(v["plan"]["result_records"], 6);
    // Both from standard input cannot be.
    preflight()
        .args([
            "plan",
            "--mode",
            "full",
            "--dataset-type",
            "items",
            "--existing",
            "-",
            "-",
        ])
        .assert()
        .code(2);
}

/// The plan's report as JSON, and its exit code.
fn plan_json(args: &[&str]) -> (Value, i32) {
    let out = preflight()
        .arg("plan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr))),
        out.status.code().unwrap(),
    )
}

/// The messages of one rule's findings, checking they are info.
fn infos(report: &Value, code: &str) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            assert_eq!(d["severity"], "info", "{d}");
            d["message"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn the_plan_says_what_training_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let actions = |from: u64, n: u64| {
        let mut s = String::from("ACTION_ID,LEVEL\n");
        for k in from..from + n {
            let _ = writeln!(s, "a{k},gold");
        }
        s
    };
    let new = write(dir.path(), "actions.csv", &actions(0, 1001));
    let new = new.to_str().unwrap();
    let existing = write(dir.path(), "existing.csv", &actions(1000, 500));
    let existing = existing.to_str().unwrap();

    // FULL: the dataset after the job is the batch, 1,001 actions; training considers 1,000.
    let (v, code) = plan_json(&["--mode", "full", "--dataset-type", "actions", new]);
    assert_eq!(code, 0, "{v}");
    let pf513 = infos(&v, "PF513");
    assert_eq!(pf513.len(), 1, "{v}");
    assert!(
        pf513[0].starts_with("after the job the dataset holds 1,001 actions"),
        "{}",
        pf513[0]
    );
    // INCREMENTAL onto 500 existing actions (one shared ID): 1,500 after the job.
    let (v, _) = plan_json(&[
        "--mode",
        "incremental",
        "--dataset-type",
        "actions",
        "--existing",
        existing,
        new,
    ]);
    let pf513 = infos(&v, "PF513");
    assert!(pf513[0].contains("holds 1,500 actions"), "{pf513:?}");
    // 1,000 actions: no note.
    let few = write(dir.path(), "few.csv", &actions(0, 1000));
    let (v, _) = plan_json(&[
        "--mode",
        "full",
        "--dataset-type",
        "actions",
        few.to_str().unwrap(),
    ]);
    assert!(infos(&v, "PF513").is_empty(), "{v}");

    // Action interactions, FULL: Next-Best-Action's per-action minimum, counted with examples.
    let mut s = String::from("USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE\n");
    for k in 0..100u64 {
        let event = if k % 2 == 0 { "TAKEN" } else { "VIEWED" };
        let _ = writeln!(s, "u{},join,{},{event}", k % 30, 1_596_238_243 + k * 60);
    }
    for k in 0..30u64 {
        let event = if k % 3 == 0 { "TAKEN" } else { "NOT_TAKEN" };
        let _ = writeln!(s, "u{k},app,{},{event}", 1_596_238_243 + k * 60);
    }
    let ai = write(dir.path(), "action-interactions.csv", &s);
    let (v, _) = plan_json(&[
        "--mode",
        "full",
        "--dataset-type",
        "action-interactions",
        "--severity",
        "PF301=off",
        ai.to_str().unwrap(),
    ]);
    let pf514 = infos(&v, "PF514");
    assert_eq!(pf514.len(), 1, "{v}");
    assert!(
        pf514[0].starts_with("1 of 2 actions has at least 50 TAKEN and 50 NOT_TAKEN or VIEWED"),
        "{}",
        pf514[0]
    );
    assert!(
        pf514[0].contains("`app` (10 TAKEN, 20 NOT_TAKEN/VIEWED)"),
        "{}",
        pf514[0]
    );
}

// ---- Issue 13: the three states of existing data, and limits on the dataset after the job ----

const INTERACTIONS_HEADER: &str = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n";

/// `n` interactions from record `from` on, each user with `per_user` of them in a row, event
/// types cycling through `types`.
fn events(from: u64, n: u64, per_user: u64, types: &[&str]) -> String {
    let mut s = String::from(INTERACTIONS_HEADER);
    for k in from..from + n {
        let _ = writeln!(
            s,
            "u{},i{},{},{}",
            k / per_user,
            k % 97,
            1_596_238_243 + k,
            types[(k as usize) % types.len()]
        );
    }
    s
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// (code, severity, message) of every finding.
fn found(v: &Value) -> Vec<(String, String, String)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn codes(v: &Value) -> Vec<String> {
    found(v).into_iter().map(|(c, _, _)| c).collect()
}

fn message(v: &Value, code: &str) -> String {
    found(v)
        .into_iter()
        .find(|(c, _, _)| c == code)
        .map(|(_, _, m)| m)
        .unwrap_or_else(|| panic!("no {code} in {v}"))
}

/// The everyday INCREMENTAL import: a day of interactions, no local copy of the dataset. The
/// existing data is unknown, which is not an error: the batch's distinct records bound the new
/// ones from above, and with 1,000 or more of them the job can pass.
#[test]
fn an_incremental_import_without_existing_data_passes_with_an_upper_bound() {
    let dir = tempfile::tempdir().unwrap();
    let today = write(dir.path(), "today.csv", &events(0, 1500, 3, &["click"]));
    let out = preflight()
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "--mode",
            "incremental",
            "--format",
            "json",
        ])
        .arg(&today)
        .output()
        .unwrap();
    let v = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert!(!codes(&v).contains(&"PF314".to_string()), "{v}");
    let note = message(&v, "PF315");
    assert!(
        note.contains("at most 1500 new")
            && note.contains("pass --existing or --existing-from-history to count exactly"),
        "{note}"
    );
    assert_eq!(v["rules"][0]["severity"], "info", "{v}");

    // The plan says the existing data is unknown and what it knows: the bound, not guesses.
    let out = preflight()
        .args([
            "plan",
            "--dataset-type",
            "interactions",
            "--mode",
            "incremental",
            "--format",
            "json",
        ])
        .arg(&today)
        .output()
        .unwrap();
    let v = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{v}");
    let p = &v["plan"];
    assert_eq!(p["existing_data"], "unknown");
    assert_eq!(p["existing"], Value::Null);
    assert_eq!(p["new_at_most"], 1500);
    assert_eq!(p["new"], Value::Null, "not known without the existing data");
    assert_eq!(p["result_records"], Value::Null);
    let human = preflight()
        .args([
            "plan",
            "--dataset-type",
            "interactions",
            "--mode",
            "incremental",
        ])
        .arg(&today)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("existing data  unknown") && text.contains("at most 1,500"),
        "{text}"
    );
    // The plan command's page shows this output (its "unknown" example).
    let readme = std::fs::read_to_string(root().join("docs/commands/plan.md")).unwrap();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("Checked ") && !l.starts_with("Found "))
    {
        assert!(
            readme.contains(&format!("    {line}\n")),
            "docs/commands/plan.md lacks the output line `{line}`"
        );
    }
}

/// Unknown existing data and fewer than 1,000 distinct records: the job fails for certain
/// (PF310), whatever the dataset holds. Items have no such minimum.
#[test]
fn unknown_existing_data_with_fewer_than_1000_distinct_records_fails_for_certain() {
    let dir = tempfile::tempdir().unwrap();
    // 1,200 rows, the last 300 repeating the first 300: 900 distinct.
    let mut text = events(0, 900, 3, &["click"]);
    text.push_str(&events(0, 300, 3, &["click"])[INTERACTIONS_HEADER.len()..]);
    let small = write(dir.path(), "small.csv", &text);
    let out = preflight()
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "--mode",
            "incremental",
            "--format",
            "json",
        ])
        .arg(&small)
        .output()
        .unwrap();
    let v = json_of(&out);
    assert_eq!(out.status.code(), Some(1), "{v}");
    let errors: Vec<String> = found(&v)
        .into_iter()
        .filter(|(_, s, _)| s == "error")
        .map(|(c, _, _)| c)
        .collect();
    assert_eq!(errors, ["PF310"], "{v}");
    let m = message(&v, "PF310");
    assert!(m.contains("at most 900"), "{m}");

    // Items, users and actions: no minimum, no existing data needed for INCREMENTAL.
    let out = preflight()
        .args([
            "validate",
            "--schema",
            "testdata/plan/items-schema.json",
            "--mode",
            "incremental",
            "--format",
            "json",
            "testdata/plan/items-new.csv",
        ])
        .output()
        .unwrap();
    let v = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert_eq!(codes(&v), ["PF307"], "{v}");
}

/// Known empty: the user says it is the first import (`--first-import`): INCREMENTAL is PF314,
/// FULL drops nothing and needs no warning.
#[test]
fn first_import_means_the_dataset_is_known_to_be_empty() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "all.csv", &events(0, 1500, 3, &["click"]));
    let plan = |mode: &str| {
        let out = preflight()
            .args([
                "plan",
                "--dataset-type",
                "interactions",
                "--first-import",
                "--format",
                "json",
                "--mode",
                mode,
            ])
            .arg(&data)
            .output()
            .unwrap();
        (out.status.code(), json_of(&out))
    };
    let (code, v) = plan("incremental");
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(codes(&v), ["PF314"], "{v}");
    assert_eq!(v["plan"]["existing_data"], "empty");
    let (code, v) = plan("full");
    assert_eq!(code, Some(0), "{v}");
    assert!(codes(&v).is_empty(), "{v}");
    assert_eq!(v["plan"]["dropped"], 0);
    assert_eq!(v["plan"]["result_records"], 1500);
    // Existing data and a first import contradict each other.
    preflight()
        .args([
            "plan",
            "--dataset-type",
            "interactions",
            "--first-import",
            "--mode",
            "full",
            "--existing",
        ])
        .arg(&data)
        .arg(&data)
        .assert()
        .code(2);
}

/// FULL with unknown existing data: the plan cannot say what it drops, says so, and warns
/// that the job replaces whatever bulk data the dataset holds.
#[test]
fn a_full_import_with_unknown_existing_data_warns_that_it_replaces_everything() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "day.csv", &events(0, 1500, 3, &["click"]));
    for cmd in ["validate", "plan"] {
        let out = preflight()
            .args([
                cmd,
                "--dataset-type",
                "interactions",
                "--mode",
                "full",
                "--format",
                "json",
            ])
            .arg(&data)
            .output()
            .unwrap();
        let v = json_of(&out);
        assert_eq!(out.status.code(), Some(0), "{cmd}: a warning: {v}");
        assert_eq!(codes(&v), ["PF313"], "{cmd}: {v}");
        let m = message(&v, "PF313");
        assert!(
            m.contains("replaces whatever bulk data the dataset holds"),
            "{m}"
        );
        if cmd == "plan" {
            assert_eq!(v["plan"]["dropped"], Value::Null, "unknown, not 0");
            assert_eq!(v["plan"]["result_records"], 1500, "FULL: the batch");
        }
    }
    let out = preflight()
        .args(["plan", "--dataset-type", "interactions", "--mode", "full"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("dropped") && text.contains("unknown"),
        "{text}"
    );
}

/// The help of --existing says which export holds the bulk data.
#[test]
fn the_help_says_an_export_must_hold_the_bulk_data() {
    for cmd in ["plan", "validate", "run"] {
        let out = preflight().args([cmd, "--help"]).output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains("ingestionMode BULK") && help.contains("PUT"),
            "{cmd}: {help}"
        );
    }
    let out = preflight().args(["explain", "PF314"]).output().unwrap();
    let doc = String::from_utf8_lossy(&out.stdout);
    assert!(doc.contains("ingestionMode"), "{doc}");
}

/// Dataset-level limits are judged on what the dataset holds after the job (item 3): six stored
/// event types plus six new ones are twelve; repeat users and a domain's event-type minimums
/// count the stored interactions too. FULL keeps only the new data.
#[test]
fn dataset_limits_are_judged_on_the_dataset_after_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let old = ["a", "b", "c", "d", "e", "f"];
    let new = ["g", "h", "i", "j", "k", "l"];
    let existing = write(dir.path(), "existing.csv", &events(0, 3000, 1, &old));
    let batch = write(dir.path(), "batch.csv", &events(10_000, 1500, 1, &new));
    let plan = |mode: &str, extra: &[&str]| {
        let out = preflight()
            .args([
                "plan",
                "--dataset-type",
                "interactions",
                "--format",
                "json",
                "--mode",
                mode,
                "--existing",
            ])
            .arg(&existing)
            .args(extra)
            .arg(&batch)
            .output()
            .unwrap();
        (out.status.code(), json_of(&out))
    };
    let (code, v) = plan("incremental", &[]);
    assert_eq!(code, Some(1), "{v}");
    let m = message(&v, "PF304");
    assert!(
        m.starts_with("after the job: 12 distinct event types"),
        "{m}"
    );
    // Each file alone has 6: `validate` of the batch passes PF304.
    let out = preflight()
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "--format",
            "json",
        ])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(!codes(&json_of(&out)).contains(&"PF304".to_string()));
    // FULL: the dataset holds the batch alone, six types.
    let (_, v) = plan("full", &[]);
    assert!(!codes(&v).contains(&"PF304".to_string()), "{v}");

    // Every user has one interaction in each file: 4,500 users with one each after the job,
    // none with two (PF302, PF303).
    let (_, v) = plan("incremental", &[]);
    assert!(
        message(&v, "PF302").starts_with("after the job: only 0 of 4500 users"),
        "{v}"
    );
    // The same users in both files (u0…u1499 already hold one interaction each): after the job
    // 1,500 of 3,000 users have two, so neither PF302 nor PF303.
    let again = write(
        dir.path(),
        "again.csv",
        &events(0, 1500, 1, &["a"]).replace(",1596", ",1597"),
    );
    let out = preflight()
        .args([
            "plan",
            "--dataset-type",
            "interactions",
            "--format",
            "json",
            "--mode",
            "incremental",
            "--existing",
        ])
        .arg(&existing)
        .arg(&again)
        .output()
        .unwrap();
    let v = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{v}");
    for code in ["PF302", "PF303"] {
        assert!(!codes(&v).contains(&code.to_string()), "{code}: {v}");
    }
    assert_eq!(v["plan"]["result_records"], 4500);
}

/// ECOMMERCE needs 1,000 `View` events: 800 stored and 300 new are enough after the job.
#[test]
fn a_domain_minimum_counts_the_stored_events() {
    let dir = tempfile::tempdir().unwrap();
    let existing = write(dir.path(), "existing.csv", &events(0, 800, 2, &["View"]));
    let mut batch_text = events(5000, 300, 2, &["View"]);
    batch_text.push_str(&events(6000, 900, 2, &["Purchase"])[INTERACTIONS_HEADER.len()..]);
    let batch = write(dir.path(), "batch.csv", &batch_text);
    let run = |mode: &str| {
        let out = preflight()
            .args([
                "plan",
                "--dataset-type",
                "interactions",
                "--domain",
                "ECOMMERCE",
                "--format",
                "json",
                "--mode",
                mode,
                "--existing",
            ])
            .arg(&existing)
            .arg(&batch)
            .output()
            .unwrap();
        json_of(&out)
    };
    let v = run("incremental");
    let pf306: Vec<String> = found(&v)
        .into_iter()
        .filter(|(c, _, _)| c == "PF306")
        .map(|(_, _, m)| m)
        .collect();
    // `View`: 1,100 after the job; `Purchase`: 900.
    assert_eq!(pf306.len(), 1, "{pf306:?}");
    assert!(
        pf306[0].starts_with("after the job: 900 `Purchase` events"),
        "{pf306:?}"
    );
    let v = run("full");
    let pf306: Vec<String> = found(&v)
        .into_iter()
        .filter(|(c, _, _)| c == "PF306")
        .map(|(_, _, m)| m)
        .collect();
    assert_eq!(
        pf306.len(),
        2,
        "FULL keeps 300 View and 900 Purchase: {pf306:?}"
    );
    assert!(pf306.iter().all(|m| m.starts_with("after the job: ")));
}

/// The config's `existing` and `import_mode` (README, preflight.toml) are used by `plan` and
/// `validate --mode`; `domain` and `threads` are read too (no unknown-key warning).
#[test]
fn the_config_gives_the_mode_and_the_existing_data() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir(r.join(".git")).unwrap();
    std::fs::create_dir_all(r.join("data")).unwrap();
    std::fs::create_dir_all(r.join("current")).unwrap();
    write(
        &r.join("current"),
        "part-a.csv",
        &events(0, 2000, 2, &["View"]),
    );
    // 600 rows already imported, 900 new.
    let mut day = events(1400, 600, 2, &["View"]);
    day.push_str(&events(5000, 900, 2, &["View"])[INTERACTIONS_HEADER.len()..]);
    write(&r.join("data"), "day.csv", &day);
    write(
        r,
        "preflight.toml",
        "threads = 2\n\n[datasets.interactions]\ndataset_type = \"interactions\"\ndomain = \"ECOMMERCE\"\nfiles = \"data/*.csv\"\nimport_mode = \"incremental\"\nexisting = \"current/\"\n",
    );
    let mut cmd = preflight();
    cmd.current_dir(r);
    let out = cmd.args(["plan", "--format", "json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("unknown key"), "{stderr}");
    let v = json_of(&out);
    assert_eq!(out.status.code(), Some(1), "{v}{stderr}");
    let p = &v["plan"];
    assert_eq!(p["mode"], "INCREMENTAL");
    assert_eq!(p["existing_data"], "given");
    assert_eq!(p["existing"]["records"], 2000);
    assert_eq!(p["new"], 900);
    assert!(codes(&v).contains(&"PF310".to_string()), "{v}");
    // `domain`: the ECOMMERCE minimums apply (no `Purchase` at all).
    assert!(message(&v, "PF306").contains("`Purchase`"), "{v}");

    // `validate --mode` takes the dataset's existing data too; the flag's mode wins.
    let mut cmd = preflight();
    cmd.current_dir(r);
    let out = cmd
        .args(["validate", "--mode", "incremental", "--format", "json"])
        .output()
        .unwrap();
    let v = json_of(&out);
    assert_eq!(out.status.code(), Some(1), "{v}");
    let d = &v["datasets"][0];
    let errors: Vec<String> = found(d)
        .into_iter()
        .filter(|(_, s, _)| s == "error")
        .map(|(c, _, _)| c)
        .collect();
    assert_eq!(errors, ["PF310"], "{v}");
    let mut cmd = preflight();
    cmd.current_dir(r);
    let out = cmd
        .args(["plan", "--mode", "full", "--format", "json"])
        .output()
        .unwrap();
    let v = json_of(&out);
    assert_eq!(v["plan"]["mode"], "FULL", "{v}");
    assert_eq!(v["plan"]["dropped"], 1400, "{v}");
}

// -------------------------------------------------------------------------------------------
// Out of core (--memory-limit, --temp-dir).

/// A small deterministic generator (a linear congruential one): each call gives a number below
/// `n`.
fn numbers(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut x = seed;
    move |n: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % n
    }
}

/// Items with repeated IDs (other values, or the same record again, quoted or not) and lines
/// that are not records: `rows` lines over `ids` IDs, from a small deterministic generator.
fn generated_items(seed: u64, rows: usize, ids: u64) -> String {
    let mut next = numbers(seed);
    let mut s = String::from("ITEM_ID,PRICE,GENRES\n");
    for _ in 0..rows {
        let id = next(ids);
        let price = ["1.0", "1.00", "2.5", "3"][next(4) as usize];
        let genre = ["A", "\"A\"", "B|C", "\"a, b\""][next(4) as usize];
        if next(50) == 0 {
            s.push_str("broken,line,with,too,many\n");
        } else {
            let _ = writeln!(s, "i{id},{price},{genre}");
        }
    }
    s
}

/// Interactions over 4,000 users and 3,000 items, with some exact copies.
fn generated_interactions(seed: u64, rows: usize) -> String {
    let mut next = numbers(seed);
    let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\n");
    for _ in 0..rows {
        let _ = writeln!(
            s,
            "u{},i{},{},click,,",
            next(4000),
            next(3000),
            1_596_238_243 + next(5)
        );
    }
    s
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn a_tiny_memory_limit_gives_the_same_json_and_files_as_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("existing.csv"), generated_items(1, 4000, 900)).unwrap();
    std::fs::write(d.join("new.csv"), generated_items(2, 3000, 1200)).unwrap();
    let temp = d.join("tmp");
    std::fs::create_dir(&temp).unwrap();
    for mode in ["full", "incremental"] {
        let run = |tag: &str, extra: &[&str]| {
            let out = preflight()
                .args(["plan", "--mode", mode, "--format", "json"])
                .args(["--schema", "testdata/plan/items-schema.json"])
                .arg("--existing")
                .arg(d.join("existing.csv"))
                .arg(d.join("new.csv"))
                .arg("--write-merged")
                .arg(d.join(format!("{mode}-{tag}-merged.csv")))
                .arg("--write-deduped")
                .arg(d.join(format!("{mode}-{tag}-deduped.csv")))
                .args(extra)
                .output()
                .unwrap();
            let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
            for w in v["plan"]["written"].as_array_mut().unwrap() {
                w["path"] = Value::Null;
            }
            let files = ["merged", "deduped"]
                .map(|k| std::fs::read(d.join(format!("{mode}-{tag}-{k}.csv"))).unwrap());
            (
                v,
                files,
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let default = run("default", &[]);
        assert_eq!(default.3, "", "no note in memory");
        let temp_arg = temp.to_str().unwrap();
        let tiny = run("tiny", &["--memory-limit", "1", "--temp-dir", temp_arg]);
        assert!(
            tiny.3
                .contains("exceed --memory-limit 1 B: it runs out of core")
                && tiny.3.contains(temp_arg),
            "the disk the partitions need is said first: {}",
            tiny.3
        );
        assert_eq!(tiny.0, default.0, "{mode}");
        assert_eq!(tiny.1, default.1, "{mode}: the written files");
        assert_eq!(tiny.2, default.2);
        assert!(default.0["plan"]["batch"]["duplicates"].as_u64().unwrap() > 100);
        assert_eq!(
            files_in(&temp),
            Vec::<String>::new(),
            "temporary files removed"
        );
    }
    // Interactions: the new users and items (`changes`) are the same out of core.
    std::fs::write(
        d.join("existing-interactions.csv"),
        generated_interactions(3, 3000),
    )
    .unwrap();
    std::fs::write(
        d.join("new-interactions.csv"),
        generated_interactions(4, 2500),
    )
    .unwrap();
    for mode in ["full", "incremental"] {
        let run = |extra: &[&str]| {
            let out = preflight()
                .args(["plan", "--mode", mode, "--format", "json"])
                .args(["--schema", "testdata/example/schema.json"])
                .arg("--existing")
                .arg(d.join("existing-interactions.csv"))
                .arg(d.join("new-interactions.csv"))
                .args(extra)
                .output()
                .unwrap();
            serde_json::from_slice::<Value>(&out.stdout).unwrap()
        };
        let default = run(&[]);
        let tiny = run(&["--memory-limit", "1", "--temp-dir", temp.to_str().unwrap()]);
        assert_eq!(tiny, default, "{mode}");
        let users = &default["changes"]["new"][1];
        assert_eq!(users["change"], "new-users", "{default}");
        let n = users["count"].as_u64().unwrap();
        assert!(n > 100 && n < 2500, "some users are new, not all: {users}");
        assert_eq!(
            files_in(&temp),
            Vec::<String>::new(),
            "temporary files removed"
        );
    }
    let out = preflight()
        .args([
            "plan",
            "--mode",
            "full",
            "--memory-limit",
            "1",
            "--temp-dir",
        ])
        .arg(d.join("new.csv"))
        .args(["--schema", "testdata/plan/items-schema.json"])
        .arg(d.join("new.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a folder"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_removes_the_temporary_files() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("new.csv"), generated_items(3, 20_000, 5000)).unwrap();
    let temp = d.join("tmp");
    let out_dir = d.join("out");
    std::fs::create_dir(&temp).unwrap();
    std::fs::create_dir(&out_dir).unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("preflight"))
        .current_dir(root())
        .env("PREFLIGHT_NOW", "1700000000")
        .args(["plan", "--mode", "incremental", "--memory-limit", "1"])
        .args([
            "--schema",
            "testdata/plan/items-schema.json",
            "--existing",
            "-",
        ])
        .arg("--temp-dir")
        .arg(&temp)
        .arg("--write-merged")
        .arg(out_dir.join("merged.csv"))
        .arg(d.join("new.csv"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The existing data comes slowly on stdin: the plan waits, mid-run, with its partitions,
    // the spool of the batch and the merged file's `.part` on disk.
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(generated_items(4, 2000, 5000).as_bytes())
        .unwrap();
    let start = Instant::now();
    let deep = |p: &Path| -> usize {
        std::fs::read_dir(p)
            .unwrap()
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    std::fs::read_dir(e.path()).map_or(0, |r| r.count())
                } else {
                    1
                }
            })
            .sum()
    };
    while deep(&temp) < 2 || files_in(&out_dir).len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the plan never got going: {:?} {:?}",
            files_in(&temp),
            files_in(&out_dir)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(files_in(&temp), Vec::<String>::new(), "partitions removed");
    assert_eq!(
        files_in(&out_dir),
        Vec::<String>::new(),
        "the spool and the merged file's .part removed"
    );
}
