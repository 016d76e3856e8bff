//! Staging against a real S3-compatible server on loopback (s3s-fs, started by each test on
//! `127.0.0.1:0`), through the real `aws-sdk-s3` client. No test touches AWS.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use preflight_s3_test_server::{ServerOptions, TestServer};
use preflight_uploader::checksum::checksum_of;
use preflight_uploader::{
    stage, stage_gated, Action, BlockingObjectReader, Checksum, ChecksumAlgorithm, Gate, Gated,
    LocalStore, Manifest, NoProgress, ObjectStore, S3Store, SchemaInfo, StageError, StageFile,
    StageOptions, StageRequest, StoreError, Tool, MANIFEST_KEY,
};

const BUCKET: &str = "imports";
const MIB: u64 = 1 << 20;

fn store(endpoint: &str) -> S3Store {
    common::s3_store(endpoint)
}

/// The tests' store, told that its endpoint is the server's (a loopback one).
fn loopback_store(endpoint: &str) -> S3Store {
    let opts = preflight_uploader::S3Options {
        endpoint_url: Some(endpoint.to_string()),
        ..Default::default()
    };
    common::s3_store_with(endpoint, &opts)
}

/// Deterministic CSV-like bytes (the uploader does not read them as CSV).
fn data(size: usize, seed: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(size);
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

fn write(dir: &Path, name: &str, bytes: &[u8]) -> StageFile {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    StageFile {
        name: name.into(),
        path,
        records: 10,
        lines: 11,
    }
}

fn request(files: Vec<StageFile>, prefix: &str) -> StageRequest {
    StageRequest {
        files,
        prefix: prefix.into(),
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
    }
}

fn options() -> StageOptions {
    StageOptions {
        multipart_threshold: 6 * MIB,
        part_size: 5 * MIB,
        concurrency: 3,
        now: UNIX_EPOCH + Duration::from_secs(1_764_000_000),
        ..StageOptions::default()
    }
}

/// Every object key under the bucket on disk (s3s-fs keeps one file per object).
fn keys_on_disk(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                let k = p
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if !k.split('/').any(|s| s.starts_with(".")) {
                    out.push(k);
                }
            }
        }
    }
    let mut out = Vec::new();
    let bucket = root.join(BUCKET);
    walk(&bucket, &bucket, &mut out);
    out.sort();
    out
}

async fn read_object(s: &S3Store, key: &str) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut body = s.get_object(key).await.unwrap();
    let mut out = Vec::new();
    body.read_to_end(&mut out).await.unwrap();
    out
}

