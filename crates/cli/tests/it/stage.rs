//! `preflight stage` and `s3://` inputs through the real binary, against an S3-compatible
//! server on loopback that each test starts itself (s3s-fs, see `preflight-s3-test-server`).
//! Fake credentials and an explicit endpoint: no test touches AWS.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use preflight_s3_test_server::{BackgroundServer, Quirks, ServerOptions, ACCESS_KEY, SECRET_KEY};

const BUCKET: &str = "imports";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The binary with fake credentials and no AWS configuration from the machine.
fn preflight(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("preflight").unwrap();
    c.current_dir(cwd)
        .env("PREFLIGHT_NOW", "1764000000")
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", cwd.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            cwd.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "2")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_S3")
        .env_remove("GITHUB_STEP_SUMMARY");
    c
}

/// A valid interactions file of about `bytes` bytes.
fn interactions(path: &Path, bytes: usize) {
    let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
    let mut i = 0u64;
    while s.len() < bytes || i < 1500 {
        s.push_str(&format!(
            "u{},i{},{},click\n",
            i % 300,
            (i * 7) % 500,
            1_596_238_243 + i
        ));
        i += 1;
    }
    std::fs::write(path, s).unwrap();
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Object keys stored by the server.
fn objects(root: &Path) -> Vec<String> {
    preflight_s3_test_server::stored_keys(root, BUCKET)
}

#[test]
fn stage_writes_to_a_local_folder_by_default() {
    let dir = tempfile::tempdir().unwrap();
    interactions(&dir.path().join("interactions.csv"), 0);
    let r = run(preflight(dir.path()).args([
        "stage",
        "--dataset-type",
        "interactions",
        "interactions.csv",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let loc = r.stdout.trim();
    assert!(
        loc.starts_with("./staging/interactions/20251124T160000Z-") && loc.ends_with('/'),
        "{loc}"
    );
    let folder = dir.path().join(loc);
    assert!(folder.join("interactions.csv").is_file());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("_preflight/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["files"][0]["records"], 1500);
    assert_eq!(manifest["validation"]["errors"], 0);
    assert_eq!(manifest["dataset_type"], "interactions");

    // Again: nothing to do, same folder.
    let again = run(preflight(dir.path()).args([
        "stage",
        "--dataset-type",
        "interactions",
        "interactions.csv",
    ]));
    assert_eq!(again.code, 0);
    assert_eq!(again.stdout, r.stdout);
    assert!(again.stderr.contains("already staged"), "{}", again.stderr);
}

#[test]
fn stage_uploads_to_s3_with_an_endpoint_url() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    interactions(&dir.path().join("interactions.csv"), 0);
    let r = run(preflight(dir.path()).args([
        "stage",
        "--dataset-type",
        "interactions",
        "interactions.csv",
        "--to",
        "s3://imports/team/",
        "--endpoint-url",
        server.endpoint(),
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let loc = r.stdout.trim();
    assert!(
        loc.starts_with("s3://imports/team/interactions/20251124T160000Z-"),
        "{loc}"
    );
    let folder = loc.strip_prefix("s3://imports/").unwrap();
    assert_eq!(
        objects(&root),
        vec![
            format!("{folder}_preflight/manifest.json"),
            format!("{folder}interactions.csv")
        ]
    );
    assert!(r.stderr.contains("1 uploaded"), "{}", r.stderr);
}

#[test]
fn stage_refuses_invalid_data_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let example = repo().join("testdata/example");
    let args = |force: bool| {
        let mut a = vec![
            "stage".to_string(),
            "--schema".into(),
            example.join("schema.json").display().to_string(),
            example.join("interactions.csv").display().to_string(),
            "--to".into(),
            "s3://imports/x/".into(),
            "--endpoint-url".into(),
            server.endpoint().into(),
        ];
        if force {
            a.push("--force".into());
        }
        a
    };
    let r = run(preflight(dir.path()).args(args(false)));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("error[PF215]"), "the findings are shown");
    assert!(
        r.stdout.is_empty(),
        "stdout is for the data location: {}",
        r.stdout
    );
    assert!(r.stderr.contains("nothing was staged"), "{}", r.stderr);
    assert_eq!(server.server().writes(), 0);
    assert!(objects(&root).is_empty());

    let r = run(preflight(dir.path()).args(args(true)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let key = objects(&root)
        .into_iter()
        .find(|k| k.ends_with("manifest.json"))
        .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(BUCKET).join(key)).unwrap()).unwrap();
    assert_eq!(manifest["validation"]["forced"], true);
    assert!(manifest["validation"]["errors"].as_u64().unwrap() > 0);
}

#[test]
fn a_large_file_with_an_error_is_refused_with_every_upload_aborted_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    // 24 MiB: 5 parts of 5 MiB, sent while validation reads the file; the error is on the
    // last line, so validation finds it only at the end.
    let path = dir.path().join("big.csv");
    interactions(&path, 24 << 20);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("u1,i1,yesterday,click\n");
    std::fs::write(&path, &text).unwrap();
    let records = text.lines().count() as u64 - 1;
    let args = |force: bool| {
        let mut a = vec![
            "stage".to_string(),
            "--dataset-type".into(),
            "interactions".into(),
            "big.csv".into(),
            "--to".into(),
            "s3://imports/".into(),
            "--endpoint-url".into(),
            server.endpoint().into(),
            "--part-size".into(),
            "5".into(),
            "--multipart-threshold".into(),
            "5".into(),
            "--concurrency".into(),
            "2".into(),
        ];
        if force {
            a.push("--force".into());
        }
        a
    };
    let r = run(preflight(dir.path()).args(args(false)));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("validation found 1 error(s): nothing was staged (fix them, or stage anyway with --force)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("big.csv:"),
        "the finding is shown: {}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    // Parts may have been sent meanwhile; every upload they belong to is aborted.
    assert!(objects(&root).is_empty(), "{:?}", objects(&root));
    assert!(
        crate::common::open_uploads(&root, BUCKET).is_empty(),
        "{:?}",
        crate::common::open_uploads(&root, BUCKET)
    );
    // (A debug build validates far slower than it sends 5 parts over loopback.)
    assert!(
        server.server().parts_received() > 0,
        "no part was sent while validation ran"
    );

    // --force: staged, with the validation recorded.
    let r = run(preflight(dir.path()).args(args(true)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("staging despite 1 validation error(s) (--force)"),
        "{}",
        r.stderr
    );
    let folder = r
        .stdout
        .trim()
        .strip_prefix("s3://imports/")
        .unwrap()
        .to_string();
    assert_eq!(
        objects(&root),
        vec![
            format!("{folder}_preflight/manifest.json"),
            format!("{folder}big.csv")
        ]
    );
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            root.join(BUCKET)
                .join(format!("{folder}_preflight/manifest.json")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["validation"]["forced"], true);
    assert_eq!(manifest["validation"]["errors"], 1);
    assert_eq!(manifest["files"][0]["records"], records);
    assert_eq!(manifest["files"][0]["parts"], 5);
    assert_eq!(
        std::fs::read(root.join(BUCKET).join(format!("{folder}big.csv"))).unwrap(),
        text.as_bytes()
    );
    assert!(
        crate::common::open_uploads(&root, BUCKET).is_empty(),
        "{:?}",
        crate::common::open_uploads(&root, BUCKET)
    );
}

#[test]
fn a_refused_stage_to_a_local_folder_aborts_its_parts_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    interactions(&path, 12 << 20);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("u1,i1,yesterday,click\n");
    std::fs::write(&path, &text).unwrap();
    let r = run(preflight(dir.path()).args([
        "stage",
        "--dataset-type",
        "interactions",
        "big.csv",
        "--to",
        "out",
        "--part-size",
        "5",
        "--multipart-threshold",
        "5",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("nothing was staged"), "{}", r.stderr);
    // The folder store keeps an upload's parts in `.preflight-store/uploads/ID/` until it is
    // completed or aborted: one was begun (the folder of uploads exists), and none is left.
    let out = dir.path().join("out");
    let entries: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, vec![".preflight-store"], "an object was written");
    let uploads: Vec<_> = std::fs::read_dir(out.join(".preflight-store/uploads"))
        .expect("no upload was begun while validation ran")
        .collect();
    assert!(uploads.is_empty(), "{uploads:?}");
}

#[test]
fn a_failed_upload_exits_3_leaves_no_manifest_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    interactions(&dir.path().join("big.csv"), 12 << 20); // 3 parts of 5 MiB
    let args = |endpoint: &str| {
        vec![
            "stage".to_string(),
            "--dataset-type".into(),
            "interactions".into(),
            "big.csv".into(),
            "--to".into(),
            "s3://imports/".into(),
            "--endpoint-url".into(),
            endpoint.into(),
            "--part-size".into(),
            "5".into(),
            "--multipart-threshold".into(),
            "5".into(),
            "--concurrency".into(),
            "1".into(),
        ]
    };
    {
        let dying = BackgroundServer::start(
            &root,
            BUCKET,
            ServerOptions {
                die_after_parts: Some(1),
                ..ServerOptions::default()
            },
        );
        let r = run(preflight(dir.path()).args(args(dying.endpoint())));
        assert_eq!(r.code, 3, "{}", r.stderr);
        assert!(r.stderr.contains("upload failed"), "{}", r.stderr);
        assert!(
            r.stderr.contains("run the same command again to resume"),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
    assert!(objects(&root).is_empty(), "{:?}", objects(&root));

    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    // Restarted on the same directory, re-run an hour later: the same run folder resumes.
    let r = run(preflight(dir.path())
        .env("PREFLIGHT_NOW", "1764003600")
        .args(args(server.endpoint())));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(resumed)"), "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("s3://imports/interactions/20251124T160000Z-"),
        "{}",
        r.stdout
    );
    assert_eq!(
        server.server().parts_received(),
        2,
        "the verified part was sent again"
    );
    assert_eq!(objects(&root).len(), 2);
}

#[test]
fn a_store_that_stops_answering_times_out_and_the_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    interactions(&dir.path().join("big.csv"), 12 << 20); // 3 parts of 5 MiB
    let args = |endpoint: &str| {
        [
            "stage",
            "--dataset-type",
            "interactions",
            "big.csv",
            "--to",
            "s3://imports/",
            "--endpoint-url",
            endpoint,
            "--part-size",
            "5",
            "--multipart-threshold",
            "5",
            "--concurrency",
            "1",
            "--request-timeout",
            "2s",
        ]
        .map(String::from)
        .to_vec()
    };
    {
        // The second part is never answered; the connection stays open.
        let hung = BackgroundServer::start(
            &root,
            BUCKET,
            ServerOptions {
                hang_after_parts: Some(1),
                ..ServerOptions::default()
            },
        );
        // Two attempts (AWS_MAX_ATTEMPTS=2) of 2 s each, not forever: killed after 60 s
        // (which fails the test: no exit code).
        let r = run(preflight(dir.path())
            .timeout(std::time::Duration::from_secs(60))
            .args(args(hung.endpoint())));
        assert_eq!(r.code, 3, "{}", r.stderr);
        assert!(r.stderr.contains("UploadPart"), "{}", r.stderr);
        // The wait is visible: one line per retry, naming the part.
        assert!(
            r.stderr.contains(
                "no answer to UploadPart 2 of 3 (big.csv) after 2s; retrying, attempt 2 of 2"
            ),
            "{}",
            r.stderr
        );
    }
    assert!(objects(&root).is_empty(), "{:?}", objects(&root));

    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let r = run(preflight(dir.path()).args(args(server.endpoint())));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(resumed)"), "{}", r.stderr);
    assert_eq!(
        server.server().parts_received(),
        2,
        "the verified part was sent again"
    );
}

/// `--request-deadline` bounds a request with all its attempts: the read timeout alone (30 s,
/// two attempts) would hold the stage for a minute, past the test's limit.
#[test]
fn the_request_deadline_bounds_every_attempt_together() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    interactions(&dir.path().join("big.csv"), 12 << 20);
    let hung = BackgroundServer::start(
        &root,
        BUCKET,
        ServerOptions {
            hang_after_parts: Some(0),
            ..ServerOptions::default()
        },
    );
    let r = run(preflight(dir.path())
        .timeout(std::time::Duration::from_secs(40))
        .args([
            "stage",
            "--dataset-type",
            "interactions",
            "big.csv",
            "--to",
            "s3://imports/",
            "--endpoint-url",
            hung.endpoint(),
            "--part-size",
            "5",
            "--multipart-threshold",
            "5",
            "--concurrency",
            "1",
            "--request-timeout",
            "30s",
            "--request-deadline",
            "3s",
        ]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("UploadPart `interactions/") && r.stderr.contains("request deadline"),
        "{}",
        r.stderr
    );
}

/// rclone's `serve s3` departs from S3 twice (see `Quirks::Rclone`): a 404 to
/// ListMultipartUploads when it holds no upload stopped every stage with "`…/` does not
/// exist", and its CreateMultipartUpload answer cannot be read. Now the first means "no upload
/// in progress", and the second is named, with the answer under `--debug` and the way around.
#[test]
fn a_store_answering_as_rclone_stages_and_says_why_multipart_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    let server = BackgroundServer::start(
        &root,
        BUCKET,
        ServerOptions {
            answer_as: Some(Quirks::Rclone),
            ..ServerOptions::default()
        },
    );
    interactions(&dir.path().join("small.csv"), 0);
    interactions(&dir.path().join("big.csv"), 12 << 20);
    let stage = |file: &str, extra: &[&str]| {
        let debug = extra.contains(&"--debug");
        let extra: Vec<&str> = extra.iter().copied().filter(|a| *a != "--debug").collect();
        let mut args = if debug { vec!["--debug"] } else { vec![] };
        args.extend([
            "stage",
            "--dataset-type",
            "interactions",
            file,
            "--to",
            "s3://imports/",
            "--endpoint-url",
            server.endpoint(),
            "--part-size",
            "5",
        ]);
        args.extend_from_slice(&extra);
        run(preflight(dir.path()).args(args))
    };
    let r = stage("small.csv", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = stage("big.csv", &["--multipart-threshold", "5", "--debug"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    for part in [
        "CreateMultipartUpload `interactions/",
        "HTTP 200 with an answer that is not S3's",
        "InitiateMultipartUploadResult",
        "--multipart-threshold 5120",
        // --debug: the answer itself.
        "<InitiateMultipartUpload ",
    ] {
        assert!(r.stderr.contains(part), "{part}: {}", r.stderr);
    }
    // The store did create the upload whose answer could not be read: the re-run finds it
    // (ListMultipartUploads) and resumes it.
    let r = stage("big.csv", &["--multipart-threshold", "5"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(resumed)"), "{}", r.stderr);

    interactions(&dir.path().join("big2.csv"), 12 << 20);
    let r = stage("big2.csv", &["--multipart-threshold", "64"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A store that computes a multipart CRC64NVME wrongly (moto without `awscrt` puts a CRC-32 in
/// the header) is refused, with the wrong answer named, although its bytes are right.
#[test]
fn a_store_reporting_a_wrong_multipart_checksum_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    let server = BackgroundServer::start(
        &root,
        BUCKET,
        ServerOptions {
            answer_as: Some(Quirks::Moto),
            ..ServerOptions::default()
        },
    );
    interactions(&dir.path().join("big.csv"), 12 << 20);
    let r = run(preflight(dir.path()).args([
        "stage",
        "--dataset-type",
        "interactions",
        "big.csv",
        "--to",
        "s3://imports/",
        "--endpoint-url",
        server.endpoint(),
        "--part-size",
        "5",
        "--multipart-threshold",
        "5",
    ]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    for part in [
        "after CompleteMultipartUpload of `interactions/",
        "4 bytes long, not the 8 of a crc64nvme checksum",
        "are the ones sent",
        "--multipart-threshold 5120",
    ] {
        assert!(r.stderr.contains(part), "{part}: {}", r.stderr);
    }
    assert!(
        !objects(&root).iter().any(|k| k.ends_with("manifest.json")),
        "{:?}",
        objects(&root)
    );
}

/// The local folder store keeps no checksum, so a dry run over a staged folder says the files
/// would be read back, not that they are "already there, same checksum".
#[test]
fn a_dry_run_says_which_objects_would_be_read_back() {
    let dir = tempfile::tempdir().unwrap();
    interactions(&dir.path().join("a.csv"), 0);
    let args = ["stage", "--dataset-type", "interactions", "a.csv"];
    assert_eq!(run(preflight(dir.path()).args(args)).code, 0);
    let r = run(preflight(dir.path()).args(args).arg("--dry-run"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("read back to verify (the store reports no checksum for it)"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_zero_or_overflowing_duration_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, value) in [
        ("--request-timeout", "0s"),
        ("--keep-grace", "999999999999999999d"),
    ] {
        let r = run(preflight(dir.path()).args([
            "stage",
            "--dataset-type",
            "interactions",
            "x.csv",
            flag,
            value,
        ]));
        assert_eq!(r.code, 2, "{flag} {value}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        assert!(r.stderr.contains(value), "{}", r.stderr);
    }
}

#[test]
fn a_dry_run_prints_the_objects_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    interactions(&dir.path().join("a.csv"), 0);
    let r = run(preflight(dir.path()).args([
        "stage",
        "--dataset-type",
        "interactions",
        "a.csv",
        "--to",
        "s3://imports/p",
        "--endpoint-url",
        server.endpoint(),
        "--dry-run",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(lines[0].starts_with("s3://imports/p/interactions/20251124T160000Z-"));
    assert!(lines[0].ends_with("/a.csv\t39657\tput"), "{}", lines[0]);
    assert!(
        lines[1].contains("/_preflight/manifest.json\t-\tput last"),
        "{}",
        lines[1]
    );
    assert_eq!(server.server().writes(), 0);
}

#[test]
fn a_data_location_over_256_characters_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    interactions(&dir.path().join("a.csv"), 0);
    let prefix = format!("s3://imports/{}/", "p".repeat(220));
    let r = run(preflight(dir.path()).args([
        "stage",
        "--dataset-type",
        "interactions",
        "a.csv",
        "--to",
        &prefix,
        "--endpoint-url",
        "http://127.0.0.1:9", // never reached: the check comes first
        "--dry-run",
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("at most 256"), "{}", r.stderr);
}

#[test]
fn validate_reads_an_s3_folder_as_personalize_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    // An ETL job's output, written straight into the store.
    let data = root.join(BUCKET).join("etl/out");
    std::fs::create_dir_all(data.join("_tmp")).unwrap();
    interactions(&data.join("part-0000.csv"), 0);
    std::fs::copy(data.join("part-0000.csv"), data.join("_tmp/part-0001.csv")).unwrap();
    std::fs::write(data.join("_SUCCESS"), "").unwrap();
    let local = run(preflight(dir.path()).args([
        "validate",
        "--dataset-type",
        "interactions",
        "--format",
        "json",
        data.join("part-0000.csv").to_str().unwrap(),
    ]));

    let r = run(preflight(dir.path()).args([
        "validate",
        "--dataset-type",
        "interactions",
        "--format",
        "json",
        "s3://imports/etl/out/",
        "--endpoint-url",
        server.endpoint(),
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    // Every first-level object is part of the import: `_SUCCESS` is read too.
    assert_eq!(
        report_files(&json),
        [
            "s3://imports/etl/out/_SUCCESS",
            "s3://imports/etl/out/part-0000.csv"
        ]
    );
    let local: serde_json::Value = serde_json::from_str(&local.stdout).unwrap();
    assert_eq!(json["files"][1]["records"], local["files"][0]["records"]);
    assert_eq!(json["files"][1]["bytes"], local["files"][0]["bytes"]);
    assert_eq!(json["files"][0]["bytes"], 0);
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"PF007"), "{codes:?}"); // _tmp/ is not read
    assert!(codes.contains(&"PF008"), "{codes:?}"); // _SUCCESS is, though not named .csv
    assert!(codes.contains(&"PF011"), "{codes:?}"); // …and it is empty

    // A dot-file is read too: a Hadoop checksum file is binary, not CSV.
    std::fs::write(data.join(".part-0000.csv.crc"), CRC).unwrap();
    let r = run(preflight(dir.path()).args([
        "validate",
        "--dataset-type",
        "interactions",
        "--format",
        "json",
        "s3://imports/etl/out/",
        "--endpoint-url",
        server.endpoint(),
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        report_files(&json)[0],
        "s3://imports/etl/out/.part-0000.csv.crc"
    );
    assert_eq!(
        files_with(&json, "PF004"),
        ["s3://imports/etl/out/.part-0000.csv.crc"]
    );
    std::fs::remove_file(data.join(".part-0000.csv.crc")).unwrap();

    // One object.
    let r = run(preflight(dir.path()).args([
        "validate",
        "--dataset-type",
        "interactions",
        "s3://imports/etl/out/part-0000.csv",
        "--endpoint-url",
        server.endpoint(),
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("1,500 records"), "{}", r.stdout);

    let r = run(preflight(dir.path()).args([
        "validate",
        "--dataset-type",
        "interactions",
        "s3://imports/etl/missing.csv",
        "--endpoint-url",
        server.endpoint(),
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
}

/// A Hadoop checksum file as Spark writes one next to each output file on a local or HDFS file
/// system: the magic `crc\0`, the bytes per checksum (512), then one CRC-32 per chunk.
const CRC: &[u8] = b"crc\0\0\0\x02\0\x9a\x4c\x1e\x7f";

/// The paths of a JSON report's files, in order.
fn report_files(report: &serde_json::Value) -> Vec<String> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

/// The files with a finding of `code`, sorted.
fn files_with(report: &serde_json::Value, code: &str) -> Vec<String> {
    let mut out: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

/// Spark's CSV output folder as it lands on a local disk (`df.write.csv(path, header=True)`):
/// two part files, the empty `_SUCCESS` marker, and a `.crc` checksum file next to each.
fn spark_output(out: &Path) {
    std::fs::create_dir_all(out).unwrap();
    for (part, seed) in [(0, 0u64), (1, 5000)] {
        let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
        for i in seed..seed + 1500 {
            s.push_str(&format!(
                "u{},i{},{},click\n",
                i % 300,
                (i * 7) % 500,
                1_596_238_243 + i
            ));
        }
        let name = format!("part-0000{part}-5c2f7a1e-3c1d-4f5b-9a57-2a7e1f0c9d11-c000.csv");
        std::fs::write(out.join(&name), s).unwrap();
        std::fs::write(out.join(format!(".{name}.crc")), CRC).unwrap();
    }
    std::fs::write(out.join("_SUCCESS"), "").unwrap();
    std::fs::write(out.join("._SUCCESS.crc"), &CRC[..8]).unwrap();
}

#[test]
fn a_spark_output_folder_is_validated_and_staged_file_for_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    spark_output(&out);
    let validate = || {
        run(preflight(dir.path()).args([
            "validate",
            "--dataset-type",
            "interactions",
            "--format",
            "json",
            "out",
        ]))
    };

    // Every first-level file is checked, dot-files included.
    let r = validate();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let crc = [
        "out/._SUCCESS.crc",
        "out/.part-00000-5c2f7a1e-3c1d-4f5b-9a57-2a7e1f0c9d11-c000.csv.crc",
        "out/.part-00001-5c2f7a1e-3c1d-4f5b-9a57-2a7e1f0c9d11-c000.csv.crc",
    ];
    let parts = [
        "out/part-00000-5c2f7a1e-3c1d-4f5b-9a57-2a7e1f0c9d11-c000.csv",
        "out/part-00001-5c2f7a1e-3c1d-4f5b-9a57-2a7e1f0c9d11-c000.csv",
    ];
    let mut all: Vec<&str> = crc
        .iter()
        .chain(&["out/_SUCCESS"])
        .chain(&parts)
        .copied()
        .collect();
    all.sort();
    assert_eq!(report_files(&json), all);
    // The checksum files are binary (one error each), `_SUCCESS` is empty (a warning), and the
    // names that do not end in .csv are warned about; the part files are clean.
    assert_eq!(files_with(&json, "PF004"), crc);
    assert_eq!(files_with(&json, "PF011"), ["out/_SUCCESS"]);
    let mut non_csv: Vec<&str> = crc.iter().chain(&["out/_SUCCESS"]).copied().collect();
    non_csv.sort();
    assert_eq!(files_with(&json, "PF008"), non_csv);
    assert!(files_with(&json, "PF001").is_empty());
    assert_eq!(json["summary"]["errors"], 3, "{}", r.stdout);

    // So stage refuses the folder as it is: the .crc files would be imported as CSV.
    let r = run(preflight(dir.path()).args(["stage", "--dataset-type", "interactions", "out"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!dir.path().join("staging").exists());

    // Without them, the folder passes with warnings, and stage uploads exactly what was checked.
    for f in crc {
        std::fs::remove_file(dir.path().join(f)).unwrap();
    }
    let r = validate();
    assert_eq!(r.code, 0, "{}", r.stdout);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let validated: Vec<String> = report_files(&json)
        .iter()
        .map(|p| p.trim_start_matches("out/").to_string())
        .collect();
    assert_eq!(validated.len(), 3);
    let r = run(preflight(dir.path()).args(["stage", "--dataset-type", "interactions", "out"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The warnings go to stderr: stdout is the data location alone (`LOC=$(preflight stage …)`).
    assert!(r.stderr.contains("PF011"), "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    let folder = dir.path().join(r.stdout.trim());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("_preflight/manifest.json")).unwrap())
            .unwrap();
    let mut staged: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    staged.sort();
    assert_eq!(staged, validated);
    let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, validated);
}

#[test]
fn a_sealed_s3_folder_lists_exactly_the_objects_validation_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    // Spark writing to S3 leaves no .crc files, only the part files and `_SUCCESS`.
    let data = root.join(BUCKET).join("spark/out");
    spark_output(&data);
    for e in std::fs::read_dir(&data).unwrap().filter_map(Result::ok) {
        if e.file_name().to_string_lossy().ends_with(".crc") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let r = run(preflight(dir.path()).args([
        "validate",
        "--dataset-type",
        "interactions",
        "--format",
        "json",
        "s3://imports/spark/out/",
        "--seal",
        "--endpoint-url",
        server.endpoint(),
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let validated: Vec<String> = report_files(&json)
        .iter()
        .map(|p| p.trim_start_matches("s3://imports/").to_string())
        .collect();
    assert_eq!(validated.len(), 3, "{validated:?}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("_preflight/manifest.json")).unwrap())
            .unwrap();
    let mut sealed: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap().to_string())
        .collect();
    sealed.sort();
    assert_eq!(sealed, validated);
    // The records the manifest records are validation's.
    let parts: u64 = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["records"].as_u64().unwrap())
        .sum();
    assert_eq!(parts, 3000);
}

/// One step of the interoperability suite: what happened, for the table.
struct Step {
    server: &'static str,
    step: String,
    result: String,
}

/// A client for the suite's own requests (CreateBucket, overwriting an object as other tools
/// do): checksums only where asked.
fn sdk_client(endpoint: &str) -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, RequestChecksumCalculation};
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "t"))
            .endpoint_url(endpoint)
            .force_path_style(true)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .build(),
    )
}

/// The stderr lines that say how objects were verified, shortened for the table.
fn how_verified(stderr: &str) -> String {
    let read: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("verified `"))
        .filter_map(|l| l.split('`').next())
        .map(|k| k.rsplit('/').next().unwrap_or(k))
        .collect();
    if read.is_empty() {
        "verified by the store's checksums".into()
    } else {
        format!("verified by reading back {}", read.join(", "))
    }
}

/// The end-to-end script of the interoperability suite against one server: stage a small and a
/// large (multipart) file, re-run, validate the staged folder, check it as an import would, then
/// overwrite an object with other bytes of the same size three ways (a CRC32 checksum, none, a
/// CRC64NVME of the new bytes) and re-run the stage and the check after each. Every step either
/// succeeds with verified bytes or is refused with the server's wrong answer named; a changed
/// object is never accepted.
fn interop_script(server: &'static str, endpoint: &str, bucket: &str, steps: &mut Vec<Step>) {
    use preflight_uploader::import::verify_manifest;
    use preflight_uploader::{checksum::checksum_of, ChecksumAlgorithm, S3Options, S3Store};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    interactions(&data.join("small.csv"), 39_000);
    interactions(&data.join("large.csv"), 12 << 20); // three parts of 5 MiB
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sdk = sdk_client(endpoint);
    let store = S3Store::from_client(sdk.clone(), bucket, &S3Options::default());
    let to = format!("s3://{bucket}/interop/");
    let mut now = 1_764_000_000u64;
    let mut stage = |extra: &[&str]| {
        now += 60; // each run its own second: a fresh run folder never meets an older one's name
        let mut args = vec![
            "stage",
            "--dataset-type",
            "interactions",
            "data",
            "--to",
            &to,
            "--endpoint-url",
            endpoint,
            "--part-size",
            "5",
        ];
        args.extend_from_slice(extra);
        run(preflight(dir.path())
            .env("PREFLIGHT_NOW", now.to_string())
            .timeout(std::time::Duration::from_secs(120))
            .args(args))
    };
    let mut record = |step: &str, result: String| {
        steps.push(Step {
            server,
            step: step.to_string(),
            result,
        })
    };
    let check = |folder: &str| rt.block_on(verify_manifest(&store, folder));

    // 1. Stage, the large file in parts.
    let r = stage(&["--multipart-threshold", "5"]);
    let mut threshold = "5";
    match (server, r.code) {
        (_, 0) => record(
            "stage small + large (multipart)",
            format!("staged; {}", how_verified(&r.stderr)),
        ),
        ("moto", 3) => {
            // moto (without awscrt) computes a multipart CRC64NVME as a CRC-32.
            for part in [
                "after CompleteMultipartUpload",
                "4 bytes long, not the 8 of a crc64nvme checksum",
                "are the ones sent",
                "--multipart-threshold 5120",
            ] {
                assert!(r.stderr.contains(part), "{server}: {part}: {}", r.stderr);
            }
            record("stage small + large (multipart)", "refused (exit 3): after CompleteMultipartUpload the store reports a 4-byte crc64nvme (a CRC-32) for bytes that are right; the hint names --multipart-threshold".into());
            threshold = "64";
        }
        ("rclone", 3) => {
            for part in [
                "CreateMultipartUpload",
                "with an answer that is not S3's",
                "InitiateMultipartUploadResult",
                "--multipart-threshold 5120",
            ] {
                assert!(r.stderr.contains(part), "{server}: {part}: {}", r.stderr);
            }
            record("stage small + large (multipart)", "refused (exit 3): CreateMultipartUpload's answer is not S3's (root element InitiateMultipartUpload); the hint names --multipart-threshold".into());
            threshold = "64";
        }
        _ => panic!("{server}: stage exited {}: {}", r.code, r.stderr),
    }
    let r = if threshold == "5" {
        r
    } else {
        let r = stage(&["--multipart-threshold", threshold]);
        assert_eq!(r.code, 0, "{server}: {}", r.stderr);
        record(
            "stage again with --multipart-threshold 64 (single PUTs)",
            format!("staged; {}", how_verified(&r.stderr)),
        );
        r
    };
    let mut folder_url = r.stdout.trim().to_string();

    // 2. The same again: nothing to upload.
    let again = stage(&["--multipart-threshold", threshold]);
    assert_eq!(again.code, 0, "{server}: {}", again.stderr);
    assert!(
        again.stderr.contains("already staged"),
        "{server}: {}",
        again.stderr
    );
    assert_eq!(again.stdout.trim(), folder_url, "{server}");
    record(
        "re-run",
        format!(
            "already staged, nothing uploaded; {}",
            how_verified(&again.stderr)
        ),
    );

    // 3. Validate the staged folder where it is.
    let v = run(preflight(dir.path()).args([
        "validate",
        "--dataset-type",
        "interactions",
        &folder_url,
        "--endpoint-url",
        endpoint,
    ]));
    assert_eq!(v.code, 0, "{server}: {}{}", v.stdout, v.stderr);
    record("validate the staged folder", "clean (exit 0)".into());

    // 4. The import's manifest check.
    let key = |url: &str| {
        url.strip_prefix(&format!("s3://{bucket}/"))
            .unwrap()
            .to_string()
    };
    let ok = check(&key(&folder_url)).unwrap_or_else(|e| panic!("{server}: {e}"));
    record(
        "manifest check (import)",
        if ok.read_back.is_empty() {
            "verified by the store's checksums".into()
        } else {
            format!("verified; read back {}", ok.read_back.len())
        },
    );

    // 5. Overwrite small.csv in the newest good folder: same size, other bytes.
    let original = std::fs::read(data.join("small.csv")).unwrap();
    let mut changed = original.clone();
    let i = changed.len() / 2;
    changed[i] = if changed[i] == b'7' { b'8' } else { b'7' };
    for (how, alg) in [
        ("a crc32 checksum", Some(ChecksumAlgorithm::Crc32)),
        ("no checksum", None),
        (
            "a crc64nvme checksum of the new bytes",
            Some(ChecksumAlgorithm::Crc64nvme),
        ),
    ] {
        let folder = key(&folder_url);
        let mut put = sdk
            .put_object()
            .bucket(bucket)
            .key(format!("{folder}small.csv"))
            .body(aws_sdk_s3::primitives::ByteStream::from(changed.clone()));
        let sum = alg.map(|a| checksum_of(a, &changed));
        // As the AWS CLI sends it: the algorithm named, and its value.
        use aws_sdk_s3::types::ChecksumAlgorithm as Sdk;
        put = match alg {
            Some(ChecksumAlgorithm::Crc32) => {
                put.checksum_algorithm(Sdk::Crc32).set_checksum_crc32(sum)
            }
            Some(_) => put
                .checksum_algorithm(Sdk::Crc64Nvme)
                .set_checksum_crc64_nvme(sum),
            None => put,
        };
        rt.block_on(put.send())
            .unwrap_or_else(|e| panic!("{server}: tampering failed: {e:?}"));
        let step = format!("overwrite small.csv with {how}: re-run stage, then check");
        let r = stage(&["--multipart-threshold", threshold]);
        assert_eq!(r.code, 0, "{server}: {step}: {}", r.stderr);
        assert!(
            !r.stderr.contains("already staged"),
            "{server}: {step}: taken as staged: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains(&format!(
                "{folder_url} was staged with this content, but `small.csv`"
            )),
            "{server}: {step}: {}",
            r.stderr
        );
        let fresh = r.stdout.trim().to_string();
        assert_ne!(fresh, folder_url, "{server}: {step}");
        let refused = match check(&folder) {
            Ok(_) => panic!("{server}: {step}: the manifest check accepted the changed folder"),
            Err(e) => e.to_string(),
        };
        assert!(
            refused.contains("`small.csv`: "),
            "{server}: {step}: {refused}"
        );
        check(&key(&fresh)).unwrap_or_else(|e| panic!("{server}: {step}: the fresh folder: {e}"));
        let why = refused
            .split("`small.csv`: ")
            .nth(1)
            .and_then(|r| r.split(", and ").next())
            .unwrap_or_default()
            .to_string();
        record(
            &step,
            format!("stage: changed folder left alone, fresh one staged; check: refused ({why})"),
        );
        folder_url = fresh;
    }
}

/// The interoperability suite: [`interop_script`] against the in-process server and, where
/// `.ci/interop` started them, moto's and rclone's S3 servers, whose endpoints it passes in
/// `PREFLIGHT_INTEROP_MOTO` and `PREFLIGHT_INTEROP_RCLONE`. Under `CI=true` their absence fails
/// the test. Run it alone with `.ci/interop cargo test -p personalize-preflight --test it
/// stage::interop -- --nocapture` (which prints the table in docs/s3-compatible.md).
#[test]
fn interop_suite_never_accepts_an_unverified_object() {
    let dir = tempfile::tempdir().unwrap();
    let local =
        BackgroundServer::start(&dir.path().join("server"), BUCKET, ServerOptions::default());
    let mut servers: Vec<(&'static str, String, String)> = vec![(
        "in-process (s3s-fs)",
        local.endpoint().to_string(),
        BUCKET.to_string(),
    )];
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let unique = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    for (name, var) in [
        ("moto", "PREFLIGHT_INTEROP_MOTO"),
        ("rclone", "PREFLIGHT_INTEROP_RCLONE"),
    ] {
        match std::env::var(var) {
            Ok(endpoint) => {
                let bucket = format!("interop-{}-{}", std::process::id(), unique % 1_000_000_000);
                let rt = tokio::runtime::Runtime::new().unwrap();
                rt.block_on(sdk_client(&endpoint).create_bucket().bucket(&bucket).send())
                    .unwrap_or_else(|e| panic!("{name}: CreateBucket at {endpoint}: {e:?}"));
                servers.push((name, endpoint, bucket));
            }
            Err(_) => {
                assert!(!ci, "CI=true but {var} is not set: .ci/run runs the tests under .ci/interop, which starts {name}'s S3 server and sets it");
                eprintln!("{name} skipped: {var} is not set (`.ci/interop cargo test -p personalize-preflight --test it stage::interop` starts the servers)");
            }
        }
    }
    let mut steps = Vec::new();
    for (name, endpoint, bucket) in &servers {
        interop_script(name, endpoint, bucket, &mut steps);
    }
    eprintln!("| server | step | result |\n|---|---|---|");
    for s in &steps {
        eprintln!("| {} | {} | {} |", s.server, s.step, s.result);
    }
}
