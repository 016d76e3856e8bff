//! `preflight insights` and `validate --insights` run by the real binary: the travel dataset of
//! `../shared/realdata` (snapshotted, coverage figures checked against counts made with Python
//! and awk), a hand-made join-key bug in every output format, and the HTML page rendered by
//! headless Chromium.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::preflight;
use serde_json::Value;

/// The realdata folder, or `None` (after saying so) when it is absent outside CI.
fn realdata() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realdata");
    match dir.canonicalize() {
        Ok(dir) if dir.is_dir() => Some(dir),
        _ => {
            assert!(
                !common::realdata_required(),
                "CI=true but the real-data folder {} is missing",
                dir.display()
            );
            eprintln!(
                "note: {} not found; skipping the real-data insights",
                dir.display()
            );
            None
        }
    }
}

/// A preflight.toml declaring the travel dataset's interactions, items and users with the
/// schemas of the immersion day's TravelGenAI project (see realdata.rs for why these).
fn travel_config(dir: &Path, out: &Path) -> PathBuf {
    let r = dir.join("aws-samples__amazon-personalize-immersion-day");
    let s = r.join("_extracted_schemas");
    let d = r.join("TravelGenAI/poc_data");
    let toml = format!(
        "[datasets.interactions]\nschema = {:?}\nfiles = [{:?}]\n\n[datasets.items]\nschema = {:?}\nfiles = [{:?}]\n\n[datasets.users]\nschema = {:?}\nfiles = [{:?}]\n",
        s.join("TravelGenAI__params.json__Interactions.json"),
        d.join("interactions.csv"),
        s.join("TravelGenAI__Travel_01_Personalize_User_Segmentation.ipynb__Items.json"),
        d.join("items.csv"),
        s.join("TravelGenAI__Travel_01_Personalize_User_Segmentation.ipynb__Users.json"),
        d.join("users.csv"),
    );
    let path = out.join("preflight.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn stdout(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn travel_dataset_report() {
    let Some(dir) = realdata() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let config = travel_config(&dir, tmp.path());
    let prefix = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);

    let human = stdout(preflight().args(["insights", "--config"]).arg(&config), 0);
    insta::assert_snapshot!("travel_human", human.replace(&prefix, ""));

    // The coverage figures, counted independently (Python's csv module and `sort -u | comm`):
    // 34,852 interactions; 350 distinct ITEM_IDs, all among the 350 items; 24,500 distinct
    // USER_IDs, all among the 24,500 users; no near matches. Users: 20,432 have one
    // interaction, the median is 1, the mean 1.42 and the maximum 58; items: median 21,
    // maximum 893.
    let json = stdout(
        preflight()
            .args(["insights", "--format", "json", "--config"])
            .arg(&config),
        0,
    );
    let v: Value = serde_json::from_str(&json).unwrap();
    let inter = &v["datasets"][0]["insights"];
    assert_eq!(inter["records"], 34_852);
    let cov = inter["coverage"].as_array().unwrap();
    let get = |f: &str| cov.iter().find(|c| c["field"] == f).unwrap().clone();
    let items = get("ITEM_ID");
    let users = get("USER_ID");
    for (c, ids) in [(&items, 350), (&users, 24_500)] {
        assert_eq!(c["interaction_ids"], ids);
        assert_eq!(c["dataset_ids"], ids);
        assert_eq!(c["missing_ids"], 0);
        assert_eq!(c["without_interactions"], 0);
        assert_eq!(c["near_ids"], 0);
    }
    let dist = inter["distributions"].as_array().unwrap();
    assert_eq!(dist[0]["field"], "USER_ID");
    assert_eq!(dist[0]["bars"][0]["count"], 20_432);
    assert_eq!(
        (dist[0]["median"].as_f64(), dist[0]["max"].as_u64()),
        (Some(1.0), Some(58))
    );
    assert_eq!(
        (dist[1]["median"].as_f64(), dist[1]["max"].as_u64()),
        (Some(21.0), Some(893))
    );
}

