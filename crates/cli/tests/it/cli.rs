//! The real binary: every output format snapshotted on one shared sample, exit codes, inputs
//! (folders, stdin), and the same output for any thread count.

use crate::common;
use common::{preflight, root};

fn sample(format: &str) -> (String, i32) {
    let out = preflight()
        .args([
            "validate",
            "--schema",
            "testdata/example/schema.json",
            "testdata/example/interactions.csv",
            "--format",
            format,
        ])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn human_format() {
    let (out, code) = sample("human");
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn json_format() {
    let (out, code) = sample("json");
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for d in v["diagnostics"].as_array().unwrap() {
        for key in [
            "code", "name", "severity", "message", "help", "file", "line", "column", "field",
            "byte",
        ] {
            assert!(d.get(key).is_some(), "diagnostic lacks `{key}`: {d}");
        }
    }
    let out = out.replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
    insta::assert_snapshot!(out);
}

#[test]
fn github_format() {
    let (out, code) = sample("github");
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn junit_format() {
    let (out, code) = sample("junit");
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml"));
    // A passing test case per rule of each suite: counted, then left out of the snapshot with
    // the totals they make, so the snapshot holds this run's failures and adding a rule leaves
    // it unchanged (the render sample checks one case per rule).
    let cases = out.matches("<testcase ").count();
    let passing = out
        .lines()
        .filter(|l| l.trim_start().starts_with("<testcase ") && l.ends_with("/>"))
        .count();
    assert!(passing > 40 && passing < cases, "{out}");
    let tests = regex::Regex::new(r#" tests="(\d+)""#).unwrap();
    let total: usize = tests.captures(&out).unwrap()[1].parse().unwrap();
    assert_eq!(total, cases, "the testsuites' total counts every case");
    let kept: String = out
        .lines()
        .filter(|l| !(l.trim_start().starts_with("<testcase ") && l.ends_with("/>")))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!(tests.replace_all(&kept, " tests=\"[one per rule]\""));
}

#[test]
fn github_step_summary_is_appended() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    preflight()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([
            "validate",
            "--schema",
            "testdata/example/schema.json",
            "testdata/example/interactions.csv",
            "--format",
            "github",
        ])
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n## "), "{text}");
    assert!(
        text.contains("| PF215 | timestamp-in-milliseconds | error | 1 |"),
        "{text}"
    );
}

#[test]
fn github_caps_annotations_at_ten_per_severity() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("USER_ID,ITEM_ID,TIMESTAMP\n");
    for i in 0..1500 {
        csv.push_str(&format!("u{},i{i},{}\n", i % 30, 1_596_238_243_000u64 + i));
    }
    let path = dir.path().join("ms.csv");
    std::fs::write(&path, csv).unwrap();
    let out = preflight()
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "--format",
            "github",
        ])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::error ")).count(),
        10
    );
    assert!(
        text.contains("::notice title=preflight::1490 more finding(s) not annotated"),
        "{text}"
    );
}

#[test]
fn clean_file_exits_zero() {
    let out = preflight()
        .args([
            "validate",
            "--schema",
            "testdata/example/schema.json",
            "testdata/example/interactions-clean.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("No problems found."));
}

#[test]
fn tool_failures_exit_two() {
    // Missing input.
    preflight()
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "no/such/file.csv",
        ])
        .assert()
        .code(2);
    // Schema that is not JSON.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    let out = preflight()
        .args(["validate", "--schema"])
        .arg(&bad)
        .arg("testdata/example/interactions.csv")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("failed to parse schema"));
    // Bad arguments.
    preflight()
        .args(["validate", "testdata/example/interactions.csv"])
        .assert()
        .code(2);
    preflight()
        .args(["validate", "--dataset-type", "nope", "x.csv"])
        .assert()
        .code(2);
    preflight()
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "--severity",
            "PF999=off",
            "x.csv",
        ])
        .assert()
        .code(2);
}

#[test]
fn severity_overrides_change_the_exit_code() {
    let out = preflight()
        .args([
            "validate",
            "--schema",
            "testdata/example/schema.json",
            "testdata/example/interactions.csv",
            "--format",
            "json",
        ])
        .args([
            "--severity",
            "PF215=off",
            "--severity",
            "PF202=warning",
            "--severity",
            "PF207=off",
            "--severity",
            "PF208=off",
        ])
        .args([
            "--severity",
            "PF206=warning",
            "--severity",
            "blank-line=info",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"PF215"));
    let pf202 = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "PF202")
        .unwrap();
    assert_eq!(pf202["severity"], "warning");
}

