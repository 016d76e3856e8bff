//! Gating data pull requests (issue 7): the config file (discovery, layering, unknown keys,
//! datasets), `--changed-since` in a real git repository, `--fail-on`/`--exit-zero`, SARIF
//! checked against the official SARIF 2.1.0 schema, markdown under GitHub's 1 MiB limit, and the
//! GitHub Action and pre-commit hook run as they would run in a scratch repository.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

use crate::common;
use common::root;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("preflight")
}

/// The binary in `dir`, with a clean environment: no `PREFLIGHT_*` or GitHub variables.
fn preflight(dir: &Path) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("PREFLIGHT_") || k.starts_with("GITHUB_") {
            c.env_remove(k);
        }
    }
    c.env("PREFLIGHT_NOW", "1700000000").env("NO_COLOR", "1");
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", text(&out.stdout), text(&out.stderr)))
}

fn write(path: &Path, content: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, content).unwrap();
}

/// Codes and lines of the diagnostics of a one-report JSON object or of one dataset's object.
fn findings(v: &Value) -> Vec<(String, Option<u64>)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["line"].as_u64()))
        .collect()
}

fn lines_of(v: &Value, code: &str) -> Vec<u64> {
    findings(v)
        .into_iter()
        .filter(|(c, _)| c == code)
        .filter_map(|(_, l)| l)
        .collect()
}

fn dataset<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no dataset `{name}` in {v}"))
}

/// Items with one duplicated ID: a single PF307 warning and nothing else.
const ITEMS_WITH_A_DUPLICATE: &str = "ITEM_ID,PRICE\ni1,1.5\ni1,2.5\ni2,3\n";

/// A scratch repository root (a `.git` folder stops config discovery) with an items dataset.
fn items_repo(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    write(&dir.path().join("preflight.toml"), config);
    write(&dir.path().join("data/items.csv"), ITEMS_WITH_A_DUPLICATE);
    dir
}

const ITEMS_DATASET: &str =
    "[datasets.items]\ndataset_type = \"items\"\nfiles = \"data/items.csv\"\n";