/// Interactions with a join-key bug: the items export upper-cases two IDs and pads one with a
/// space; one item is missing and two have no interactions.
fn join_bug(dir: &Path) -> (PathBuf, PathBuf) {
    let inter = dir.join("interactions.csv");
    let items = dir.join("items.csv");
    let mut csv = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
    // 1,200 interactions: users u0..u99, items i0..i9, one per hour from 2023-09-18.
    for n in 0..1200u64 {
        csv.push_str(&format!(
            "u{},i{},{},{}\n",
            n % 100,
            (n * 7) % 10,
            1_695_000_000 + n * 3600,
            if n % 4 == 0 { "purchase" } else { "click" }
        ));
    }
    std::fs::write(&inter, csv).unwrap();
    // i0..i5 as they are, I6 and I7 upper-cased, "i8 " padded; i9 missing; x1, x2 unused.
    std::fs::write(
        &items,
        "ITEM_ID,GENRE\ni0,a\ni1,b\ni2,a\ni3,b\ni4,a\ni5,b\nI6,a\nI7,b\n\"i8 \",a\nx1,b\nx2,a\n",
    )
    .unwrap();
    (inter, items)
}

#[test]
fn dataset_options_find_a_join_key_bug() {
    let tmp = tempfile::tempdir().unwrap();
    let (inter, items) = join_bug(tmp.path());
    let json = stdout(
        preflight()
            .args(["insights", "--format", "json", "--interactions"])
            .arg(&inter)
            .arg("--items")
            .arg(&items),
        0,
    );
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["datasets"][0]["name"], "interactions");
    assert_eq!(v["datasets"][1]["name"], "items");
    // Interaction items i0..i9 (120 interactions each); the items file lacks i6, i7, i8 (as
    // written) and i9: 4 of 10 IDs, 480 of 1,200 interactions. I6, I7 and `i8 ` match after
    // trimming and lower-casing: 3 near matches, 360 interactions. Items without interactions:
    // I6, I7, `i8 `, x1, x2 = 5 of 11.
    let cov = &v["datasets"][0]["insights"]["coverage"][0];
    assert_eq!(cov["field"], "ITEM_ID");
    assert_eq!(
        (cov["interaction_ids"].as_u64(), cov["missing_ids"].as_u64()),
        (Some(10), Some(4))
    );
    assert_eq!(cov["missing_interactions"], 480);
    assert_eq!(
        (cov["near_ids"].as_u64(), cov["near_interactions"].as_u64()),
        (Some(3), Some(360))
    );
    assert_eq!(
        (
            cov["dataset_ids"].as_u64(),
            cov["without_interactions"].as_u64()
        ),
        (Some(11), Some(5))
    );
    assert_eq!(
        cov["examples"],
        serde_json::json!([["i6", "I6"], ["i7", "I7"], ["i8", "i8 "]])
    );
    let codes = |i: usize| -> Vec<String> {
        v["datasets"][i]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(0), vec!["PF509", "PF511"]);
    assert_eq!(codes(1), vec!["PF510"]);
    let pf511 = &v["datasets"][0]["diagnostics"][1]["message"];
    assert_eq!(
        pf511,
        "3 ITEM_IDs of the interactions (360 interactions) match an ID of the Items dataset only after trimming spaces or changing case, e.g. `i6` vs `I6`, `i7` vs `I7`, `i8` vs `i8 `"
    );
}

#[test]
fn every_format_carries_the_insights() {
    let tmp = tempfile::tempdir().unwrap();
    let (inter, items) = join_bug(tmp.path());
    let run = |format: &str| {
        stdout(
            preflight()
                .args(["insights", "--format", format, "--interactions"])
                .arg(&inter)
                .arg("--items")
                .arg(&items),
            0,
        )
        .replace(
            &format!("{}{}", tmp.path().display(), std::path::MAIN_SEPARATOR),
            "",
        )
    };
    insta::assert_snapshot!("join_bug_human", run("human"));
    insta::assert_snapshot!("join_bug_markdown", run("markdown"));
    let github = run("github");
    assert!(
        github.contains("::warning title=PF511 id-matches-only-after-normalising::"),
        "{github}"
    );
    assert!(github.contains("::notice title=preflight insights [interactions]::1,200 records Interactions; 4 ITEM_ID missing from Items (40.0%25), 5 without interactions (45.5%25), 3 match only after trim/case"), "{github}");
    let junit = run("junit");
    assert!(
        junit.contains("name=\"PF511 id-matches-only-after-normalising\">"),
        "{junit}"
    );
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    let run0 = &sarif["runs"][0];
    assert_eq!(
        run0["properties"]["insights"][0]["coverage"][0]["near_ids"],
        3
    );
    assert!(run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["ruleId"] == "PF511"));
}

