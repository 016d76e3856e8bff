//! Credentials never appear in what `preflight` prints or writes, with `--debug` on: known
//! fake keys (an access key ID, a secret with `/` and `+`, a session token) are set in the
//! environment, the binary validates and stages against the local S3 server (success, a wrong
//! bucket, a wrong secret, the server down) and to a local folder, and every byte of stdout,
//! stderr, reports and the files written (manifests included) is searched for them, plain and
//! percent-encoded.
//!
//! `--debug` logs the AWS environment it runs with (names and values, through the redacting
//! writer): without redaction this test fails.

use std::path::Path;

use assert_cmd::Command;
use preflight_s3_test_server::{BackgroundServer, ServerOptions};

const BUCKET: &str = "imports";
const KEY: &str = "AKIAPREFLIGHTFAKE7Q2X";
const SECRET: &str = "pre/flight+FakeSecretKey0123456789abcdefgh";
const TOKEN: &str = "FwoGZXIvYXdzPREFLIGHTfakeSession/Token+0123456789==";

fn preflight(cwd: &Path, secret: &str) -> Command {
    let mut c = Command::cargo_bin("preflight").unwrap();
    c.current_dir(cwd)
        .env("PREFLIGHT_NOW", "1764000000")
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", KEY)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", cwd.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            cwd.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_S3")
        .env_remove("GITHUB_STEP_SUMMARY");
    c
}

fn interactions(path: &Path) {
    let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
    for i in 0..1500u64 {
        s.push_str(&format!(
            "u{},i{},{},click\n",
            i % 300,
            (i * 7) % 500,
            1_596_238_243 + i
        ));
    }
    std::fs::write(path, s).unwrap();
}

/// Every form a secret could take in text.
fn forms() -> Vec<String> {
    let mut out = Vec::new();
    for s in [KEY, SECRET, TOKEN] {
        out.push(s.to_string());
        out.push(
            s.replace('/', "%2F")
                .replace('+', "%2B")
                .replace('=', "%3D"),
        );
        // A distinctive piece, in case a value is cut or wrapped.
        out.push(s[4..16].to_string());
    }
    out
}

fn assert_clean(what: &str, text: &str) {
    for f in forms() {
        assert!(
            !text.contains(&f),
            "{what}: a credential (`{f}`) appears in:\n{text}"
        );
    }
}

/// Every file below `dir`, searched as bytes.
fn assert_files_clean(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            n += assert_files_clean(&p);
        } else if let Ok(bytes) = std::fs::read(&p) {
            assert_clean(&p.display().to_string(), &String::from_utf8_lossy(&bytes));
            n += 1;
        }
    }
    n
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(what: &str, cmd: &mut Command) -> Out {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_clean(&format!("{what} (stdout)"), &stdout);
    assert_clean(&format!("{what} (stderr)"), &stderr);
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    Out {
        code: out.status.code().expect("no signal"),
        stdout,
        stderr,
    }
}

#[test]
fn debug_logs_reports_and_manifests_never_show_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let root = cwd.join("server");
    let server = BackgroundServer::start(
        &root,
        BUCKET,
        ServerOptions {
            credentials: Some((KEY.into(), SECRET.into())),
            ..ServerOptions::default()
        },
    );
    let endpoint = server.endpoint().to_string();
    interactions(&cwd.join("interactions.csv"));
    let stage = |to: &str, endpoint: &str| -> Vec<String> {
        [
            "--debug",
            "stage",
            "--dataset-type",
            "interactions",
            "interactions.csv",
            "--to",
            to,
            "--endpoint-url",
            endpoint,
        ]
        .map(String::from)
        .to_vec()
    };

    // Success: stage to S3, then read the staged folder back through validate.
    let ok = run(
        "stage",
        preflight(cwd, SECRET).args(stage("s3://imports/team/", &endpoint)),
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    // The debug log is there: our lines, the SDK's, and the environment, redacted.
    assert!(ok.stderr.contains("DEBUG"), "{}", ok.stderr);
    assert!(
        ok.stderr.contains("aws_"),
        "no SDK log lines:\n{}",
        ok.stderr
    );
    assert!(
        ok.stderr.contains("AWS_SECRET_ACCESS_KEY=[redacted]")
            && ok.stderr.contains("AWS_SESSION_TOKEN=[redacted]")
            && ok.stderr.contains("AWS_ACCESS_KEY_ID=[redacted]"),
        "{}",
        ok.stderr
    );
    let v = run(
        "validate s3://",
        preflight(cwd, SECRET).args([
            "--debug",
            "validate",
            "--dataset-type",
            "interactions",
            "--format",
            "json",
            ok.stdout.trim(),
            "--endpoint-url",
            &endpoint,
        ]),
    );
    assert!(v.code <= 1, "{}", v.stderr);

    // Failures: a bucket that does not exist, a wrong secret, the server down.
    let nb = run(
        "wrong bucket",
        preflight(cwd, SECRET).args(stage("s3://no-such-bucket/x/", &endpoint)),
    );
    assert_ne!(nb.code, 0, "{}", nb.stderr);
    let ws = run(
        "wrong secret",
        preflight(cwd, &format!("{SECRET}x")).args(stage("s3://imports/team/", &endpoint)),
    );
    assert_ne!(ws.code, 0, "{}", ws.stderr);
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let down = run(
        "server down",
        preflight(cwd, SECRET).args(stage("s3://imports/team/", &closed)),
    );
    assert_ne!(down.code, 0, "{}", down.stderr);
    assert!(down.stderr.contains("error:"), "{}", down.stderr);

    // Local staging and a written report, with --debug.
    let local = run(
        "stage to a folder",
        preflight(cwd, SECRET).args([
            "--debug",
            "stage",
            "--dataset-type",
            "interactions",
            "interactions.csv",
            "--to",
            "staging",
        ]),
    );
    assert_eq!(local.code, 0, "{}", local.stderr);
    let report = run(
        "validate with a report",
        preflight(cwd, SECRET).args([
            "--debug",
            "validate",
            "--dataset-type",
            "interactions",
            "--format",
            "sarif",
            "interactions.csv",
        ]),
    );
    assert!(report.code <= 1, "{}", report.stderr);

    // Every file the runs wrote: the server's objects (manifests included), the local run
    // folder, and anything else in the working directory.
    drop(server);
    assert!(assert_files_clean(cwd) >= 4);
}

