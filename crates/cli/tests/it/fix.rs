//! `preflight fix` through the real binary.
//!
//! Every fixable rule's fixture folder (`testdata/rules/<CODE>-<name>/`) holds `fixed.csv`, the
//! expected output of `preflight fix --unsafe-fixes` on its input (`fix.csv`, or `fail.csv` when
//! every finding of the fail input can be fixed); the output must then validate without a
//! finding of that rule. A rule without a fix has no `fixed.csv`.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{preflight, root};

fn rules_dir() -> PathBuf {
    root().join("testdata/rules")
}

fn args_of(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("args"))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// `(folder, fix)` for every rule, from `preflight rules --format json`.
fn rules() -> Vec<(PathBuf, Option<String>)> {
    let out = preflight()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let dir = rules_dir().join(format!(
                "{}-{}",
                r["code"].as_str().unwrap(),
                r["name"].as_str().unwrap()
            ));
            (dir, r["fix"].as_str().map(str::to_string))
        })
        .collect()
}

#[test]
fn every_fixable_rule_has_a_fixture_whose_output_is_clean_for_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fixable = 0;
    for (dir, fix) in rules() {
        let expected = dir.join("fixed.csv");
        let code = dir.file_name().unwrap().to_string_lossy()[..5].to_string();
        let Some(fix) = fix else {
            assert!(!expected.exists(), "{code} has no fix but a fixed.csv");
            continue;
        };
        fixable += 1;
        assert!(
            expected.exists(),
            "{code} is fixable ({fix}) but has no fixed.csv"
        );
        let input = if dir.join("fix.csv").exists() {
            dir.join("fix.csv")
        } else {
            dir.join("fail.csv")
        };
        let out = tmp.path().join(format!("{code}.csv"));
        let run = preflight()
            .arg("fix")
            .arg("--schema")
            .arg(dir.join("schema.json"))
            .args(args_of(&dir))
            .arg("--unsafe-fixes")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .arg("--format")
            .arg("json")
            .output()
            .unwrap();
        assert!(
            run.status.code() == Some(0) || run.status.code() == Some(1),
            "{code}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&fs::read(&out).unwrap()),
            String::from_utf8_lossy(&fs::read(&expected).unwrap()),
            "{code}: the fixed output differs from fixed.csv"
        );
        let report: Value = serde_json::from_slice(&run.stdout).unwrap();
        let changes = report["fix"]["changes"].as_array().unwrap();
        assert!(
            changes.iter().any(|c| c["code"] == code.as_str()),
            "{code}: the report names no change of the rule: {changes:?}"
        );
        assert!(
            !report["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == code.as_str()),
            "{code}: the output still has findings of the rule"
        );
        // Without --unsafe-fixes an unsafe rule changes nothing of its own.
        if fix == "unsafe" {
            let safe_out = tmp.path().join(format!("{code}-safe.csv"));
            let run = preflight()
                .arg("fix")
                .arg("--schema")
                .arg(dir.join("schema.json"))
                .args(args_of(&dir))
                .arg(&input)
                .arg("-o")
                .arg(&safe_out)
                .args(["--format", "json"])
                .output()
                .unwrap();
            let report: Value = serde_json::from_slice(&run.stdout).unwrap();
            assert!(
                !report["fix"]["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["code"] == code.as_str()),
                "{code}: an unsafe fix ran without --unsafe-fixes"
            );
        }
    }
    assert_eq!(fixable, 13);
}

/// The findings that remain after a fix are validated as the output is written, not read back
/// from the disk: they must be exactly what `validate` says of the output file, for every
/// rule's fixtures (CSV or not), with and without the unsafe fixes (which rewrite the output
/// when they drop or rename records).
#[test]
fn what_remains_is_what_validate_reports_on_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for (dir, _) in rules() {
        let code = dir.file_name().unwrap().to_string_lossy()[..5].to_string();
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut inputs: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy();
                n.starts_with("fail") || n.starts_with("fix.") || n.starts_with("pass")
            })
            .filter(|p| p.is_file())
            .collect();
        inputs.sort();
        for input in inputs {
            for unsafe_fixes in [false, true] {
                let out = tmp.path().join(format!("{code}-{compared}.csv"));
                let mut fix = preflight();
                fix.arg("fix")
                    .arg("--schema")
                    .arg(dir.join("schema.json"))
                    .args(args_of(&dir));
                if unsafe_fixes {
                    fix.arg("--unsafe-fixes");
                }
                let fixed = fix
                    .arg(&input)
                    .arg("-o")
                    .arg(&out)
                    .args(["--format", "json"])
                    .output()
                    .unwrap();
                if fixed.status.code() == Some(2) {
                    // The fix could not run (a schema fixture, an unreadable input): nothing
                    // was written to compare.
                    assert!(!out.exists(), "{}", input.display());
                    continue;
                }
                let validated = preflight()
                    .arg("validate")
                    .arg("--schema")
                    .arg(dir.join("schema.json"))
                    .args(args_of(&dir))
                    .arg(&out)
                    .args(["--format", "json"])
                    .output()
                    .unwrap();
                let fixed: Value = serde_json::from_slice(&fixed.stdout).unwrap();
                let validated: Value = serde_json::from_slice(&validated.stdout).unwrap();
                assert_eq!(
                    fixed["diagnostics"],
                    validated["diagnostics"],
                    "{} (unsafe fixes: {unsafe_fixes}): fix's remaining findings differ from validate's on the output",
                    input.display()
                );
                assert_eq!(
                    fixed["summary"],
                    validated["summary"],
                    "{}",
                    input.display()
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "only {compared} outputs compared");
}

const ITEMS_SCHEMA: &str = "testdata/rules/PF005-crlf-line-endings/schema.json";

#[test]
fn the_report_says_what_changed_and_what_remains() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("items.csv");
    fs::write(
        &input,
        "\u{feff}ITEM_ID,PRICE,GENRES\r\ni1,9.99,Comedy\r\n\r\ni2,abc,Drama\r\n",
    )
    .unwrap();
    let out = tmp.path().join("fixed.csv");
    let run = preflight()
        .args(["fix", "--schema", ITEMS_SCHEMA])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    // PRICE `abc` is no float: not fixable, it remains and fails the run.
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        "ITEM_ID,GENRES,PRICE\ni1,Comedy,9.99\ni2,Drama,abc\n"
    );
    for want in [
        "fixed 7 issues in",
        // The header, two records and the blank line (dropped) ended in CRLF.
        "PF005 crlf-line-endings (safe): 4 lines changed",
        "PF006 blank-line (safe): 1 record dropped",
        "line 3: dropped `·`",
        "PF103 byte-order-mark (safe): 1 line changed",
        "PF107 column-order (safe): 1 line changed",
        "line 2: `i1,9.99,Comedy·` → `i1,Comedy,9.99`",
        "records: 3 in, 2 out (1 dropped: 1 blank-line)",
        "not importable: 1 error left in the output",
        "error[PF208]",
        "fixed.csv:3",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in\n{stdout}");
    }
}

