//! Fault injection for staging: every call of a stage is failed in turn, in every way a store
//! fails (500, 503, SlowDown, a dropped connection before or after the request took effect, a
//! call that hangs past a timeout, the caller giving up on a hung call, corrupted checksums),
//! through [`FaultyStore`] around the directory store and around the real S3 client talking to
//! the local S3 server; and the S3 server dies mid-upload and comes back. After every fault:
//!
//! 1. no manifest unless every object of the run folder is there and verified (the bytes are
//!    the local file's);
//! 2. nothing outside the run folder was written or deleted (the bucket is listed, with sizes
//!    and checksums, before and after);
//! 3. a re-run without faults completes, and sends no object and no part again that the failed
//!    run had verified (counted through the wrapper);
//! 4. a third run finds the complete folder and writes nothing.

use crate::common;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use preflight_s3_test_server::{ServerOptions, TestServer};
use preflight_uploader::checksum::checksum_of;
use preflight_uploader::fault::{Fault, FaultPlan, FaultyStore};
use preflight_uploader::{
    stage, Checksum, ChecksumAlgorithm, LocalStore, NoProgress, ObjectStore, S3Store, SchemaInfo,
    StageError, StageFile, StageOptions, StageOutcome, StageRequest, Tool, MANIFEST_KEY,
};

const MIB: usize = 1 << 20;
const BUCKET: &str = "imports";

/// Deterministic bytes.
fn data(size: usize, seed: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 64);
    let mut i = 0u64;
    while out.len() < size {
        out.extend_from_slice(
            format!("u{seed}{i},i{},{}\n", i % 977, 1_596_238_243 + i).as_bytes(),
        );
        i += 1;
    }
    out.truncate(size);
    out
}

/// The local files of one import: a small one (one PutObject) and one uploaded in two parts.
struct Import {
    _dir: tempfile::TempDir,
    files: Vec<(String, Vec<u8>)>,
    req: StageRequest,
}

fn import() -> Import {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![
        ("a.csv".to_string(), data(20_000, 1)),
        ("b.csv".to_string(), data(5 * MIB + 1000, 2)),
    ];
    let staged = files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            StageFile {
                name: name.clone(),
                path,
                records: 10,
                lines: 11,
            }
        })
        .collect();
    let req = StageRequest {
        files: staged,
        prefix: "team/".into(),
        dataset_type: "interactions".into(),
        schema: SchemaInfo {
            source: None,
            domain: None,
            fingerprint: "0123456789abcdef".into(),
        },
        validation: serde_json::json!({"errors": 0, "warnings": 0, "forced": false}),
        tool: Tool {
            name: "preflight".into(),
            version: "test".into(),
        },
    };
    Import {
        _dir: dir,
        files,
        req,
    }
}

fn options() -> StageOptions {
    StageOptions {
        multipart_threshold: MIB as u64,
        part_size: 5 * MIB as u64,
        concurrency: 1,
        now: UNIX_EPOCH + Duration::from_secs(1_764_000_000),
        ..StageOptions::default()
    }
}

fn sum(bytes: &[u8]) -> Checksum {
    Checksum {
        algorithm: ChecksumAlgorithm::Crc64nvme,
        value: checksum_of(ChecksumAlgorithm::Crc64nvme, bytes),
    }
}

/// Objects that were in the bucket before any run: outside the prefix, beside the run folders,
/// and an older complete run folder of other data.
async fn seed<S: ObjectStore>(s: &S) {
    for (key, body) in [
        ("other/keep.csv", &b"USER_ID\nu1\n"[..]),
        ("team/interactions/stray.csv", b"x\n"),
        (
            "team/interactions/20200101T000000Z-abcdef/old.csv",
            b"old\n",
        ),
        (
            "team/interactions/20200101T000000Z-abcdef/_preflight/manifest.json",
            b"{}\n",
        ),
        ("team/users/u.csv", b"USER_ID\nu1\n"),
    ] {
        s.put_object(key, Bytes::from_static(body), &sum(body))
            .await
            .unwrap();
    }
}