#[test]
fn config_is_found_by_walking_up_and_not_past_the_repository() {
    let dir = items_repo(ITEMS_DATASET);
    let deep = dir.path().join("a/b");
    fs::create_dir_all(&deep).unwrap();
    let out = preflight(&deep)
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    let items = dataset(&v, "items");
    assert_eq!(items["files"][0]["path"], "../../data/items.csv");
    assert_eq!(lines_of(items, "PF307"), [3]);
    assert_eq!(v["summary"]["warnings"], 1);

    // --no-config: no datasets, so a schema is needed again.
    let out = preflight(&deep)
        .args(["validate", "--no-config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    // A preflight.toml above the repository root is not used.
    let outer = tempfile::tempdir().unwrap();
    write(&outer.path().join("preflight.toml"), ITEMS_DATASET);
    let repo = outer.path().join("repo");
    fs::create_dir_all(repo.join(".git")).unwrap();
    let out = preflight(&repo).args(["validate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("declare datasets in preflight.toml"),
        "{}",
        text(&out.stderr)
    );
    // --config names it explicitly (and PREFLIGHT_CONFIG does too).
    let cfg = outer.path().join("preflight.toml");
    let out = preflight(&repo)
        .args(["validate", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the data is not there");
    assert!(text(&out.stderr).contains("no file matches data/items.csv"));
}

#[test]
fn failing_severity_layers_file_then_env_then_flag() {
    let dir = items_repo(&format!("fail_on = \"warning\"\n{ITEMS_DATASET}"));
    let run = |env: Option<&str>, flags: &[&str]| {
        let mut c = preflight(dir.path());
        c.arg("validate").args(flags);
        if let Some(v) = env {
            c.env("PREFLIGHT_FAIL_ON", v);
        }
        c.output().unwrap().status.code()
    };
    assert_eq!(run(None, &[]), Some(1), "file: a warning fails");
    assert_eq!(run(Some("error"), &[]), Some(0), "env over file");
    assert_eq!(
        run(Some("error"), &["--fail-on", "warning"]),
        Some(1),
        "flag over env"
    );
    assert_eq!(run(None, &["--fail-on", "never"]), Some(0));
    assert_eq!(run(None, &["--exit-zero"]), Some(0));
    assert_eq!(run(Some("often"), &[]), Some(2), "a bad value is an error");
}

#[test]
fn rule_severity_and_format_layer_file_then_env_then_flag() {
    let dir = items_repo(&format!(
        "format = \"json\"\n[rules]\nPF307 = \"error\"\n{ITEMS_DATASET}"
    ));
    let run = |env: &[(&str, &str)], flags: &[&str]| {
        let mut c = preflight(dir.path());
        c.arg("validate").args(flags);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    // File: PF307 is an error, the format is json.
    let out = run(&[], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        dataset(&json(&out), "items")["diagnostics"][0]["severity"],
        "error"
    );
    // Env over file.
    let out = run(
        &[
            ("PREFLIGHT_SEVERITY", "PF307=info"),
            ("PREFLIGHT_FORMAT", "sarif"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["version"], "2.1.0", "sarif from the environment");
    assert_eq!(v["runs"][0]["results"][0]["level"], "note");
    // Flag over env.
    let out = run(
        &[
            ("PREFLIGHT_SEVERITY", "PF307=info"),
            ("PREFLIGHT_FORMAT", "sarif"),
        ],
        &["--severity", "PF307=warning", "--format", "human"],
    );
    assert_eq!(out.status.code(), Some(0));
    let human = text(&out.stdout);
    assert!(human.contains("warning[PF307]"), "{human}");
    // Max diagnostics: file < env < flag.
    let dir2 = items_repo(&format!(
        "max_diagnostics = 1\nformat = \"json\"\n{ITEMS_DATASET}"
    ));
    write(
        &dir2.path().join("data/items.csv"),
        "ITEM_ID\na\na\nb\nb\nc\nc\n",
    );
    let shown = |env: Option<&str>, flags: &[&str]| {
        let mut c = preflight(dir2.path());
        c.arg("validate").args(flags);
        if let Some(v) = env {
            c.env("PREFLIGHT_MAX_DIAGNOSTICS", v);
        }
        let v = json(&c.output().unwrap());
        lines_of(dataset(&v, "items"), "PF307").len()
    };
    assert_eq!(shown(None, &[]), 1);
    assert_eq!(shown(Some("2"), &[]), 2);
    assert_eq!(shown(Some("2"), &["--max-diagnostics", "3"]), 3);
}

/// The README's keys that the other tests do not reach: a rule named by its name in `[rules]`,
/// and `threads` (read as a number: a bad value is an error, a good one changes no result).
#[test]
fn rule_names_and_threads_in_the_config() {
    let dir = items_repo(&format!(
        "threads = 1\n[rules]\nduplicate-id = \"off\"\n{ITEMS_DATASET}"
    ));
    let out = preflight(dir.path())
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
    assert!(findings(dataset(&json(&out), "items")).is_empty());
    let dir = items_repo(&format!("threads = \"many\"\n{ITEMS_DATASET}"));
    let out = preflight(dir.path()).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("threads"),
        "{}",
        text(&out.stderr)
    );
}

const ITEMS_ARN: &str = "arn:aws:personalize:us-east-1:123456789012:dataset/g/ITEMS";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/R";

/// `validate`, `stage` and `run` (a dry run: nothing is sent) on `data/items.csv` with the
/// built-in items schema, in `dir`; their exit codes and output (stdout, then stderr).
fn gate_all(dir: &Path, extra_run: &[&str]) -> Vec<(&'static str, Option<i32>, String)> {
    let schema = ["--dataset-type", "items"];
    let cmds: [(&str, Vec<&str>); 3] = [
        ("validate", vec!["validate"]),
        ("stage", vec!["stage", "--to", "staging"]),
        (
            "run",
            [
                "run",
                "--dry-run",
                "--dataset-arn",
                ITEMS_ARN,
                "--role-arn",
                ROLE_ARN,
                "--stage-to",
                "s3://imports/p/",
                "--mode",
                "full",
            ]
            .iter()
            .chain(extra_run)
            .copied()
            .collect(),
        ),
    ];
    cmds.into_iter()
        .map(|(name, args)| {
            let out = preflight(dir)
                .args(&args)
                .args(schema)
                .arg("data/items.csv")
                .output()
                .unwrap();
            let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
            (name, out.status.code(), all)
        })
        .collect()
}

/// One session per run (issue 15, bug a): `preflight.toml`'s settings gate `validate`, `stage`
/// and `run` alike. With `[rules] blank-line = "off"`, `validate` passed a file with a blank
/// line and `stage` refused it; with `fail_on = "warning"`, `validate` and `run` stopped on a
/// warning and `stage` staged the file.
#[test]
fn validate_stage_and_run_gate_alike_on_the_config() {
    let dir = items_repo("[rules]\nblank-line = \"off\"\n");
    write(
        &dir.path().join("data/items.csv"),
        "ITEM_ID,PRICE\ni1,1.5\n\ni2,3\n",
    );
    for (cmd, code, err) in gate_all(dir.path(), &[]) {
        assert_eq!(
            code,
            Some(0),
            "{cmd}: blank-line is off in the config\n{err}"
        );
        assert!(!err.contains("PF006"), "{cmd}: {err}");
    }
    fs::remove_dir_all(dir.path().join("staging")).unwrap();
    // The same file without the override: every command stops on the blank line.
    write(&dir.path().join("preflight.toml"), "");
    for (cmd, code, err) in gate_all(dir.path(), &[]) {
        assert_eq!(code, Some(1), "{cmd}: a blank line is an error\n{err}");
        assert!(err.contains("PF006"), "{cmd}: {err}");
    }
    assert!(!dir.path().join("staging").exists(), "nothing was staged");
    // `--exit-zero` changes `validate`'s exit code, not what `stage` and `run` let through.
    preflight(dir.path())
        .args(["validate", "--exit-zero", "--dataset-type", "items"])
        .arg("data/items.csv")
        .assert()
        .code(0);
    for mut args in [
        vec!["stage", "--to", "staging"],
        vec![
            "run",
            "--dry-run",
            "--dataset-arn",
            ITEMS_ARN,
            "--role-arn",
            ROLE_ARN,
            "--stage-to",
            "s3://imports/p/",
            "--mode",
            "full",
        ],
    ] {
        args.extend(["--exit-zero", "--dataset-type", "items", "data/items.csv"]);
        let out = preflight(dir.path()).args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("found 1 error(s): nothing was staged"),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout)
                .lines()
                .all(|l| !l.contains("\"operation\"")),
            "{args:?}: no request is printed: {}",
            text(&out.stdout)
        );
    }
    assert!(!dir.path().join("staging").exists(), "nothing was staged");

    // A warning (a duplicate ID) with `fail_on = "warning"`: every command stops.
    write(
        &dir.path().join("preflight.toml"),
        "fail_on = \"warning\"\n",
    );
    write(&dir.path().join("data/items.csv"), ITEMS_WITH_A_DUPLICATE);
    for (cmd, code, err) in gate_all(dir.path(), &["--first-import"]) {
        assert_eq!(code, Some(1), "{cmd}: fail_on = warning\n{err}");
        if cmd != "validate" {
            assert!(
                err.contains("1 warning(s)") && !err.contains("found 0 error(s)"),
                "{cmd}: the refusal names the warning\n{err}"
            );
        }
    }
    assert!(!dir.path().join("staging").exists(), "nothing was staged");
    // `--force` stages anyway, as it does on errors.
    preflight(dir.path())
        .args([
            "stage",
            "--force",
            "--to",
            "staging",
            "--dataset-type",
            "items",
        ])
        .arg("data/items.csv")
        .assert()
        .code(0);
}

/// Every config key reaches every command through the session (issue 15, bug b): `format`
/// in `preflight.toml` is the output format of `validate`, `schema check`, `plan`,
/// `insights` and `run` (stdout), and of `stage`'s findings (stderr, since stdout is the data
/// location).
#[test]
fn the_config_format_reaches_every_command() {
    let dir = items_repo("format = \"json\"\n");
    write(&dir.path().join("data/items.csv"), ITEMS_WITH_A_DUPLICATE);
    write(
        &dir.path().join("items.json"),
        r#"{"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"ITEM_ID","type":"string"},{"name":"PRICE","type":"float"}],"version":"1.0"}"#,
    );
    let items = ["--dataset-type", "items", "data/items.csv"];
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("validate", [&["validate"][..], &items].concat()),
        ("schema check", vec!["schema", "check", "items.json"]),
        (
            "plan",
            [&["plan", "--mode", "full", "--first-import"][..], &items].concat(),
        ),
        ("insights", [&["insights"][..], &items].concat()),
        (
            "run",
            [
                &[
                    "run",
                    "--dry-run",
                    "--first-import",
                    "--dataset-arn",
                    ITEMS_ARN,
                    "--role-arn",
                    ROLE_ARN,
                    "--stage-to",
                    "s3://imports/p/",
                    "--mode",
                    "full",
                ][..],
                &items,
            ]
            .concat(),
        ),
    ];
    for (cmd, args) in cases {
        let out = preflight(dir.path()).args(&args).output().unwrap();
        assert!(
            out.status.code().unwrap_or(9) <= 1,
            "{cmd}: {}",
            text(&out.stderr)
        );
        // `run` prints its report only when there is something to say (the warning), before
        // the dry run's requests: the first line of its stdout is the report.
        let report = if cmd == "run" {
            let s = text(&out.stdout);
            let end = s.find("\n}\n").map_or(s.len(), |i| i + 3);
            s[..end].to_string()
        } else {
            text(&out.stdout)
        };
        let v: Value = serde_json::from_str(&report)
            .unwrap_or_else(|e| panic!("{cmd}: not JSON ({e}):\n{report}"));
        assert_eq!(v["version"], 1, "{cmd}: {v}");
    }
    // `stage`: the report on stderr is JSON too.
    let out = preflight(dir.path())
        .args([&["stage", "--to", "staging"][..], &items].concat())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let start = err
        .find('{')
        .unwrap_or_else(|| panic!("no JSON report:\n{err}"));
    let end = err.find("\n}\n").map_or(err.len(), |i| i + 3);
    let v: Value = serde_json::from_str(&err[start..end])
        .unwrap_or_else(|e| panic!("stage: not JSON ({e}):\n{err}"));
    assert_eq!(v["summary"]["warnings"], 1, "{v}");
}

/// `stage` takes its schema from `preflight.toml` as `plan` and `run` do: the dataset whose
/// files the PATHs are, or the one `--dataset` names.
#[test]
fn stage_takes_the_schema_of_the_config_dataset() {
    let dir = items_repo(ITEMS_DATASET);
    write(
        &dir.path().join("data/items.csv"),
        "ITEM_ID,PRICE\ni1,1.5\ni2,3\n",
    );
    write(&dir.path().join("other.csv"), "ITEM_ID,PRICE\ni3,4\n");
    let stage = |args: &[&str]| {
        preflight(dir.path())
            .args(["stage", "--to", "staging"])
            .args(args)
            .output()
            .unwrap()
    };
    let manifest = |out: &Output| -> Value {
        let loc = text(&out.stdout);
        let path = dir.path().join(loc.trim()).join("_preflight/manifest.json");
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap()
    };
    let out = stage(&["data/items.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let m = manifest(&out);
    assert_eq!(m["dataset_type"], "items", "{m}");
    assert_eq!(
        m["schema"]["source"],
        Value::Null,
        "the built-in schema: {m}"
    );
    // A file the globs do not name: its dataset by name.
    let out = stage(&["--dataset", "items", "other.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(manifest(&out)["dataset_type"], "items");
    let out = stage(&["other.csv"]);
    assert_eq!(out.status.code(), Some(2), "no dataset, no schema");
    assert!(
        text(&out.stderr).contains("give a schema with --schema FILE"),
        "{}",
        text(&out.stderr)
    );
    let out = stage(&["--dataset", "nope", "other.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no dataset `nope`"),
        "{}",
        text(&out.stderr)
    );
    // The schema options win over the config's dataset.
    let out = stage(&["--dataset-type", "users", "data/items.csv"]);
    assert_eq!(out.status.code(), Some(1), "items data is not a users file");
}

#[test]
fn unknown_config_keys_are_warned_about() {
    let dir = items_repo(&format!(
        "colour = \"always\"\n[rules]\nPF999 = \"off\"\n{ITEMS_DATASET}globs = [\"x\"]\n"
    ));
    let out = preflight(dir.path()).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    for want in [
        "warning: preflight.toml: unknown key `colour` (ignored)",
        "warning: preflight.toml: unknown key `datasets.items.globs` (ignored)",
        "warning: preflight.toml: unknown rule `PF999`",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
}

#[test]
fn a_dataset_with_only_an_arn_has_its_schema_fetched() {
    let dir = items_repo(&format!(
        "{ITEMS_DATASET}[datasets.users]\ndataset_arn = \"arn:aws:personalize:us-east-1:123456789012:dataset/g/USERS\"\nfiles = \"users.csv\"\n"
    ));
    // No AWS configuration at all: the fetch (DescribeDataset) cannot even start.
    let out = preflight(dir.path())
        .arg("validate")
        .env("AWS_CONFIG_FILE", dir.path().join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.path().join("no-aws-credentials"),
        )
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("dataset `users`: failed to fetch its schema")
            && err.contains("no AWS region"),
        "{err}"
    );
    // The other dataset alone still works.
    preflight(dir.path())
        .args(["validate", "--dataset", "items"])
        .assert()
        .code(0);
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

#[test]
fn changed_since_reports_only_new_bad_lines_but_keeps_dataset_checks() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    // Commit 1: 30 old bad rows (milliseconds), more than the per-rule cap of 20, then good rows.
    let mut csv = String::from("USER_ID,ITEM_ID,TIMESTAMP\n");
    for i in 0..30 {
        csv.push_str(&format!("u{i},i{i},{}\n", 1_596_238_243_000u64 + i));
    }
    for i in 0..20 {
        csv.push_str(&format!("u{i},i{i},{}\n", 1_596_238_243u64 + i));
    }
    write(&repo.join("interactions.csv"), &csv);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "one"]);
    // Commit 2: one good line changed into a bad one (line 40), two bad lines and a good one
    // appended (lines 52-54).
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    lines[39] = "u9,i9,2020-07-31".into();
    lines.push("u50,i50,1596238299000".into());
    lines.push("u51,i51,1596238300".into());
    lines.push("u52,,1596238301".into());
    write(&repo.join("interactions.csv"), &(lines.join("\n") + "\n"));
    git(repo, &["commit", "-q", "-am", "two"]);

    let run = |extra: &[&str]| {
        preflight(repo)
            .args([
                "validate",
                "--dataset-type",
                "interactions",
                "--format",
                "json",
                "interactions.csv",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["--changed-since", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(lines_of(&v, "PF215"), [52], "only the new millisecond row");
    assert_eq!(lines_of(&v, "PF207"), [40], "the changed line");
    assert_eq!(lines_of(&v, "PF206"), [54], "the new empty ITEM_ID");
    let total = |code: &str| {
        v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .map_or(0, |r| r["total"].as_u64().unwrap())
    };
    assert_eq!(total("PF215"), 1, "old rows are not counted either");
    // The dataset-level check still sees the whole file: 53 records < 1,000.
    assert_eq!(total("PF301"), 1);
    assert_eq!(v["summary"]["records"], 53);

    // Without the flag every bad row counts.
    let v = json(&run(&[]));
    assert_eq!(
        v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "PF215")
            .unwrap()["total"],
        31
    );

    // Since HEAD (nothing changed): no row-level finding, the dataset check stays.
    let v = json(&run(&["--changed-since", "HEAD"]));
    assert!(lines_of(&v, "PF215").is_empty() && lines_of(&v, "PF207").is_empty());
    assert_eq!(total("PF301"), 1);

    // A file git does not track is new: all its lines count.
    write(&repo.join("new.csv"), &csv);
    let out = preflight(repo)
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "--format",
            "json",
            "--changed-since",
            "HEAD",
            "new.csv",
        ])
        .output()
        .unwrap();
    let v = json(&out);
    assert_eq!(
        lines_of(&v, "PF215").len(),
        20,
        "capped, all of them reported"
    );

    // An unknown revision is a tool failure.
    let out = run(&["--changed-since", "no-such-rev"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no-such-rev"));
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(root().join("testdata/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, v: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(v)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let validator = sarif_validator();
    // The schema is strict enough to catch a broken log.
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"level": "fatal"}]}]});
    assert!(!validator.is_valid(&broken));

    let out = preflight(&root())
        .args([
            "validate",
            "--schema",
            "testdata/example/schema.json",
            "testdata/example/interactions.csv",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_valid_sarif(&validator, &v);
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), preflight_validator::rules::ALL.len());
    let pf215 = rules.iter().find(|r| r["id"] == "PF215").unwrap();
    assert_eq!(pf215["name"], "timestamp-in-milliseconds");
    assert_eq!(pf215["defaultConfiguration"]["level"], "error");
    assert!(pf215["helpUri"]
        .as_str()
        .unwrap()
        .starts_with("https://docs.aws.amazon.com/personalize/"));
    assert!(pf215["help"]["markdown"]
        .as_str()
        .unwrap()
        .starts_with("## What it does"));
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "PF215")
        .unwrap();
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "testdata/example/interactions.csv"
    );
    assert_eq!(loc["region"]["startLine"], 6);
    assert_eq!(loc["region"]["startColumn"], 10);
    assert_eq!(
        rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "PF215"
    );

    // Several datasets, dataset-level findings, a path that needs escaping, and a clean run.
    let dir = items_repo(&format!(
        "{ITEMS_DATASET}[datasets.clean]\ndataset_type = \"users\"\nfiles = \"data/my users.csv\"\n"
    ));
    write(&dir.path().join("data/my users.csv"), "USER_ID,AGE\nu1,3\n");
    let out = preflight(dir.path())
        .args(["validate", "--format", "sarif"])
        .output()
        .unwrap();
    let v = json(&out);
    assert_valid_sarif(&validator, &v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["properties"]["dataset"], "items");
    let out = preflight(dir.path())
        .args(["validate", "--format", "sarif", "--dataset", "clean"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_valid_sarif(&validator, &json(&out));
}

/// `rows` interaction rows where every row fails (a millisecond timestamp, an empty ITEM_ID
/// and a long event type).
fn every_row_fails(rows: usize) -> String {
    let mut csv = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
    let long = "x".repeat(300);
    for i in 0..rows {
        csv.push_str(&format!(
            "u{i},,{},{long}\n",
            1_596_238_243_000u64 + i as u64
        ));
    }
    csv
}

#[test]
fn sarif_is_capped_at_25000_results_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("i.csv"), &every_row_fails(9_000));
    let out = preflight(dir.path())
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "--max-diagnostics",
            "100000",
            "--format",
            "sarif",
            "i.csv",
        ])
        .output()
        .unwrap();
    let v = json(&out);
    let run = &v["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), 25_000);
    let cut = run["properties"]["omittedByResultLimit"].as_u64().unwrap();
    let props = &run["properties"];
    let all: u64 = ["errors", "warnings", "infos"]
        .iter()
        .map(|k| props[k].as_u64().unwrap())
        .sum();
    assert!(all > 27_000, "three findings per row: {all}");
    assert_eq!(cut, all - 25_000);
    let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(
        note.starts_with(&format!("{cut} more results not included")),
        "{note}"
    );
    assert_valid_sarif(&sarif_validator(), &v);
}

#[test]
fn markdown_stays_under_one_mib_when_every_row_fails() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("i.csv"), &every_row_fails(40_000));
    let out = preflight(dir.path())
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "--max-diagnostics",
            "1000000",
            "--format",
            "markdown",
            "i.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = text(&out.stdout);
    assert!(md.len() < 1 << 20, "{} bytes", md.len());
    assert!(
        md.len() > 800 * 1024,
        "the budget is used: {} bytes",
        md.len()
    );
    assert!(md.starts_with("## ❌ preflight: "), "{}", &md[..200]);
    assert!(md.contains("| PF215 | timestamp-in-milliseconds | error | 40,000 |"));
    assert!(md.contains("more findings not listed (size limit)"));
    // The step summary of the github format is the same size-bounded markdown.
    let summary = dir.path().join("summary.md");
    preflight(dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([
            "validate",
            "--dataset-type",
            "interactions",
            "--max-diagnostics",
            "1000000",
            "--format",
            "github",
            "i.csv",
        ])
        .assert()
        .code(1);
    assert!(fs::metadata(&summary).unwrap().len() < 1 << 20);
}

/// A repository with an interactions dataset (a folder of parts) and an items dataset.
fn two_dataset_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    fs::create_dir(r.join(".git")).unwrap();
    write(
        &r.join("preflight.toml"),
        "[rules]\nPF301 = \"off\"\n\n[datasets.interactions]\ndataset_type = \"interactions\"\nfiles = \"data/interactions/*.csv\"\n\n[datasets.items]\nschema = \"schemas/items.json\"\nfiles = [\"data/items.csv\"]\n",
    );
    // Part a has a bad row; part b has a bad row too.
    write(
        &r.join("data/interactions/a.csv"),
        "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1596238243000\nu1,i2,1596238244\n",
    );
    write(
        &r.join("data/interactions/b.csv"),
        "USER_ID,ITEM_ID,TIMESTAMP\nu2,i1,1596238245\nu2,i2,2020-07-31\n",
    );
    write(
        &r.join("schemas/items.json"),
        r#"{"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"ITEM_ID","type":"string"},{"name":"PRICE","type":"float"}],"version":"1.0"}"#,
    );
    write(
        &r.join("data/items.csv"),
        "ITEM_ID,PRICE\ni1,1.5\ni2,cheap\n",
    );
    write(&r.join("notes.csv"), "a,b\n1,2\n");
    write(&r.join("package.json"), "{}");
    dir
}

