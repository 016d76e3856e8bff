//! The import job through the real `aws-sdk-personalize` client, with the service's answers
//! mocked by `aws-smithy-mocks` (Personalize has no local emulator). Responses are the JSON the
//! service sends (awsJson1.1 bodies, `__type` error codes, status strings with a space), so the
//! SDK's deserialization runs too. Time is a [`ManualClock`]: no test waits.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_personalize::config::retry::RetryConfig;
use aws_sdk_personalize::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use preflight_s3_test_server::{ServerOptions, TestServer};
use preflight_uploader::checksum::checksum_of;
use preflight_uploader::import::{
    active_dataset, check_bulk_data, check_mode, current_bulk_jobs, submit, verify_manifest, watch,
};
use preflight_uploader::personalize::{list_all_import_jobs, Personalize};
use preflight_uploader::{
    classify_failure, seal, Backoff, Checksum, ChecksumAlgorithm, CreateImportJob, DataSource,
    FailureKind, ImportError, ImportMode, ManualClock, ObjectStore, PersonalizeError, Queue,
    S3Store, SchemaInfo, SdkPersonalize, SealFile, SealRequest, Tool, WatchOutcome,
};

const DATASET: &str = "arn:aws:personalize:us-east-1:123456789012:dataset/shop/INTERACTIONS";
const JOB: &str = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/j1";
const ROLE: &str = "arn:aws:iam::123456789012:role/PersonalizeS3";

fn client(rules: &[&Rule]) -> SdkPersonalize {
    SdkPersonalize::from_client(mock_client!(
        aws_sdk_personalize,
        RuleMode::MatchAny,
        rules,
        |c| c.retry_config(RetryConfig::disabled())
    ))
}

fn job_json(status: &str, reason: Option<&str>) -> String {
    let mut j = serde_json::json!({
        "jobName": "j1",
        "datasetImportJobArn": JOB,
        "datasetArn": DATASET,
        "dataSource": {"dataLocation": "s3://imports/team/interactions/run/"},
        "roleArn": ROLE,
        "status": status,
        "importMode": "FULL",
        "creationDateTime": 1.764e9,
        "lastUpdatedDateTime": 1.764e9
    });
    if let Some(r) = reason {
        j["failureReason"] = r.into();
    }
    serde_json::json!({ "datasetImportJob": j }).to_string()
}

fn error(code: &str, message: &str) -> Option<String> {
    Some(serde_json::json!({"__type": code, "message": message}).to_string())
}

fn request(name: &str) -> CreateImportJob {
    CreateImportJob {
        job_name: name.into(),
        dataset_arn: DATASET.into(),
        data_source: DataSource {
            data_location: "s3://imports/team/interactions/run/".into(),
        },
        role_arn: ROLE.into(),
        import_mode: ImportMode::Full,
    }
}

fn summary(name: &str, status: &str, mode: &str, created: u64) -> serde_json::Value {
    serde_json::json!({
        "datasetImportJobArn": format!("arn:aws:personalize:us-east-1:123456789012:dataset-import-job/{name}"),
        "jobName": name,
        "status": status,
        "importMode": mode,
        "creationDateTime": created as f64,
        "lastUpdatedDateTime": created as f64
    })
}

fn page(jobs: &[serde_json::Value], next: Option<&str>) -> String {
    let mut v = serde_json::json!({ "datasetImportJobs": jobs });
    if let Some(n) = next {
        v["nextToken"] = n.into();
    }
    v.to_string()
}

/// ListDatasetImportJobs for the whole region (no datasetArn): `n` pending or running jobs.
fn region_with_pending(n: usize) -> Rule {
    let jobs: Vec<_> = (0..n)
        .map(|i| {
            let st = if i % 2 == 0 {
                "CREATE PENDING"
            } else {
                "CREATE IN_PROGRESS"
            };
            summary(&format!("other{i}"), st, "FULL", 1_763_000_000)
        })
        .chain([summary("old", "ACTIVE", "FULL", 1_700_000_000)])
        .collect();
    let body = page(&jobs, None);
    mock!(Client::list_dataset_import_jobs)
        .match_requests(|r| r.dataset_arn().is_none())
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build()
}