fn tmp(name: &str) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::Builder::new().prefix(name).tempdir().unwrap();
    let root = d.path().join("server");
    (d, root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_upload_is_verified_and_the_manifest_comes_last() {
    let (dir, root) = tmp("single");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = Arc::new(store(&server.endpoint));
    let bytes = data(40_000, 1);
    let req = request(vec![write(dir.path(), "interactions.csv", &bytes)], "team/");
    let out = stage(s.clone(), &req, &options(), Arc::new(NoProgress))
        .await
        .unwrap();

    assert!(out
        .run_folder
        .starts_with("team/interactions/20251124T160000Z-"));
    assert_eq!(
        out.data_location,
        format!("s3://{BUCKET}/{}", out.run_folder)
    );
    assert_eq!(out.objects.len(), 1);
    assert_eq!(out.objects[0].action, Action::Put);
    assert!(out.read_back.is_empty());
    let key = format!("{}interactions.csv", out.run_folder);
    assert_eq!(read_object(&s, &key).await, bytes);
    let head = s.head_object(&key).await.unwrap().unwrap();
    assert_eq!(
        head.checksum(ChecksumAlgorithm::Crc64nvme),
        Some(checksum_of(ChecksumAlgorithm::Crc64nvme, &bytes).as_str())
    );
    // The run folder holds exactly the import's files at its first level.
    assert_eq!(
        keys_on_disk(&root),
        vec![format!("{}{MANIFEST_KEY}", out.run_folder), key.clone()]
    );
    let manifest: Manifest =
        serde_json::from_slice(&read_object(&s, &out.manifest_key).await).unwrap();
    assert_eq!(manifest.data_location, out.data_location);
    assert_eq!(manifest.files[0].bytes, bytes.len() as u64);
    assert_eq!(manifest.files[0].records, 10);
    assert_eq!(manifest.files[0].verified, "checksum");
    assert_eq!(manifest.schema.fingerprint, "0123456789abcdef");
    assert_eq!(manifest.validation["forced"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_uploads_send_parallel_parts_with_checksums() {
    for alg in [ChecksumAlgorithm::Crc64nvme, ChecksumAlgorithm::Sha256] {
        let (dir, root) = tmp("multipart");
        let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
        let s = Arc::new(store(&server.endpoint));
        let bytes = data((17 * MIB + 12_345) as usize, 2);
        let req = request(vec![write(dir.path(), "big.csv", &bytes)], "");
        let opts = StageOptions {
            checksum: alg,
            ..options()
        };
        let out = stage(s.clone(), &req, &opts, Arc::new(NoProgress))
            .await
            .unwrap();
        assert_eq!(
            out.objects[0].action,
            Action::Multipart {
                uploaded: 4,
                reused: 0
            },
            "{alg}"
        );
        assert_eq!(server.parts_received(), 4);
        let key = format!("{}big.csv", out.run_folder);
        assert_eq!(read_object(&s, &key).await, bytes);
        let manifest: Manifest =
            serde_json::from_slice(&read_object(&s, &out.manifest_key).await).unwrap();
        let f = &manifest.files[0];
        assert_eq!((f.parts, f.part_size), (4, Some(5 * MIB)));
        assert_eq!(f.verified, "checksum");
        let head = s.head_object(&key).await.unwrap().unwrap();
        assert_eq!(head.checksum(alg), Some(f.checksum.as_str()));
        match alg {
            ChecksumAlgorithm::Crc64nvme => {
                assert_eq!(f.checksum, checksum_of(alg, &bytes));
                assert_eq!(f.checksum_type, "full_object");
            }
            _ => {
                assert!(f.checksum.ends_with("-4"), "{}", f.checksum);
                assert_eq!(f.checksum_type, "composite");
            }
        }
    }
}

/// Bodies go unsigned (`UNSIGNED-PAYLOAD`, no SHA-256 of every byte on either side) where their
/// signed checksum header protects them as well as the payload hash would: to a loopback (or
/// HTTPS) endpoint, or with a SHA-256 checksum. A CRC64NVME body to an endpoint not known to be
/// protected stays signed. Every object and part is stored and verified either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_signed_only_where_their_checksum_cannot_protect_them() {
    let cases = [
        (false, ChecksumAlgorithm::Crc64nvme, true),
        (false, ChecksumAlgorithm::Sha256, false),
        (true, ChecksumAlgorithm::Crc64nvme, false),
        (true, ChecksumAlgorithm::Sha256, false),
    ];
    for (told, alg, signed) in cases {
        let what = format!("endpoint told: {told}, {alg}");
        let (dir, root) = tmp("signing");
        let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
        let s = Arc::new(if told {
            loopback_store(&server.endpoint)
        } else {
            store(&server.endpoint)
        });
        let big = data((11 * MIB + 7) as usize, 5);
        let small = data(1000, 6);
        let req = request(
            vec![
                write(dir.path(), "big.csv", &big),
                write(dir.path(), "small.csv", &small),
            ],
            "",
        );
        let opts = StageOptions {
            checksum: alg,
            ..options()
        };
        let out = stage(s.clone(), &req, &opts, Arc::new(NoProgress))
            .await
            .unwrap();
        assert_eq!(
            read_object(&s, &format!("{}big.csv", out.run_folder)).await,
            big,
            "{what}"
        );
        // The 3 parts and the manifest are sent from memory: signed or not by the rule. The
        // small file is streamed from disk in one PutObject: never signed (see `payload_signed`).
        let from_memory = if signed { (4, 1) } else { (0, 5) };
        assert_eq!(
            (server.signed_bodies(), server.unsigned_bodies()),
            from_memory,
            "{what}: (signed, unsigned)"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_checksum_is_rejected_and_nothing_is_stored() {
    let (_dir, root) = tmp("baddigest");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = store(&server.endpoint);
    let body = Bytes::from_static(b"USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1596238243\n");
    // Signed bodies (a store not told its endpoint signs CRC64NVME ones) and unsigned ones (to
    // a loopback endpoint): the checksum header is checked either way.
    let unsigned = loopback_store(&server.endpoint);
    let stores = [
        (&s, ChecksumAlgorithm::Crc64nvme),
        (&s, ChecksumAlgorithm::Sha256),
        (&unsigned, ChecksumAlgorithm::Crc64nvme),
    ];
    for (s, alg) in stores {
        let wrong = Checksum {
            algorithm: alg,
            value: checksum_of(alg, b"other bytes"),
        };
        let err = s
            .put_object("x/a.csv", body.clone(), &wrong)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::BadDigest { .. }), "{alg}: {err}");
        assert!(s.head_object("x/a.csv").await.unwrap().is_none());

        let id = s.create_multipart_upload("x/b.csv", alg).await.unwrap();
        let err = s
            .upload_part("x/b.csv", &id, 1, body.clone(), &wrong)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::BadDigest { .. }), "{alg}: {err}");
        assert!(s.list_parts("x/b.csv", &id).await.unwrap().is_empty());
        s.abort_multipart_upload("x/b.csv", &id).await.unwrap();
    }
    assert!(server.unsigned_bodies() >= 2, "no body went unsigned");
    assert!(server.signed_bodies() >= 2, "no body went signed");
    // A full-object checksum that does not match the parts fails CompleteMultipartUpload.
    let alg = ChecksumAlgorithm::Crc64nvme;
    let id = s.create_multipart_upload("x/c.csv", alg).await.unwrap();
    let sum = Checksum {
        algorithm: alg,
        value: checksum_of(alg, &body),
    };
    let part = s
        .upload_part("x/c.csv", &id, 1, body.clone(), &sum)
        .await
        .unwrap();
    let err = s
        .complete_multipart_upload("x/c.csv", &id, alg, &[part], Some(&checksum_of(alg, b"x")))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadDigest { .. }), "{err}");
    assert!(s.head_object("x/c.csv").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_the_same_stage_again_uploads_nothing() {
    let (dir, root) = tmp("idempotent");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = Arc::new(store(&server.endpoint));
    let req = request(
        vec![
            write(dir.path(), "a.csv", &data(30_000, 3)),
            write(dir.path(), "b.csv", &data((7 * MIB) as usize, 4)),
        ],
        "p/",
    );
    let first = stage(s.clone(), &req, &options(), Arc::new(NoProgress))
        .await
        .unwrap();
    let writes = server.writes();
    let later = StageOptions {
        now: options().now + Duration::from_secs(3600),
        ..options()
    };
    let second = stage(s.clone(), &req, &later, Arc::new(NoProgress))
        .await
        .unwrap();
    assert!(second.already_staged);
    assert_eq!(second.run_folder, first.run_folder);
    assert!(second.objects.iter().all(|o| o.action == Action::Reused));
    assert_eq!(server.writes(), writes, "the second run wrote something");

    // Other content goes to a new run folder.
    let other = request(vec![write(dir.path(), "a.csv", &data(30_001, 3))], "p/");
    let third = stage(s.clone(), &other, &later, Arc::new(NoProgress))
        .await
        .unwrap();
    assert_ne!(third.run_folder, first.run_folder);
    assert!(!third.already_staged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_upload_resumes_without_resending_verified_parts() {
    let (dir, root) = tmp("resume");
    let small = data(20_000, 5);
    let big = data((26 * MIB + 7) as usize, 6); // 6 parts of 5 MiB (the last one shorter)
    let req = request(
        vec![
            write(dir.path(), "a-small.csv", &small),
            write(dir.path(), "b-big.csv", &big),
        ],
        "",
    );
    let opts = StageOptions {
        concurrency: 1,
        ..options()
    };

    // The server dies after accepting 2 parts of the big file.
    let server = TestServer::start(
        &root,
        BUCKET,
        ServerOptions {
            die_after_parts: Some(2),
            ..ServerOptions::default()
        },
    )
    .await;
    let s = Arc::new(store(&server.endpoint));
    let err = stage(s, &req, &opts, Arc::new(NoProgress))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StageError::Store(StoreError::Transport { .. })),
        "{err}"
    );
    assert!(server.is_dead());
    server.stop();
    drop(server);
    let on_disk = keys_on_disk(&root);
    assert!(
        !on_disk.iter().any(|k| k.ends_with(MANIFEST_KEY)),
        "a failed run left a manifest: {on_disk:?}"
    );
    assert_eq!(
        on_disk.len(),
        1,
        "only the small file is complete: {on_disk:?}"
    );

    // Restarted on the same directory (another port), an hour later (a fresh run would get
    // another folder name): the same stage resumes the same run folder.
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = Arc::new(store(&server.endpoint));
    let later = StageOptions {
        now: opts.now + Duration::from_secs(3600),
        ..opts
    };
    let out = stage(s.clone(), &req, &later, Arc::new(NoProgress))
        .await
        .unwrap();
    assert!(out.resumed);
    assert!(
        out.run_folder.starts_with("interactions/20251124T160000Z-"),
        "{}",
        out.run_folder
    );
    assert_eq!(out.objects[0].action, Action::Reused);
    assert_eq!(
        out.objects[1].action,
        Action::Multipart {
            uploaded: 4,
            reused: 2
        }
    );
    assert_eq!(server.parts_received(), 4, "verified parts were sent again");
    assert_eq!(read_object(&s, &out.objects[1].key).await, big);
    assert_eq!(read_object(&s, &out.objects[0].key).await, small);
    assert!(s.head_object(&out.manifest_key).await.unwrap().is_some());
    assert!(s.list_multipart_uploads("").await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_location_over_256_characters_is_refused_before_any_write() {
    let (dir, root) = tmp("location");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = Arc::new(store(&server.endpoint));
    let files = vec![write(dir.path(), "a.csv", &data(1000, 7))];
    // s3://imports/ (13) + prefix + interactions/ (13) + run folder (30) = 256 exactly.
    let fits = "abcdefghi/".repeat(20); // 200 characters, in folders of a sane length
    assert_eq!(fits.len(), 256 - 13 - 13 - 30);
    // A dry run: s3s-fs cannot store keys this long (it base64s them into one file name).
    let dry = StageOptions {
        dry_run: true,
        ..options()
    };
    let out = stage(
        s.clone(),
        &request(files.clone(), &fits),
        &dry,
        Arc::new(NoProgress),
    )
    .await
    .unwrap();
    assert_eq!(out.data_location.len(), 256);

    let writes = server.writes();
    let long = format!("x{fits}");
    let err = stage(s, &request(files, &long), &options(), Arc::new(NoProgress))
        .await
        .unwrap_err();
    assert!(matches!(err, StageError::DataLocation(_)), "{err}");
    assert!(err.is_usage());
    assert!(err.to_string().contains("257 characters"), "{err}");
    assert_eq!(server.writes(), writes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_deletes_old_runs_but_never_within_the_grace_period() {
    let (dir, root) = tmp("keep");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = Arc::new(store(&server.endpoint));
    let mut folders = Vec::new();
    for i in 0..3u8 {
        let req = request(
            vec![write(dir.path(), "a.csv", &data(5000 + i as usize, i))],
            "",
        );
        let opts = StageOptions {
            now: options().now + Duration::from_secs(60 * u64::from(i)),
            ..options()
        };
        folders.push(
            stage(s.clone(), &req, &opts, Arc::new(NoProgress))
                .await
                .unwrap()
                .run_folder,
        );
        tokio::time::sleep(Duration::from_millis(1100)).await; // distinct manifest times
    }
    // Keep 2 with a grace period longer than the runs' age: nothing is deleted.
    let req = request(vec![write(dir.path(), "a.csv", &data(5002, 2))], "");
    let opts = StageOptions {
        keep: Some(1),
        keep_grace: Duration::from_secs(3600),
        now: SystemTime::now(),
        ..options()
    };
    let out = stage(s.clone(), &req, &opts, Arc::new(NoProgress))
        .await
        .unwrap();
    assert!(out.already_staged);
    assert!(out.deleted.is_empty());
    assert_eq!(out.spared.len(), 2);

    // Past the grace period, keep 2: the oldest run folder goes, manifest and all.
    let opts = StageOptions {
        keep: Some(2),
        keep_grace: Duration::from_secs(1),
        now: SystemTime::now() + Duration::from_secs(10),
        ..options()
    };
    let out = stage(s.clone(), &req, &opts, Arc::new(NoProgress))
        .await
        .unwrap();
    assert_eq!(out.deleted, vec![folders[0].clone()]);
    let left = keys_on_disk(&root);
    assert!(!left.iter().any(|k| k.starts_with(&folders[0])), "{left:?}");
    assert!(left.iter().any(|k| k.starts_with(&folders[1])));
    assert!(left.iter().any(|k| k.starts_with(&folders[2])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_writes_nothing() {
    let (dir, root) = tmp("dry");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = Arc::new(store(&server.endpoint));
    let req = request(
        vec![
            write(dir.path(), "a.csv", &data(1000, 1)),
            write(dir.path(), "b.csv", &data((11 * MIB) as usize, 1)),
        ],
        "x/",
    );
    let opts = StageOptions {
        dry_run: true,
        ..options()
    };
    let out = stage(s, &req, &opts, Arc::new(NoProgress)).await.unwrap();
    assert_eq!(out.objects[0].action, Action::Put);
    assert_eq!(
        out.objects[1].action,
        Action::Multipart {
            uploaded: 3,
            reused: 0
        }
    );
    assert_eq!(server.writes(), 0);
    assert!(keys_on_disk(&root).is_empty());
}

/// A client that sends a checksum only where asked (the SDK adds a CRC32 to every PutObject by
/// default): for overwriting a staged object as other tools do.
fn raw_client(endpoint: &str) -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, RequestChecksumCalculation};
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            preflight_s3_test_server::ACCESS_KEY,
            preflight_s3_test_server::SECRET_KEY,
            None,
            None,
            "test",
        ))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// The same number of bytes, one of them changed.
fn tampered(bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let i = b.len() / 2;
    b[i] = if b[i] == b'7' { b'8' } else { b'7' };
    b
}

/// The issue that lets an unverified object through: an object overwritten with other bytes of
/// the same size, with a checksum of another algorithm (the AWS CLI sends CRC32) or none, was
/// taken for the staged one (a HeadObject without a CRC64NVME checksum passed), by a re-run of
/// the stage and by the import's manifest check alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_overwritten_with_another_checksum_or_none_is_not_taken_for_the_staged_one() {
    use aws_smithy_checksums::ChecksumAlgorithm as Alg;
    use preflight_uploader::import::verify_manifest;
    let cases = [
        (
            "a crc32 checksum",
            Some(Alg::Crc32),
            "only a crc32 checksum",
        ),
        ("no checksum", None, "reports no checksum"),
        (
            "a crc64nvme checksum",
            Some(Alg::Crc64Nvme),
            "the store reports crc64nvme",
        ),
    ];
    for (how, alg, why) in cases {
        for name in ["small.csv", "big.csv"] {
            let what = format!("{name} overwritten with {how}");
            let (dir, root) = tmp("tamper");
            let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
            let s = Arc::new(store(&server.endpoint));
            let small = data(30_000, 1);
            let big = data((7 * MIB) as usize, 2); // two parts
            let req = request(
                vec![
                    write(dir.path(), "small.csv", &small),
                    write(dir.path(), "big.csv", &big),
                ],
                "p/",
            );
            let first = stage(s.clone(), &req, &options(), Arc::new(NoProgress))
                .await
                .unwrap();
            verify_manifest(s.as_ref(), &first.run_folder)
                .await
                .unwrap_or_else(|e| panic!("{what}: the untouched folder was refused: {e}"));

            let original = if name == "small.csv" { &small } else { &big };
            let key = format!("{}{name}", first.run_folder);
            let body = tampered(original);
            let sum = alg.map(|a| {
                let mut h = a.into_impl();
                h.update(&body);
                aws_smithy_types::base64::encode(&h.finalize()[..])
            });
            let mut put = raw_client(&server.endpoint)
                .put_object()
                .bucket(BUCKET)
                .key(&key)
                .body(aws_sdk_s3::primitives::ByteStream::from(body));
            // As the AWS CLI sends it: the algorithm named, and its value.
            use aws_sdk_s3::types::ChecksumAlgorithm as Sdk;
            put = match alg {
                Some(Alg::Crc32) => put.checksum_algorithm(Sdk::Crc32).set_checksum_crc32(sum),
                Some(_) => put
                    .checksum_algorithm(Sdk::Crc64Nvme)
                    .set_checksum_crc64_nvme(sum),
                None => put,
            };
            put.send().await.unwrap();

            // The import's check refuses the folder, naming the object and why.
            let err = match verify_manifest(s.as_ref(), &first.run_folder).await {
                Ok(_) => panic!("{what}: the import's manifest check passed the folder"),
                Err(e) => e.to_string(),
            };
            assert!(err.contains(&format!("`{name}`")), "{what}: {err}");
            assert!(err.contains(why), "{what}: {err}");
            let other = if name == "small.csv" {
                "big.csv"
            } else {
                "small.csv"
            };
            assert!(!err.contains(&format!("`{other}`")), "{what}: {err}");

            // A re-run of the stage does not take the folder for this data: a fresh one.
            let later = StageOptions {
                now: options().now + Duration::from_secs(60),
                ..options()
            };
            let again = stage(s.clone(), &req, &later, Arc::new(NoProgress))
                .await
                .unwrap();
            assert!(!again.already_staged, "{what}: taken as already staged");
            assert_ne!(again.run_folder, first.run_folder, "{what}");
            let fresh = format!("{}{name}", again.run_folder);
            assert_eq!(read_object(&s, &fresh).await, *original, "{what}");
            verify_manifest(s.as_ref(), &again.run_folder)
                .await
                .unwrap_or_else(|e| panic!("{what}: the fresh folder was refused: {e}"));
        }
    }
}

/// The test server takes a multipart upload with CRC32 parts as the AWS CLI sends them
/// (`benches/compare.sh` uploads its file with `aws s3 cp` to compare with `stage`), and refuses
/// a part whose CRC32 is not its bytes', as S3 does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_server_takes_crc32_multipart_uploads_as_the_aws_cli_sends_them() {
    use aws_sdk_s3::primitives::ByteStream;
    use aws_sdk_s3::types::{ChecksumAlgorithm as Sdk, CompletedMultipartUpload, CompletedPart};
    let crc32 = |b: &[u8]| {
        let mut h = aws_smithy_checksums::ChecksumAlgorithm::Crc32.into_impl();
        h.update(b);
        aws_smithy_types::base64::encode(&h.finalize()[..])
    };
    let (_dir, root) = tmp("crc32");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let c = raw_client(&server.endpoint);
    let body = data((6 * MIB) as usize, 3);
    let (first, second) = body.split_at((5 * MIB) as usize);
    let id = c
        .create_multipart_upload()
        .bucket(BUCKET)
        .key("k.csv")
        .checksum_algorithm(Sdk::Crc32)
        .send()
        .await
        .unwrap()
        .upload_id
        .unwrap();
    let part = |n: i32, bytes: &[u8], sum: String| {
        c.upload_part()
            .bucket(BUCKET)
            .key("k.csv")
            .upload_id(&id)
            .part_number(n)
            .checksum_crc32(sum)
            .body(ByteStream::from(bytes.to_vec()))
            .send()
    };
    let err = part(1, first, crc32(second)).await.unwrap_err();
    assert!(
        format!("{err:?}").contains("BadDigest"),
        "a part with a wrong CRC32 was taken: {err:?}"
    );
    let mut parts = Vec::new();
    for (n, bytes) in [(1, first), (2, second)] {
        let r = part(n, bytes, crc32(bytes)).await.unwrap();
        assert_eq!(r.checksum_crc32.as_deref(), Some(crc32(bytes).as_str()));
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .set_e_tag(r.e_tag)
                .checksum_crc32(crc32(bytes))
                .build(),
        );
    }
    let listed = c
        .list_parts()
        .bucket(BUCKET)
        .key("k.csv")
        .upload_id(&id)
        .send()
        .await
        .unwrap();
    let sums: Vec<_> = listed
        .parts()
        .iter()
        .map(|p| p.checksum_crc32.clone())
        .collect();
    assert_eq!(sums, vec![Some(crc32(first)), Some(crc32(second))]);
    c.complete_multipart_upload()
        .bucket(BUCKET)
        .key("k.csv")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got = c
        .get_object()
        .bucket(BUCKET)
        .key("k.csv")
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    assert_eq!(got.as_ref(), body.as_slice());
}

/// The local folder store has the same hole when it trusts a record kept beside the file: a
/// staged file edited in place, keeping its size, was taken for the staged one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_file_edited_in_place_is_not_taken_for_the_staged_one() {
    use std::io::{Seek, SeekFrom, Write};
    for name in ["a.csv", "b.csv"] {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("staging");
        let s = Arc::new(LocalStore::new(&staging));
        let a = data(20_000, 1);
        let b = data((11 * MIB) as usize, 9); // three parts
        let req = request(
            vec![
                write(dir.path(), "a.csv", &a),
                write(dir.path(), "b.csv", &b),
            ],
            "",
        );
        let first = stage(s.clone(), &req, &options(), Arc::new(NoProgress))
            .await
            .unwrap();
        let staged = staging
            .join(first.run_folder.trim_end_matches('/'))
            .join(name);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&staged)
            .unwrap();
        f.seek(SeekFrom::Start(100)).unwrap();
        f.write_all(b"#").unwrap();
        drop(f);

        let later = StageOptions {
            now: options().now + Duration::from_secs(60),
            ..options()
        };
        let again = stage(s.clone(), &req, &later, Arc::new(NoProgress))
            .await
            .unwrap();
        assert!(!again.already_staged, "{name}: taken as already staged");
        assert_ne!(again.run_folder, first.run_folder, "{name}");
        let fresh = staging
            .join(again.run_folder.trim_end_matches('/'))
            .join(name);
        let original = if name == "a.csv" { &a } else { &b };
        assert_eq!(std::fs::read(fresh).unwrap(), *original, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_multipart_checksums_is_verified_by_reading_back() {
    // s3s-fs alone keeps no checksum for multipart objects and cannot list uploads: the
    // object's bytes are read back and hashed (a size proves nothing).
    let (dir, root) = tmp("bare");
    let server = TestServer::start(
        &root,
        BUCKET,
        ServerOptions {
            bare: true,
            ..ServerOptions::default()
        },
    )
    .await;
    let s = Arc::new(store(&server.endpoint));
    let req = request(
        vec![
            write(dir.path(), "a.csv", &data(1000, 1)),
            write(dir.path(), "b.csv", &data((11 * MIB) as usize, 1)),
        ],
        "",
    );
    let out = stage(s.clone(), &req, &options(), Arc::new(NoProgress))
        .await
        .unwrap();
    assert_eq!(out.read_back.len(), 1, "{:?}", out.read_back);
    assert_eq!(out.read_back[0].0, out.objects[1].key);
    assert!(
        out.read_back[0].1.contains("reports no checksum"),
        "{:?}",
        out.read_back
    );
    let manifest: Manifest =
        serde_json::from_slice(&read_object(&s, &out.manifest_key).await).unwrap();
    assert_eq!(manifest.files[0].verified, "checksum");
    assert_eq!(manifest.files[1].verified, "read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_store_has_the_same_layout_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let staging = dir.path().join("staging");
    let s = Arc::new(LocalStore::new(&staging));
    let big = data((11 * MIB) as usize, 9);
    let req = request(
        vec![
            write(dir.path(), "a.csv", &data(1000, 1)),
            write(dir.path(), "b.csv", &big),
        ],
        "",
    );
    // An interrupted upload: part 1 of b.csv is already there.
    let out = stage(
        s.clone(),
        &req,
        &StageOptions {
            dry_run: true,
            ..options()
        },
        Arc::new(NoProgress),
    )
    .await
    .unwrap();
    assert!(!staging.exists(), "a dry run created the directory");
    let key = out.objects[1].key.clone();
    let id = s
        .create_multipart_upload(&key, ChecksumAlgorithm::Crc64nvme)
        .await
        .unwrap();
    let part = Bytes::copy_from_slice(&big[..(5 * MIB) as usize]);
    let sum = Checksum {
        algorithm: ChecksumAlgorithm::Crc64nvme,
        value: checksum_of(ChecksumAlgorithm::Crc64nvme, &part),
    };
    s.upload_part(&key, &id, 1, part, &sum).await.unwrap();

    let out = stage(s.clone(), &req, &options(), Arc::new(NoProgress))
        .await
        .unwrap();
    assert_eq!(
        out.objects[1].action,
        Action::Multipart {
            uploaded: 2,
            reused: 1
        }
    );
    let folder = staging.join(out.run_folder.trim_end_matches('/'));
    assert_eq!(std::fs::read(folder.join("b.csv")).unwrap(), big);
    let mut names: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["_preflight", "a.csv", "b.csv"]);
    assert!(folder.join("_preflight/manifest.json").is_file());
    assert_eq!(out.data_location, format!("{}/", folder.display()));

    let again = stage(s, &req, &options(), Arc::new(NoProgress))
        .await
        .unwrap();
    assert!(again.already_staged);
}

#[test]
fn an_object_streams_into_blocking_code_in_bounded_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("server");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(TestServer::start(&root, BUCKET, ServerOptions::default()));
    let s = Arc::new(store(&server.endpoint));
    let bytes = data((3 * MIB + 5) as usize, 8);
    let sum = Checksum {
        algorithm: ChecksumAlgorithm::Crc64nvme,
        value: checksum_of(ChecksumAlgorithm::Crc64nvme, &bytes),
    };
    rt.block_on(s.put_object("in/a.csv", Bytes::from(bytes.clone()), &sum))
        .unwrap();
    let mut reader =
        BlockingObjectReader::new(rt.handle().clone(), s, "in/a.csv".into(), 64 << 10, 2);
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut reader, &mut out).unwrap();
    assert_eq!(out, bytes);
}

/// One PutObject as the client put it on the wire.
#[derive(Debug, Clone)]
struct SentPut {
    uri: String,
    headers: Vec<(String, String)>,
    /// Whether the body was bytes in memory (else it is read as it is sent).
    in_memory: bool,
}

impl SentPut {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Records every PutObject (not the parts) just before it is sent.
#[derive(Debug, Clone, Default)]
struct PutWatch(Arc<std::sync::Mutex<Vec<SentPut>>>);

impl aws_sdk_s3::config::Intercept for PutWatch {
    fn name(&self) -> &'static str {
        "PutWatch"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_sdk_s3::config::RuntimeComponents,
        _: &mut aws_sdk_s3::config::ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        let r = context.request();
        if r.method() == "PUT" && !r.uri().contains("partNumber=") {
            self.0.lock().unwrap().push(SentPut {
                uri: r.uri().to_string(),
                headers: r
                    .headers()
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
                in_memory: r.body().bytes().is_some(),
            });
        }
        Ok(())
    }
}

/// The tests' S3 store, its client watched by `watch`.
fn watched_store(endpoint: &str, watch: PutWatch) -> S3Store {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            preflight_s3_test_server::ACCESS_KEY,
            preflight_s3_test_server::SECRET_KEY,
            None,
            None,
            "test",
        ))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .interceptor(watch)
        .build();
    S3Store::from_client(
        aws_sdk_s3::Client::from_conf(conf),
        BUCKET,
        &preflight_uploader::S3Options::default(),
    )
}

