//! `preflight watch` through the real binary and the real AWS configuration chain: Personalize
//! is a tiny HTTP responder on loopback reached through `AWS_ENDPOINT_URL_PERSONALIZE`, which
//! says the job is still in progress. Ctrl-C (SIGINT) must stop the watch, say that the job goes
//! on, and exit 130.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const JOB: &str = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/nightly-1";

/// Answers every request with DescribeDatasetImportJob's body for a job in progress; counts the
/// requests and remembers the last `X-Amz-Target`.
fn personalize_stub() -> (String, Arc<AtomicUsize>, Arc<std::sync::Mutex<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let target = Arc::new(std::sync::Mutex::new(String::new()));
    let (c, t) = (count.clone(), target.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0usize;
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
                    *t.lock().unwrap() = v.trim().to_string();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0u8; len];
            let _ = reader.read_exact(&mut body);
            c.fetch_add(1, Ordering::SeqCst);
            let answer = serde_json::json!({"datasetImportJob": {
                "jobName": "nightly-1", "datasetImportJobArn": JOB,
                "status": "CREATE IN_PROGRESS", "importMode": "FULL",
                "creationDateTime": 1.764e9, "lastUpdatedDateTime": 1.764e9
            }})
            .to_string();
            let mut s = stream;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (endpoint, count, target)
}

#[test]
fn ctrl_c_stops_watching_and_leaves_the_job_running() {
    let dir = tempfile::tempdir().unwrap();
    let (endpoint, count, target) = personalize_stub();
    let mut child = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["watch", JOB])
        .current_dir(dir.path())
        .env("AWS_ENDPOINT_URL_PERSONALIZE", &endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", dir.path().join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.path().join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Wait for the first status, then press Ctrl-C.
    let mut seen = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no status line; stderr so far: {seen:?}"));
        seen.push(line.clone());
        if line.contains("CREATE IN_PROGRESS") {
            break;
        }
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    // The reader thread may still be passing on the last lines: read to the end of stderr (the
    // channel closes when the thread sees it), not just what has arrived.
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        seen.push(line);
    }
    let all = seen.join("\n");
    assert_eq!(status.code(), Some(130), "{status}; stderr:\n{all}");
    assert!(
        all.contains("Ctrl-C stops watching; it does not cancel the job"),
        "{all}"
    );
    assert!(
        all.contains(&format!(
            "stopped watching: the import job goes on (Ctrl-C does not cancel it); re-attach with `preflight watch {JOB}`"
        )),
        "{all}"
    );
    // Only DescribeDatasetImportJob was called, once (the next poll is 5 s later).
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(
        *target.lock().unwrap(),
        "amazonpersonalize.describedatasetimportjob"
    );
}