#[test]
fn files_given_with_a_config_are_mapped_to_their_datasets() {
    let dir = two_dataset_repo();
    let out = preflight(dir.path())
        .args([
            "validate",
            "--format",
            "json",
            "data/interactions/b.csv",
            "notes.csv",
            "package.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("note: `notes.csv` belongs to no dataset"),
        "{err}"
    );
    assert!(
        err.contains("note: `package.json` belongs to no dataset"),
        "{err}"
    );
    let v = json(&out);
    assert_eq!(v["datasets"].as_array().unwrap().len(), 1);
    let inter = dataset(&v, "interactions");
    // The whole dataset is read (both parts), row findings only for the file given.
    assert_eq!(inter["summary"]["files"], 2);
    assert_eq!(inter["summary"]["records"], 4);
    let rows: Vec<(String, Option<u64>)> = findings(inter)
        .into_iter()
        .filter(|(_, line)| line.is_some())
        .collect();
    assert_eq!(rows, [("PF207".to_string(), Some(3))], "{inter}");
    assert_eq!(inter["diagnostics"][0]["file"], "data/interactions/b.csv");

    // A dataset's schema file checks that dataset with every row.
    let out = preflight(dir.path())
        .args(["validate", "--format", "json", "schemas/items.json"])
        .output()
        .unwrap();
    let v = json(&out);
    let items = dataset(&v, "items");
    assert_eq!(lines_of(items, "PF208"), [3]);

    // A dataset declared as a folder: a file given in it is read once, under the folder's name.
    write(
        &dir.path().join("preflight.toml"),
        "[rules]\nPF301 = \"off\"\n[datasets.interactions]\ndataset_type = \"interactions\"\nfiles = \"data/interactions/\"\n",
    );
    let out = preflight(dir.path())
        .args(["validate", "--format", "json", "data/interactions/b.csv"])
        .output()
        .unwrap();
    let v = json(&out);
    let inter = dataset(&v, "interactions");
    assert_eq!(inter["summary"]["files"], 2, "{inter}");
    let rows: Vec<(String, Option<u64>)> = findings(inter)
        .into_iter()
        .filter(|(_, line)| line.is_some())
        .collect();
    assert_eq!(rows, [("PF207".to_string(), Some(3))], "{inter}");
    assert!(!findings(inter)
        .iter()
        .any(|(c, _)| c == "PF109" || c == "PF308"));

    // Nothing to check: exit 0 with a note.
    let out = preflight(dir.path())
        .args(["validate", "notes.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("No dataset to check."));
}

/// `preflight`'s directory first on PATH.
fn path_with_bin() -> std::ffi::OsString {
    let mut dirs = vec![bin().parent().unwrap().to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

/// Runs one `run:` step of action.yml as GitHub's composite runner does (`bash -e -o pipefail`),
/// with `${{ inputs.NAME }}` taken from `inputs` (or the input's default).
fn run_action_step(
    action: &serde_yaml::Value,
    step: &serde_yaml::Value,
    inputs: &[(&str, &str)],
    cwd: &Path,
    gh: &Path,
) -> Output {
    let script = step["run"].as_str().expect("a run step");
    assert!(
        !script.contains("${{"),
        "inputs must reach the script through env, not be pasted into it:\n{script}"
    );
    let input = |name: &str| -> String {
        inputs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| {
                action["inputs"][name]["default"]
                    .as_str()
                    .unwrap_or_else(|| panic!("action.yml has no input `{name}`"))
                    .to_string()
            })
    };
    let subst = |s: &str| -> String {
        let mut out = s.to_string();
        while let Some(start) = out.find("${{") {
            let end = out[start..].find("}}").unwrap() + start;
            let expr = out[start + 3..end].trim().to_string();
            let value = match expr.strip_prefix("inputs.") {
                Some(name) => input(name),
                None => panic!("unexpected expression `{expr}`"),
            };
            out.replace_range(start..end + 2, &value);
        }
        out
    };
    let dir = match step["working-directory"].as_str() {
        Some(w) => cwd.join(subst(w)),
        None => cwd.to_path_buf(),
    };
    let mut c = std::process::Command::new("bash");
    c.args([
        "--noprofile",
        "--norc",
        "-e",
        "-o",
        "pipefail",
        "-c",
        script,
    ])
    .current_dir(dir)
    .env("PATH", path_with_bin())
    .env("GITHUB_ACTION_PATH", root())
    .env("GITHUB_PATH", gh.join("path"))
    .env("GITHUB_STEP_SUMMARY", gh.join("summary.md"))
    .env("RUNNER_TEMP", gh.join("tmp"))
    .env("PREFLIGHT_NO_DOWNLOAD", "1")
    .env("PREFLIGHT_NOW", "1700000000");
    if let Some(env) = step["env"].as_mapping() {
        for (k, v) in env {
            c.env(k.as_str().unwrap(), subst(v.as_str().unwrap_or("")));
        }
    }
    c.output().unwrap()
}

#[test]
fn the_github_action_installs_and_runs_preflight() {
    let action: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(root().join("action.yml")).unwrap()).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    for name in [
        "paths",
        "schema",
        "dataset-type",
        "domain",
        "config",
        "changed-since",
        "fail-on",
        "args",
    ] {
        assert!(action["inputs"][name].is_mapping(), "input `{name}`");
    }
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let (install, validate) = (&steps[0], &steps[1]);
    assert!(validate["run"]
        .as_str()
        .unwrap()
        .contains("preflight validate"));

    let repo = two_dataset_repo();
    let gh = tempfile::tempdir().unwrap();
    fs::create_dir(gh.path().join("tmp")).unwrap();

    // Install: the preflight on PATH is used; nothing is downloaded or built.
    let out = run_action_step(&action, install, &[], repo.path(), gh.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("preflight: using "),
        "{}",
        text(&out.stderr)
    );
    let added = fs::read_to_string(gh.path().join("path")).unwrap();
    assert_eq!(Path::new(added.trim()), bin().parent().unwrap());

    // Validate every dataset of preflight.toml: annotations, a summary, a failed step.
    let out = run_action_step(&action, validate, &[], repo.path(), gh.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("::error file=data/interactions/a.csv,line=2,col=7,title=PF215 timestamp-in-milliseconds::"),
        "{stdout}"
    );
    assert!(stdout.contains("preflight [items]: 1 error"), "{stdout}");
    let summary = fs::read_to_string(gh.path().join("summary.md")).unwrap();
    assert!(summary.contains("### dataset `interactions`"), "{summary}");

    // Inputs: explicit paths and a built-in type, fail-on never, extra args.
    let out = run_action_step(
        &action,
        validate,
        &[
            ("paths", "data/interactions/a.csv\ndata/interactions/b.csv"),
            ("dataset-type", "interactions"),
            ("fail-on", "never"),
            ("args", "--severity PF301=off --max-diagnostics 5"),
        ],
        repo.path(),
        gh.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("in 2 files"),
        "{}",
        text(&out.stdout)
    );

    // A bad input fails the step with the tool's exit code.
    let out = run_action_step(
        &action,
        validate,
        &[("config", "missing.toml")],
        repo.path(),
        gh.path(),
    );
    assert_eq!(out.status.code(), Some(2));
}

/// pre-commit from `.ci/venv` (made by `.ci/run`) or from PATH.
fn pre_commit() -> Option<PathBuf> {
    let venv = root().join(".ci/venv/bin/pre-commit");
    if venv.is_file() {
        return Some(venv);
    }
    let ok = std::process::Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| PathBuf::from("pre-commit"))
}

#[test]
fn the_pre_commit_hook_maps_staged_files_to_datasets() {
    let Some(pre_commit) = pre_commit() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("pre-commit is not installed: .ci/run installs it into .ci/venv");
        }
        eprintln!("note: pre-commit is not installed (`.ci/run` installs it); hook test skipped");
        return;
    };
    let repo = two_dataset_repo();
    let r = repo.path();
    fs::remove_dir_all(r.join(".git")).unwrap();
    git(r, &["init", "-q"]);
    git(r, &["add", "."]);
    let home = tempfile::tempdir().unwrap();
    let run = |files: &[&str]| {
        let out = std::process::Command::new(&pre_commit)
            .current_dir(r)
            .env("PATH", path_with_bin())
            .env("PRE_COMMIT_HOME", home.path())
            .env("PREFLIGHT_NO_DOWNLOAD", "1")
            .env("PREFLIGHT_NOW", "1700000000")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("NO_COLOR", "1")
            .arg("try-repo")
            .arg(root())
            .arg("preflight-validate")
            .arg("--verbose")
            .arg("--files")
            .args(files)
            .output()
            .unwrap();
        (out.status.code(), text(&out.stdout) + &text(&out.stderr))
    };
    // A bad part fails the hook, with its finding.
    let (code, out) = run(&["data/interactions/b.csv"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("PF207"), "{out}");
    assert!(!out.contains("PF215"), "a.csv was not given: {out}");
    // The items schema (JSON) checks the items dataset.
    let (code, out) = run(&["schemas/items.json"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("PF208"), "{out}");
    // Files of no dataset pass, with a note.
    let (code, out) = run(&["notes.csv", "package.json"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("belongs to no dataset"), "{out}");
    // Once fixed, the hook passes.
    write(
        &r.join("data/interactions/b.csv"),
        "USER_ID,ITEM_ID,TIMESTAMP\nu2,i1,1596238245\nu2,i2,1596238246\n",
    );
    let (code, out) = run(&["data/interactions/b.csv"]);
    assert_eq!(code, Some(0), "{out}");
}