/// A file below the multipart threshold goes up in one PutObject whose body is read from the
/// file as it is sent (so memory never holds the file, however large: up to 5 GiB with
/// `--multipart-threshold 5120`), with the checksum computed beforehand in its header and its
/// exact length: no aws-chunked encoding, no trailer, and the store still checks the bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_put_streams_the_file_with_its_checksum_in_a_header() {
    let (dir, root) = tmp("streamed");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let watch = PutWatch::default();
    let s = Arc::new(watched_store(&server.endpoint, watch.clone()));
    let bytes = data((3 * MIB) as usize + 17, 4);
    for alg in [ChecksumAlgorithm::Crc64nvme, ChecksumAlgorithm::Sha256] {
        let req = request(vec![write(dir.path(), "a.csv", &bytes)], &format!("{alg}/"));
        let opts = StageOptions {
            checksum: alg,
            ..options()
        };
        let out = stage(s.clone(), &req, &opts, Arc::new(NoProgress))
            .await
            .unwrap();
        let key = format!("{}a.csv", out.run_folder);
        assert_eq!(out.objects[0].action, Action::Put, "{alg}");
        assert_eq!(read_object(&s, &key).await, bytes, "{alg}");
        let puts: Vec<SentPut> = watch
            .0
            .lock()
            .unwrap()
            .drain(..)
            .filter(|p| p.uri.contains(&key))
            .collect();
        assert_eq!(puts.len(), 1, "{alg}: {puts:?}");
        let put = &puts[0];
        assert!(
            !put.in_memory,
            "{alg}: the file was read into memory to be sent"
        );
        let len = bytes.len().to_string();
        assert_eq!(put.header("content-length"), Some(len.as_str()), "{alg}");
        let sum = checksum_of(alg, &bytes);
        assert_eq!(
            put.header(&format!("x-amz-checksum-{alg}")),
            Some(sum.as_str()),
            "{alg}: {put:?}"
        );
        assert_eq!(put.header("x-amz-trailer"), None, "{alg}: {put:?}");
        // A body streamed from the file is never hashed for the signature (that would read the
        // file twice): its signed checksum header is what binds it.
        assert_eq!(
            put.header("x-amz-content-sha256"),
            Some("UNSIGNED-PAYLOAD"),
            "{alg}: {put:?}"
        );
        assert!(
            put.header("content-encoding")
                .is_none_or(|e| !e.contains("aws-chunked")),
            "{alg}: {put:?}"
        );
        let manifest: Manifest =
            serde_json::from_slice(&read_object(&s, &out.manifest_key).await).unwrap();
        assert_eq!(manifest.files[0].verified, "checksum", "{alg}");
    }
}