#[test]
fn threads_do_not_change_the_output() {
    let one = preflight()
        .args([
            "validate",
            "--schema",
            "testdata/example/schema.json",
            "testdata/example/interactions.csv",
            "--format",
            "json",
            "--threads",
            "1",
        ])
        .output()
        .unwrap();
    for extra in [&["--threads", "4", "--block-size", "997"][..], &[][..]] {
        let many = preflight()
            .args([
                "validate",
                "--schema",
                "testdata/example/schema.json",
                "testdata/example/interactions.csv",
                "--format",
                "json",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&one.stdout),
            String::from_utf8_lossy(&many.stdout)
        );
    }
}

#[test]
fn stdin_and_folders() {
    let data = std::fs::read(root().join("testdata/example/interactions-clean.csv")).unwrap();
    preflight()
        .args(["validate", "--schema", "testdata/example/schema.json", "-"])
        .write_stdin(data.clone())
        .assert()
        .code(0);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.csv"), &data).unwrap();
    std::fs::write(dir.path().join("a.csv"), &data[..data.len() / 2 + 1]).unwrap();
    std::fs::write(dir.path().join("_SUCCESS"), "").unwrap();
    std::fs::create_dir(dir.path().join("old")).unwrap();
    std::fs::write(dir.path().join("old/x.csv"), &data).unwrap();
    let out = preflight()
        .args([
            "validate",
            "--schema",
            "testdata/example/schema.json",
            "--format",
            "json",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    // Every first-level file is part of the import, `_SUCCESS` included (PF008 for its name,
    // PF011 for being empty); old/ is not (PF007).
    assert_eq!(files, ["_SUCCESS", "a.csv", "b.csv"]);
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"PF007"), "{codes:?}");
    assert!(codes.contains(&"PF008"), "{codes:?}");
    assert!(codes.contains(&"PF011"), "{codes:?}");
    assert!(!codes.contains(&"PF001"), "{codes:?}");
    // The duplicate rows across the two files are reported, with line numbers in the second file.
    assert!(codes.contains(&"PF308"), "{codes:?}");
}