#[test]
fn validate_insights_keeps_the_validation_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let (inter, _) = join_bug(tmp.path());
    let mut csv = std::fs::read_to_string(&inter).unwrap();
    csv.push_str("u1,i1,1695000000000,click\n");
    std::fs::write(&inter, csv).unwrap();
    // `insights` shows no row-level finding and says validation found one error.
    let out = stdout(
        preflight()
            .args(["insights", "--dataset-type", "interactions"])
            .arg(&inter),
        0,
    );
    assert!(!out.contains("PF215"), "{out}");
    assert!(
        out.contains("validation also found 1 error, 0 warnings and 0 info"),
        "{out}"
    );
    // `validate --insights` shows it, fails, and adds the tables.
    let out = stdout(
        preflight()
            .args(["validate", "--insights", "--dataset-type", "interactions"])
            .arg(&inter),
        1,
    );
    assert!(out.contains("error[PF215]"), "{out}");
    assert!(
        out.contains("Insights: Interactions, 1,201 records"),
        "{out}"
    );
    assert!(
        out.contains("interactions per USER_ID (100 IDs; min 12, median 12, mean 12.01, max 13)"),
        "{out}"
    );
}

/// Headless Chromium, or a failure that says how to install it.
fn chromium() -> PathBuf {
    for c in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if Path::new(c).is_file() {
            return c.into();
        }
    }
    panic!(
        "headless Chromium is needed to check the HTML report and was not found at /usr/bin/chromium: install it (Debian: `apt-get install -y chromium`)"
    );
}

fn chromium_cmd(profile: &Path) -> Process {
    let mut c = Process::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1200,1600",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// An existing file is not replaced by `--html` without `--force`: refused (exit 2) before the
/// analysis, the file untouched; with `--force` it is replaced by the page.
#[test]
fn html_report_replaces_an_existing_file_only_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let (inter, items) = join_bug(tmp.path());
    let page = tmp.path().join("notes.html");
    std::fs::write(&page, "my notes").unwrap();
    for command in [
        &["insights", "--interactions"][..],
        &["validate", "--dataset-type", "interactions", "--insights"][..],
    ] {
        let mut cmd = preflight();
        cmd.args(command).arg(&inter);
        if command[0] == "insights" {
            cmd.arg("--items").arg(&items);
        }
        let out = cmd.arg("--html").arg(&page).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("exists: pass --force to replace it"),
            "{stderr}"
        );
        assert_eq!(std::fs::read_to_string(&page).unwrap(), "my notes");
    }
    stdout(
        preflight()
            .args(["insights", "--interactions"])
            .arg(&inter)
            .arg("--items")
            .arg(&items)
            .arg("--html")
            .arg(&page)
            .arg("--force"),
        0,
    );
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let (inter, items) = join_bug(tmp.path());
    let page = tmp.path().join("insights.html");
    stdout(
        preflight()
            .args(["insights", "--interactions"])
            .arg(&inter)
            .arg("--items")
            .arg(&items)
            .arg("--html")
            .arg(&page),
        0,
    );
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: no external resource of any kind.
    for needle in ["src=", "href=", "@import", "url("] {
        assert!(!html.contains(needle), "the page refers to `{needle}`");
    }

    let profile = tempfile::tempdir().unwrap();
    let png = tmp.path().join("insights.png");
    let out = chromium_cmd(profile.path())
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        png.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    assert_eq!((be(16), be(20)), (1200, 1600), "screenshot size");
    assert!(
        bytes.len() > 20_000,
        "a {}-byte screenshot is blank",
        bytes.len()
    );
    if let Some(keep) = std::env::var_os("PREFLIGHT_KEEP_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }

    // The DOM after layout: the page's own check counted the charts that have a size.
    let profile = tempfile::tempdir().unwrap();
    let out = chromium_cmd(profile.path())
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    // Charts: event types, per user, per item, over time.
    assert!(
        dom.contains("data-charts=\"4\""),
        "charts did not render:\n{}",
        &dom[..dom.len().min(2000)]
    );
    assert!(dom.matches("<rect class=\"bar\"").count() >= 10);
    assert!(dom.contains("PF511"));
}