#[test]
fn an_existing_output_is_refused_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.csv");
    fs::write(&input, "ITEM_ID,GENRES,PRICE\r\ni1,Comedy,9.99\r\n").unwrap();
    let out = tmp.path().join("out.csv");
    fs::write(&out, "precious\n").unwrap();
    let run = preflight()
        .args(["fix", "--schema", ITEMS_SCHEMA])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--force"));
    assert_eq!(fs::read_to_string(&out).unwrap(), "precious\n");
    let run = preflight()
        .args(["fix", "--schema", ITEMS_SCHEMA, "--force"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        "ITEM_ID,GENRES,PRICE\ni1,Comedy,9.99\n"
    );
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn stdin_to_stdout_with_the_report_on_stderr() {
    let run = preflight()
        .args(["fix", "--schema", ITEMS_SCHEMA, "-", "-o", "-"])
        .write_stdin("ITEM_ID,\"GENRES\",PRICE\r\ni1,Comedy,9.99\r\n")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "ITEM_ID,GENRES,PRICE\ni1,Comedy,9.99\n"
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("PF102 quoted-header (safe)"), "{stderr}");
}

#[test]
fn in_place_keeps_the_permissions_and_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.csv");
    fs::write(&input, "ITEM_ID,GENRES,PRICE\r\ni1,Comedy,9.99\r\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&input, fs::Permissions::from_mode(0o640)).unwrap();
    }
    let run = preflight()
        .args(["fix", "--schema", ITEMS_SCHEMA, "--in-place"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        fs::read_to_string(&input).unwrap(),
        "ITEM_ID,GENRES,PRICE\ni1,Comedy,9.99\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&input).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_failed_write_in_place_leaves_the_input_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.csv");
    // Several blocks of lines to fix, so that the failure hits in the middle of the file.
    let mut text = String::from("ITEM_ID,GENRES,PRICE\r\n");
    for i in 0..5000 {
        text.push_str(&format!("i{i},Comedy,9.99\r\n"));
    }
    fs::write(&input, &text).unwrap();
    let run = preflight()
        .args([
            "fix",
            "--schema",
            ITEMS_SCHEMA,
            "--in-place",
            "--block-size",
            "4096",
        ])
        .arg(&input)
        .env("PREFLIGHT_FAULT_FIX_WRITE_AFTER", "30000")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("injected write failure"), "{stderr}");
    assert_eq!(fs::read(&input).unwrap(), text.as_bytes());
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_folder_goes_to_a_folder_of_the_same_names() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fs::create_dir(&data).unwrap();
    fs::write(
        data.join("a.csv"),
        "ITEM_ID,GENRES,PRICE\r\ni1,Comedy,9.99\r\n",
    )
    .unwrap();
    fs::write(data.join("b.csv"), "ITEM_ID,PRICE,GENRES\ni2,1.5,Drama\n").unwrap();
    let out = tmp.path().join("fixed");
    let run = preflight()
        .args(["fix", "--schema", ITEMS_SCHEMA])
        .arg(&data)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        fs::read_to_string(out.join("a.csv")).unwrap(),
        "ITEM_ID,GENRES,PRICE\ni1,Comedy,9.99\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("b.csv")).unwrap(),
        "ITEM_ID,GENRES,PRICE\ni2,Drama,1.5\n"
    );
}