/// A PutObject the store fails (500) is retried by the SDK, which sends the body again from the
/// file's first byte: a body read from a file must be opened anew for each attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_the_store_fails_is_sent_again_from_the_start_of_the_file() {
    let (dir, root) = tmp("retried");
    let server = TestServer::start(
        &root,
        BUCKET,
        ServerOptions {
            fail_puts: 1,
            ..ServerOptions::default()
        },
    )
    .await;
    let s = Arc::new(store(&server.endpoint));
    let bytes = data((2 * MIB) as usize + 5, 7);
    let req = request(vec![write(dir.path(), "a.csv", &bytes)], "p/");
    let out = stage(s.clone(), &req, &options(), Arc::new(NoProgress))
        .await
        .unwrap();
    // The data file twice (the first attempt answered 500), then the manifest.
    assert_eq!(server.puts(), 3);
    let key = format!("{}a.csv", out.run_folder);
    assert_eq!(read_object(&s, &key).await, bytes);
    assert_eq!(
        s.head_object(&key)
            .await
            .unwrap()
            .unwrap()
            .checksum(ChecksumAlgorithm::Crc64nvme),
        Some(checksum_of(ChecksumAlgorithm::Crc64nvme, &bytes).as_str())
    );
}

/// S3's `NotImplemented` names the call, the key, the HTTP status, the code and the message,
/// as every other S3 error does (s3s-fs alone does not implement ListMultipartUploads).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_the_store_lacks_is_named_with_its_key_and_the_answer() {
    let (_dir, root) = tmp("notimpl");
    let server = TestServer::start(
        &root,
        BUCKET,
        ServerOptions {
            bare: true,
            ..ServerOptions::default()
        },
    )
    .await;
    let s = store(&server.endpoint);
    let err = s
        .list_multipart_uploads("team/interactions/")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unsupported { .. }), "{err:?}");
    let shown = err.to_string();
    for part in [
        "ListMultipartUploads",
        "`team/interactions/`",
        "HTTP 501",
        "NotImplemented",
        "ListMultipartUploads is not implemented yet",
    ] {
        assert!(shown.contains(part), "{part}: {shown}");
    }
}