#[test]
fn schema_check_rules_and_explain() {
    let out = preflight()
        .args(["schema", "check", "testdata/example/schema.json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("s.json");
    std::fs::write(&bad, r#"{"type":"record","name":"Items","fields":[{"name":"ITEM_ID","type":"string"},{"name":"GENRES_FIELD_1","type":"string","categorical":true},{"name":"GENRESFIELD1","type":"string","categorical":true}]}"#).unwrap();
    let out = preflight()
        .args(["schema", "check", "--format", "json"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["code"], "PF408");

    let rules = preflight()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&rules.stdout).unwrap();
    assert_eq!(
        v.as_array().unwrap().len(),
        preflight_validator::rules::ALL.len() + preflight_validator::rules::ACCESS.len()
    );
    assert_eq!(v.as_array().unwrap().last().unwrap()["code"], "PF611");
    let explain = preflight().args(["explain", "PF215"]).output().unwrap();
    let text = String::from_utf8(explain.stdout).unwrap();
    assert!(text.starts_with("# PF215 timestamp-in-milliseconds"));
    assert!(text.contains("## Why is this bad?"));
    preflight().args(["explain", "PF999"]).assert().code(2);
}

#[test]
fn broken_pipe_is_not_an_error() {
    // `preflight validate … | head -c 10`: the binary must exit 0 when stdout closes early.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("USER_ID,ITEM_ID,TIMESTAMP\n");
    for i in 0..5000 {
        csv.push_str(&format!("u{},i{i},{}\n", i % 30, 1_596_238_243_000u64 + i));
    }
    let path = dir.path().join("ms.csv");
    std::fs::write(&path, csv).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("preflight");
    let script = format!(
        "set -o pipefail; '{}' validate --dataset-type interactions --max-diagnostics 100000 '{}' | head -c 10 >/dev/null",
        bin.display(),
        path.display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The findings of one rule in a JSON report: (line, message, help).
fn findings(report: &serde_json::Value, code: &str) -> Vec<(u64, String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
                d["help"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn validate_json(args: &[&str], csv: &str) -> (serde_json::Value, i32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.csv");
    std::fs::write(&path, csv).unwrap();
    let out = preflight()
        .arg("validate")
        .args(args)
        .args(["--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn a_far_future_action_expiry_means_never_expires() {
    // 2100-01-01, 2286 and 9999-12-31 in seconds are "never expires"; 13 digits are milliseconds.
    let csv = "ACTION_ID,EXPIRATION_TIMESTAMP,LEVEL\n\
               a1,4102444800,gold\n\
               a2,9999999999,gold\n\
               a3,253402300799,gold\n\
               a4,1700000000000,gold\n";
    let (v, code) = validate_json(&["--dataset-type", "actions"], csv);
    let pf215 = findings(&v, "PF215");
    assert_eq!(pf215.len(), 1, "{pf215:?}");
    let (line, message, help) = &pf215[0];
    assert_eq!(*line, 5);
    assert!(message.contains("milliseconds"), "{message}");
    assert_eq!(
        help,
        "Personalize expects Unix epoch seconds: divide by 1000 (1700000000)"
    );
    assert_eq!(code, 1);
}

#[test]
fn a_ten_digit_timestamp_after_2100_gets_no_divide_by_1000_advice() {
    // 5000000000 is 2128 in seconds; divided by 1000 it would be 1970-02-27, so the help must not
    // propose it. A millisecond and a microsecond value get the right divisor.
    let csv = "USER_ID,ITEM_ID,TIMESTAMP\n\
               u1,i1,5000000000\n\
               u1,i2,1596238243000\n\
               u1,i3,1596238243000000\n";
    let (v, _) = validate_json(
        &[
            "--dataset-type",
            "interactions",
            "--severity",
            "PF301=off",
            "--severity",
            "PF302=off",
        ],
        csv,
    );
    let pf215 = findings(&v, "PF215");
    assert_eq!(pf215.len(), 3, "{pf215:?}");
    let (_, message, help) = &pf215[0];
    assert!(!message.contains("milliseconds"), "{message}");
    assert!(!help.contains("divide by"), "{help}");
    assert!(help.contains("1970-02-27"), "{help}");
    assert!(
        pf215[1].2.ends_with("divide by 1000 (1596238243)"),
        "{pf215:?}"
    );
    assert!(
        pf215[2].2.ends_with("divide by 1000000 (1596238243)"),
        "{pf215:?}"
    );
}

#[test]
fn a_readme_in_the_folder_is_flagged_without_blaming_the_data_files() {
    // README.txt sorts before part-00000.csv: it is read (Personalize reads it too) and flagged,
    // but neither adapts the built-in schema nor becomes the header the data files must match.
    let data = std::fs::read(root().join("testdata/example/interactions-clean.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("README.txt"),
        "Nightly export of the interactions\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("part-00000.csv"), &data).unwrap();
    for schema in [
        &["--dataset-type", "interactions"][..],
        &["--schema", "testdata/example/schema.json"][..],
    ] {
        let out = preflight()
            .arg("validate")
            .args(schema)
            .args(["--format", "json"])
            .arg(dir.path())
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let on = |name: &str| -> Vec<String> {
            v["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["file"].as_str().is_some_and(|f| f.ends_with(name)))
                .map(|d| d["code"].as_str().unwrap().to_string())
                .collect()
        };
        let readme = on("README.txt");
        assert!(
            readme.contains(&"PF008".to_string()),
            "{schema:?} {readme:?}"
        );
        assert!(
            readme.contains(&"PF101".to_string()),
            "{schema:?} {readme:?}"
        );
        assert_eq!(
            on("part-00000.csv"),
            Vec::<String>::new(),
            "{schema:?}: {v}"
        );
        assert_eq!(out.status.code(), Some(1));
    }
}

#[test]
fn a_date_before_1970_is_not_called_a_missing_value() {
    // A film from 1960 has a real negative CREATION_TIMESTAMP; 0 is the usual "unknown".
    let csv = "ITEM_ID,CREATION_TIMESTAMP,GENRES\n\
               i1,-315619200,Drama\n\
               i2,0,Drama\n";
    let (v, _) = validate_json(&["--dataset-type", "items"], csv);
    let pf218 = findings(&v, "PF218");
    assert_eq!(pf218.len(), 2, "{pf218:?}");
    assert!(pf218[0].2.contains("1960-01-01"), "{pf218:?}");
    assert!(!pf218[0].2.contains("missing"), "{pf218:?}");
    assert!(pf218[1].2.contains("unknown date"), "{pf218:?}");
    // An expiry of 0: the field is nullable, empty means "does not expire".
    let csv = "ACTION_ID,EXPIRATION_TIMESTAMP,LEVEL\na1,0,gold\n";
    let (v, _) = validate_json(&["--dataset-type", "actions"], csv);
    let pf218 = findings(&v, "PF218");
    assert_eq!(pf218.len(), 1, "{pf218:?}");
    assert!(
        pf218[0].2.starts_with("leave `EXPIRATION_TIMESTAMP` empty"),
        "{pf218:?}"
    );
}