/// A Personalize endpoint on loopback (reached through `AWS_ENDPOINT_URL_PERSONALIZE`) whose
/// answers quote the caller's credentials, as an error body or a `failureReason` might:
/// DescribeDataset is `ResourceNotFoundException`, DescribeDatasetImportJob a job that is
/// `CREATE FAILED`, anything else `InvalidInputException`.
fn personalize_quoting_credentials() -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let quoted = format!("credential {KEY} secret {SECRET} token {TOKEN}");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut len, mut target) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if let Some(v) = lower.strip_prefix("x-amz-target:") {
                    target = v.trim().to_string();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0u8; len];
            let _ = reader.read_exact(&mut body);
            let (status, answer) = match target.as_str() {
                "amazonpersonalize.describedataset" => (
                    "400 Bad Request",
                    serde_json::json!({"__type": "ResourceNotFoundException",
                        "message": format!("no such dataset for {quoted}")}),
                ),
                "amazonpersonalize.describedatasetimportjob" => (
                    "200 OK",
                    serde_json::json!({"datasetImportJob": {
                        "jobName": "nightly-1", "datasetImportJobArn": JOB,
                        "status": "CREATE FAILED", "importMode": "FULL",
                        "failureReason": format!("Access denied for {quoted}"),
                        "creationDateTime": 1.764e9, "lastUpdatedDateTime": 1.764e9
                    }}),
                ),
                _ => (
                    "400 Bad Request",
                    serde_json::json!({"__type": "InvalidInputException",
                        "message": format!("rejected {quoted}")}),
                ),
            };
            let answer = answer.to_string();
            let mut s = stream;
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    endpoint
}

const DATASET: &str = "arn:aws:personalize:us-east-1:123456789012:dataset/shop/INTERACTIONS";
const ROLE: &str = "arn:aws:iam::123456789012:role/PersonalizeS3";
const JOB: &str = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/nightly-1";

/// One error per command, printed once, through the redactor (issue 15, bug c): `import`,
/// `run` and `watch` printed what Personalize answered (a refusal, a `failureReason`) with the
/// credentials it quoted; `stage`'s upload failure was redacted. Each failure is one `error:`
/// line, with the credentials replaced.
#[test]
fn errors_from_stage_run_import_and_watch_are_redacted_and_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    interactions(&cwd.join("interactions.csv"));
    let endpoint = personalize_quoting_credentials();
    let aws = |c: &mut Command| {
        c.env("AWS_ENDPOINT_URL_PERSONALIZE", &endpoint);
    };
    let cases: [(&str, Vec<&str>, i32, &str); 3] = [
        (
            "import",
            vec![
                "import",
                "--dataset-arn",
                DATASET,
                "--role-arn",
                ROLE,
                "--from",
                "s3://imports/team/",
                "--mode",
                "full",
            ],
            6,
            "error: import refused: ",
        ),
        (
            "run",
            vec![
                "run",
                "--dataset-arn",
                DATASET,
                "--role-arn",
                ROLE,
                "--stage-to",
                "s3://imports/team/",
                "--mode",
                "full",
                "interactions.csv",
            ],
            6,
            "error: import refused: ",
        ),
        ("watch", vec!["watch", JOB], 4, "is CREATE FAILED"),
    ];
    for (what, args, code, headline) in cases {
        let mut cmd = preflight(cwd, SECRET);
        aws(&mut cmd);
        let out = run(what, cmd.args(&args));
        assert_eq!(out.code, code, "{what}: {}", out.stderr);
        assert!(out.stderr.contains(REDACTED_MARK), "{what}: {}", out.stderr);
        assert_eq!(
            out.stderr.matches(headline).count(),
            1,
            "{what}: one error, printed once:\n{}",
            out.stderr
        );
        assert_eq!(
            out.stderr.matches("error:").count(),
            1,
            "{what}: {}",
            out.stderr
        );
    }

    // `stage` to a store that refuses the credentials: one error, redacted.
    let server = BackgroundServer::start(
        &cwd.join("server"),
        BUCKET,
        ServerOptions {
            credentials: Some((KEY.into(), SECRET.into())),
            ..ServerOptions::default()
        },
    );
    let out = run(
        "stage with a wrong secret",
        preflight(cwd, &format!("{SECRET}x")).args([
            "stage",
            "--dataset-type",
            "interactions",
            "interactions.csv",
            "--to",
            "s3://imports/team/",
            "--endpoint-url",
            server.endpoint(),
        ]),
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(
        out.stderr.matches("error:").count(),
        1,
        "one error, printed once:\n{}",
        out.stderr
    );
}

/// What replaces a credential in what `preflight` prints.
const REDACTED_MARK: &str = "[redacted]";