/// The kernel's high-water mark of this process's resident memory (`VmHWM`), in bytes.
#[cfg(target_os = "linux")]
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib << 10
}

/// Memory is bounded by buffers, never by the input's size: staging a 96 MiB file in one
/// PutObject (as `--multipart-threshold 5120` does for files up to 5 GiB), to S3 and to a local
/// folder, raises the process's peak resident memory by far less than the file. The peak counts
/// the whole process, so each store is measured in a child process that runs this test alone.
#[cfg(target_os = "linux")]
#[test]
fn a_single_put_holds_buffers_not_the_file() {
    const CHILD: &str = "PREFLIGHT_TEST_PEAK_OF";
    // The test's path in the test binary (its module, then its name), for `--exact`.
    const NAME: &str = "s3::a_single_put_holds_buffers_not_the_file";
    let size = 96 * MIB;
    if let Ok(target) = std::env::var(CHILD) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        {
            use std::io::Write;
            let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            let chunk = data(MIB as usize, 3);
            for i in 0..size / MIB {
                f.write_all(format!("u{i},").as_bytes()).unwrap();
                f.write_all(&chunk[format!("u{i},").len()..]).unwrap();
            }
            f.flush().unwrap();
        }
        let file = StageFile {
            name: "big.csv".into(),
            path,
            records: 1,
            lines: 1,
        };
        let opts = StageOptions {
            multipart_threshold: 5120 * MIB,
            ..options()
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let req = request(vec![file], "");
        let growth = rt.block_on(async {
            let out = if target == "s3" {
                let server =
                    TestServer::start(&dir.path().join("server"), BUCKET, ServerOptions::default())
                        .await;
                let s = Arc::new(store(&server.endpoint));
                let before = peak_rss();
                let out = stage(s, &req, &opts, Arc::new(NoProgress)).await;
                (out, peak_rss() - before)
            } else {
                let s = Arc::new(LocalStore::new(dir.path().join("staging")));
                let before = peak_rss();
                let out = stage(s, &req, &opts, Arc::new(NoProgress)).await;
                (out, peak_rss() - before)
            };
            let (out, growth) = out;
            assert_eq!(out.unwrap().objects[0].action, Action::Put);
            growth
        });
        println!("peak growth: {growth}");
        return;
    }
    for target in ["s3", "local"] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([NAME, "--exact", "--nocapture", "--test-threads", "1"])
            .env(CHILD, target)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{target}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let growth: u64 = stdout
            .split("peak growth: ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{target}: no measure in {stdout}"));
        eprintln!(
            "{target}: staging {size} bytes in one PutObject raised the peak RSS by {growth} bytes"
        );
        assert!(
            growth < size / 4,
            "{target}: staging a {size}-byte file in one PutObject raised the peak resident memory by {growth} bytes"
        );
    }
}

