//! One fixture folder per rule: `testdata/rules/<CODE>-<name>/` holds a failing and a passing
//! input, and `expected` lists every finding of that rule in the failing input as
//! `CODE LINE COLUMN [FILE]` (`-` for null; FILE, relative to a folder input, only when given).
//!
//! Each fixture runs through the real binary with `PREFLIGHT_NOW=1700000000`:
//! - the fail input must produce exactly the expected (line, column[, file]) findings of the
//!   folder's rule, and exit 1 for an error rule; for a warning or info rule the exit code is 1
//!   only if some other finding is an error (the fixtures avoid that, so it is 0);
//! - the pass input must produce no finding of the rule, and no error at all.
//!
//! Inputs: `fail.csv`/`pass.csv` (validate), `fail/`/`pass/` (validate a folder) or
//! `fail.json`/`pass.json` (`schema check`). Rules of the insights family run `preflight
//! insights` instead of `validate`, and count the findings of every dataset of the run; their
//! `args` may end with a dataset option (`--items items.csv --interactions`) so that the input
//! is that dataset. The schema comes from `schema.json` (passed as
//! `--schema`) and/or the one-line `args` file; `fail.args`/`pass.args` add options for one side
//! only (the plan's gates: `--existing` given or not). Folders with a `generated` marker have
//! inputs too large to commit (1,000+ records, 20,000-character values); [`write_generated`]
//! writes them.
//!
//! What a user reads is under test too: `human.txt` holds the standard output of the fail run in
//! the human format (default options otherwise), with the fixture folder's path removed. Run the
//! tests with `PREFLIGHT_BLESS=1` to write it after a deliberate change of wording, and review the
//! diff.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::common;
use common::root;

/// "Now" for every run: 2023-11-14T22:13:20Z.
const NOW: &str = "1700000000";

fn rules_dir() -> PathBuf {
    root().join("testdata/rules")
}

/// A rule as `preflight rules --format json` lists it.
#[derive(Debug, Clone)]
struct RuleInfo {
    code: String,
    name: String,
    family: String,
    severity: String,
}

