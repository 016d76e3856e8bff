//! `preflight plan` and `validate --mode/--existing` through the real binary: the plan in every
//! format, exit codes, written files (round-tripping through `validate`), inputs in name order,
//! and the 1,500-rows-with-600-copies gate.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
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