/// A multipart upload whose full-object checksum does not match its parts fails, and leaves
/// whatever its key held, as S3 does: the folder store checks the checksum before the object
/// takes the key (it used to put the new object in place, then delete it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_store_keeps_the_object_a_failed_completion_would_replace() {
    let dir = tempfile::tempdir().unwrap();
    let s = LocalStore::new(dir.path().join("staging"));
    let alg = ChecksumAlgorithm::Crc64nvme;
    let sum = |b: &[u8]| Checksum {
        algorithm: alg,
        value: checksum_of(alg, b),
    };
    let old = data(1000, 1);
    s.put_object("p/a.csv", Bytes::from(old.clone()), &sum(&old))
        .await
        .unwrap();
    let new = data(2000, 2);
    let id = s.create_multipart_upload("p/a.csv", alg).await.unwrap();
    let part = s
        .upload_part("p/a.csv", &id, 1, Bytes::from(new.clone()), &sum(&new))
        .await
        .unwrap();
    let err = s
        .complete_multipart_upload("p/a.csv", &id, alg, &[part], Some(&sum(b"other").value))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadDigest { .. }), "{err}");
    let mut body = s.get_object("p/a.csv").await.unwrap();
    let mut got = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut body, &mut got)
        .await
        .unwrap();
    assert_eq!(got, old);
}