fn rules() -> Vec<RuleInfo> {
    let out = Command::cargo_bin("preflight")
        .unwrap()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "`preflight rules` failed");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| RuleInfo {
            code: r["code"].as_str().unwrap().to_string(),
            name: r["name"].as_str().unwrap().to_string(),
            family: r["family"].as_str().unwrap().to_string(),
            severity: r["severity"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// The fixture folders, by name, sorted.
fn folders() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(rules_dir())
        .expect("testdata/rules exists")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The rule files: one per rule, in the family folders of `crates/validator/src/rules`.
fn rule_files() -> usize {
    let dir = root().join("crates/validator/src/rules");
    fs::read_dir(&dir)
        .expect("the rules folder exists")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .flat_map(|family| fs::read_dir(family.path()).expect("a family folder"))
        .filter_map(Result::ok)
        .filter(|f| {
            let name = f.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".rs") && name != "mod.rs"
        })
        .count()
}

/// The code part of a folder name (`PF215-timestamp-in-milliseconds` → `PF215`).
fn folder_code(folder: &str) -> &str {
    folder.split('-').next().unwrap_or(folder)
}

#[test]
fn every_rule_has_a_fixture_folder_and_every_folder_is_a_rule() {
    let rules = rules();
    assert_eq!(
        rules.len(),
        rule_files(),
        "`preflight rules` does not list one rule per file of crates/validator/src/rules"
    );
    let folders = folders();
    let mut problems = Vec::new();
    // The access rules (PF6xx) judge the account's policies, not files: no CSV fixture shows
    // them; the uploader's access tests (mocked S3, IAM and KMS answers) do.
    for r in rules.iter().filter(|r| r.family != "access") {
        let want = format!("{}-{}", r.code, r.name);
        if !folders.contains(&want) {
            problems.push(format!(
                "rule {} has no folder testdata/rules/{want}",
                r.code
            ));
        }
    }
    for f in &folders {
        match rules.iter().find(|r| r.code == folder_code(f)) {
            None => problems.push(format!("folder {f}: {} is not a rule", folder_code(f))),
            Some(r) if *f != format!("{}-{}", r.code, r.name) => problems.push(format!(
                "folder {f}: the rule {} is named `{}`",
                r.code, r.name
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn file_rules() {
    check_family("file");
}

#[test]
fn header_rules() {
    check_family("header");
}

#[test]
fn field_rules() {
    check_family("field");
}

#[test]
fn dataset_rules() {
    check_family("dataset");
}

#[test]
fn schema_rules() {
    check_family("schema");
}

#[test]
fn insights_rules() {
    check_family("insights");
}

/// Runs every fixture of a family and reports all failures at once, each naming its folder.
fn check_family(family: &str) {
    let rules = rules();
    let mut failures = Vec::new();
    let mut checked = 0;
    for folder in folders() {
        let Some(rule) = rules.iter().find(|r| r.code == folder_code(&folder)) else {
            continue; // reported by every_rule_has_a_fixture_folder_and_every_folder_is_a_rule
        };
        if rule.family != family {
            continue;
        }
        checked += 1;
        if let Err(e) = check_fixture(&folder, rule) {
            failures.push(format!("testdata/rules/{folder}: {e}"));
        }
    }
    assert!(checked > 0, "no fixture of the {family} family");
    assert!(
        failures.is_empty(),
        "{} of {checked} {family} fixtures failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// One expected or actual finding: line, column, and (for folder inputs) the file.
type Finding = (String, String, Option<String>);

fn check_fixture(folder: &str, rule: &RuleInfo) -> Result<(), String> {
    let dir = rules_dir().join(folder);
    let expected_text = fs::read_to_string(dir.join("expected"))
        .map_err(|e| format!("cannot read `expected`: {e}"))?;
    let expected = parse_expected(&expected_text, &rule.code)?;
    if expected.is_empty() {
        return Err("`expected` lists no finding".into());
    }
    let with_file = expected.iter().any(|f| f.2.is_some());

    // Generated inputs go to a temporary folder; committed ones are read in place.
    let tmp = tempfile::tempdir().unwrap();
    let inputs = if dir.join("generated").exists() {
        write_generated(folder, tmp.path())?;
        tmp.path().to_path_buf()
    } else {
        dir.clone()
    };

    let fail = run(&dir, &inputs, "fail", rule)?;
    check_human(&dir, &inputs, rule)?;
    let mut actual: Vec<Finding> = Vec::new();
    for d in fail
        .diags
        .iter()
        .filter(|d| d["code"] == rule.code.as_str())
    {
        if d["severity"] != rule.severity.as_str() {
            return Err(format!(
                "a finding has severity {} instead of the default {}",
                d["severity"], rule.severity
            ));
        }
        let file = with_file.then(|| relative_file(d, &fail.input));
        actual.push((num(&d["line"]), num(&d["column"]), file));
    }
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    actual.sort();
    if actual != expected_sorted {
        return Err(format!(
            "{} on the fail input: expected\n{}but got\n{}(all findings: {})",
            rule.code,
            show(&rule.code, &expected_sorted),
            show(&rule.code, &actual),
            fail.summary()
        ));
    }
    let any_error = fail.diags.iter().any(|d| d["severity"] == "error");
    let want_exit = if rule.severity == "error" || any_error {
        1
    } else {
        0
    };
    if fail.exit != want_exit {
        return Err(format!(
            "the fail input exited {} instead of {want_exit} (findings: {})",
            fail.exit,
            fail.summary()
        ));
    }

    let pass = run(&dir, &inputs, "pass", rule)?;
    if pass.diags.iter().any(|d| d["code"] == rule.code.as_str()) {
        return Err(format!(
            "the pass input has a {} finding (findings: {})",
            rule.code,
            pass.summary()
        ));
    }
    if pass.exit != 0 {
        return Err(format!(
            "the pass input exited {} (findings: {})",
            pass.exit,
            pass.summary()
        ));
    }
    Ok(())
}

/// Parses `expected`: `CODE LINE COLUMN [FILE]` per line; blank lines and `#` comments skipped.
fn parse_expected(text: &str, code: &str) -> Result<Vec<Finding>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let t: Vec<&str> = line.split_whitespace().collect();
        if !(3..=4).contains(&t.len()) {
            return Err(format!(
                "expected:{}: `{line}` is not `CODE LINE COLUMN [FILE]`",
                i + 1
            ));
        }
        if t[0] != code {
            return Err(format!(
                "expected:{}: `{}` is not this folder's rule {code}",
                i + 1,
                t[0]
            ));
        }
        for v in &t[1..3] {
            if *v != "-" && v.parse::<u64>().is_err() {
                return Err(format!(
                    "expected:{}: `{v}` is neither a number nor -",
                    i + 1
                ));
            }
        }
        out.push((
            t[1].to_string(),
            t[2].to_string(),
            t.get(3).map(|s| s.to_string()),
        ));
    }
    Ok(out)
}

fn show(code: &str, findings: &[Finding]) -> String {
    let mut s = String::new();
    if findings.is_empty() {
        s.push_str("  (none)\n");
    }
    for (l, c, f) in findings {
        let _ = writeln!(
            s,
            "  {code} {l} {c}{}",
            f.as_deref().map(|f| format!(" {f}")).unwrap_or_default()
        );
    }
    s
}

fn num(v: &Value) -> String {
    v.as_u64()
        .map_or_else(|| "-".to_string(), |n| n.to_string())
}

/// A finding's file relative to a folder input (`fail/b.csv` → `b.csv`).
fn relative_file(d: &Value, input: &str) -> String {
    let file = d["file"].as_str().unwrap_or("-");
    file.strip_prefix(input)
        .and_then(|f| f.strip_prefix('/'))
        .unwrap_or(file)
        .to_string()
}

/// The result of one run of the binary.
struct Run {
    /// The input as given on the command line (`fail.csv`, `fail`, `fail.json`).
    input: String,
    exit: i32,
    diags: Vec<Value>,
}

impl Run {
    fn summary(&self) -> String {
        if self.diags.is_empty() {
            return "none".into();
        }
        self.diags
            .iter()
            .map(|d| {
                format!(
                    "{} {} {} ({})",
                    d["code"].as_str().unwrap_or("?"),
                    num(&d["line"]),
                    num(&d["column"]),
                    d["severity"].as_str().unwrap_or("?")
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The command that runs `which` (`fail` or `pass`) of the fixture in `dir`, reading inputs
/// from `inputs`, and the input as given on the command line. The output format is left to the
/// caller.
fn command(
    dir: &Path,
    inputs: &Path,
    which: &str,
    rule: &RuleInfo,
) -> Result<(Command, String), String> {
    let mut args: Vec<String> = Vec::new();
    for name in ["args".to_string(), format!("{which}.args")] {
        if let Ok(s) = fs::read_to_string(dir.join(name)) {
            args.extend(s.split_whitespace().map(str::to_string));
        }
    }
    let schema = dir.join("schema.json");
    let mut cmd = Command::cargo_bin("preflight").unwrap();
    cmd.current_dir(inputs)
        .env("PREFLIGHT_NOW", NOW)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    let input = if inputs.join(format!("{which}.json")).is_file() {
        let input = format!("{which}.json");
        cmd.args(["schema", "check", &input]).args(&args);
        input
    } else {
        let input = if inputs.join(format!("{which}.csv")).is_file() {
            format!("{which}.csv")
        } else if inputs.join(which).is_dir() {
            which.to_string()
        } else {
            return Err(format!(
                "no {which}.csv, {which}/ or {which}.json input{}",
                if dir == inputs {
                    ""
                } else {
                    " (write_generated wrote none)"
                }
            ));
        };
        cmd.arg(if rule.family == "insights" {
            "insights"
        } else {
            "validate"
        });
        if schema.is_file() {
            cmd.arg("--schema").arg(&schema);
        }
        cmd.args(&args).arg(&input);
        input
    };
    Ok((cmd, input))
}

/// Runs `which` (`fail` or `pass`) of the fixture in `dir`, reading inputs from `inputs`.
fn run(dir: &Path, inputs: &Path, which: &str, rule: &RuleInfo) -> Result<Run, String> {
    let (mut cmd, input) = command(dir, inputs, which, rule)?;
    cmd.args(["--format", "json", "--max-diagnostics", "1000"]);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run preflight: {e}"))?;
    let exit = out.status.code().unwrap_or(-1);
    if exit != 0 && exit != 1 {
        return Err(format!(
            "{input}: preflight exited {exit}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("{input}: the output is not JSON: {e}"))?;
    // Several datasets (insights) report a section each.
    let diags = match v["datasets"].as_array() {
        Some(sections) => sections
            .iter()
            .flat_map(|s| s["diagnostics"].as_array().cloned().unwrap_or_default())
            .collect(),
        None => v["diagnostics"].as_array().cloned().unwrap_or_default(),
    };
    Ok(Run { input, exit, diags })
}

/// Compares the human output of the fail input with the folder's `human.txt` (written instead
/// under `PREFLIGHT_BLESS=1`).
fn check_human(dir: &Path, inputs: &Path, rule: &RuleInfo) -> Result<(), String> {
    let (mut cmd, input) = command(dir, inputs, "fail", rule)?;
    cmd.args(["--format", "human"]);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run preflight: {e}"))?;
    let prefix = format!("{}/", dir.display());
    let actual = String::from_utf8_lossy(&out.stdout).replace(&prefix, "");
    let path = dir.join("human.txt");
    if std::env::var_os("PREFLIGHT_BLESS").is_some() {
        fs::write(&path, &actual).map_err(|e| format!("cannot write human.txt: {e}"))?;
        return Ok(());
    }
    let expected = fs::read_to_string(&path).map_err(|e| {
        format!("cannot read human.txt ({e}): run the test with PREFLIGHT_BLESS=1 to write it")
    })?;
    if actual != expected {
        return Err(format!(
            "the human output of {input} differs from human.txt (PREFLIGHT_BLESS=1 rewrites it):\n{}",
            first_difference(&expected, &actual)
        ));
    }
    Ok(())
}

/// The first line where two texts differ, with its neighbours.
fn first_difference(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let i = (0..e.len().max(a.len()))
        .find(|&i| e.get(i) != a.get(i))
        .unwrap_or(0);
    let from = i.saturating_sub(2);
    let mut s = String::new();
    for (tag, lines) in [("expected", &e), ("actual", &a)] {
        let _ = writeln!(s, "  {tag} (from line {}):", from + 1);
        for l in lines.iter().skip(from).take(5) {
            let _ = writeln!(s, "    {l}");
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Generated inputs (the folders' `generated` files describe them).

/// Writes the fail and pass inputs of a folder with a `generated` marker into `out`.
fn write_generated(folder: &str, out: &Path) -> Result<(), String> {
    let (fail, pass, ext) = match folder_code(folder) {
        "PF213" => (textual(20_001, 7_001), textual(20_000, 7_000), "csv"),
        "PF301" => (interactions_count(999), interactions_count(1000), "csv"),
        "PF302" => (repeat_users(24, 952), repeat_users(25, 950), "csv"),
        "PF303" => (repeat_users(25, 2476), repeat_users(25, 2475), "csv"),
        "PF306" => (domain_events(999, 1000), domain_events(1000, 1000), "csv"),
        "PF310" => {
            // 100 existing interactions; the fail input repeats one of them among its 1000.
            fs::write(out.join("existing.csv"), interactions_range(0, 100)).unwrap();
            let fail = interactions_range(99, 1000);
            (fail, interactions_range(100, 1000), "csv")
        }
        "PF315" => {
            // The same 1000 records: planned against unknown existing data, then against 100
            // other existing records (pass.args).
            fs::write(out.join("existing.csv"), interactions_range(5000, 100)).unwrap();
            (
                interactions_range(0, 1000),
                interactions_range(0, 1000),
                "csv",
            )
        }
        "PF416" => (padded_schema(20_001), padded_schema(20_000), "json"),
        "PF512" => (items_count(750_001), items_count(750_000), "csv"),
        "PF513" => (actions_count(1_001), actions_count(1_000), "csv"),
        "PF514" => (action_scores(true), action_scores(false), "csv"),
        other => {
            return Err(format!(
                "no generator for {other}: add one to write_generated"
            ))
        }
    };
    fs::write(out.join(format!("fail.{ext}")), fail).unwrap();
    fs::write(out.join(format!("pass.{ext}")), pass).unwrap();
    Ok(())
}

const INTERACTIONS_HEADER: &str = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n";
const T0: u64 = 1_596_238_243;

/// Items with an English description of `latin` characters (line 2) and a Japanese one of
/// `cjk` characters (line 3).
fn textual(latin: usize, cjk: usize) -> String {
    let en: String = "lorem ipsum dolor sit amet "
        .chars()
        .cycle()
        .take(latin - 1)
        .chain(std::iter::once('.'))
        .collect();
    let ja: String = "吾輩は猫である名前はまだ無い"
        .chars()
        .cycle()
        .take(cjk)
        .collect();
    assert_eq!((en.chars().count(), ja.chars().count()), (latin, cjk));
    format!("ITEM_ID,GENRES,DESCRIPTION\ni1,Comedy,{en}\ni2,Drama,{ja}\n")
}

/// `n` interactions of 50 users, all distinct.
fn interactions_count(n: u64) -> String {
    let mut s = String::from(INTERACTIONS_HEADER);
    for k in 0..n {
        let _ = writeln!(s, "u{},i{},{},click", k % 50, k % 97, T0 + k);
    }
    s
}

/// `n` distinct interactions of 50 users from record `from` on (the same record for the same
/// number in every file).
fn interactions_range(from: u64, n: u64) -> String {
    let mut s = String::from(INTERACTIONS_HEADER);
    for k in from..from + n {
        let _ = writeln!(s, "u{},i{},{},click", k % 50, k % 97, T0 + k);
    }
    s
}

/// `repeat` users with 2 interactions each, then `single` users with one.
fn repeat_users(repeat: u64, single: u64) -> String {
    let mut s = String::from(INTERACTIONS_HEADER);
    let mut t = T0;
    for u in 0..repeat {
        for i in 0..2 {
            let _ = writeln!(s, "r{u},i{i},{t},click");
            t += 1;
        }
    }
    for u in 0..single {
        let _ = writeln!(s, "s{u},i{},{t},click", u % 97);
        t += 1;
    }
    s
}

/// ECOMMERCE interactions: `views` View and `purchases` Purchase events of 200 users.
fn domain_events(views: u64, purchases: u64) -> String {
    let mut s = String::from(INTERACTIONS_HEADER);
    let events = (0..views)
        .map(|_| "View")
        .chain((0..purchases).map(|_| "Purchase"));
    for (k, ev) in events.enumerate() {
        let k = k as u64;
        let _ = writeln!(s, "u{},i{},{},{ev}", k % 200, k % 97, T0 + k);
    }
    s
}

/// A valid Items schema padded with spaces to exactly `len` characters.
fn padded_schema(len: usize) -> String {
    let head = r#"{"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","fields":[{"name":"ITEM_ID","type":"string"},{"name":"GENRES","type":"string","categorical":true}],"version":"1.0""#;
    let tail = "}\n";
    let s = format!("{head}{}{tail}", " ".repeat(len - head.len() - tail.len()));
    assert_eq!(s.chars().count(), len);
    s
}

/// An Items dataset of `n` distinct items in a few genres.
fn items_count(n: u64) -> String {
    let mut s = String::with_capacity(n as usize * 16);
    s.push_str("ITEM_ID,GENRES\n");
    for k in 0..n {
        let _ = writeln!(
            s,
            "i{k},{}",
            ["Comedy", "Drama", "Horror"][(k % 3) as usize]
        );
    }
    s
}

/// An Actions dataset of `n` distinct actions.
fn actions_count(n: u64) -> String {
    let mut s = String::from("ACTION_ID,LEVEL\n");
    for k in 0..n {
        let _ = writeln!(s, "a{k},{}", ["gold", "silver"][(k % 2) as usize]);
    }
    s
}

/// Three actions with 50 TAKEN and 50 NOT_TAKEN or VIEWED interactions each, from 2024-01-19
/// (the first day of the 6-week window) to 2024-03-01 (the latest); with `short`, one of `a3`'s
/// NOT_TAKEN interactions is on 2024-01-18 instead, outside the window.
fn action_scores(short: bool) -> String {
    const START: u64 = 1_705_622_400; // 2024-01-19T00:00:00Z
    const LATEST: u64 = 1_709_251_200; // 2024-03-01T00:00:00Z
    let mut s = String::from("USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE\n");
    let mut k = 0u64;
    for a in 1..=3 {
        for i in 0..100u64 {
            let event = match i % 4 {
                0 | 2 => "TAKEN",
                1 => "NOT_TAKEN",
                _ => "VIEWED",
            };
            let mut ts = START + (k * 7919) % (LATEST - START);
            if short && a == 3 && i == 1 {
                ts = START - 86_400 + 100;
            }
            let _ = writeln!(s, "u{},a{a},{ts},{event}", k % 60);
            k += 1;
        }
    }
    let _ = writeln!(s, "u1,a1,{LATEST},VIEWED");
    s
}