/// Every object of the bucket, with its size and checksums.
async fn snapshot<S: ObjectStore>(s: &S) -> BTreeMap<String, (u64, Vec<Checksum>)> {
    let mut out = BTreeMap::new();
    for o in s.list_objects("", false).await.unwrap().objects {
        let info = s.head_object(&o.key).await.unwrap().expect("listed");
        out.insert(o.key, (info.size, info.checksums));
    }
    out
}

async fn read<S: ObjectStore>(s: &S, key: &str) -> Option<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    s.head_object(key).await.unwrap()?;
    let mut body = s.get_object(key).await.unwrap();
    let mut out = Vec::new();
    body.read_to_end(&mut out).await.unwrap();
    Some(out)
}

/// Objects and parts of `folder` that hold exactly the local bytes: what a re-run must not
/// send again. Returns the verified object names and, per multipart object, the most parts
/// one interrupted upload holds intact.
async fn verified<S: ObjectStore>(
    s: &S,
    folder: &str,
    imp: &Import,
    part_size: usize,
) -> (Vec<String>, HashMap<String, usize>) {
    let mut objects = Vec::new();
    let mut parts = HashMap::new();
    for (name, bytes) in &imp.files {
        let key = format!("{folder}{name}");
        if read(s, &key).await.as_deref() == Some(&bytes[..]) {
            objects.push(name.clone());
            continue;
        }
        if bytes.len() as u64 <= options().multipart_threshold {
            continue;
        }
        let chunks: Vec<String> = bytes
            .chunks(part_size)
            .map(|c| checksum_of(ChecksumAlgorithm::Crc64nvme, c))
            .collect();
        let mut best = 0;
        for u in s.list_multipart_uploads(&key).await.unwrap_or_default() {
            if u.key != key {
                continue;
            }
            let good = s
                .list_parts(&u.key, &u.upload_id)
                .await
                .unwrap()
                .iter()
                .filter(|p| {
                    let i = p.number as usize;
                    i >= 1 && i <= chunks.len() && p.checksum.as_deref() == Some(&chunks[i - 1])
                })
                .count();
            best = best.max(good);
        }
        parts.insert(name.clone(), best);
    }
    (objects, parts)
}

/// Invariants 1 and 2 after a run that may have failed.
async fn check_bucket<S: ObjectStore>(
    s: &S,
    before: &BTreeMap<String, (u64, Vec<Checksum>)>,
    folder: &str,
    imp: &Import,
    what: &str,
) {
    let after = snapshot(s).await;
    for (key, v) in before {
        assert_eq!(
            after.get(key),
            Some(v),
            "{what}: `{key}`, outside the run folder, was changed or deleted"
        );
    }
    for key in after.keys().filter(|k| !before.contains_key(*k)) {
        assert!(
            key.starts_with(folder),
            "{what}: `{key}` was written outside the run folder `{folder}`"
        );
    }
    if after.contains_key(&format!("{folder}{MANIFEST_KEY}")) {
        for (name, bytes) in &imp.files {
            let got = read(s, &format!("{folder}{name}")).await;
            assert!(
                got.as_deref() == Some(&bytes[..]),
                "{what}: a manifest was written but `{name}` is not verified in the run folder"
            );
        }
    }
}