/// The progress of a gated stage, for the tests: once `after` bytes are sent it fires `sent`;
/// when the upload waits for the verdict it notes what the bucket holds, then fires
/// `waiting`.
struct GateWatch {
    root: PathBuf,
    after: u64,
    done: std::sync::atomic::AtomicU64,
    sent: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    waiting: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    /// The objects in the bucket when the upload began to wait for the verdict.
    held: std::sync::Mutex<Option<Vec<String>>>,
}

impl GateWatch {
    #[allow(clippy::type_complexity)]
    fn new(
        root: &Path,
        after: u64,
    ) -> (
        Arc<GateWatch>,
        tokio::sync::oneshot::Receiver<()>,
        tokio::sync::oneshot::Receiver<()>,
    ) {
        let (sent_tx, sent_rx) = tokio::sync::oneshot::channel();
        let (waiting_tx, waiting_rx) = tokio::sync::oneshot::channel();
        let w = GateWatch {
            root: root.to_path_buf(),
            after,
            done: Default::default(),
            sent: std::sync::Mutex::new(Some(sent_tx)),
            waiting: std::sync::Mutex::new(Some(waiting_tx)),
            held: Default::default(),
        };
        (Arc::new(w), sent_rx, waiting_rx)
    }
}

impl preflight_uploader::Progress for GateWatch {
    fn advance(&self, bytes: u64) {
        let done = self
            .done
            .fetch_add(bytes, std::sync::atomic::Ordering::SeqCst)
            + bytes;
        if done >= self.after {
            if let Some(tx) = self.sent.lock().unwrap().take() {
                let _ = tx.send(());
            }
        }
    }
    fn waiting(&self) {
        *self.held.lock().unwrap() = Some(keys_on_disk(&self.root));
        if let Some(tx) = self.waiting.lock().unwrap().take() {
            let _ = tx.send(());
        }
    }
}