#[test]
fn every_format_says_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.csv");
    fs::write(&input, "ITEM_ID,GENRES,PRICE\r\ni1,Comedy,9.99\r\n").unwrap();
    for format in ["human", "json", "github", "junit", "sarif", "markdown"] {
        let out = tmp.path().join(format!("{format}.csv"));
        let run = preflight()
            .args(["fix", "--schema", ITEMS_SCHEMA, "--format", format])
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{format}");
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            stdout.contains("PF005") && stdout.contains("crlf-line-endings"),
            "{format} does not name the change:\n{stdout}"
        );
    }
}

#[test]
fn findings_say_whether_they_are_fixable_in_every_format() {
    let input = "testdata/rules/PF005-crlf-line-endings/fail.csv";
    let run = |format: &str| {
        let out = preflight()
            .args([
                "validate",
                "--schema",
                ITEMS_SCHEMA,
                "--format",
                format,
                input,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for format in ["human", "github", "junit", "markdown", "sarif"] {
        assert!(
            run(format).contains("fixable with `preflight fix`"),
            "{format}:\n{}",
            run(format)
        );
    }
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["diagnostics"][0]["fix"], "safe");
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["properties"]["fixable"],
        "safe"
    );
    // A finding without a fix says nothing of the kind.
    let out = preflight()
        .args([
            "validate",
            "--schema",
            "testdata/rules/PF208-invalid-float/schema.json",
            "--format",
            "json",
            "testdata/rules/PF208-invalid-float/fail.csv",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["diagnostics"][0]["fix"].is_null());
}

#[test]
fn rules_and_explain_show_the_fix() {
    let out = preflight().arg("rules").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.contains("PF215")).unwrap();
    assert!(line.contains("unsafe"), "{line}");
    let line = text.lines().find(|l| l.contains("PF208")).unwrap();
    assert!(!line.contains("safe"), "{line}");
    let out = preflight().args(["explain", "PF103"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Fix: safe, applied by `preflight fix`."));
}

/// Files in `dir` that a fix may have left behind (temporary copies).
fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".preflight-"))
        .collect()
}

/// The README's before/after example is what `fix` does.
#[test]
fn the_readme_example_is_true() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let block = |marker: &str| -> Vec<String> {
        let at = readme
            .find(marker)
            .unwrap_or_else(|| panic!("README lacks {marker}"));
        let rest = &readme[at..];
        let start = rest.find("```csv\n").unwrap() + 7;
        let end = rest[start..].find("```").unwrap();
        rest[start..start + end]
            .lines()
            .map(str::to_string)
            .collect()
    };
    // The example's file: the byte order mark written out, every line ending in CRLF.
    let before = block("<!-- fix-example-before -->")
        .iter()
        .map(|l| format!("{}\r\n", l.replace("<BOM>", "\u{feff}")))
        .collect::<String>();
    let after = block("<!-- fix-example-after -->")
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("items.csv"), before).unwrap();
    fs::copy(root().join(ITEMS_SCHEMA), tmp.path().join("schema.json")).unwrap();
    let run = preflight()
        .current_dir(tmp.path())
        .args([
            "fix",
            "--schema",
            "schema.json",
            "items.csv",
            "-o",
            "fixed.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert_eq!(
        fs::read_to_string(tmp.path().join("fixed.csv")).unwrap(),
        after
    );
}