/// Invariants 3 and 4: a clean re-run completes without sending verified data again, and a
/// third run writes nothing.
async fn rerun<S: ObjectStore>(
    make: impl Fn(Arc<FaultPlan>) -> FaultyStore<S>,
    before: &BTreeMap<String, (u64, Vec<Checksum>)>,
    folder: &str,
    imp: &Import,
    what: &str,
) {
    let plan = Arc::new(FaultPlan::new());
    let store = Arc::new(make(plan.clone()));
    let part_size = 5 * MIB;
    let (done, parts) = verified(store.inner(), folder, imp, part_size).await;
    let out = stage(store.clone(), &imp.req, &options(), Arc::new(NoProgress))
        .await
        .unwrap_or_else(|e| panic!("{what}: the re-run failed: {e}"));
    assert_eq!(
        out.run_folder, folder,
        "{what}: the re-run used another folder"
    );
    for call in plan.calls() {
        let Some(name) = call.key.strip_prefix(folder) else {
            continue;
        };
        let writes = matches!(
            call.operation,
            "PutObject" | "CreateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload"
        );
        assert!(
            !(writes && done.iter().any(|d| d == name)),
            "{what}: the re-run sent `{name}` again ({}) although it was verified",
            call.operation
        );
    }
    for (name, bytes) in &imp.files {
        if let Some(good) = parts.get(name) {
            let total = bytes.len().div_ceil(part_size);
            let sent = plan
                .calls()
                .iter()
                .filter(|c| c.operation == "UploadPart" && c.key == format!("{folder}{name}"))
                .count();
            assert_eq!(
                sent,
                total - good,
                "{what}: the re-run sent {sent} parts of `{name}`, {good} of {total} were in place"
            );
        }
    }
    check_bucket(store.inner(), before, folder, imp, what).await;
    assert!(
        store
            .inner()
            .head_object(&out.manifest_key)
            .await
            .unwrap()
            .is_some(),
        "{what}: no manifest after the re-run"
    );
    assert!(
        store
            .inner()
            .list_multipart_uploads(folder)
            .await
            .unwrap_or_default()
            .is_empty(),
        "{what}: multipart uploads left behind"
    );

    let plan = Arc::new(FaultPlan::new());
    let store = Arc::new(make(plan.clone()));
    let again = stage(store, &imp.req, &options(), Arc::new(NoProgress))
        .await
        .unwrap();
    assert!(
        again.already_staged,
        "{what}: the third run did not reuse the folder"
    );
    for op in [
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "DeleteObjects",
    ] {
        assert_eq!(plan.count(op), 0, "{what}: the third run called {op}");
    }
}

/// The run folder of the import (from a dry run, which writes nothing).
async fn folder_of<S: ObjectStore>(s: FaultyStore<S>, imp: &Import) -> String {
    let dry = StageOptions {
        dry_run: true,
        ..options()
    };
    stage(Arc::new(s), &imp.req, &dry, Arc::new(NoProgress))
        .await
        .unwrap()
        .run_folder
}