/// The gate's verdict arrives only once a receiver fires (or, if it never does, after 20 s,
/// so that a stage that does not wait for it fails its assertions instead of hanging).
async fn late<T>(rx: tokio::sync::oneshot::Receiver<()>, verdict: Gate<T>) -> Gate<T> {
    let _ = tokio::time::timeout(Duration::from_secs(20), rx).await;
    verdict
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gated_stage_sends_parts_before_the_verdict_and_commits_only_after_it() {
    let (dir, root) = tmp("gated-go");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = Arc::new(store(&server.endpoint));
    let small = data(20_000, 1);
    let big = data((17 * MIB + 12_345) as usize, 2); // 4 parts of 5 MiB
    let req = request(
        vec![
            write(dir.path(), "a-small.csv", &small),
            write(dir.path(), "b-big.csv", &big),
        ],
        "",
    );
    // What validation found, which the stage began without.
    let mut validated = req.clone();
    validated.files[0].records = 1_000;
    validated.files[1].records = 700_000;
    validated.files[1].lines = 700_001;
    validated.validation = serde_json::json!({"errors": 0, "warnings": 3, "forced": false});
    let (watch, _sent, waiting) = GateWatch::new(&root, u64::MAX);
    let gate = late(waiting, Gate::<()>::Go(Box::new(validated)));
    let out = stage_gated(s.clone(), &req, &options(), watch.clone(), gate)
        .await
        .unwrap();
    let Gated::Staged(out) = out else {
        panic!("the gate said go, and the stage stopped");
    };

    // Every part was sent before the verdict, and nothing was committed: no object yet.
    assert_eq!(
        watch.held.lock().unwrap().clone(),
        Some(Vec::new()),
        "the stage did not wait for the verdict with nothing committed"
    );
    assert_eq!(server.parts_received(), 4);
    assert_eq!(out.objects[0].action, Action::Put);
    assert_eq!(
        out.objects[1].action,
        Action::Multipart {
            uploaded: 4,
            reused: 0
        }
    );
    assert_eq!(read_object(&s, &out.objects[0].key).await, small);
    assert_eq!(read_object(&s, &out.objects[1].key).await, big);
    // The manifest records the verdict's validation.
    let manifest: Manifest =
        serde_json::from_slice(&read_object(&s, &out.manifest_key).await).unwrap();
    assert_eq!(manifest.files[0].records, 1_000);
    assert_eq!(
        (manifest.files[1].records, manifest.files[1].lines),
        (700_000, 700_001)
    );
    assert_eq!(manifest.validation["warnings"], 3);
    assert!(s.list_multipart_uploads("").await.unwrap().is_empty());

    // The same files staged without a gate name the same run folder: the name does not
    // depend on the verdict.
    let (_dir2, root2) = tmp("gated-plain");
    let server2 = TestServer::start(&root2, BUCKET, ServerOptions::default()).await;
    let plain = stage(
        Arc::new(store(&server2.endpoint)),
        &req,
        &options(),
        Arc::new(NoProgress),
    )
    .await
    .unwrap();
    assert_eq!(plain.run_folder, out.run_folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_after_parts_were_sent_aborts_every_upload_and_commits_nothing() {
    let (dir, root) = tmp("gated-stop");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = Arc::new(store(&server.endpoint));
    let req = request(
        vec![
            write(dir.path(), "a-small.csv", &data(20_000, 5)),
            write(dir.path(), "b-big.csv", &data((26 * MIB + 7) as usize, 6)), // 6 parts
        ],
        "",
    );
    let opts = StageOptions {
        concurrency: 1,
        ..options()
    };
    // Validation says stop once the first part is in.
    let (watch, sent, _waiting) = GateWatch::new(&root, 5 * MIB);
    let gate = late(sent, Gate::Stop("2 error(s)"));
    let out = stage_gated(s.clone(), &req, &opts, watch.clone(), gate)
        .await
        .unwrap();
    let Gated::Stopped { reason, aborted } = out else {
        panic!("the gate said stop, and the stage went on");
    };
    assert_eq!(reason, "2 error(s)");
    assert!(
        server.parts_received() >= 1,
        "no part was sent before the verdict"
    );
    assert_eq!(aborted.len(), 1, "{aborted:?}");
    assert!(aborted[0].ends_with("/b-big.csv"), "{aborted:?}");
    // No object, no manifest, no upload in progress, no part on the server's disk.
    assert!(keys_on_disk(&root).is_empty(), "{:?}", keys_on_disk(&root));
    assert!(s.list_multipart_uploads("").await.unwrap().is_empty());
    assert!(
        preflight_s3_test_server::open_uploads(&root, BUCKET).is_empty(),
        "{:?}",
        preflight_s3_test_server::open_uploads(&root, BUCKET)
    );
    assert_eq!(watch.held.lock().unwrap().clone(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_leaves_nothing_when_only_small_files_wait() {
    let (dir, root) = tmp("gated-stop-small");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = Arc::new(store(&server.endpoint));
    let req = request(vec![write(dir.path(), "a.csv", &data(20_000, 7))], "team/");
    let (watch, _sent, waiting) = GateWatch::new(&root, u64::MAX);
    let gate = late(waiting, Gate::Stop(()));
    let out = stage_gated(s.clone(), &req, &options(), watch.clone(), gate)
        .await
        .unwrap();
    assert!(matches!(out, Gated::Stopped { ref aborted, .. } if aborted.is_empty()));
    assert_eq!(watch.held.lock().unwrap().clone(), Some(Vec::new()));
    assert_eq!(
        server.writes(),
        0,
        "a small file was written before the verdict"
    );
    assert!(keys_on_disk(&root).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verdict_that_names_another_run_starts_over_in_that_run_folder() {
    let (dir, root) = tmp("gated-restart");
    let server = TestServer::start(&root, BUCKET, ServerOptions::default()).await;
    let s = Arc::new(store(&server.endpoint));
    let req = request(
        vec![write(dir.path(), "big.csv", &data((17 * MIB) as usize, 3))],
        "",
    );
    // A built-in schema adapted to another header than the run was named for.
    let mut validated = req.clone();
    validated.schema.fingerprint = "fedcba9876543210".into();
    let (watch, sent, _waiting) = GateWatch::new(&root, 5 * MIB);
    let gate = late(sent, Gate::<()>::Go(Box::new(validated.clone())));
    let Gated::Staged(out) = stage_gated(s.clone(), &req, &options(), watch, gate)
        .await
        .unwrap()
    else {
        panic!("stopped");
    };
    let manifest: Manifest =
        serde_json::from_slice(&read_object(&s, &out.manifest_key).await).unwrap();
    assert_eq!(manifest.schema.fingerprint, "fedcba9876543210");
    // The folder is the one the verdict's request names, and only it exists.
    let (_dir2, root2) = tmp("gated-restart-plain");
    let server2 = TestServer::start(&root2, BUCKET, ServerOptions::default()).await;
    let plain = stage(
        Arc::new(store(&server2.endpoint)),
        &validated,
        &options(),
        Arc::new(NoProgress),
    )
    .await
    .unwrap();
    assert_eq!(plain.run_folder, out.run_folder);
    assert_eq!(
        keys_on_disk(&root),
        vec![
            format!("{}{MANIFEST_KEY}", out.run_folder),
            format!("{}big.csv", out.run_folder)
        ]
    );
    assert!(s.list_multipart_uploads("").await.unwrap().is_empty());
}