#[tokio::test]
async fn job_goes_pending_in_progress_active_with_backoff() {
    let create = mock!(Client::create_dataset_import_job)
        .match_requests(|r| {
            r.job_name() == Some("j1")
                && r.dataset_arn() == Some(DATASET)
                && r.role_arn() == Some(ROLE)
                && r.data_source().and_then(|d| d.data_location())
                    == Some("s3://imports/team/interactions/run/")
                && r.import_mode().map(|m| m.as_str()) == Some("FULL")
        })
        .sequence()
        .http_status(200, Some(format!(r#"{{"datasetImportJobArn":"{JOB}"}}"#)))
        .build();
    let describe = mock!(Client::describe_dataset_import_job)
        .match_requests(|r| r.dataset_import_job_arn() == Some(JOB))
        .sequence()
        .http_status(200, Some(job_json("CREATE PENDING", None)))
        .http_status(200, Some(job_json("CREATE IN_PROGRESS", None)))
        .times(3)
        .http_status(200, Some(job_json("ACTIVE", None)))
        .build();
    let region = region_with_pending(2);
    let p = client(&[&create, &describe, &region]);
    let clock = ManualClock::new();
    let arn = submit(
        &p,
        &request("j1"),
        Queue::Fail,
        &clock,
        Backoff::default(),
        &mut |_, _| panic!("no wait expected"),
    )
    .await
    .unwrap();
    assert_eq!(arn, JOB);
    let mut seen = Vec::new();
    let out = watch(&p, &arn, &clock, Backoff::default(), None, &mut |j, t| {
        seen.push((j.status.clone(), t.as_secs()))
    })
    .await
    .unwrap();
    let WatchOutcome::Active(job) = out else {
        panic!("expected ACTIVE, got {out:?}")
    };
    assert_eq!(
        job.data_location.as_deref(),
        Some("s3://imports/team/interactions/run/")
    );
    assert_eq!(
        seen,
        [
            ("CREATE PENDING".to_string(), 0),
            ("CREATE IN_PROGRESS".to_string(), 5),
            ("CREATE IN_PROGRESS".to_string(), 15),
            ("CREATE IN_PROGRESS".to_string(), 35),
            ("ACTIVE".to_string(), 75),
        ]
    );
    assert_eq!(
        clock.sleeps(),
        [5, 10, 20, 40].map(Duration::from_secs).to_vec()
    );
    assert_eq!(describe.num_calls(), 5);
    assert_eq!(create.num_calls(), 1);
}

#[tokio::test]
async fn create_failed_reports_the_reason_and_its_meaning() {
    let reason = "Failed to create a data import job for Interactions dataset....Input CSV is missing the following columns:[TIMESTAMP].";
    let describe = mock!(Client::describe_dataset_import_job)
        .sequence()
        .http_status(200, Some(job_json("CREATE PENDING", None)))
        .http_status(200, Some(job_json("CREATE FAILED", Some(reason))))
        .build();
    let p = client(&[&describe]);
    let clock = ManualClock::new();
    let out = watch(&p, JOB, &clock, Backoff::default(), None, &mut |_, _| {})
        .await
        .unwrap();
    let WatchOutcome::Failed(job) = out else {
        panic!("expected CREATE FAILED, got {out:?}")
    };
    assert_eq!(job.status, "CREATE FAILED");
    assert_eq!(job.failure_reason.as_deref(), Some(reason));
    assert_eq!(
        classify_failure(job.failure_reason.as_deref().unwrap()),
        Some(FailureKind::MissingColumns(vec!["TIMESTAMP".into()]))
    );
}

#[tokio::test]
async fn watch_stops_at_the_timeout_without_failing_the_job() {
    let describe = mock!(Client::describe_dataset_import_job)
        .sequence()
        .http_status(200, Some(job_json("CREATE IN_PROGRESS", None)))
        .repeatedly()
        .build();
    let p = client(&[&describe]);
    let clock = ManualClock::new();
    let out = watch(
        &p,
        JOB,
        &clock,
        Backoff::default(),
        Some(Duration::from_secs(30)),
        &mut |_, _| {},
    )
    .await
    .unwrap();
    assert!(matches!(out, WatchOutcome::TimedOut(ref j) if j.status == "CREATE IN_PROGRESS"));
    // 5 + 10, then the 15 s left: never past the timeout.
    assert_eq!(
        clock.sleeps(),
        [5, 10, 15].map(Duration::from_secs).to_vec()
    );
}

#[tokio::test]
async fn limit_exceeded_waits_for_a_slot_or_fails_with_no_queue() {
    // The listing says 4 jobs, but another client takes the last slot first.
    let region = region_with_pending(4);
    let create = mock!(Client::create_dataset_import_job)
        .sequence()
        .http_status(
            400,
            error(
                "LimitExceededException",
                "More than 5 resources with PENDING or IN_PROGRESS status.",
            ),
        )
        .http_status(200, Some(format!(r#"{{"datasetImportJobArn":"{JOB}"}}"#)))
        .build();
    let p = client(&[&create, &region]);
    let clock = ManualClock::new();
    let mut waits = Vec::new();
    let arn = submit(
        &p,
        &request("j1"),
        Queue::Wait,
        &clock,
        Backoff::default(),
        &mut |n, d| waits.push((n, d)),
    )
    .await
    .unwrap();
    assert_eq!(arn, JOB);
    assert_eq!(waits, [(5, Duration::from_secs(5))]);
    assert_eq!(create.num_calls(), 2);

    let region = region_with_pending(4);
    let create = mock!(Client::create_dataset_import_job)
        .sequence()
        .http_status(
            400,
            error(
                "LimitExceededException",
                "More than 5 resources with PENDING or IN_PROGRESS status.",
            ),
        )
        .build();
    let p = client(&[&create, &region]);
    let err = submit(
        &p,
        &request("j1"),
        Queue::Fail,
        &clock,
        Backoff::default(),
        &mut |_, _| {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ImportError::QueueFull { pending: 5 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn full_queue_with_no_queue_creates_nothing() {
    let region = region_with_pending(5);
    let create = mock!(Client::create_dataset_import_job)
        .then_output(|| {
            aws_sdk_personalize::operation::create_dataset_import_job::CreateDatasetImportJobOutput::builder()
                .dataset_import_job_arn(JOB)
                .build()
        });
    let p = client(&[&create, &region]);
    let clock = ManualClock::new();
    let err = submit(
        &p,
        &request("j1"),
        Queue::Fail,
        &clock,
        Backoff::default(),
        &mut |_, _| {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ImportError::QueueFull { pending: 5 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("--no-queue"), "{err}");
    assert_eq!(create.num_calls(), 0);
    assert!(clock.sleeps().is_empty());

    // Waiting: polls the region with the backoff until a slot frees up.
    let full = page(
        &(0..5)
            .map(|i| summary(&format!("o{i}"), "CREATE IN_PROGRESS", "FULL", 1))
            .collect::<Vec<_>>(),
        None,
    );
    let freed = page(&[summary("o0", "ACTIVE", "FULL", 1)], None);
    let region = mock!(Client::list_dataset_import_jobs)
        .sequence()
        .http_status(200, Some(full))
        .times(2)
        .http_status(200, Some(freed))
        .build();
    let p = client(&[&create, &region]);
    let mut told = Vec::new();
    let arn = submit(
        &p,
        &request("j1"),
        Queue::Wait,
        &clock,
        Backoff::default(),
        &mut |n, d| told.push((n, d.as_secs())),
    )
    .await
    .unwrap();
    assert_eq!(arn, JOB);
    assert_eq!(told, [(5, 5), (5, 10)]);
    assert_eq!(create.num_calls(), 1);
}

#[tokio::test]
async fn a_taken_job_name_is_resource_already_exists() {
    let region = region_with_pending(0);
    let create = mock!(Client::create_dataset_import_job)
        .match_requests(|r| r.job_name() == Some("nightly-1"))
        .sequence()
        .http_status(
            400,
            error(
                "ResourceAlreadyExistsException",
                "The specified resource already exists.",
            ),
        )
        .build();
    let p = client(&[&create, &region]);
    let clock = ManualClock::new();
    let err = submit(
        &p,
        &request("nightly-1"),
        Queue::Wait,
        &clock,
        Backoff::default(),
        &mut |_, _| {},
    )
    .await
    .unwrap_err();
    match err {
        ImportError::Personalize(PersonalizeError::AlreadyExists {
            resource,
            operation,
            ..
        }) => {
            assert_eq!(resource, "nightly-1");
            assert_eq!(operation, "CreateDatasetImportJob");
        }
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    // An invalid name never reaches the service.
    let err = submit(
        &p,
        &request("bad name"),
        Queue::Wait,
        &clock,
        Backoff::default(),
        &mut |_, _| {},
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ImportError::JobName(_)), "{err:?}");
    assert_eq!(create.num_calls(), 1);
}

#[tokio::test]
async fn a_missing_dataset_is_resource_not_found() {
    let describe = mock!(Client::describe_dataset)
        .sequence()
        .http_status(
            400,
            error(
                "ResourceNotFoundException",
                "Could not find resource with ARN",
            ),
        )
        .build();
    let p = client(&[&describe]);
    let err = active_dataset(&p, DATASET).await.unwrap_err();
    match err {
        ImportError::Personalize(PersonalizeError::NotFound { resource, .. }) => {
            assert_eq!(resource, DATASET)
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn dataset_must_be_active() {
    let body = |status: &str| {
        serde_json::json!({"dataset": {
            "name": "shop-interactions", "datasetArn": DATASET,
            "datasetGroupArn": "arn:aws:personalize:us-east-1:123456789012:dataset-group/shop",
            "datasetType": "Interactions",
            "schemaArn": "arn:aws:personalize:us-east-1:123456789012:schema/shop-interactions",
            "status": status, "creationDateTime": 1.7e9, "lastUpdatedDateTime": 1.7e9
        }})
        .to_string()
    };
    let describe = mock!(Client::describe_dataset)
        .sequence()
        .http_status(200, Some(body("CREATE IN_PROGRESS")))
        .http_status(200, Some(body("ACTIVE")))
        .build();
    let p = client(&[&describe]);
    let err = active_dataset(&p, DATASET).await.unwrap_err();
    assert!(
        matches!(err, ImportError::DatasetNotActive { ref status, .. } if status == "CREATE IN_PROGRESS"),
        "{err:?}"
    );
    let d = active_dataset(&p, DATASET).await.unwrap();
    assert_eq!(d.dataset_type, "Interactions");
    assert!(d.schema_arn.ends_with("schema/shop-interactions"));
}

#[tokio::test]
async fn incremental_is_refused_without_a_successful_import() {
    let list = mock!(Client::list_dataset_import_jobs)
        .match_requests(|r| r.dataset_arn() == Some(DATASET))
        .sequence()
        .http_status(200, Some(page(&[], None)))
        .http_status(
            200,
            Some(page(
                &[summary("first", "CREATE FAILED", "FULL", 1_700_000_000)],
                None,
            )),
        )
        .http_status(
            200,
            Some(page(
                &[summary("first", "ACTIVE", "FULL", 1_700_000_000)],
                None,
            )),
        )
        .build();
    let p = client(&[&list]);
    for _ in 0..2 {
        let err = check_mode(&p, DATASET, ImportMode::Incremental)
            .await
            .unwrap_err();
        assert!(matches!(err, ImportError::NoBulkImport { .. }), "{err:?}");
        assert!(err.to_string().contains("--mode full"), "{err}");
    }
    check_mode(&p, DATASET, ImportMode::Incremental)
        .await
        .unwrap();
    // FULL needs no history (and asks for none).
    check_mode(&p, DATASET, ImportMode::Full).await.unwrap();
    assert_eq!(list.num_calls(), 3);
}

/// FULL into a dataset that had an ACTIVE import replaces its bulk data: refused unless the
/// caller knows what it replaces; INCREMENTAL needs such an import. Both say whether it had one.
#[tokio::test]
async fn full_over_bulk_data_is_refused_unless_the_caller_knows_what_it_replaces() {
    let list = mock!(Client::list_dataset_import_jobs)
        .match_requests(|r| r.dataset_arn() == Some(DATASET))
        .sequence()
        .http_status(
            200,
            Some(page(
                &[summary("first", "ACTIVE", "FULL", 1_700_000_000)],
                None,
            )),
        )
        .times(3)
        .http_status(
            200,
            Some(page(
                &[summary("first", "CREATE FAILED", "FULL", 1_700_000_000)],
                None,
            )),
        )
        .build();
    let p = client(&[&list]);
    let err = check_bulk_data(&p, DATASET, ImportMode::Full, false)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ImportError::WouldReplaceBulkData { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("--allow-drop"), "{err}");
    assert!(err.to_string().contains("--existing-from-history"), "{err}");
    assert!(check_bulk_data(&p, DATASET, ImportMode::Full, true)
        .await
        .unwrap());
    assert!(check_bulk_data(&p, DATASET, ImportMode::Incremental, false)
        .await
        .unwrap());
    // No ACTIVE import: nothing to replace.
    assert!(!check_bulk_data(&p, DATASET, ImportMode::Full, false)
        .await
        .unwrap());
    assert_eq!(list.num_calls(), 4);
}

#[tokio::test]
async fn list_import_jobs_follows_next_token_and_history_picks_the_current_jobs() {
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let seen = tokens.clone();
    let first = page(
        &[
            summary("inc-old", "ACTIVE", "INCREMENTAL", 1_000),
            summary("full-1", "ACTIVE", "FULL", 900),
            summary("inc-2", "ACTIVE", "INCREMENTAL", 3_000),
        ],
        Some("page-2"),
    );
    let second = page(
        &[
            summary("full-2", "ACTIVE", "FULL", 2_000),
            summary("inc-failed", "CREATE FAILED", "INCREMENTAL", 3_500),
            summary("inc-3", "ACTIVE", "INCREMENTAL", 4_000),
        ],
        None,
    );
    let list = mock!(Client::list_dataset_import_jobs)
        .match_requests(move |r| {
            seen.lock().unwrap().push(r.next_token().map(String::from));
            r.dataset_arn() == Some(DATASET)
        })
        .sequence()
        .http_status(200, Some(first.clone()))
        .http_status(200, Some(second.clone()))
        .http_status(200, Some(first))
        .http_status(200, Some(second))
        .build();
    let describe = mock!(Client::describe_dataset_import_job).then_compute_output(|r| {
        let arn = r.dataset_import_job_arn().unwrap_or_default().to_string();
        let name = arn.rsplit('/').next().unwrap_or_default().to_string();
        aws_sdk_personalize::operation::describe_dataset_import_job::DescribeDatasetImportJobOutput::builder()
            .dataset_import_job(
                aws_sdk_personalize::types::DatasetImportJob::builder()
                    .dataset_import_job_arn(&arn)
                    .job_name(&name)
                    .status("ACTIVE")
                    .data_source(
                        aws_sdk_personalize::types::DataSource::builder()
                            .data_location(format!("s3://imports/{name}/"))
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let p = client(&[&list, &describe]);
    let all = list_all_import_jobs(&p, Some(DATASET)).await.unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(*tokens.lock().unwrap(), [None, Some("page-2".to_string())]);
    let current = current_bulk_jobs(&p, DATASET).await.unwrap();
    let names: Vec<_> = current.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(names, ["full-2", "inc-2", "inc-3"]);
    assert_eq!(
        current[0].data_location.as_deref(),
        Some("s3://imports/full-2/")
    );
    assert_eq!(list.num_calls(), 4);
    let p2 = Some("page-2".to_string());
    assert_eq!(*tokens.lock().unwrap(), [None, p2.clone(), None, p2]);
}

fn s3(endpoint: &str) -> S3Store {
    common::s3_store(endpoint)
}

async fn put(store: &S3Store, key: &str, body: &[u8]) {
    let sum = Checksum {
        algorithm: ChecksumAlgorithm::Crc64nvme,
        value: checksum_of(ChecksumAlgorithm::Crc64nvme, body),
    };
    store
        .put_object(key, bytes::Bytes::copy_from_slice(body), &sum)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_sealed_folder_that_changed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), "imports", ServerOptions::default()).await;
    let store = s3(&server.endpoint);
    let folder = "etl/2025-11-24/";
    put(
        &store,
        &format!("{folder}part-0.csv"),
        b"USER_ID,ITEM_ID,TIMESTAMP\nu,i,1\n",
    )
    .await;
    put(
        &store,
        &format!("{folder}part-1.csv"),
        b"USER_ID,ITEM_ID,TIMESTAMP\nv,j,2\n",
    )
    .await;

    // No manifest yet: refused, with the way out.
    let err = verify_manifest(&store, folder).await.unwrap_err();
    assert!(err.to_string().contains("--unverified"), "{err}");
    assert!(err.to_string().contains("--seal"), "{err}");

    let listing = store.list_objects(folder, true).await.unwrap();
    let mut files = Vec::new();
    for o in &listing.objects {
        files.push(SealFile {
            before: store.head_object(&o.key).await.unwrap().unwrap(),
            records: 1,
            lines: 2,
        });
    }
    let req = SealRequest {
        folder: folder.into(),
        dataset_type: "interactions".into(),
        schema: SchemaInfo::default(),
        validation: serde_json::json!({"errors": 0}),
        tool: Tool {
            name: "preflight".into(),
            version: "test".into(),
        },
        now: std::time::SystemTime::now(),
    };
    let manifest = seal(&store, &req, &files).await.unwrap();
    assert_eq!(manifest.files.len(), 2);
    assert!(
        manifest.files.iter().all(|f| f.etag.is_some()),
        "{manifest:?}"
    );
    let ok = verify_manifest(&store, folder).await.unwrap();
    assert!(ok.read_back.is_empty());

    // Same size, other bytes: the ETag and the checksum both differ.
    put(
        &store,
        &format!("{folder}part-1.csv"),
        b"USER_ID,ITEM_ID,TIMESTAMP\nw,k,3\n",
    )
    .await;
    let err = verify_manifest(&store, folder).await.unwrap_err();
    assert!(matches!(err, ImportError::Manifest(_)));
    let msg = err.to_string();
    assert!(msg.contains("`part-1.csv` has ETag"), "{msg}");
    assert!(!msg.contains("part-0.csv"), "{msg}");

    // Re-sealed, then an extra object appears at the first level.
    let files: Vec<SealFile> = {
        let mut v = Vec::new();
        for f in &files {
            v.push(SealFile {
                before: store.head_object(&f.before.key).await.unwrap().unwrap(),
                ..f.clone()
            });
        }
        v
    };
    seal(&store, &req, &files).await.unwrap();
    verify_manifest(&store, folder).await.unwrap();
    put(
        &store,
        &format!("{folder}late.csv"),
        b"USER_ID,ITEM_ID,TIMESTAMP\n",
    )
    .await;
    let err = verify_manifest(&store, folder).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("`late.csv` is in the folder but not in the manifest"),
        "{err}"
    );

    // Sealing refuses objects that changed since validation read them.
    let stale = SealFile {
        before: files[0].before.clone(),
        ..files[0].clone()
    };
    put(
        &store,
        &stale.before.key,
        b"USER_ID,ITEM_ID,TIMESTAMP\nchanged,x,9\n",
    )
    .await;
    let err = seal(&store, &req, &[stale]).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("changed while it was being validated"),
        "{err}"
    );
    server.stop();
}

/// Objects an ETL job wrote without checksums: sealing reads each back and records its
/// checksum (an ETag alone proves no bytes), so the import's check can tell the bytes apart.
#[tokio::test]
async fn sealing_objects_without_checksums_records_their_bytes() {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, RequestChecksumCalculation};
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), "imports", ServerOptions::default()).await;
    let store = s3(&server.endpoint);
    let raw = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "t"))
            .endpoint_url(&server.endpoint)
            .force_path_style(true)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .build(),
    );
    let put_plain = |key: &str, body: &'static [u8]| {
        raw.put_object()
            .bucket("imports")
            .key(key)
            .body(aws_sdk_s3::primitives::ByteStream::from_static(body))
            .send()
    };
    let folder = "etl/plain/";
    put_plain(
        "etl/plain/part-0.csv",
        b"USER_ID,ITEM_ID,TIMESTAMP\nu,i,1\n",
    )
    .await
    .unwrap();
    let before = store
        .head_object("etl/plain/part-0.csv")
        .await
        .unwrap()
        .unwrap();
    assert!(before.checksums.is_empty(), "{before:?}");
    let req = SealRequest {
        folder: folder.into(),
        dataset_type: "interactions".into(),
        schema: SchemaInfo::default(),
        validation: serde_json::json!({"errors": 0}),
        tool: Tool {
            name: "preflight".into(),
            version: "test".into(),
        },
        now: std::time::SystemTime::now(),
    };
    let files = [SealFile {
        before,
        records: 1,
        lines: 2,
    }];
    let manifest = seal(&store, &req, &files).await.unwrap();
    let f = &manifest.files[0];
    assert_eq!(f.verified, "etag+read");
    assert_eq!(
        f.checksum,
        checksum_of(
            preflight_uploader::ChecksumAlgorithm::Crc64nvme,
            b"USER_ID,ITEM_ID,TIMESTAMP\nu,i,1\n"
        )
    );
    let ok = verify_manifest(&store, folder).await.unwrap();
    assert_eq!(ok.read_back.len(), 1, "{:?}", ok.read_back);

    // Other bytes of the same size, still without a checksum: refused (its ETag changed too).
    put_plain(
        "etl/plain/part-0.csv",
        b"USER_ID,ITEM_ID,TIMESTAMP\nv,j,2\n",
    )
    .await
    .unwrap();
    let err = verify_manifest(&store, folder)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("`part-0.csv`"), "{err}");
    server.stop();
}

#[tokio::test]
async fn every_documented_create_error_maps_to_its_variant() {
    use preflight_uploader::Personalize;
    type IsVariant = fn(&PersonalizeError) -> bool;
    let cases: [(&str, IsVariant); 6] = [
        ("InvalidInputException", |e| {
            matches!(e, PersonalizeError::InvalidInput { .. })
        }),
        ("ResourceNotFoundException", |e| {
            matches!(e, PersonalizeError::NotFound { .. })
        }),
        ("ResourceAlreadyExistsException", |e| {
            matches!(e, PersonalizeError::AlreadyExists { .. })
        }),
        ("LimitExceededException", |e| {
            matches!(e, PersonalizeError::LimitExceeded { .. })
        }),
        ("ResourceInUseException", |e| {
            matches!(e, PersonalizeError::InUse { .. })
        }),
        (
            "TooManyTagsException",
            |e| matches!(e, PersonalizeError::Service { code, .. } if code == "TooManyTagsException"),
        ),
    ];
    for (code, is) in cases {
        let create = mock!(Client::create_dataset_import_job)
            .sequence()
            .http_status(400, error(code, "the service's message"))
            .build();
        let p = client(&[&create]);
        let err = p
            .create_dataset_import_job(&request("j1"))
            .await
            .unwrap_err();
        assert!(is(&err), "{code} became {err:?}");
        assert!(err.to_string().contains("the service's message"), "{err}");
        assert!(err.to_string().contains("CreateDatasetImportJob"), "{err}");
    }
}

/// A Personalize account for the fault test, as the service answers: an ACTIVE dataset with an
/// earlier ACTIVE FULL import, one other job pending in the region, job names unique (a taken
/// name is `ResourceAlreadyExistsException`), and a created job that goes CREATE PENDING →
/// CREATE IN_PROGRESS → ACTIVE. `created` lists the jobs that exist.
struct Account {
    rules: Vec<Rule>,
    created: Arc<Mutex<Vec<String>>>,
}

fn account() -> Account {
    use aws_sdk_personalize::operation::create_dataset_import_job::CreateDatasetImportJobOutput;
    use aws_smithy_mocks::MockResponse;
    let dataset = serde_json::json!({"dataset": {
        "name": "shop-interactions", "datasetArn": DATASET,
        "datasetGroupArn": "arn:aws:personalize:us-east-1:123456789012:dataset-group/shop",
        "datasetType": "Interactions",
        "schemaArn": "arn:aws:personalize:us-east-1:123456789012:schema/shop-interactions",
        "status": "ACTIVE", "creationDateTime": 1.7e9, "lastUpdatedDateTime": 1.7e9
    }})
    .to_string();
    let describe_dataset = mock!(Client::describe_dataset)
        .sequence()
        .http_status(200, Some(dataset))
        .repeatedly()
        .build();
    let history = serde_json::json!({"datasetImportJobs": [summary("full-1", "ACTIVE", "FULL", 1_700_000_000)]}).to_string();
    let list_dataset = mock!(Client::list_dataset_import_jobs)
        .match_requests(|r| r.dataset_arn() == Some(DATASET))
        .sequence()
        .http_status(200, Some(history))
        .repeatedly()
        .build();
    let region_body = serde_json::json!({"datasetImportJobs": [summary("other", "CREATE PENDING", "FULL", 1_700_000_000)]}).to_string();
    let list_region = mock!(Client::list_dataset_import_jobs)
        .match_requests(|r| r.dataset_arn().is_none())
        .sequence()
        .http_status(200, Some(region_body))
        .repeatedly()
        .build();
    let created = Arc::new(Mutex::new(Vec::<String>::new()));
    let names = created.clone();
    let create = mock!(Client::create_dataset_import_job).then_compute_response(move |r| {
        let name = r.job_name().unwrap_or_default().to_string();
        let mut names = names.lock().unwrap();
        if names.contains(&name) {
            // As the service answers: the awsJson error body, with its `__type`.
            let body = error(
                "ResourceAlreadyExistsException",
                &format!("The dataset import job {name} already exists"),
            );
            return MockResponse::Http(aws_sdk_personalize::config::http::HttpResponse::new(
                400.try_into().unwrap(),
                aws_smithy_types::body::SdkBody::from(body.unwrap()),
            ));
        }
        names.push(name.clone());
        MockResponse::Output(
            CreateDatasetImportJobOutput::builder()
                .dataset_import_job_arn(format!(
                    "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/{name}"
                ))
                .build(),
        )
    });
    let describe_job = mock!(Client::describe_dataset_import_job)
        .sequence()
        .http_status(200, Some(job_json("CREATE PENDING", None)))
        .http_status(200, Some(job_json("CREATE IN_PROGRESS", None)))
        .http_status(200, Some(job_json("ACTIVE", None)))
        .repeatedly()
        .build();
    Account {
        rules: vec![
            describe_dataset,
            list_dataset,
            list_region,
            create,
            describe_job,
        ],
        created,
    }
}

/// What `preflight import --mode incremental --wait` asks Personalize, in its order (the
/// manifest check between the mode check and the submission is S3's; fault.rs fails it).
async fn import_sequence<P: Personalize>(
    p: &P,
    clock: &ManualClock,
) -> Result<WatchOutcome, String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    active_dataset(p, DATASET).await.map_err(|x| e(&x))?;
    check_mode(p, DATASET, ImportMode::Incremental)
        .await
        .map_err(|x| e(&x))?;
    let mut req = request("nightly-7");
    req.import_mode = ImportMode::Incremental;
    let arn = submit(
        p,
        &req,
        Queue::Wait,
        clock,
        Backoff::default(),
        &mut |_, _| {},
    )
    .await
    .map_err(|x| e(&x))?;
    watch(p, &arn, clock, Backoff::default(), None, &mut |_, _| {})
        .await
        .map_err(|x| e(&x))
}

/// Every Personalize call of an import, failed in turn every way (as fault.rs does for S3): a
/// failure before CreateDatasetImportJob creates nothing; a lost answer to it leaves exactly the
/// one job; a failure while watching leaves the job running; and the re-run with the same job
/// name never creates a second job (the name is taken: ResourceAlreadyExists), or creates the one
/// job that the failure prevented.
#[tokio::test]
async fn every_personalize_call_failed_every_way_never_makes_a_second_job() {
    use preflight_uploader::fault::{Fault, FaultPlan, FaultyPersonalize};
    let kinds = [
        (
            "500 InternalServerError",
            Fault::Service {
                code: "InternalServerError".into(),
                status: 500,
            },
        ),
        (
            "400 ThrottlingException",
            Fault::Service {
                code: "ThrottlingException".into(),
                status: 400,
            },
        ),
        ("connection reset", Fault::Transport { applied: false }),
        ("answer lost", Fault::Transport { applied: true }),
        ("timeout", Fault::Hang),
        ("nothing to corrupt", Fault::Corrupt),
    ];
    // A clean run: how many calls, and that it works.
    let acct = account();
    let counting = Arc::new(FaultPlan::new());
    let rules: Vec<&Rule> = acct.rules.iter().collect();
    let p = FaultyPersonalize::new(client(&rules), counting.clone());
    let clock = ManualClock::new();
    let clean = import_sequence(&p, &clock).await.unwrap();
    assert!(matches!(clean, WatchOutcome::Active(_)), "{clean:?}");
    let ops: Vec<&str> = counting.calls().iter().map(|c| c.operation).collect();
    assert_eq!(
        ops,
        [
            "DescribeDataset",
            "ListDatasetImportJobs",
            "ListDatasetImportJobs",
            "CreateDatasetImportJob",
            "DescribeDatasetImportJob",
            "DescribeDatasetImportJob",
            "DescribeDatasetImportJob"
        ]
    );
    let total = ops.len();

    for (name, fault) in &kinds {
        for n in 1..=total {
            let acct = account();
            let rules: Vec<&Rule> = acct.rules.iter().collect();
            let plan = Arc::new(FaultPlan::new().fail_nth(None, n, fault.clone()));
            let p = FaultyPersonalize::new(client(&rules), plan.clone())
                .with_timeout(Duration::from_millis(10));
            let clock = ManualClock::new();
            let result = import_sequence(&p, &clock).await;
            let op = ops[n - 1];
            let what = format!("call {n} of {total} ({op}): {name}");
            let jobs = acct.created.lock().unwrap().clone();
            let create_at = 4;
            if *fault == Fault::Corrupt {
                assert!(
                    matches!(result, Ok(WatchOutcome::Active(_))),
                    "{what}: {result:?}"
                );
                assert_eq!(jobs.len(), 1, "{what}");
            } else if n < create_at {
                assert!(result.is_err(), "{what}: {result:?}");
                assert!(
                    jobs.is_empty(),
                    "{what}: a job was created after a failed check"
                );
            } else if n == create_at {
                assert!(result.is_err(), "{what}: {result:?}");
                let applied = *fault == Fault::Transport { applied: true };
                assert_eq!(jobs.len(), usize::from(applied), "{what}");
            } else {
                // Watching failed: the job exists and goes on.
                assert!(result.is_err(), "{what}: {result:?}");
                assert_eq!(jobs.len(), 1, "{what}");
            }

            // The re-run, with nothing failing.
            let again = FaultyPersonalize::new(client(&rules), Arc::new(FaultPlan::new()));
            let rerun = import_sequence(&again, &clock).await;
            let after = acct.created.lock().unwrap().clone();
            assert_eq!(after, ["nightly-7"], "{what}: the re-run made {after:?}");
            if jobs.is_empty() {
                assert!(
                    matches!(rerun, Ok(WatchOutcome::Active(_))),
                    "{what}: {rerun:?}"
                );
            } else {
                let msg = rerun.expect_err(&what);
                assert!(msg.contains("already exists"), "{what}: {msg}");
            }
        }
    }
}

// ---- The dataset group's models and retraining ---------------------------------------------

mod models_and_training {
    use super::*;
    use preflight_uploader::fault::{Fault, FaultPlan, FaultyPersonalize};
    use preflight_uploader::recommendations::{effect, Change, Reach};
    use preflight_uploader::solutions::{dataset_group_models, start_training, watch_training};
    use preflight_uploader::{
        choose_training_mode, CreateSolutionVersion, Model, TrainingMode, Watched,
    };

    const GROUP: &str = "arn:aws:personalize:us-east-1:123456789012:dataset-group/shop";
    const UP: &str = "arn:aws:personalize:us-east-1:123456789012:solution/shop-up";
    const SIMS: &str = "arn:aws:personalize:us-east-1:123456789012:solution/shop-sims";
    const VERSION: &str = "arn:aws:personalize:us-east-1:123456789012:solution/shop-up/8f1c0a2b";

    fn solution_summary(arn: &str, recipe: &str) -> serde_json::Value {
        serde_json::json!({
            "name": arn.rsplit('/').next().unwrap(),
            "solutionArn": arn,
            "status": "ACTIVE",
            "creationDateTime": 1.7e9,
            "lastUpdatedDateTime": 1.7e9,
            "recipeArn": format!("arn:aws:personalize:::recipe/{recipe}")
        })
    }

    fn describe_solution(arn: &str, recipe: &str, auto_training: bool) -> String {
        let mut s = serde_json::json!({
            "name": arn.rsplit('/').next().unwrap(),
            "solutionArn": arn,
            "performHPO": false,
            "performAutoML": false,
            "performAutoTraining": auto_training,
            "recipeArn": format!("arn:aws:personalize:::recipe/{recipe}"),
            "datasetGroupArn": GROUP,
            "solutionConfig": {},
            "status": "ACTIVE",
            "creationDateTime": 1.7e9,
            "lastUpdatedDateTime": 1.7e9,
            "latestSolutionVersion": {
                "solutionVersionArn": format!("{arn}/1a2b3c4d"),
                "status": "ACTIVE",
                "trainingMode": if auto_training { "AUTOTRAIN" } else { "FULL" },
                "trainingType": if auto_training { "AUTOMATIC" } else { "MANUAL" },
                "creationDateTime": 1.7e9,
                "lastUpdatedDateTime": 1.7e9
            }
        });
        if auto_training {
            s["solutionConfig"] =
                serde_json::json!({"autoTrainingConfig": {"schedulingExpression": "rate(7 days)"}});
        }
        serde_json::json!({ "solution": s }).to_string()
    }

    fn models_rules() -> Vec<Rule> {
        let page1 = serde_json::json!({
            "solutions": [solution_summary(UP, "aws-user-personalization")],
            "nextToken": "page-2"
        })
        .to_string();
        let page2 = serde_json::json!({
            "solutions": [solution_summary(SIMS, "aws-sims")]
        })
        .to_string();
        let recommenders = serde_json::json!({"recommenders": [{
            "name": "shop-rfy",
            "recommenderArn": "arn:aws:personalize:us-east-1:123456789012:recommender/shop-rfy",
            "datasetGroupArn": GROUP,
            "recipeArn": "arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you",
            "recommenderConfig": {"minRecommendationRequestsPerSecond": 1},
            "status": "ACTIVE",
            "creationDateTime": 1.7e9,
            "lastUpdatedDateTime": 1.7e9
        }]})
        .to_string();
        let up = describe_solution(UP, "aws-user-personalization", true);
        let sims = describe_solution(SIMS, "aws-sims", false);
        vec![
            mock!(Client::list_solutions)
                .match_requests(|r| {
                    r.dataset_group_arn() == Some(GROUP) && r.next_token().is_none()
                })
                .sequence()
                .http_status(200, Some(page1))
                .repeatedly()
                .build(),
            mock!(Client::list_solutions)
                .match_requests(|r| r.next_token() == Some("page-2"))
                .sequence()
                .http_status(200, Some(page2))
                .repeatedly()
                .build(),
            mock!(Client::describe_solution)
                .match_requests(|r| r.solution_arn() == Some(UP))
                .sequence()
                .http_status(200, Some(up))
                .repeatedly()
                .build(),
            mock!(Client::describe_solution)
                .match_requests(|r| r.solution_arn() == Some(SIMS))
                .sequence()
                .http_status(200, Some(sims))
                .repeatedly()
                .build(),
            mock!(Client::list_recommenders)
                .match_requests(|r| r.dataset_group_arn() == Some(GROUP))
                .sequence()
                .http_status(200, Some(recommenders))
                .repeatedly()
                .build(),
        ]
    }

    #[tokio::test]
    async fn the_dataset_groups_models_and_what_the_import_changes_in_each() {
        let rules = models_rules();
        let refs: Vec<&Rule> = rules.iter().collect();
        let p = client(&refs);
        let models = dataset_group_models(&p, GROUP).await.unwrap();
        let names: Vec<&str> = models.iter().map(Model::name).collect();
        assert_eq!(names, ["shop-up", "shop-sims", "shop-rfy"]);
        let Model::Solution(up) = &models[0] else {
            panic!("{models:?}")
        };
        assert_eq!(up.auto_training, Some(true));
        assert_eq!(up.auto_training_schedule.as_deref(), Some("rate(7 days)"));
        assert_eq!(
            up.latest_version
                .as_ref()
                .map(|v| v.training_mode.as_deref()),
            Some(Some("AUTOTRAIN"))
        );
        // What the import changes, per model.
        let items = |m: &Model| effect(m, Change::NewItems).text;
        let interactions = |m: &Model| effect(m, Change::NewInteractions).text;
        assert!(items(&models[0]).starts_with("new items: automatic update within about 2 hours"));
        assert!(interactions(&models[0]).contains("at the next automatic training (rate(7 days)"));
        assert!(items(&models[1]).contains("needs a new solution version"));
        assert!(interactions(&models[1]).contains("needs a new solution version"));
        assert!(items(&models[2]).contains("about 2 hours"));
        assert_eq!(
            effect(&models[2], Change::NewInteractions).reach,
            Reach::WeeklyRetraining
        );
    }

    fn version_json(status: &str, mode: &str, reason: Option<&str>) -> String {
        let mut v = serde_json::json!({
            "name": "8f1c0a2b",
            "solutionVersionArn": VERSION,
            "solutionArn": UP,
            "performHPO": false,
            "performAutoML": false,
            "recipeArn": "arn:aws:personalize:::recipe/aws-user-personalization",
            "datasetGroupArn": GROUP,
            "trainingMode": mode,
            "trainingType": "MANUAL",
            "status": status,
            "creationDateTime": 1.764e9,
            "lastUpdatedDateTime": 1.764e9
        });
        if status == "ACTIVE" {
            v["trainingHours"] = 1.25.into();
        }
        if let Some(r) = reason {
            v["failureReason"] = r.into();
        }
        serde_json::json!({ "solutionVersion": v }).to_string()
    }

    #[tokio::test]
    async fn training_goes_pending_in_progress_active_with_the_import_backoff() {
        let rules = models_rules();
        let mut refs: Vec<&Rule> = rules.iter().collect();
        // Only items changed, on User-Personalization with an ACTIVE version: UPDATE.
        let models = dataset_group_models(&client(&refs), GROUP).await.unwrap();
        let Model::Solution(up) = &models[0] else {
            panic!()
        };
        let choice = choose_training_mode(up, &[Change::NewItems]);
        assert_eq!(choice.mode, TrainingMode::Update);
        let create = mock!(Client::create_solution_version)
            .match_requests(|r| {
                r.solution_arn() == Some(UP)
                    && r.training_mode().map(|m| m.as_str()) == Some("UPDATE")
            })
            .sequence()
            .http_status(
                200,
                Some(format!(r#"{{"solutionVersionArn":"{VERSION}"}}"#)),
            )
            .build();
        let describe = mock!(Client::describe_solution_version)
            .match_requests(|r| r.solution_version_arn() == Some(VERSION))
            .sequence()
            .http_status(200, Some(version_json("CREATE PENDING", "UPDATE", None)))
            .http_status(
                200,
                Some(version_json("CREATE IN_PROGRESS", "UPDATE", None)),
            )
            .times(2)
            .http_status(200, Some(version_json("ACTIVE", "UPDATE", None)))
            .build();
        refs.push(&create);
        refs.push(&describe);
        let p = client(&refs);
        let request = CreateSolutionVersion {
            solution_arn: UP.into(),
            training_mode: choice.mode,
            name: None,
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::json!({"solutionArn": UP, "trainingMode": "UPDATE"})
        );
        let arn = start_training(&p, &request).await.unwrap();
        assert_eq!(arn, VERSION);
        let clock = ManualClock::new();
        let mut seen = Vec::new();
        let out = watch_training(&p, &arn, &clock, Backoff::default(), None, &mut |v, t| {
            seen.push((v.status.clone(), t.as_secs()))
        })
        .await
        .unwrap();
        let Watched::Active(v) = out else {
            panic!("expected ACTIVE, got {out:?}")
        };
        assert_eq!(v.training_hours, Some(1.25));
        assert_eq!(v.training_mode.as_deref(), Some("UPDATE"));
        assert_eq!(
            seen,
            [
                ("CREATE PENDING".to_string(), 0),
                ("CREATE IN_PROGRESS".to_string(), 5),
                ("CREATE IN_PROGRESS".to_string(), 15),
                ("ACTIVE".to_string(), 35),
            ]
        );
        // The same waits as the import watch.
        assert_eq!(
            clock.sleeps(),
            [5, 10, 20].map(Duration::from_secs).to_vec()
        );
        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_failed_training_reports_its_reason_and_a_timeout_leaves_it_running() {
        let reason =
            "Create failed. Dataset has fewer than 25 users with at least 2 interactions each.";
        let describe = mock!(Client::describe_solution_version)
            .sequence()
            .http_status(200, Some(version_json("CREATE PENDING", "FULL", None)))
            .http_status(
                200,
                Some(version_json("CREATE FAILED", "FULL", Some(reason))),
            )
            .build();
        let p = client(&[&describe]);
        let clock = ManualClock::new();
        let out = watch_training(
            &p,
            VERSION,
            &clock,
            Backoff::default(),
            None,
            &mut |_, _| {},
        )
        .await
        .unwrap();
        let Watched::Failed(v) = out else {
            panic!("expected CREATE FAILED, got {out:?}")
        };
        assert_eq!(v.failure_reason.as_deref(), Some(reason));

        let stopped = mock!(Client::describe_solution_version)
            .sequence()
            .http_status(200, Some(version_json("CREATE STOPPING", "FULL", None)))
            .http_status(200, Some(version_json("CREATE STOPPED", "FULL", None)))
            .build();
        let p = client(&[&stopped]);
        let out = watch_training(
            &p,
            VERSION,
            &clock,
            Backoff::default(),
            None,
            &mut |_, _| {},
        )
        .await
        .unwrap();
        assert!(
            matches!(out, Watched::Failed(ref v) if v.status == "CREATE STOPPED"),
            "{out:?}"
        );

        let running = mock!(Client::describe_solution_version)
            .sequence()
            .http_status(200, Some(version_json("CREATE IN_PROGRESS", "FULL", None)))
            .repeatedly()
            .build();
        let p = client(&[&running]);
        let clock = ManualClock::new();
        let out = watch_training(
            &p,
            VERSION,
            &clock,
            Backoff::default(),
            Some(Duration::from_secs(30)),
            &mut |_, _| {},
        )
        .await
        .unwrap();
        assert!(matches!(out, Watched::TimedOut(_)), "{out:?}");
        assert_eq!(
            clock.sleeps(),
            [5, 10, 15].map(Duration::from_secs).to_vec()
        );
    }

    #[tokio::test]
    async fn a_training_already_running_is_reported_as_in_use() {
        let create = mock!(Client::create_solution_version)
            .sequence()
            .http_status(
                400,
                error(
                    "ResourceInUseException",
                    "Solution arn:aws:personalize:us-east-1:123456789012:solution/shop-up has a solution version in progress.",
                ),
            )
            .build();
        let p = client(&[&create]);
        let err = start_training(
            &p,
            &CreateSolutionVersion {
                solution_arn: UP.into(),
                training_mode: TrainingMode::Full,
                name: None,
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(err, PersonalizeError::InUse { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn describe_dataset_names_the_dataset_group() {
        let body = serde_json::json!({"dataset": {
            "name": "shop-interactions",
            "datasetArn": DATASET,
            "datasetGroupArn": GROUP,
            "datasetType": "Interactions",
            "schemaArn": "arn:aws:personalize:us-east-1:123456789012:schema/shop-interactions",
            "status": "ACTIVE",
            "creationDateTime": 1.7e9,
            "lastUpdatedDateTime": 1.7e9
        }})
        .to_string();
        let describe = mock!(Client::describe_dataset)
            .sequence()
            .http_status(200, Some(body))
            .build();
        let d = client(&[&describe])
            .describe_dataset(DATASET)
            .await
            .unwrap();
        assert_eq!(d.dataset_group_arn.as_deref(), Some(GROUP));
    }

    #[tokio::test]
    async fn the_fault_wrapper_fails_the_model_and_training_calls() {
        let rules = models_rules();
        let refs: Vec<&Rule> = rules.iter().collect();
        // Every call of the model listing, failed in turn, fails the listing.
        let counting = Arc::new(FaultPlan::new());
        let p = FaultyPersonalize::new(client(&refs), counting.clone());
        dataset_group_models(&p, GROUP).await.unwrap();
        let ops: Vec<&str> = counting.calls().iter().map(|c| c.operation).collect();
        assert_eq!(
            ops,
            [
                "ListSolutions",
                "ListSolutions",
                "DescribeSolution",
                "DescribeSolution",
                "ListRecommenders"
            ]
        );
        for n in 1..=ops.len() {
            let plan = Arc::new(FaultPlan::new().fail_nth(None, n, Fault::internal_error()));
            let p = FaultyPersonalize::new(client(&refs), plan);
            let err = dataset_group_models(&p, GROUP).await.unwrap_err();
            assert!(
                matches!(err, PersonalizeError::Service { operation, .. } if operation == ops[n - 1]),
                "call {n}: {err:?}"
            );
        }
        // A dropped answer while watching the training is an error; the version goes on.
        let describe = mock!(Client::describe_solution_version)
            .sequence()
            .http_status(200, Some(version_json("CREATE IN_PROGRESS", "FULL", None)))
            .repeatedly()
            .build();
        let plan = Arc::new(FaultPlan::new().fail_nth(
            Some("DescribeSolutionVersion"),
            2,
            Fault::Transport { applied: true },
        ));
        let p = FaultyPersonalize::new(client(&[&describe]), plan.clone());
        let err = watch_training(
            &p,
            VERSION,
            &ManualClock::new(),
            Backoff::default(),
            None,
            &mut |_, _| {},
        )
        .await
        .unwrap_err();
        assert!(matches!(err, PersonalizeError::Transport { .. }), "{err:?}");
        assert_eq!(plan.count("DescribeSolutionVersion"), 2);
    }
}