/// `stage --fix` stages a repaired copy, leaves the file alone, and the manifest says so.
#[test]
fn stage_fix_stages_a_repaired_copy_and_the_manifest_records_it() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("items.csv");
    let original = "ITEM_ID,GENRES,PRICE\r\ni1,Comedy,9.99\r\ni1,Drama,8.99\r\n";
    fs::write(&input, original).unwrap();
    let to = tmp.path().join("staged");
    let run = preflight()
        .args([
            "stage",
            "--schema",
            ITEMS_SCHEMA,
            "--fix",
            "--unsafe-fixes",
            "--to",
        ])
        .arg(&to)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(fs::read_to_string(&input).unwrap(), original);
    let folder = String::from_utf8_lossy(&run.stdout).trim().to_string();
    let folder = PathBuf::from(folder);
    assert_eq!(
        fs::read_to_string(folder.join("items.csv")).unwrap(),
        "ITEM_ID,GENRES,PRICE\ni1,Drama,8.99\n"
    );
    let manifest: Value =
        serde_json::from_slice(&fs::read(folder.join("_preflight/manifest.json")).unwrap())
            .unwrap();
    let repaired = &manifest["validation"]["repaired"];
    assert_eq!(repaired["unsafe_fixes"], true);
    let file = &repaired["files"][0];
    assert_eq!(file["input"], input.display().to_string());
    assert_eq!(
        (file["records_in"].as_u64(), file["records_out"].as_u64()),
        (Some(2), Some(1))
    );
    let codes: Vec<&str> = file["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["PF005", "PF307"]);
    assert_eq!(manifest["files"][0]["records"], 1);
}

/// Ctrl-C while `--in-place` is writing: the input is untouched, no temporary file is left,
/// and the exit code says it was interrupted.
#[cfg(unix)]
#[test]
fn ctrl_c_in_place_leaves_the_input_and_no_temporary_file() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.csv");
    let mut text = String::from("ITEM_ID,GENRES,PRICE\r\n");
    for i in 0..1_500_000 {
        text.push_str(&format!("item_{i:08},Comedy|Drama,{}.99\r\n", i % 100));
    }
    fs::write(&input, &text).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("preflight");
    let mut child = std::process::Command::new(bin)
        .current_dir(root())
        .args([
            "fix",
            "--schema",
            ITEMS_SCHEMA,
            "--in-place",
            "--threads",
            "1",
            "--block-size",
            "65536",
        ])
        .arg(&input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the temporary file exists: the fix is under way.
    let started = std::time::Instant::now();
    while leftovers(tmp.path()).is_empty() {
        assert!(
            started.elapsed().as_secs() < 60,
            "no temporary file appeared"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the fix ended before it could be interrupted"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert!(
        fs::read(&input).unwrap() == text.as_bytes(),
        "the input changed"
    );
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

/// An `s3://` object is read as a stream (from the in-process S3 server) and fixed to a file.
#[test]
fn an_s3_object_is_fixed_to_a_file() {
    use preflight_s3_test_server::{BackgroundServer, ServerOptions};
    let tmp = tempfile::tempdir().unwrap();
    let root_dir = tmp.path().join("server");
    let server = BackgroundServer::start(&root_dir, "imports", ServerOptions::default());
    fs::create_dir_all(root_dir.join("imports/team")).unwrap();
    fs::write(
        root_dir.join("imports/team/items.csv"),
        "ITEM_ID,PRICE,GENRES\r\ni1,9.99,Comedy\r\n",
    )
    .unwrap();
    let out = tmp.path().join("fixed.csv");
    let run = preflight()
        .args([
            "fix",
            "--schema",
            ITEMS_SCHEMA,
            "s3://imports/team/items.csv",
            "-o",
        ])
        .arg(&out)
        .args(["--endpoint-url", server.endpoint()])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        "ITEM_ID,GENRES,PRICE\ni1,Comedy,9.99\n"
    );
}