/// How a run under a fault may end. With `give_up`, the caller gives up on the run (a hung
/// call, Ctrl-C) shortly after the fault was injected: the stage is dropped mid-flight. Waiting
/// for the injection, not a fixed time, means nothing else is in flight (one part at a time)
/// whatever the machine's speed, so no store work finishes behind the test's back.
async fn run_faulty<S: ObjectStore>(
    store: FaultyStore<S>,
    plan: &FaultPlan,
    imp: &Import,
    give_up: bool,
) -> Option<Result<StageOutcome, StageError>> {
    let opts = options();
    let fut = stage(Arc::new(store), &imp.req, &opts, Arc::new(NoProgress));
    if !give_up {
        return Some(fut.await);
    }
    let watch = async {
        while !plan.injected() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tokio::select! {
        r = fut => Some(r),
        () = watch => None,
    }
}

fn kinds() -> Vec<(&'static str, Fault)> {
    vec![
        ("500 InternalError", Fault::internal_error()),
        ("503 ServiceUnavailable", Fault::unavailable()),
        ("503 SlowDown", Fault::slow_down()),
        ("connection reset", Fault::Transport { applied: false }),
        ("answer lost", Fault::Transport { applied: true }),
        ("timeout", Fault::Hang),
        ("corrupted checksum", Fault::Corrupt),
    ]
}

/// Every call of a clean run, failed in turn with `fault`, on a fresh bucket each time.
async fn every_call<S, F, Fut>(
    label: &str,
    make_bucket: F,
    faults: &[(&'static str, Fault)],
    give_up: bool,
) where
    S: ObjectStore,
    F: Fn() -> Fut,
    Fut: Future<Output = Made<S>>,
{
    let imp = import();
    // How many calls a clean run makes.
    let (_keep, make) = make_bucket().await;
    let counting = Arc::new(FaultPlan::new());
    stage(
        Arc::new(make(counting.clone())),
        &imp.req,
        &options(),
        Arc::new(NoProgress),
    )
    .await
    .unwrap();
    let total = counting.calls().len();
    assert!(total >= 12, "{:?}", counting.calls());
    drop((_keep, make));

    for (i, (name, fault)) in faults.iter().enumerate() {
        // On the S3 server a slice of the calls per kind keeps the test short; every call is
        // still failed by some kind.
        let ns: Vec<usize> = if faults.len() == 1 || label == "local" {
            (1..=total).collect()
        } else {
            (1..=total).filter(|n| n % faults.len() == i).collect()
        };
        for n in ns {
            let (_keep, make) = make_bucket().await;
            let seeder = make(Arc::new(FaultPlan::new()));
            seed(seeder.inner()).await;
            let before = snapshot(seeder.inner()).await;
            let folder = folder_of(make(Arc::new(FaultPlan::new())), &imp).await;
            let what = format!("{label}: call {n} of {total}: {name}");

            let plan = Arc::new(FaultPlan::new().fail_nth(None, n, fault.clone()));
            let store = make(plan.clone());
            let result = run_faulty(store, &plan, &imp, give_up).await;
            let failed_call = plan
                .calls()
                .into_iter()
                .find(|c| c.fault.is_some())
                .map(|c| format!("{} `{}`", c.operation, c.key));
            let what = format!("{what} ({})", failed_call.unwrap_or_default());
            if give_up {
                assert!(result.is_none(), "{what}: the hung call returned");
            }
            match &result {
                Some(Err(e)) => {
                    let shown = e.to_string();
                    assert!(!shown.is_empty(), "{what}");
                }
                Some(Ok(out)) => assert_eq!(out.run_folder, folder, "{what}"),
                None => {}
            }
            check_bucket(seeder.inner(), &before, &folder, &imp, &what).await;
            rerun(&make, &before, &folder, &imp, &what).await;
        }
    }
}

type Made<S> = (
    Box<dyn std::any::Any>,
    Box<dyn Fn(Arc<FaultPlan>) -> FaultyStore<S>>,
);

async fn local_bucket() -> Made<LocalStore> {
    let dir = tempfile::tempdir().unwrap();
    let root: PathBuf = dir.path().join("bucket");
    let make = move |plan: Arc<FaultPlan>| {
        FaultyStore::new(LocalStore::new(&root), plan).with_timeout(Duration::from_millis(20))
    };
    (Box::new(dir), Box::new(make))
}

fn s3(endpoint: &str) -> S3Store {
    common::s3_store(endpoint)
}

async fn s3_bucket() -> Made<S3Store> {
    let dir = tempfile::tempdir().unwrap();
    let server =
        TestServer::start(&dir.path().join("server"), BUCKET, ServerOptions::default()).await;
    let endpoint = server.endpoint.clone();
    let make = move |plan: Arc<FaultPlan>| {
        FaultyStore::new(s3(&endpoint), plan).with_timeout(Duration::from_millis(20))
    };
    (Box::new((server, dir)), Box::new(make))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_failed_every_way_on_the_directory_store() {
    every_call("local", local_bucket, &kinds(), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_hung_until_the_caller_gives_up() {
    // No timeout in the wrapper: the call never answers and the stage is dropped.
    let make = || async {
        let dir = tempfile::tempdir().unwrap();
        let root: PathBuf = dir.path().join("bucket");
        let make = move |plan: Arc<FaultPlan>| FaultyStore::new(LocalStore::new(&root), plan);
        let made: Made<LocalStore> = (Box::new(dir), Box::new(make));
        made
    };
    every_call("local, given up", make, &[("hang", Fault::Hang)], true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_failed_on_the_local_s3_server() {
    every_call("s3", s3_bucket, &kinds(), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_s3_server_dies_mid_upload_and_comes_back() {
    let imp = import();
    for die_after in [0, 1] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("server");
        let what = format!("server died after {die_after} part(s)");
        let seeding = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
        let s = s3(&seeding.endpoint);
        seed(&s).await;
        let before = snapshot(&s).await;
        let folder = folder_of(FaultyStore::new(s, Arc::new(FaultPlan::new())), &imp).await;
        seeding.stop();
        drop(seeding);

        let dying = TestServer::start(
            &root,
            BUCKET,
            ServerOptions {
                die_after_parts: Some(die_after),
                ..ServerOptions::default()
            },
        )
        .await;
        let plan = Arc::new(FaultPlan::new());
        let err = run_faulty(
            FaultyStore::new(s3(&dying.endpoint), plan.clone()),
            &plan,
            &imp,
            false,
        )
        .await
        .unwrap()
        .unwrap_err();
        assert!(err.to_string().contains("UploadPart"), "{what}: {err}");
        assert!(dying.is_dead(), "{what}");
        dying.stop();
        drop(dying);

        let back = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
        let endpoint = back.endpoint.clone();
        check_bucket(&s3(&endpoint), &before, &folder, &imp, &what).await;
        let make = |plan: Arc<FaultPlan>| FaultyStore::new(s3(&endpoint), plan);
        rerun(make, &before, &folder, &imp, &what).await;
    }
}

/// The parts of `key`'s interrupted uploads, by number, with their checksums.
async fn parts_in_place<S: ObjectStore>(s: &S, key: &str) -> BTreeMap<u32, Option<String>> {
    let mut out = BTreeMap::new();
    for u in s.list_multipart_uploads(key).await.unwrap_or_default() {
        for p in s.list_parts(&u.key, &u.upload_id).await.unwrap() {
            out.insert(p.number, p.checksum);
        }
    }
    out
}

/// A part that fails while another is in flight: the stage waits for the other to end before
/// it reports the failure, so the part is not cut off mid-request (where it may or may not have
/// taken effect) and nothing is written after the caller has moved on. The re-run then sends
/// only the failed part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_part_lets_the_parts_in_flight_finish_before_it_is_reported() {
    let imp = import();
    let dir = tempfile::tempdir().unwrap();
    let root: PathBuf = dir.path().join("bucket");
    let make = |plan: Arc<FaultPlan>| {
        FaultyStore::new(LocalStore::new(&root), plan).with_timeout(Duration::from_millis(100))
    };
    let plain = make(Arc::new(FaultPlan::new()));
    seed(plain.inner()).await;
    let before = snapshot(plain.inner()).await;
    let folder = folder_of(make(Arc::new(FaultPlan::new())), &imp).await;
    let key = format!("{folder}b.csv");

    // Both parts of b.csv in flight: the first UploadPart times out after 100 ms, the second
    // succeeds after 400 ms.
    let plan = Arc::new(
        FaultPlan::new()
            .fail_nth(Some("UploadPart"), 1, Fault::Hang)
            .fail_nth(
                Some("UploadPart"),
                2,
                Fault::Slow(Duration::from_millis(400)),
            ),
    );
    let two = StageOptions {
        concurrency: 2,
        ..options()
    };
    let err = stage(
        Arc::new(make(plan.clone())),
        &imp.req,
        &two,
        Arc::new(NoProgress),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("timed out"), "{err}");
    let uploads: Vec<_> = plan
        .calls()
        .into_iter()
        .filter(|c| c.operation == "UploadPart")
        .collect();
    assert_eq!(uploads.len(), 2, "{uploads:?}");
    let slow = uploads
        .iter()
        .find(|c| matches!(c.fault, Some(Fault::Slow(_))))
        .and_then(|c| c.part)
        .expect("the slow part");
    let bytes = &imp.files[1].1;
    let expected = checksum_of(
        ChecksumAlgorithm::Crc64nvme,
        bytes.chunks(5 * MIB).nth(slow as usize - 1).unwrap(),
    );
    let at_return = parts_in_place(plain.inner(), &key).await;
    assert_eq!(
        at_return.get(&slow),
        Some(&Some(expected)),
        "part {slow}, in flight when the other failed, did not finish before stage returned: \
         {at_return:?}"
    );
    assert_eq!(
        at_return.len(),
        1,
        "the failed part is in place: {at_return:?}"
    );

    // Nothing happens behind the caller's back.
    let calls = plan.calls().len();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        plan.calls().len(),
        calls,
        "store calls after stage returned"
    );
    assert_eq!(parts_in_place(plain.inner(), &key).await, at_return);

    check_bucket(plain.inner(), &before, &folder, &imp, "two in flight").await;
    rerun(&make, &before, &folder, &imp, "two in flight").await;
}

/// With one part at a time, a failed part is the last call of the stage: no later part is read
/// or sent, whatever the scheduling (a slot used to free before the failure was seen). Run
/// many times, since the old race needed an unlucky interleaving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_one_part_at_a_time_nothing_follows_a_failed_part() {
    let imp = import();
    for round in 0..25 {
        for fault in [Fault::internal_error(), Fault::Transport { applied: true }] {
            let dir = tempfile::tempdir().unwrap();
            let store = LocalStore::new(dir.path().join("bucket"));
            let plan = Arc::new(FaultPlan::new().fail_nth(Some("UploadPart"), 1, fault.clone()));
            let faulty = FaultyStore::new(store, plan.clone());
            let err = stage(Arc::new(faulty), &imp.req, &options(), Arc::new(NoProgress))
                .await
                .unwrap_err();
            let calls = plan.calls();
            let failed = calls
                .iter()
                .position(|c| c.fault.is_some())
                .expect("the fault was injected");
            assert_eq!(
                failed,
                calls.len() - 1,
                "round {round}, {fault:?} ({err}): calls after the failed part: {:?}",
                &calls[failed + 1..]
            );
        }
    }
}

#[test]
fn a_plan_fails_the_nth_matching_call_and_logs_every_call() {
    let plan = FaultPlan::new()
        .fail_nth(Some("UploadPart"), 2, Fault::slow_down())
        .fail_from(Some("HeadObject"), 1, usize::MAX, Fault::Corrupt);
    assert_eq!(plan.next("UploadPart", "k", Some(1)), None);
    assert_eq!(plan.next("PutObject", "k", None), None);
    assert_eq!(
        plan.next("UploadPart", "k", Some(2)),
        Some(Fault::slow_down())
    );
    assert_eq!(plan.next("UploadPart", "k", Some(3)), None);
    for _ in 0..3 {
        assert_eq!(plan.next("HeadObject", "k", None), Some(Fault::Corrupt));
    }
    assert_eq!(plan.count("UploadPart"), 3);
    assert_eq!(plan.calls().len(), 7);
    assert!(plan.injected());
}

/// The check `preflight import` makes before it creates a job fails closed: every call of
/// [`verify_manifest`] on a correctly staged folder, failed in turn every way, makes it refuse
/// (a corrupted checksum in a HeadObject answer included), so no job is created on the strength
/// of an answer that did not come. Only faults that change nothing (no checksum to corrupt in a
/// GetObject or ListObjects answer) let it pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_of_the_manifest_check_failed_makes_the_import_refuse() {
    use preflight_uploader::import::verify_manifest;
    let imp = import();
    let (_keep, make) = s3_bucket().await;
    let staged = stage(
        Arc::new(make(Arc::new(FaultPlan::new()))),
        &imp.req,
        &options(),
        Arc::new(NoProgress),
    )
    .await
    .unwrap();
    let folder = staged.run_folder;

    let counting = Arc::new(FaultPlan::new());
    let clean = verify_manifest(&make(counting.clone()), &folder).await;
    let clean = clean.unwrap_or_else(|e| panic!("the clean check failed: {e}"));
    assert_eq!(clean.manifest.files.len(), imp.files.len());
    let total = counting.calls().len();
    // The manifest, the listing, and one HeadObject per file.
    assert_eq!(total, 2 + imp.files.len(), "{:?}", counting.calls());

    for (name, fault) in kinds() {
        for n in 1..=total {
            let plan = Arc::new(FaultPlan::new().fail_nth(None, n, fault.clone()));
            let result = verify_manifest(&make(plan.clone()), &folder).await;
            let call = plan
                .calls()
                .into_iter()
                .find(|c| c.fault.is_some())
                .expect("the fault was injected");
            let what = format!(
                "call {n} of {total} ({} `{}`): {name}",
                call.operation, call.key
            );
            let harmless = fault == Fault::Corrupt && call.operation != "HeadObject";
            match result {
                Ok(v) => {
                    assert!(harmless, "{what}: the folder passed the check");
                    assert_eq!(v.manifest.files.len(), imp.files.len(), "{what}");
                }
                Err(e) => {
                    assert!(!harmless, "{what}: refused without cause: {e}");
                    assert!(!e.to_string().is_empty(), "{what}");
                }
            }
        }
    }
}

/// A file sent in one PutObject is read while it is sent, after its checksum was computed (and
/// the file validated): edited in between, its bytes no longer match the checksum in the
/// request, the store rejects them, and the stage says the file changed. Nothing of it is
/// stored and no manifest is written; a re-run stages the file as it now is.
async fn a_file_edited_before_it_is_sent<S: ObjectStore>(label: &str, made: Made<S>) {
    let (_keep, make) = made;
    let imp = import();
    let plan = Arc::new(FaultPlan::new().fail_nth(
        Some("PutObject"),
        1,
        Fault::Slow(Duration::from_secs(1)),
    ));
    let store = Arc::new(make(plan.clone()));
    let path = imp.req.files[0].path.clone();
    let mut edited = imp.files[0].1.clone();
    edited[100] = if edited[100] == b'7' { b'8' } else { b'7' };
    let edit = async {
        while !plan.injected() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        std::fs::write(&path, &edited).unwrap();
    };
    let opts = options();
    let (result, ()) = tokio::join!(
        stage(store.clone(), &imp.req, &opts, Arc::new(NoProgress)),
        edit
    );
    let err = match result {
        Ok(out) => panic!("{label}: staged {:?}", out.objects),
        Err(e) => e,
    };
    assert!(
        matches!(&err, StageError::Changed { path } if path.ends_with("a.csv")),
        "{label}: {err:?}"
    );
    assert!(
        err.to_string()
            .contains("changed while it was being staged"),
        "{label}: {err}"
    );
    let keys: Vec<String> = store
        .inner()
        .list_objects("", false)
        .await
        .unwrap()
        .objects
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert!(
        !keys
            .iter()
            .any(|k| k.ends_with("/a.csv") || k.ends_with(MANIFEST_KEY)),
        "{label}: {keys:?}"
    );
    let store = Arc::new(make(Arc::new(FaultPlan::new())));
    let out = stage(store.clone(), &imp.req, &options(), Arc::new(NoProgress))
        .await
        .unwrap_or_else(|e| panic!("{label}: the re-run failed: {e}"));
    assert_eq!(
        read(store.inner(), &out.objects[0].key).await,
        Some(edited),
        "{label}"
    );
}

/// A file sent in parts is read part by part as the upload goes, after its checksums were
/// computed: a part edited in between is noticed when it is read (by its CRC64NVME, whatever the
/// upload's algorithm), before it is sent, and the stage says the file changed. No object is
/// made of it.
async fn a_part_edited_before_it_is_sent<S: ObjectStore>(
    label: &str,
    made: Made<S>,
    algorithm: ChecksumAlgorithm,
) {
    let (_keep, make) = made;
    let imp = import();
    // b.csv goes up in 2 parts, one at a time; the first is slow, the second is edited meanwhile.
    let plan = Arc::new(FaultPlan::new().fail_nth(
        Some("UploadPart"),
        1,
        Fault::Slow(Duration::from_secs(1)),
    ));
    let store = Arc::new(make(plan.clone()));
    let path = imp.req.files[1].path.clone();
    let mut edited = imp.files[1].1.clone();
    let at = 5 * MIB + 10;
    edited[at] = if edited[at] == b'7' { b'8' } else { b'7' };
    let edit = async {
        while !plan.injected() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        std::fs::write(&path, &edited).unwrap();
    };
    let opts = StageOptions {
        checksum: algorithm,
        ..options()
    };
    let (result, ()) = tokio::join!(
        stage(store.clone(), &imp.req, &opts, Arc::new(NoProgress)),
        edit
    );
    let err = match result {
        Ok(out) => panic!("{label} {algorithm}: staged {:?}", out.objects),
        Err(e) => e,
    };
    assert!(
        matches!(&err, StageError::Changed { path } if path.ends_with("b.csv")),
        "{label} {algorithm}: {err:?}"
    );
    let keys: Vec<String> = store
        .inner()
        .list_objects("", false)
        .await
        .unwrap()
        .objects
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert!(
        !keys
            .iter()
            .any(|k| k.ends_with("/b.csv") || k.ends_with(MANIFEST_KEY)),
        "{label} {algorithm}: {keys:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_edited_before_it_is_sent_is_refused_not_staged() {
    for algorithm in [ChecksumAlgorithm::Crc64nvme, ChecksumAlgorithm::Sha256] {
        a_part_edited_before_it_is_sent("local", local_bucket().await, algorithm).await;
        a_part_edited_before_it_is_sent("s3", s3_bucket().await, algorithm).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_edited_before_it_is_sent_is_refused_not_staged() {
    a_file_edited_before_it_is_sent("local", local_bucket().await).await;
    a_file_edited_before_it_is_sent("s3", s3_bucket().await).await;
}
