//! `preflight run`, `import` and `validate --seal` end to end, in-process: the command line is
//! parsed and run by `commands::run_with`, the same function `main` calls, with a Personalize
//! client whose answers come from `aws-smithy-mocks` (it works only in-process) and the real
//! local S3 server (s3s-fs on loopback, reached through `--endpoint-url` as a user would).
//! Time is a `ManualClock`: watching sleeps no real time.

use std::path::Path;
use std::sync::{Arc, Mutex, Once};

use aws_sdk_personalize::config::retry::RetryConfig;
use aws_sdk_personalize::operation::create_dataset_import_job::{
    CreateDatasetImportJobInput, CreateDatasetImportJobOutput,
};
use aws_sdk_personalize::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use clap::Parser;
use personalize_preflight::args::Cli;
use personalize_preflight::commands::{run_with, Clients};
use personalize_preflight::exit;
use preflight_s3_test_server::{BackgroundServer, ServerOptions, ACCESS_KEY, SECRET_KEY};
use preflight_uploader::{ManualClock, SdkPersonalize};

const BUCKET: &str = "imports";
const DATASET: &str = "arn:aws:personalize:us-east-1:123456789012:dataset/shop/INTERACTIONS";
const SCHEMA: &str = "arn:aws:personalize:us-east-1:123456789012:schema/shop-interactions";
const ROLE: &str = "arn:aws:iam::123456789012:role/PersonalizeS3";
const JOB: &str = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/nightly-1";

/// Fake credentials and no AWS configuration from the machine, for the S3 client `run`
/// connects itself (every test of this binary sets the same values).
fn aws_env(dir: &Path) {
    static ONCE: Once = Once::new();
    let cfg = dir.join("no-aws-config");
    ONCE.call_once(|| {
        std::env::set_var("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        std::env::set_var("AWS_REGION", "us-east-1");
        std::env::set_var("AWS_CONFIG_FILE", &cfg);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &cfg);
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::set_var("AWS_MAX_ATTEMPTS", "2");
        std::env::set_var("PREFLIGHT_NOW", "1764000000");
        std::env::remove_var("AWS_PROFILE");
        std::env::remove_var("AWS_SESSION_TOKEN");
        std::env::remove_var("AWS_ENDPOINT_URL");
        std::env::remove_var("AWS_ENDPOINT_URL_S3");
        std::env::remove_var("GITHUB_STEP_SUMMARY");
    });
}

/// A valid interactions file of 1,500 records.
fn interactions(path: &Path, seed: u64) {
    let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
    for i in 0..1500u64 {
        s.push_str(&format!(
            "u{},i{},{},click\n",
            i % 300,
            (i * 7 + seed) % 500,
            1_596_238_243 + i
        ));
    }
    std::fs::write(path, s).unwrap();
}

fn dataset_rule(status: &'static str) -> Rule {
    let body = serde_json::json!({"dataset": {
        "name": "shop-interactions",
        "datasetArn": DATASET,
        "datasetGroupArn": "arn:aws:personalize:us-east-1:123456789012:dataset-group/shop",
        "datasetType": "Interactions",
        "schemaArn": SCHEMA,
        "status": status,
        "creationDateTime": 1.7e9,
        "lastUpdatedDateTime": 1.7e9
    }})
    .to_string();
    mock!(Client::describe_dataset)
        .match_requests(|r| r.dataset_arn() == Some(DATASET))
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build()
}

fn schema_rule() -> Rule {
    schema_rule_in(None)
}

fn schema_rule_in(domain: Option<&'static str>) -> Rule {
    let avro = serde_json::json!({
        "type": "record", "name": "Interactions",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "EVENT_TYPE", "type": "string"}
        ],
        "version": "1.0"
    })
    .to_string();
    let mut body = serde_json::json!({"schema": {
        "name": "shop-interactions", "schemaArn": SCHEMA, "schema": avro,
        "creationDateTime": 1.7e9, "lastUpdatedDateTime": 1.7e9
    }});
    if let Some(d) = domain {
        body["schema"]["domain"] = d.into();
    }
    let body = body.to_string();
    mock!(Client::describe_schema)
        .match_requests(|r| r.schema_arn() == Some(SCHEMA))
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build()
}

/// ListDatasetImportJobs: the dataset's own history, and the region (one job running).
fn list_rule(history: &'static [(&'static str, &'static str)]) -> Rule {
    use aws_sdk_personalize::operation::list_dataset_import_jobs::ListDatasetImportJobsOutput;
    use aws_sdk_personalize::primitives::DateTime;
    use aws_sdk_personalize::types::{DatasetImportJobSummary, ImportMode};
    let job = |name: &str, status: &str, mode: &str| {
        DatasetImportJobSummary::builder()
            .dataset_import_job_arn(format!(
                "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/{name}"
            ))
            .job_name(name)
            .status(status)
            .import_mode(ImportMode::from(mode))
            .creation_date_time(DateTime::from_secs(1_700_000_000))
            .build()
    };
    mock!(Client::list_dataset_import_jobs).then_compute_output(move |r| {
        let jobs = if r.dataset_arn() == Some(DATASET) {
            history
                .iter()
                .map(|(status, mode)| job("old", status, mode))
                .collect()
        } else {
            vec![job("other", "CREATE IN_PROGRESS", "FULL")]
        };
        ListDatasetImportJobsOutput::builder()
            .set_dataset_import_jobs(Some(jobs))
            .build()
    })
}

type Captured = Arc<Mutex<Vec<CreateDatasetImportJobInput>>>;

fn create_rule(captured: &Captured) -> Rule {
    let c = captured.clone();
    mock!(Client::create_dataset_import_job).then_compute_output(move |r| {
        c.lock().unwrap().push(r.clone());
        CreateDatasetImportJobOutput::builder()
            .dataset_import_job_arn(format!(
                "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/{}",
                r.job_name().unwrap_or_default()
            ))
            .build()
    })
}

fn job_body(status: &str, reason: Option<&str>) -> String {
    let mut j = serde_json::json!({
        "jobName": "nightly-1", "datasetImportJobArn": JOB, "datasetArn": DATASET,
        "dataSource": {"dataLocation": "s3://imports/x/"}, "roleArn": ROLE,
        "status": status, "importMode": "FULL",
        "creationDateTime": 1.764e9, "lastUpdatedDateTime": 1.764e9
    });
    if let Some(r) = reason {
        j["failureReason"] = r.into();
    }
    serde_json::json!({ "datasetImportJob": j }).to_string()
}

fn describe_rule(statuses: &[(&str, Option<&str>)]) -> Rule {
    let mut seq = mock!(Client::describe_dataset_import_job).sequence();
    for (s, r) in statuses {
        seq = seq.http_status(200, Some(job_body(s, *r)));
    }
    seq.build()
}

fn clients(rules: &[&Rule], clock: &Arc<ManualClock>) -> Clients {
    clients_with_access(rules, clock, access::healthy())
}

/// Clients whose S3 (for the access checks' bucket calls), IAM and KMS answers are `world`'s.
fn clients_with_access(rules: &[&Rule], clock: &Arc<ManualClock>, world: access::World) -> Clients {
    // A dataset group without models unless a test's own rules (first) list some.
    let (solutions, recommenders) = (
        mock!(Client::list_solutions)
            .sequence()
            .http_status(200, Some(r#"{"solutions":[]}"#.into()))
            .repeatedly()
            .build(),
        mock!(Client::list_recommenders)
            .sequence()
            .http_status(200, Some(r#"{"recommenders":[]}"#.into()))
            .repeatedly()
            .build(),
    );
    let mut rules = rules.to_vec();
    rules.extend([&solutions, &recommenders]);
    let p = mock_client!(aws_sdk_personalize, RuleMode::MatchAny, &rules, |c| c
        .retry_config(RetryConfig::disabled()));
    Clients {
        personalize: Some(SdkPersonalize::from_client(p)),
        clock: clock.clone(),
        iam: Some(world.iam()),
        kms: Some(world.kms()),
        bucket_access: Some(Arc::new(world.s3())),
        stdout: None,
    }
}

/// The access checks' view of the account, in the services' answer shapes (S3 and IAM XML,
/// IAM's URL-encoded policy documents, KMS JSON), for the bucket `imports` and role
/// `PersonalizeS3` of account 123456789012 in us-east-1.
mod access {
    use aws_sdk_iam::config::retry::RetryConfig;
    use aws_smithy_mocks::{
        create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode,
    };
    use preflight_uploader::{S3Options, S3Store, SdkIam, SdkKms};

    pub const BUCKET_POLICY: &str = r#"{"Version":"2012-10-17","Id":"PersonalizeS3BucketAccessPolicy","Statement":[{"Sid":"PersonalizeS3BucketAccessPolicy","Effect":"Allow","Principal":{"Service":"personalize.amazonaws.com"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::imports","arn:aws:s3:::imports/*"]}]}"#;
    pub const ROLE_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::imports","arn:aws:s3:::imports/*"]}]}"#;
    pub const TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":["personalize.amazonaws.com"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"StringLike":{"aws:SourceArn":"arn:aws:personalize:us-east-1:123456789012:*"}}}]}"#;
    const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

    /// The documents the services hold.
    pub struct World {
        pub bucket_policy: Option<String>,
        pub trust_policy: String,
        pub role_policy: String,
        /// The SSE-KMS key the data objects are written with (HeadObject), and that key's
        /// policy (GetKeyPolicy); `None`: the objects are SSE-S3 and no key is involved.
        pub object_key: Option<(&'static str, String)>,
    }

    /// The Personalize docs' setup: every check passes.
    pub fn healthy() -> World {
        World {
            bucket_policy: Some(BUCKET_POLICY.into()),
            trust_policy: TRUST_POLICY.into(),
            role_policy: ROLE_POLICY.into(),
            object_key: None,
        }
    }

    /// A bucket policy that lets Personalize read but not list the bucket.
    pub fn without_list_bucket() -> World {
        World {
            bucket_policy: Some(
                BUCKET_POLICY
                    .replace(r#"["s3:GetObject","s3:ListBucket"]"#, r#""s3:GetObject""#)
                    .replace(
                        r#"["arn:aws:s3:::imports","arn:aws:s3:::imports/*"]"#,
                        r#""arn:aws:s3:::imports/*""#,
                    ),
            ),
            ..healthy()
        }
    }

    fn url_encode(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    fn iam_ok(op: &str, result: &str) -> String {
        format!(
            r#"<{op}Response xmlns="{IAM_NS}"><{op}Result>{result}</{op}Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></{op}Response>"#
        )
    }

    fn interceptor(rules: &[Rule]) -> MockResponseInterceptor {
        let mut i = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for r in rules {
            i = i.with_rule(r);
        }
        i
    }

    impl World {
        pub fn s3(&self) -> S3Store {
            const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";
            let policy = match &self.bucket_policy {
                Some(p) => mock!(aws_sdk_s3::Client::get_bucket_policy)
                    .sequence()
                    .http_status(200, Some(p.clone()))
                    .repeatedly()
                    .build(),
                None => mock!(aws_sdk_s3::Client::get_bucket_policy)
                    .sequence()
                    .http_status(404, Some("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchBucketPolicy</Code><Message>The bucket policy does not exist</Message><BucketName>imports</BucketName></Error>".into()))
                    .repeatedly()
                    .build(),
            };
            let sse = self.object_key.as_ref().map(|(k, _)| *k);
            let head = mock!(aws_sdk_s3::Client::head_object)
                .sequence()
                .output(move || {
                    use aws_sdk_s3::types::ServerSideEncryption;
                    let out = aws_sdk_s3::operation::head_object::HeadObjectOutput::builder()
                        .content_length(1234)
                        .e_tag("\"9b2cf535f27731c974343645a3985328\"");
                    match sse {
                        Some(k) => out
                            .server_side_encryption(ServerSideEncryption::AwsKms)
                            .ssekms_key_id(k),
                        None => out.server_side_encryption(ServerSideEncryption::Aes256),
                    }
                    .build()
                })
                .repeatedly()
                .build();
            let rules = vec![
                head,
                mock!(aws_sdk_s3::Client::get_bucket_location)
                    .sequence()
                    .http_status(200, Some(format!(r#"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="{NS}"/>"#)))
                    .repeatedly()
                    .build(),
                policy,
                mock!(aws_sdk_s3::Client::get_bucket_encryption)
                    .sequence()
                    .http_status(200, Some(format!(r#"<?xml version="1.0" encoding="UTF-8"?><ServerSideEncryptionConfiguration xmlns="{NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>"#)))
                    .repeatedly()
                    .build(),
            ];
            let conf = aws_sdk_s3::Config::builder()
                .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
                .region(aws_sdk_s3::config::Region::new("us-east-1"))
                .credentials_provider(aws_sdk_s3::config::Credentials::new(
                    "test", "test", None, None, "test",
                ))
                .http_client(create_mock_http_client())
                .interceptor(interceptor(&rules))
                .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
                .build();
            S3Store::from_client(
                aws_sdk_s3::Client::from_conf(conf),
                "imports",
                &S3Options::default(),
            )
        }

        pub fn iam(&self) -> SdkIam {
            let role = iam_ok(
                "GetRole",
                &format!(
                    "<Role><Path>/</Path><AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration><RoleId>AROADBQP57FF2AEXAMPLE</RoleId><RoleName>PersonalizeS3</RoleName><Arn>arn:aws:iam::123456789012:role/PersonalizeS3</Arn><CreateDate>2024-11-13T16:45:56Z</CreateDate></Role>",
                    url_encode(&self.trust_policy)
                ),
            );
            let list = iam_ok(
                "ListRolePolicies",
                "<PolicyNames><member>PersonalizeS3Read</member></PolicyNames><IsTruncated>false</IsTruncated>",
            );
            let attached = iam_ok(
                "ListAttachedRolePolicies",
                "<AttachedPolicies/><IsTruncated>false</IsTruncated>",
            );
            let inline = iam_ok(
                "GetRolePolicy",
                &format!(
                    "<PolicyName>PersonalizeS3Read</PolicyName><RoleName>PersonalizeS3</RoleName><PolicyDocument>{}</PolicyDocument>",
                    url_encode(&self.role_policy)
                ),
            );
            let rules = vec![
                mock!(aws_sdk_iam::Client::get_role)
                    .sequence()
                    .http_status(200, Some(role))
                    .repeatedly()
                    .build(),
                mock!(aws_sdk_iam::Client::list_role_policies)
                    .sequence()
                    .http_status(200, Some(list))
                    .repeatedly()
                    .build(),
                mock!(aws_sdk_iam::Client::list_attached_role_policies)
                    .sequence()
                    .http_status(200, Some(attached))
                    .repeatedly()
                    .build(),
                mock!(aws_sdk_iam::Client::get_role_policy)
                    .sequence()
                    .http_status(200, Some(inline))
                    .repeatedly()
                    .build(),
            ];
            let conf = aws_sdk_iam::Config::builder()
                .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
                .region(aws_sdk_iam::config::Region::new("us-east-1"))
                .credentials_provider(aws_sdk_iam::config::Credentials::new(
                    "test", "test", None, None, "test",
                ))
                .http_client(create_mock_http_client())
                .interceptor(interceptor(&rules))
                .retry_config(RetryConfig::disabled())
                .build();
            SdkIam::from_client(aws_sdk_iam::Client::from_conf(conf))
        }

        /// The objects' key and its policy, if they have one (DescribeKey, GetKeyPolicy in KMS's
        /// JSON); without one no key is involved (SSE-S3) and any KMS call fails.
        pub fn kms(&self) -> SdkKms {
            let mut rules = Vec::new();
            if let Some((key, policy)) = &self.object_key {
                let metadata = serde_json::json!({"KeyMetadata": {
                    "AWSAccountId": "123456789012", "Arn": key, "CreationDate": 1.7e9,
                    "Enabled": true, "KeyId": key.rsplit('/').next().unwrap(),
                    "KeyManager": "CUSTOMER", "KeyState": "Enabled", "KeyUsage": "ENCRYPT_DECRYPT",
                    "KeySpec": "SYMMETRIC_DEFAULT", "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                    "MultiRegion": false, "Origin": "AWS_KMS", "Description": ""
                }})
                .to_string();
                let policy =
                    serde_json::json!({"Policy": policy, "PolicyName": "default"}).to_string();
                rules.push(
                    mock!(aws_sdk_kms::Client::describe_key)
                        .sequence()
                        .http_status(200, Some(metadata))
                        .repeatedly()
                        .build(),
                );
                rules.push(
                    mock!(aws_sdk_kms::Client::get_key_policy)
                        .sequence()
                        .http_status(200, Some(policy))
                        .repeatedly()
                        .build(),
                );
            }
            let conf = aws_sdk_kms::Config::builder()
                .behavior_version(aws_sdk_kms::config::BehaviorVersion::latest())
                .region(aws_sdk_kms::config::Region::new("us-east-1"))
                .credentials_provider(aws_sdk_kms::config::Credentials::new(
                    "test", "test", None, None, "test",
                ))
                .http_client(create_mock_http_client())
                .interceptor(interceptor(&rules))
                .retry_config(aws_sdk_kms::config::retry::RetryConfig::disabled())
                .build();
            SdkKms::from_client(aws_sdk_kms::Client::from_conf(conf))
        }
    }
}

fn run(args: &[&str], clients: &Clients) -> u8 {
    let cli = Cli::try_parse_from(std::iter::once("preflight").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{e}"));
    run_with(cli, clients).unwrap().code.0
}

/// Object keys stored by the server.
fn objects(root: &Path) -> Vec<String> {
    preflight_s3_test_server::stored_keys(root, BUCKET)
}

#[test]
fn run_goes_from_a_csv_to_an_active_import() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let csv = dir.path().join("interactions.csv");
    interactions(&csv, 0);

    let captured = Captured::default();
    let (dataset, schema, list, create) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[]),
        create_rule(&captured),
    );
    let describe = describe_rule(&[
        ("CREATE PENDING", None),
        ("CREATE IN_PROGRESS", None),
        ("CREATE IN_PROGRESS", None),
        ("ACTIVE", None),
    ]);
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list, &create, &describe], &clock);
    let code = run(
        &[
            "run",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--stage-to",
            "s3://imports/team/",
            "--mode",
            "full",
            "--job-name",
            "nightly-1",
            "--endpoint-url",
            server.endpoint(),
            csv.to_str().unwrap(),
        ],
        &c,
    );
    assert_eq!(code, exit::SUCCESS.0);

    // The exact CreateDatasetImportJob request.
    let sent = captured.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let r = &sent[0];
    assert_eq!(r.job_name(), Some("nightly-1"));
    assert_eq!(r.dataset_arn(), Some(DATASET));
    assert_eq!(r.role_arn(), Some(ROLE));
    assert_eq!(r.import_mode().map(|m| m.as_str()), Some("FULL"));
    let loc = r
        .data_source()
        .and_then(|d| d.data_location())
        .unwrap()
        .to_string();
    assert!(
        loc.starts_with("s3://imports/team/interactions/20251124T160000Z-") && loc.ends_with('/'),
        "{loc}"
    );

    // It names the folder that was staged: the CSV and the manifest, nothing else.
    let folder = loc.trim_start_matches("s3://imports/");
    assert_eq!(
        objects(&root),
        [
            format!("{folder}_preflight/manifest.json"),
            format!("{folder}interactions.csv"),
        ]
    );
    let staged = std::fs::read(root.join(BUCKET).join(folder).join("interactions.csv")).unwrap();
    assert_eq!(staged, std::fs::read(&csv).unwrap());

    // Watched with backoff to ACTIVE: three waits, no real time.
    assert_eq!(describe.num_calls(), 4);
    assert_eq!(
        clock.sleeps(),
        [5, 10, 20].map(std::time::Duration::from_secs).to_vec()
    );
    assert_eq!(dataset.num_calls(), 1);
    assert_eq!(schema.num_calls(), 1);
}

#[test]
fn run_exits_4_when_the_job_fails_and_names_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let csv = dir.path().join("interactions.csv");
    interactions(&csv, 1);
    let captured = Captured::default();
    let (dataset, schema, list, create) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[]),
        create_rule(&captured),
    );
    let describe = describe_rule(&[
        ("CREATE PENDING", None),
        ("CREATE FAILED", Some("Failed to create a data import job for Interactions dataset....Input CSV is missing the following columns:[EVENT_TYPE].")),
    ]);
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list, &create, &describe], &clock);
    let args = [
        "run",
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--stage-to",
        "s3://imports/team/",
        "--mode",
        "full",
        "--endpoint-url",
        server.endpoint(),
        csv.to_str().unwrap(),
    ];
    assert_eq!(run(&args, &c), exit::IMPORT_FAILED.0);
    let name = captured.lock().unwrap()[0].job_name().unwrap().to_string();
    assert!(
        name.starts_with("preflight-interactions-20251124T160000Z-"),
        "{name}"
    );
    preflight_uploader::check_job_name(&name).unwrap();
    assert_eq!(describe.num_calls(), 2);
}

#[test]
fn run_refuses_incremental_without_history_and_a_missing_dataset() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let csv = dir.path().join("interactions.csv");
    interactions(&csv, 2);
    let args = |mode: &'static str| {
        vec![
            "run".to_string(),
            "--dataset-arn".into(),
            DATASET.into(),
            "--role-arn".into(),
            ROLE.into(),
            "--stage-to".into(),
            "s3://imports/team/".into(),
            "--mode".into(),
            mode.into(),
            "--endpoint-url".into(),
            server.endpoint().into(),
            csv.to_str().unwrap().into(),
        ]
    };
    fn argv(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }

    // INCREMENTAL, and the only earlier job failed.
    let captured = Captured::default();
    let (dataset, schema, list, create) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[("CREATE FAILED", "FULL")]),
        create_rule(&captured),
    );
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list, &create], &clock);
    assert_eq!(run(&argv(&args("incremental")), &c), exit::IMPORT_REFUSED.0);
    assert_eq!(create.num_calls(), 0);

    // The dataset does not exist: refused before anything is read or staged.
    let missing = mock!(Client::describe_dataset)
        .sequence()
        .http_status(
            400,
            Some(
                r#"{"__type":"ResourceNotFoundException","message":"Could not find resource"}"#
                    .into(),
            ),
        )
        .build();
    let create = create_rule(&captured);
    let c = clients(&[&missing, &create], &clock);
    let before = objects(&root);
    assert_eq!(run(&argv(&args("full")), &c), exit::IMPORT_REFUSED.0);
    assert_eq!(create.num_calls(), 0);
    assert_eq!(objects(&root), before);
}

#[test]
fn a_full_import_that_drops_records_needs_allow_drop() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let existing = dir.path().join("existing.csv");
    interactions(&existing, 3);
    let csv = dir.path().join("interactions.csv");
    interactions(&csv, 4);
    let captured = Captured::default();
    let (dataset, schema, list, create) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[("ACTIVE", "FULL")]),
        create_rule(&captured),
    );
    let describe = describe_rule(&[("ACTIVE", None)]);
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list, &create, &describe], &clock);
    let mut args = vec![
        "run",
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--stage-to",
        "s3://imports/team/",
        "--mode",
        "full",
        "--existing",
        existing.to_str().unwrap(),
        "--endpoint-url",
        server.endpoint(),
        csv.to_str().unwrap(),
    ];
    assert_eq!(run(&args, &c), exit::FINDINGS.0);
    assert!(objects(&root).is_empty(), "nothing staged");
    assert_eq!(create.num_calls(), 0);

    args.push("--allow-drop");
    assert_eq!(run(&args, &c), exit::SUCCESS.0);
    assert_eq!(create.num_calls(), 1);
}

#[test]
fn a_refused_run_aborts_the_parts_it_sent_while_validating_and_planning() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let existing = dir.path().join("existing.csv");
    interactions(&existing, 3);
    // 20 MiB: over the 16 MiB multipart threshold, 3 parts of 8 MiB sent while the file is
    // validated and planned; the FULL import would drop the existing records (PF313).
    let csv = dir.path().join("interactions.csv");
    let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
    let mut i = 0u64;
    while s.len() < 20 << 20 {
        s.push_str(&format!(
            "u{},i{},{},click\n",
            i % 300,
            (i * 7 + 4) % 500,
            1_596_238_243 + i
        ));
        i += 1;
    }
    std::fs::write(&csv, s).unwrap();
    let captured = Captured::default();
    let (dataset, schema, list, create) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[("ACTIVE", "FULL")]),
        create_rule(&captured),
    );
    let describe = describe_rule(&[("ACTIVE", None)]);
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list, &create, &describe], &clock);
    let args = [
        "run",
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--stage-to",
        "s3://imports/team/",
        "--mode",
        "full",
        "--existing",
        existing.to_str().unwrap(),
        "--endpoint-url",
        server.endpoint(),
        csv.to_str().unwrap(),
    ];
    assert_eq!(run(&args, &c), exit::FINDINGS.0);
    assert_eq!(create.num_calls(), 0);
    // (A debug build validates and plans far slower than it sends 3 parts over loopback.)
    assert!(
        server.server().parts_received() > 0,
        "no part was sent while the files were validated and planned"
    );
    assert!(objects(&root).is_empty(), "{:?}", objects(&root));
    let open = crate::common::open_uploads(&root, BUCKET);
    assert!(open.is_empty(), "{open:?}");
}

#[test]
fn import_verifies_a_sealed_folder_and_refuses_it_once_changed() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    // An ETL job wrote the data: upload it with `stage` into a plain prefix is not what
    // happened, so write it straight into the server's bucket through S3 (PutObject).
    let csv = dir.path().join("part-0.csv");
    interactions(&csv, 5);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s3 = rt
        .block_on(preflight_uploader::S3Store::connect(
            BUCKET,
            &preflight_uploader::S3Options {
                endpoint_url: Some(server.endpoint().to_string()),
                ..Default::default()
            },
        ))
        .unwrap();
    let put = |key: &str, body: Vec<u8>| {
        let alg = preflight_uploader::ChecksumAlgorithm::Crc64nvme;
        let sum = preflight_uploader::Checksum {
            algorithm: alg,
            value: preflight_uploader::checksum::checksum_of(alg, &body),
        };
        rt.block_on(preflight_uploader::ObjectStore::put_object(
            &s3,
            key,
            body.into(),
            &sum,
        ))
        .unwrap();
    };
    put("etl/day1/part-0.csv", std::fs::read(&csv).unwrap());

    let captured = Captured::default();
    let (dataset, list, create) = (
        dataset_rule("ACTIVE"),
        list_rule(&[]),
        create_rule(&captured),
    );
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &list, &create], &clock);
    let import = [
        "import",
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--from",
        "s3://imports/etl/day1/",
        "--mode",
        "full",
        "--endpoint-url",
        server.endpoint(),
    ];
    // Not sealed yet: refused.
    assert_eq!(run(&import, &c), exit::IMPORT_REFUSED.0);
    assert_eq!(create.num_calls(), 0);

    // Validated in place and sealed.
    let seal = [
        "validate",
        "--dataset-type",
        "interactions",
        "s3://imports/etl/day1/",
        "--seal",
        "--endpoint-url",
        server.endpoint(),
    ];
    assert_eq!(run(&seal, &c), exit::SUCCESS.0);
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join(BUCKET).join("etl/day1/_preflight/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["files"][0]["key"], "etl/day1/part-0.csv");
    assert_eq!(manifest["files"][0]["records"], 1500);
    assert!(manifest["files"][0]["etag"].is_string(), "{manifest}");

    assert_eq!(run(&import, &c), exit::SUCCESS.0);
    assert_eq!(create.num_calls(), 1);
    let r = captured.lock().unwrap()[0].clone();
    assert_eq!(
        r.data_source().and_then(|d| d.data_location()),
        Some("s3://imports/etl/day1/")
    );

    // The ETL job rewrites the object after validation: refused before any job is created.
    let mut changed = std::fs::read(&csv).unwrap();
    let n = changed.len();
    changed[n - 3] = b'x'; // "click" -> "clixk": same size, other bytes
    put("etl/day1/part-0.csv", changed);
    assert_eq!(run(&import, &c), exit::IMPORT_REFUSED.0);
    assert_eq!(create.num_calls(), 1);

    // --unverified imports it anyway.
    let mut unverified = import.to_vec();
    unverified.push("--unverified");
    assert_eq!(run(&unverified, &c), exit::SUCCESS.0);
    assert_eq!(create.num_calls(), 2);
}

#[test]
fn plan_rebuilds_the_existing_data_from_the_import_history() {
    use aws_sdk_personalize::operation::describe_dataset_import_job::DescribeDatasetImportJobOutput;
    use aws_sdk_personalize::operation::list_dataset_import_jobs::ListDatasetImportJobsOutput;
    use aws_sdk_personalize::primitives::DateTime;
    use aws_sdk_personalize::types::{
        DataSource, DatasetImportJob, DatasetImportJobSummary, ImportMode,
    };

    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    // What each past job imported, still in S3 except `gone`.
    for (folder, seed) in [("older", 13), ("full", 10), ("inc", 11)] {
        let d = root.join(BUCKET).join("hist").join(folder);
        std::fs::create_dir_all(&d).unwrap();
        interactions(&d.join("part.csv"), seed);
    }
    let new = dir.path().join("new.csv");
    interactions(&new, 12);

    // older FULL (superseded) < full FULL < inc INCREMENTAL < failed < gone INCREMENTAL
    let history: &[(&str, &str, &str, i64)] = &[
        ("gone", "ACTIVE", "INCREMENTAL", 4000),
        ("failed", "CREATE FAILED", "FULL", 3500),
        ("inc", "ACTIVE", "INCREMENTAL", 3000),
        ("full", "ACTIVE", "FULL", 2000),
        ("older", "ACTIVE", "FULL", 1000),
    ];
    let arn = |name: &str| {
        format!("arn:aws:personalize:us-east-1:123456789012:dataset-import-job/{name}")
    };
    let list = mock!(Client::list_dataset_import_jobs)
        .match_requests(|r| r.dataset_arn() == Some(DATASET))
        .then_output(move || {
            ListDatasetImportJobsOutput::builder()
                .set_dataset_import_jobs(Some(
                    history
                        .iter()
                        .map(|(name, status, mode, t)| {
                            DatasetImportJobSummary::builder()
                                .dataset_import_job_arn(arn(name))
                                .job_name(*name)
                                .status(*status)
                                .import_mode(ImportMode::from(*mode))
                                .creation_date_time(DateTime::from_secs(*t))
                                .build()
                        })
                        .collect(),
                ))
                .build()
        });
    let describe = mock!(Client::describe_dataset_import_job).then_compute_output(|r| {
        let name = r
            .dataset_import_job_arn()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        DescribeDatasetImportJobOutput::builder()
            .dataset_import_job(
                DatasetImportJob::builder()
                    .dataset_import_job_arn(r.dataset_import_job_arn().unwrap_or_default())
                    .job_name(&name)
                    .status("ACTIVE")
                    .data_source(
                        DataSource::builder()
                            .data_location(format!("s3://imports/hist/{name}/"))
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let (dataset, schema) = (dataset_rule("ACTIVE"), schema_rule());
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list, &describe], &clock);
    let merged = dir.path().join("merged.csv");
    let code = run(
        &[
            "plan",
            "--dataset-arn",
            DATASET,
            "--mode",
            "incremental",
            "--existing-from-history",
            "--write-merged",
            merged.to_str().unwrap(),
            "--endpoint-url",
            server.endpoint(),
            "--format",
            "json",
            new.to_str().unwrap(),
        ],
        &c,
    );
    assert_eq!(code, exit::SUCCESS.0);
    // full + inc + the new data (all distinct interactions); not `older`, which `full`
    // replaced, and not `gone`, which can no longer be read.
    let lines = std::fs::read_to_string(&merged).unwrap().lines().count();
    assert_eq!(lines, 1 + 3 * 1500);
    // Only the current jobs were described.
    assert_eq!(describe.num_calls(), 3);

    // `run` does not plan on a partial history: it stops before staging anything.
    let err = run_with(
        Cli::try_parse_from([
            "preflight",
            "run",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--stage-to",
            "s3://imports/team/",
            "--mode",
            "incremental",
            "--existing-from-history",
            "--endpoint-url",
            server.endpoint(),
            new.to_str().unwrap(),
        ])
        .unwrap(),
        &c,
    )
    .unwrap_err();
    assert!(
        format!("{err:#}")
            .contains("1 source(s) of the dataset's current bulk data can no longer be read"),
        "{err:#}"
    );
    assert!(!root.join(BUCKET).join("team").exists());
}

#[test]
fn import_with_no_queue_fails_on_a_full_region_and_watch_times_out() {
    use aws_sdk_personalize::operation::list_dataset_import_jobs::ListDatasetImportJobsOutput;
    use aws_sdk_personalize::types::DatasetImportJobSummary;

    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let full_region = mock!(Client::list_dataset_import_jobs)
        .match_requests(|r| r.dataset_arn().is_none())
        .then_output(|| {
            ListDatasetImportJobsOutput::builder()
                .set_dataset_import_jobs(Some(
                    (0..5)
                        .map(|i| {
                            DatasetImportJobSummary::builder()
                                .job_name(format!("j{i}"))
                                .status(if i < 2 {
                                    "CREATE PENDING"
                                } else {
                                    "CREATE IN_PROGRESS"
                                })
                                .build()
                        })
                        .collect(),
                ))
                .build()
        });
    let captured = Captured::default();
    let (dataset, create) = (dataset_rule("ACTIVE"), create_rule(&captured));
    let clock = Arc::new(ManualClock::new());
    // The dataset itself has had no import: a FULL import replaces nothing.
    let history = mock!(Client::list_dataset_import_jobs)
        .match_requests(|r| r.dataset_arn() == Some(DATASET))
        .then_output(|| ListDatasetImportJobsOutput::builder().build());
    let c = clients(&[&dataset, &full_region, &history, &create], &clock);
    let code = run(
        &[
            "import",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--from",
            "s3://imports/etl/day1/",
            "--mode",
            "full",
            "--unverified",
            "--no-queue",
        ],
        &c,
    );
    assert_eq!(code, exit::IMPORT_REFUSED.0);
    assert_eq!(create.num_calls(), 0);
    assert!(clock.sleeps().is_empty());

    // `watch` with a timeout: exit 5, and the job was never touched but described.
    let describe = mock!(Client::describe_dataset_import_job)
        .sequence()
        .http_status(200, Some(job_body("CREATE IN_PROGRESS", None)))
        .repeatedly()
        .build();
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&describe], &clock);
    assert_eq!(
        run(&["watch", JOB, "--timeout", "1m"], &c),
        exit::WATCH_TIMEOUT.0
    );
    let waited: u64 = clock.sleeps().iter().map(|d| d.as_secs()).sum();
    assert_eq!(waited, 60);
    assert_eq!(describe.num_calls(), 5); // at 0, 5, 15, 35 and 60 s
}

/// The real binary with no AWS configuration at all: anything it tried to send would fail.
fn offline_binary(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("preflight").unwrap();
    c.current_dir(dir)
        .env("PREFLIGHT_NOW", "1764000000")
        .env("NO_COLOR", "1")
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("GITHUB_STEP_SUMMARY");
    c
}

/// The calls the access checks make, in order, as `--dry-run` lists them.
const ACCESS_OPS: [&str; 11] = [
    "GetBucketLocation",
    "GetBucketPolicy",
    "GetRole",
    "ListRolePolicies",
    "GetRolePolicy",
    "ListAttachedRolePolicies",
    "GetPolicy",
    "GetPolicyVersion",
    "GetBucketEncryption",
    "DescribeKey",
    "GetKeyPolicy",
];

fn access_ops(reqs: &[serde_json::Value]) -> Vec<&str> {
    reqs.iter()
        .map(|r| r["operation"].as_str().unwrap())
        .collect()
}

fn requests(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| l.starts_with("{\"service\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn run_dry_run_prints_the_requests_and_sends_none() {
    let dir = tempfile::tempdir().unwrap();
    interactions(&dir.path().join("interactions.csv"), 6);
    let out = offline_binary(dir.path())
        .args([
            "run",
            "--dry-run",
            "--dataset-type",
            "interactions",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--stage-to",
            "s3://imports/team/",
            "--mode",
            "full",
            "--retrain",
            SOLUTION,
            "interactions.csv",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("dry run: nothing was sent"), "{stderr}");
    // --dataset-arn was given: the models are not listed because nothing is sent, and the
    // section says so rather than asking for the flag.
    assert!(
        stderr.contains("Per model: a dry run sends nothing"),
        "{stderr}"
    );
    assert!(!stderr.contains("Give --dataset-arn"), "{stderr}");
    let reqs = requests(&out.stdout);
    // First the access checks' calls, on the staging bucket and the role.
    let (access, reqs): (Vec<_>, Vec<_>) = reqs
        .into_iter()
        .partition(|r| r["request"].get("target").is_some());
    assert_eq!(access_ops(&access), ACCESS_OPS);
    assert_eq!(access[1]["request"]["target"], "imports");
    assert_eq!(access[2]["request"]["target"], "PersonalizeS3");
    let ops: Vec<&str> = reqs
        .iter()
        .map(|r| r["operation"].as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "PutObject",
            "PutObject",
            "ListDatasetImportJobs",
            "ListDatasetImportJobs",
            "CreateDatasetImportJob",
            "DescribeDatasetImportJob",
            "DescribeSolution",
            "CreateSolutionVersion"
        ]
    );
    assert_eq!(reqs[7]["request"]["solutionArn"], SOLUTION);
    // The dataset's history (INCREMENTAL needs an earlier import, FULL over one is refused
    // unless its drops are known), then the region's queue.
    assert_eq!(
        reqs[2]["request"],
        serde_json::json!({"datasetArn": DATASET})
    );
    assert_eq!(reqs[3]["request"], serde_json::json!({}));
    let key = reqs[0]["request"]["Key"].as_str().unwrap();
    let folder = key.strip_suffix("interactions.csv").unwrap();
    assert!(
        folder.starts_with("team/interactions/20251124T160000Z-") && folder.ends_with('/'),
        "{folder}"
    );
    assert_eq!(
        reqs[0]["request"]["ContentLength"].as_u64().unwrap(),
        std::fs::metadata(dir.path().join("interactions.csv"))
            .unwrap()
            .len()
    );
    assert_eq!(
        reqs[1]["request"]["Key"],
        format!("{folder}_preflight/manifest.json")
    );
    let create = &reqs[4]["request"];
    let name = create["jobName"].as_str().unwrap();
    assert!(
        name.starts_with("preflight-interactions-20251124T160000Z-"),
        "{name}"
    );
    preflight_uploader::check_job_name(name).unwrap();
    assert_eq!(
        *create,
        serde_json::json!({
            "jobName": name,
            "datasetArn": DATASET,
            "dataSource": {"dataLocation": format!("s3://imports/{folder}")},
            "roleArn": ROLE,
            "importMode": "FULL"
        })
    );
    // Nothing was staged locally either.
    assert!(!dir.path().join("staging").exists());
}

#[test]
fn import_dry_run_prints_the_request_and_bad_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "import",
        "--dry-run",
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--from",
        "s3://imports/etl/day1/",
        "--mode",
        "incremental",
    ];
    let out = offline_binary(dir.path())
        .args(base)
        .args(["--job-name", "nightly-2025-11-24"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (access, reqs): (Vec<_>, Vec<_>) = requests(&out.stdout)
        .into_iter()
        .partition(|r| r["request"].get("target").is_some());
    assert_eq!(access_ops(&access), ACCESS_OPS);
    assert_eq!(
        reqs,
        [serde_json::json!({
            "service": "personalize",
            "operation": "CreateDatasetImportJob",
            "request": {
                "jobName": "nightly-2025-11-24",
                "datasetArn": DATASET,
                "dataSource": {"dataLocation": "s3://imports/etl/day1/"},
                "roleArn": ROLE,
                "importMode": "INCREMENTAL"
            }
        })]
    );
    let out = offline_binary(dir.path())
        .args(base)
        .args(["--job-name", "nightly 2025/11/24"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not a valid import job name"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(requests(&out.stdout).is_empty());
}

#[test]
fn help_documents_the_exit_codes() {
    let out = assert_cmd::Command::cargo_bin("preflight")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for want in [
        "3    the upload failed",
        "4    the import job ended CREATE FAILED",
        "5    --timeout passed while watching",
        "6    the import was refused",
        "130  Ctrl-C while watching",
    ] {
        assert!(help.contains(want), "missing `{want}` in:\n{help}");
    }
    // The documented table (docs/exit-codes.md) has the same codes.
    let table = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/exit-codes.md"),
    )
    .unwrap();
    for code in ["| 3 |", "| 4 |", "| 5 |", "| 6 |", "| 130 |"] {
        assert!(
            table.contains(code),
            "docs/exit-codes.md lacks the row `{code}`"
        );
    }
}

#[test]
fn dataset_arn_fetches_the_schema_with_its_domain_and_checks_the_type() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let csv = dir.path().join("interactions.csv");
    interactions(&csv, 7);
    let (dataset, schema) = (dataset_rule("ACTIVE"), schema_rule_in(Some("ECOMMERCE")));
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema], &clock);
    let staging = dir.path().join("staging");
    let code = run(
        &[
            "stage",
            "--dataset-arn",
            DATASET,
            csv.to_str().unwrap(),
            "--to",
            staging.to_str().unwrap(),
        ],
        &c,
    );
    assert_eq!(code, exit::SUCCESS.0);
    let runs: Vec<_> = std::fs::read_dir(staging.join("interactions"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(runs.len(), 1);
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(runs[0].path().join("_preflight/manifest.json")).unwrap(),
    )
    .unwrap();
    // The schema that was checked is the dataset's, with the domain DescribeSchema gave.
    assert_eq!(manifest["schema"]["source"], SCHEMA);
    assert_eq!(manifest["schema"]["domain"], "ECOMMERCE");
    assert_eq!(manifest["dataset_type"], "interactions");
    assert_eq!(schema.num_calls(), 1);

    // --dataset-type must agree with the dataset.
    let cli = Cli::try_parse_from([
        "preflight",
        "validate",
        "--dataset-arn",
        DATASET,
        "--dataset-type",
        "items",
        csv.to_str().unwrap(),
    ])
    .unwrap();
    let err = run_with(cli, &c).unwrap_err();
    assert!(
        format!("{err:#}").contains("--dataset-type says Items but dataset"),
        "{err:#}"
    );
    // A schema file and a dataset are two schemas.
    let cli = Cli::try_parse_from([
        "preflight",
        "plan",
        "--mode",
        "full",
        "--dataset-arn",
        DATASET,
        "--schema",
        "schema.json",
        csv.to_str().unwrap(),
    ])
    .unwrap();
    let err = run_with(cli, &c).unwrap_err();
    assert!(format!("{err:#}").contains("give one of them"), "{err:#}");
}

/// The import side of "never lose data" (issue 8): an upload cut short is never imported.
/// `run` stops at the failed upload (exit 3) before anything is created in Personalize; an
/// `import` of the half-written folder is refused; the re-run resumes the same folder and
/// imports it exactly once; an object changed after staging is refused again.
#[test]
fn an_upload_cut_short_is_never_imported() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    interactions(&data.join("a.csv"), 1);
    // b.csv: above the 16 MiB multipart threshold, 3 parts of the default 8 MiB.
    let mut big = String::from("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
    let mut i = 0u64;
    while big.len() < 17 << 20 {
        big.push_str(&format!(
            "u{},i{},{},click\n",
            i % 300,
            i % 500,
            1_596_238_243 + i
        ));
        i += 1;
    }
    std::fs::write(data.join("b.csv"), big).unwrap();
    let data = data.to_str().unwrap();

    // Where the run will stage: the dry run names the folder and sends nothing.
    let out = offline_binary(dir.path())
        .args([
            "run",
            "--dry-run",
            "--dataset-type",
            "interactions",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--stage-to",
            "s3://imports/team/",
            "--mode",
            "full",
            "--job-name",
            "nightly-1",
            data,
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reqs = requests(&out.stdout);
    let planned = reqs
        .iter()
        .find(|r| r["operation"] == "CreateDatasetImportJob")
        .unwrap();
    let location = planned["request"]["dataSource"]["dataLocation"]
        .as_str()
        .unwrap()
        .to_string();
    let folder = location.trim_start_matches("s3://imports/").to_string();

    let captured = Captured::default();
    let (dataset, schema, list, create) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[]),
        create_rule(&captured),
    );
    let describe = describe_rule(&[("ACTIVE", None)]);
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list, &create, &describe], &clock);
    let run_args = |endpoint: &str| -> Vec<String> {
        [
            "run",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--stage-to",
            "s3://imports/team/",
            "--mode",
            "full",
            "--job-name",
            "nightly-1",
            "--endpoint-url",
            endpoint,
            data,
        ]
        .map(String::from)
        .to_vec()
    };
    let run_owned = |args: &[String]| run(&args.iter().map(String::as_str).collect::<Vec<_>>(), &c);

    // The server dies after accepting one part of b.csv.
    {
        let dying = BackgroundServer::start(
            &root,
            BUCKET,
            ServerOptions {
                die_after_parts: Some(1),
                ..ServerOptions::default()
            },
        );
        assert_eq!(
            run_owned(&run_args(dying.endpoint())),
            exit::UPLOAD_FAILED.0
        );
    }
    assert_eq!(
        create.num_calls(),
        0,
        "a job was created for a failed upload"
    );
    assert!(
        !objects(&root).iter().any(|k| k.ends_with("manifest.json")),
        "{:?}",
        objects(&root)
    );
    assert!(
        !objects(&root).contains(&format!("{folder}b.csv")),
        "{:?}",
        objects(&root)
    );

    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    // Importing what the failed run left behind is refused: it has no manifest.
    let import = |from: &str| -> Vec<String> {
        [
            "import",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--from",
            from,
            "--mode",
            "full",
            "--endpoint-url",
            server.endpoint(),
        ]
        .map(String::from)
        .to_vec()
    };
    assert_eq!(run_owned(&import(&location)), exit::IMPORT_REFUSED.0);
    assert_eq!(create.num_calls(), 0);

    // The re-run resumes the same folder and imports it once. (Which parts survive a dying server
    // depends on timing with parallel parts; stage.rs counts the resent parts with one at a time.)
    assert_eq!(run_owned(&run_args(server.endpoint())), exit::SUCCESS.0);
    assert_eq!(create.num_calls(), 1);
    let sent = captured.lock().unwrap()[0].clone();
    assert_eq!(
        sent.data_source().and_then(|d| d.data_location()),
        Some(location.as_str())
    );
    assert_eq!(
        objects(&root),
        [
            format!("{folder}_preflight/manifest.json"),
            format!("{folder}a.csv"),
            format!("{folder}b.csv"),
        ]
    );

    // a.csv is rewritten after staging (same size, other bytes): refused before any job.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s3 = rt
        .block_on(preflight_uploader::S3Store::connect(
            BUCKET,
            &preflight_uploader::S3Options {
                endpoint_url: Some(server.endpoint().to_string()),
                ..Default::default()
            },
        ))
        .unwrap();
    let mut changed = std::fs::read(dir.path().join("data/a.csv")).unwrap();
    let n = changed.len();
    changed[n - 3] = b'x';
    let alg = preflight_uploader::ChecksumAlgorithm::Crc64nvme;
    let sum = preflight_uploader::Checksum {
        algorithm: alg,
        value: preflight_uploader::checksum::checksum_of(alg, &changed),
    };
    rt.block_on(preflight_uploader::ObjectStore::put_object(
        &s3,
        &format!("{folder}a.csv"),
        changed.into(),
        &sum,
    ))
    .unwrap();
    assert_eq!(run_owned(&import(&location)), exit::IMPORT_REFUSED.0);
    assert_eq!(
        create.num_calls(),
        1,
        "a job was created for a changed folder"
    );

    // Written again with a CRC32 (as the AWS CLI writes), the store reports no CRC64NVME for
    // a.csv: the import reads it back and hashes it. The staged bytes pass; other bytes of the
    // same size are refused, however the store's own checksum agrees with them.
    let put_crc32 = |bytes: Vec<u8>| {
        let alg = preflight_uploader::ChecksumAlgorithm::Crc32;
        let sum = preflight_uploader::Checksum {
            algorithm: alg,
            value: preflight_uploader::checksum::checksum_of(alg, &bytes),
        };
        rt.block_on(preflight_uploader::ObjectStore::put_object(
            &s3,
            &format!("{folder}a.csv"),
            bytes.into(),
            &sum,
        ))
        .unwrap();
    };
    let original = std::fs::read(dir.path().join("data/a.csv")).unwrap();
    put_crc32(original.clone());
    assert_eq!(run_owned(&import(&location)), exit::SUCCESS.0);
    assert_eq!(create.num_calls(), 2, "the same bytes were refused");
    let mut other = original;
    let n = other.len();
    other[n - 3] = b'x';
    put_crc32(other);
    assert_eq!(run_owned(&import(&location)), exit::IMPORT_REFUSED.0);
    assert_eq!(
        create.num_calls(),
        2,
        "a job was created for bytes no checksum of the manifest's kind vouched for"
    );
}

/// `insights --dataset-arn`: the schema comes from the dataset, as for validate. The fetched
/// schema declares EVENT_TYPE, so a file without it has a validation error there (the report
/// counts it), while the built-in schema, adapted to the header, accepts the same file.
#[test]
fn insights_fetches_the_schema_of_a_dataset_arn() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let csv = dir.path().join("interactions.csv");
    interactions(&csv, 3);
    let without = dir.path().join("no-event-type.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let cut: String = text
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    std::fs::write(&without, cut).unwrap();

    let (dataset, schema) = (dataset_rule("ACTIVE"), schema_rule());
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema], &clock);
    let html = dir.path().join("report.html");
    let insights = |schema: &[&str], file: &Path| {
        let mut args = vec!["insights", "--html", html.to_str().unwrap(), "--force"];
        args.extend_from_slice(schema);
        args.push(file.to_str().unwrap());
        let code = run(&args, &c);
        (code, std::fs::read_to_string(&html).unwrap())
    };
    let (code, page) = insights(&["--dataset-arn", DATASET], &csv);
    assert_eq!(code, exit::SUCCESS.0);
    assert!(page.contains("1,500 records"), "{page}");
    assert!(!page.contains("Validation also found"), "{page}");
    assert_eq!((dataset.num_calls(), schema.num_calls()), (1, 1));

    let (_, page) = insights(&["--dataset-arn", DATASET], &without);
    assert!(page.contains("Validation also found 1 error"), "{page}");
    let (_, page) = insights(&["--dataset-type", "interactions"], &without);
    assert!(!page.contains("Validation also found"), "{page}");
    assert_eq!((dataset.num_calls(), schema.num_calls()), (2, 2));
}

// ---- Issue 13: existing data given, known empty or unknown, in `run`, `import` and `plan` ----

fn argv(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `run --mode incremental` with no local copy of the dataset: the account shows an earlier
/// ACTIVE import, so Personalize accepts INCREMENTAL, and the batch's 1,500 distinct records
/// can meet the 1,000-new minimum: the job is created.
#[test]
fn run_incremental_needs_no_local_copy_of_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let csv = dir.path().join("today.csv");
    interactions(&csv, 20);
    let captured = Captured::default();
    let (dataset, schema, list, create) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[("ACTIVE", "FULL")]),
        create_rule(&captured),
    );
    let describe = describe_rule(&[("ACTIVE", None)]);
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list, &create, &describe], &clock);
    let code = run(
        &[
            "run",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--stage-to",
            "s3://imports/team/",
            "--mode",
            "incremental",
            "--endpoint-url",
            server.endpoint(),
            csv.to_str().unwrap(),
        ],
        &c,
    );
    assert_eq!(code, exit::SUCCESS.0);
    let sent = captured.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].import_mode().map(|m| m.as_str()),
        Some("INCREMENTAL")
    );
}

/// FULL into a dataset whose account shows an earlier ACTIVE import, with the existing data
/// unknown: `run` and `import` refuse (exit 6, nothing staged or created) unless `--allow-drop`.
/// Into a dataset without one (known empty) FULL goes ahead.
#[test]
fn full_over_bulk_data_of_unknown_content_needs_allow_drop() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let csv = dir.path().join("today.csv");
    interactions(&csv, 21);
    let run_args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "run",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--stage-to",
            "s3://imports/team/",
            "--mode",
            "full",
            "--endpoint-url",
            server.endpoint(),
            csv.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let captured = Captured::default();
    let (dataset, schema, list, create) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[("ACTIVE", "FULL")]),
        create_rule(&captured),
    );
    let describe = describe_rule(&[("ACTIVE", None), ("ACTIVE", None)]);
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list, &create, &describe], &clock);
    assert_eq!(run(&argv(&run_args(&[])), &c), exit::IMPORT_REFUSED.0);
    assert!(objects(&root).is_empty(), "nothing staged");
    assert_eq!(create.num_calls(), 0);
    assert_eq!(
        run(&argv(&run_args(&["--allow-drop"])), &c),
        exit::SUCCESS.0
    );
    assert_eq!(create.num_calls(), 1);

    // `import` of a folder: the same refusal, and the same way out.
    let import = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "import",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--from",
            "s3://imports/etl/day1/",
            "--mode",
            "full",
            "--unverified",
        ]
        .map(String::from)
        .to_vec();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    assert_eq!(run(&argv(&import(&[])), &c), exit::IMPORT_REFUSED.0);
    assert_eq!(create.num_calls(), 1);
    assert_eq!(run(&argv(&import(&["--allow-drop"])), &c), exit::SUCCESS.0);
    assert_eq!(create.num_calls(), 2);

    // Known empty (no ACTIVE import yet): the first FULL import needs no flag.
    let (list, create) = (
        list_rule(&[("CREATE FAILED", "FULL")]),
        create_rule(&captured),
    );
    let describe = describe_rule(&[("ACTIVE", None)]);
    let c = clients(&[&dataset, &schema, &list, &create, &describe], &clock);
    assert_eq!(run(&argv(&run_args(&[])), &c), exit::SUCCESS.0);
    assert_eq!(create.num_calls(), 1);
}

/// `plan --dataset-arn` asks the account: no ACTIVE import means the dataset is known to be
/// empty (INCREMENTAL is PF314); with one, the existing data is unknown (no PF314).
#[test]
fn plan_with_a_dataset_arn_knows_whether_the_dataset_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let csv = dir.path().join("today.csv");
    interactions(&csv, 22);
    let plan = |history: &'static [(&'static str, &'static str)]| {
        let (dataset, schema, list) = (dataset_rule("ACTIVE"), schema_rule(), list_rule(history));
        let clock = Arc::new(ManualClock::new());
        let c = clients(&[&dataset, &schema, &list], &clock);
        let code = run(
            &[
                "plan",
                "--dataset-arn",
                DATASET,
                "--mode",
                "incremental",
                csv.to_str().unwrap(),
            ],
            &c,
        );
        (code, list.num_calls())
    };
    let (code, calls) = plan(&[]);
    assert_eq!(code, exit::FINDINGS.0, "known empty: PF314");
    assert_eq!(calls, 1);
    let (code, _) = plan(&[("ACTIVE", "FULL")]);
    assert_eq!(code, exit::SUCCESS.0, "unknown: no PF314");
    // `validate --mode` asks the same way.
    let (dataset, schema, list) = (dataset_rule("ACTIVE"), schema_rule(), list_rule(&[]));
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list], &clock);
    let validate = [
        "validate",
        "--dataset-arn",
        DATASET,
        "--mode",
        "incremental",
        csv.to_str().unwrap(),
    ];
    assert_eq!(run(&validate, &c), exit::FINDINGS.0);
    assert_eq!(list.num_calls(), 1);
}

/// `--existing s3://bucket/prefix/` streams the objects through the same engine (plan and
/// run), and the config's `existing`, `import_mode` and `dataset_arn` drive `run --dataset`.
#[test]
fn existing_data_in_s3_and_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let current = root.join(BUCKET).join("current");
    std::fs::create_dir_all(&current).unwrap();
    interactions(&current.join("part-0.csv"), 30);
    // The new batch repeats the stored data exactly: nothing new.
    let csv = dir.path().join("again.csv");
    interactions(&csv, 30);

    let (dataset, schema, list) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[("ACTIVE", "FULL")]),
    );
    let captured = Captured::default();
    let create = create_rule(&captured);
    let describe = describe_rule(&[("ACTIVE", None), ("ACTIVE", None)]);
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema, &list, &create, &describe], &clock);
    let merged = dir.path().join("merged.csv");
    let code = run(
        &[
            "plan",
            "--dataset-type",
            "interactions",
            "--mode",
            "incremental",
            "--existing",
            "s3://imports/current/",
            "--endpoint-url",
            server.endpoint(),
            "--write-merged",
            merged.to_str().unwrap(),
            csv.to_str().unwrap(),
        ],
        &c,
    );
    assert_eq!(code, exit::FINDINGS.0, "0 new records: PF310");
    assert_eq!(
        std::fs::read_to_string(&merged).unwrap().lines().count(),
        1 + 1500,
        "the stored records, read from S3"
    );
    // The new data from S3 too, against a local copy.
    let code = run(
        &[
            "plan",
            "--dataset-type",
            "interactions",
            "--mode",
            "incremental",
            "--existing",
            csv.to_str().unwrap(),
            "--endpoint-url",
            server.endpoint(),
            "s3://imports/current/",
        ],
        &c,
    );
    assert_eq!(code, exit::FINDINGS.0, "0 new records: PF310");

    // The same through the config: the dataset names its ARN, mode and existing data.
    let config = dir.path().join("preflight.toml");
    std::fs::write(
        &config,
        format!(
            "[datasets.interactions]\ndataset_arn = \"{DATASET}\"\nfiles = \"again.csv\"\nimport_mode = \"incremental\"\nexisting = \"s3://imports/current/\"\n"
        ),
    )
    .unwrap();
    let run_args = [
        "run",
        "--config",
        config.to_str().unwrap(),
        "--dataset",
        "interactions",
        "--role-arn",
        ROLE,
        "--stage-to",
        "s3://imports/team/",
        "--endpoint-url",
        server.endpoint(),
    ];
    assert_eq!(run(&run_args, &c), exit::FINDINGS.0, "PF310: nothing new");
    assert_eq!(create.num_calls(), 0);
    // The file's settings apply to run as to validate: PF310 lowered to a warning.
    let lenient = dir.path().join("lenient.toml");
    std::fs::write(
        &lenient,
        std::fs::read_to_string(&config).unwrap().replace(
            "[datasets.interactions]",
            "[rules]\nPF310 = \"warning\"\n\n[datasets.interactions]",
        ),
    )
    .unwrap();
    let mut lenient_args = run_args.to_vec();
    lenient_args[2] = lenient.to_str().unwrap();
    assert_eq!(run(&lenient_args, &c), exit::SUCCESS.0);
    assert_eq!(create.num_calls(), 1);

    // A batch with new records passes, as INCREMENTAL; --dataset-arn finds the dataset too.
    interactions(&csv, 31);
    let by_arn = [
        "run",
        "--config",
        config.to_str().unwrap(),
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--stage-to",
        "s3://imports/team/",
        "--endpoint-url",
        server.endpoint(),
    ];
    assert_eq!(run(&by_arn, &c), exit::SUCCESS.0);
    let sent = captured.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1].import_mode().map(|m| m.as_str()),
        Some("INCREMENTAL")
    );
}

/// The schema of an existing dataset was accepted by Personalize when the dataset was created,
/// so nothing the schema checks say of it can stop an import into that dataset: with
/// `--dataset-arn` a schema error (here PF408, two field names equal once underscores are
/// ignored, which CreateSchema is inferred to refuse) is a warning and `validate` passes, while
/// the same schema given as a file, before CreateSchema, still fails.
#[test]
fn the_schema_of_an_existing_dataset_never_blocks_its_import() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let avro = serde_json::json!({
        "type": "record", "name": "Interactions",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "DEVICE_TYPE", "type": "string", "categorical": true},
            {"name": "DEVICETYPE", "type": "string", "categorical": true}
        ],
        "version": "1.0"
    })
    .to_string();
    let body = serde_json::json!({"schema": {
        "name": "shop-interactions", "schemaArn": SCHEMA, "schema": avro,
        "creationDateTime": 1.7e9, "lastUpdatedDateTime": 1.7e9
    }})
    .to_string();
    let schema = mock!(Client::describe_schema)
        .match_requests(|r| r.schema_arn() == Some(SCHEMA))
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build();
    let dataset = dataset_rule("ACTIVE");
    let clock = Arc::new(ManualClock::new());
    let c = clients(&[&dataset, &schema], &clock);
    let mut s = String::from("USER_ID,ITEM_ID,TIMESTAMP,DEVICE_TYPE,DEVICETYPE\n");
    for i in 0..1500u64 {
        s.push_str(&format!(
            "u{},i{},{},phone,ios\n",
            i % 300,
            i % 500,
            1_700_000_000 + i
        ));
    }
    let csv = dir.path().join("interactions.csv");
    std::fs::write(&csv, s).unwrap();
    let code = run(
        &["validate", "--dataset-arn", DATASET, csv.to_str().unwrap()],
        &c,
    );
    assert_eq!(
        code,
        exit::SUCCESS.0,
        "the dataset's own schema blocked its import"
    );
    assert_eq!(schema.num_calls(), 1);

    let file = dir.path().join("schema.json");
    std::fs::write(&file, &avro).unwrap();
    let code = run(
        &[
            "validate",
            "--schema",
            file.to_str().unwrap(),
            csv.to_str().unwrap(),
        ],
        &c,
    );
    assert_eq!(
        code,
        exit::FINDINGS.0,
        "a schema file that CreateSchema would refuse"
    );
}

/// One import-mode type (issue 15, bug d): the mode `--mode` parses is the one the plan is
/// made for and the one the import job is created with, so they cannot disagree; it is
/// written as the API writes it.
#[test]
fn one_import_mode_type_from_the_flag_to_the_plan_and_the_job() {
    use personalize_preflight::args::Command;
    let cli = Cli::try_parse_from([
        "preflight",
        "run",
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--stage-to",
        "s3://imports/x/",
        "--mode",
        "incremental",
        "a.csv",
    ])
    .unwrap();
    let Command::Run(args) = cli.command else {
        panic!("not run")
    };
    let flag: preflight_validator::ImportMode = args.mode.unwrap();
    let plan = preflight_validator::PlanOptions::new(flag);
    let job: preflight_uploader::ImportMode = plan.mode;
    assert_eq!(job, preflight_uploader::ImportMode::Incremental);
    assert_eq!(job.to_string(), "INCREMENTAL");
    assert_eq!(serde_json::to_value(job).unwrap(), "INCREMENTAL");
    assert_eq!(
        "full".parse::<preflight_uploader::ImportMode>(),
        Ok(preflight_validator::ImportMode::Full)
    );
}

// ---- Issue 17: access checks before a job, training after it --------------------------------

const SOLUTION: &str = "arn:aws:personalize:us-east-1:123456789012:solution/shop-up";
const SOLUTION_VERSION: &str =
    "arn:aws:personalize:us-east-1:123456789012:solution/shop-up/8f1c0a2b";

fn run_outcome(args: &[&str], clients: &Clients) -> personalize_preflight::outcome::Outcome {
    let cli = Cli::try_parse_from(std::iter::once("preflight").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{e}"));
    run_with(cli, clients).unwrap()
}

fn run_args<'a>(endpoint: &'a str, csv: &'a str) -> Vec<&'a str> {
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
        "--job-name",
        "nightly-1",
        "--endpoint-url",
        endpoint,
        csv,
    ]
}

#[test]
fn run_refuses_a_bucket_policy_without_list_bucket_exits_6_and_creates_no_job() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let csv = dir.path().join("interactions.csv");
    interactions(&csv, 0);
    let captured = Captured::default();
    let (dataset, schema, list, create) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[]),
        create_rule(&captured),
    );
    let describe = describe_rule(&[("ACTIVE", None)]);
    let clock = Arc::new(ManualClock::new());
    let rules = [&dataset, &schema, &list, &create, &describe];
    let c = clients_with_access(&rules, &clock, access::without_list_bucket());
    let outcome = run_outcome(&run_args(server.endpoint(), csv.to_str().unwrap()), &c);
    assert_eq!(outcome.code, exit::IMPORT_REFUSED);
    let failure = outcome.failure.unwrap();
    assert!(
        failure.message.contains("access checks found 1 error"),
        "{failure:?}"
    );
    assert!(
        failure.notes[0].contains("No import job was created"),
        "{failure:?}"
    );
    assert_eq!(create.num_calls(), 0);
    assert_eq!(describe.num_calls(), 0);
    // Checked before anything was uploaded.
    assert!(objects(&root).is_empty(), "{:?}", objects(&root));

    // Lowered to a warning (the rule's docs say how), the job is created.
    let mut args = run_args(server.endpoint(), csv.to_str().unwrap());
    args.extend(["--severity", "PF604=warning"]);
    let describe = describe_rule(&[("ACTIVE", None)]);
    let rules = [&dataset, &schema, &list, &create, &describe];
    let c = clients_with_access(&rules, &clock, access::without_list_bucket());
    let outcome = run_outcome(&args, &c);
    assert_eq!(outcome.code, exit::SUCCESS, "{:?}", outcome.failure);
    assert_eq!(create.num_calls(), 1);

    // --skip-access-check creates the job without the checks.
    let mut args = run_args(server.endpoint(), csv.to_str().unwrap());
    args.push("--skip-access-check");
    let describe = describe_rule(&[("ACTIVE", None)]);
    let rules = [&dataset, &schema, &list, &create, &describe];
    let c = clients_with_access(
        &rules,
        &clock,
        access::World {
            bucket_policy: None,
            ..access::without_list_bucket()
        },
    );
    assert_eq!(run_outcome(&args, &c).code, exit::SUCCESS);
    assert_eq!(create.num_calls(), 2);
}

#[test]
fn import_checks_access_before_creating_the_job() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    // The dataset had a FULL import: INCREMENTAL is allowed.
    let (dataset, list) = (dataset_rule("ACTIVE"), list_rule(&[("ACTIVE", "FULL")]));
    let captured = Captured::default();
    let create = create_rule(&captured);
    let clock = Arc::new(ManualClock::new());
    let rules = [&dataset, &list, &create];
    let args = [
        "import",
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--from",
        "s3://imports/team/interactions.csv",
        "--unverified",
        "--mode",
        "incremental",
    ];
    // The bucket has no policy at all (PF603).
    let broken = access::World {
        bucket_policy: None,
        ..access::healthy()
    };
    let c = clients_with_access(&rules, &clock, broken);
    let outcome = run_outcome(&args, &c);
    assert_eq!(outcome.code, exit::IMPORT_REFUSED, "{:?}", outcome.failure);
    assert!(
        outcome
            .failure
            .unwrap()
            .message
            .contains("access checks found 1 error"),
        "refused by the access checks"
    );
    assert_eq!(create.num_calls(), 0);
    // The documented setup: the job is created.
    let c = clients_with_access(&rules, &clock, access::healthy());
    let outcome = run_outcome(&args, &c);
    assert_eq!(outcome.code, exit::SUCCESS, "{:?}", outcome.failure);
    assert_eq!(create.num_calls(), 1);
}

/// `import` of a sealed folder checks the encryption of the objects the manifest lists, not only
/// the bucket's default: objects written with an SSE-KMS key the role may not use are refused
/// before the job is created (Personalize would fail with "Insufficient privileges").
#[test]
fn import_checks_the_staged_objects_own_kms_key() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let csv = dir.path().join("interactions.csv");
    interactions(&csv, 5);
    let clock = Arc::new(ManualClock::new());
    // Stage (validated, with its manifest) into the local server.
    let stage = [
        "stage",
        "--dataset-type",
        "interactions",
        "--to",
        "s3://imports/team/",
        "--endpoint-url",
        server.endpoint(),
        csv.to_str().unwrap(),
    ];
    let c = clients(&[], &clock);
    let staged = run_outcome(&stage, &c);
    assert_eq!(staged.code, exit::SUCCESS, "{:?}", staged.failure);
    let folder = objects(&root)
        .into_iter()
        .find(|k| k.ends_with("_preflight/manifest.json"))
        .expect("a manifest")
        .trim_end_matches("_preflight/manifest.json")
        .to_string();
    let from = format!("s3://imports/{folder}");
    let import = [
        "import",
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--from",
        &from,
        "--mode",
        "full",
        "--endpoint-url",
        server.endpoint(),
    ];
    // The objects carry a customer managed key whose policy only delegates to IAM (the default
    // key policy), and the role's policies do not allow kms:Decrypt.
    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let key_policy = r#"{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}"#;
    let (dataset, list) = (dataset_rule("ACTIVE"), list_rule(&[]));
    let captured = Captured::default();
    let create = create_rule(&captured);
    let rules = [&dataset, &list, &create];
    let locked = access::World {
        object_key: Some((KEY, key_policy.to_string())),
        ..access::healthy()
    };
    let outcome = run_outcome(&import, &clients_with_access(&rules, &clock, locked));
    assert_eq!(outcome.code, exit::IMPORT_REFUSED, "{:?}", outcome.failure);
    assert_eq!(
        create.num_calls(),
        0,
        "no job for data the role cannot decrypt"
    );
    // The same objects with SSE-S3: imported.
    let outcome = run_outcome(&import, &clients(&rules, &clock));
    assert_eq!(outcome.code, exit::SUCCESS, "{:?}", outcome.failure);
    assert_eq!(create.num_calls(), 1);
}

#[test]
fn doctor_exits_1_on_a_broken_setup_and_0_on_the_documented_one() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let dataset = dataset_rule("ACTIVE");
    let clock = Arc::new(ManualClock::new());
    let args = [
        "doctor",
        "--no-config",
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--location",
        "s3://imports/team/",
    ];
    let c = clients_with_access(&[&dataset], &clock, access::healthy());
    assert_eq!(run_outcome(&args, &c).code, exit::SUCCESS);
    let c = clients_with_access(&[&dataset], &clock, access::without_list_bucket());
    assert_eq!(run_outcome(&args, &c).code, exit::FINDINGS);
    // A trust policy without the confused-deputy conditions is a warning only (PF606)…
    let loose = access::World {
        trust_policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"personalize.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#.into(),
        ..access::healthy()
    };
    let c = clients_with_access(&[&dataset], &clock, loose);
    assert_eq!(run_outcome(&args, &c).code, exit::SUCCESS);
    // …that fails the run with --fail-on warning.
    let mut strict = args.to_vec();
    strict.extend(["--fail-on", "warning"]);
    let loose = access::World {
        trust_policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"personalize.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#.into(),
        ..access::healthy()
    };
    let c = clients_with_access(&[&dataset], &clock, loose);
    assert_eq!(run_outcome(&strict, &c).code, exit::FINDINGS);
}

/// The doctor output of docs/commands/doctor.md is what `doctor` prints for the broken setup it
/// describes (a bucket policy that lets Personalize read but not list the bucket `imports`),
/// line for line: the services' answers are mocked, the report captured from the in-process
/// run.
#[test]
fn the_doctor_output_in_the_docs_is_what_doctor_prints() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let page =
        std::fs::read_to_string(crate::common::root().join("docs/commands/doctor.md")).unwrap();
    let intro = "For a bucket policy that lets Personalize read but not list the bucket:\n\n```\n";
    let start = page
        .find(intro)
        .expect("the doctor page shows a broken setup")
        + intro.len();
    let shown = &page[start..start + page[start..].find("```").unwrap()];
    let dataset = dataset_rule("ACTIVE");
    let clock = Arc::new(ManualClock::new());
    let mut c = clients_with_access(&[&dataset], &clock, access::without_list_bucket());
    let captured = Arc::new(Mutex::new(Vec::new()));
    c.stdout = Some(captured.clone());
    let args = [
        "doctor",
        "--no-config",
        "--dataset-arn",
        DATASET,
        "--role-arn",
        ROLE,
        "--location",
        "s3://imports/team/",
    ];
    assert_eq!(run_outcome(&args, &c).code, exit::FINDINGS);
    let printed = String::from_utf8(captured.lock().unwrap().clone()).unwrap();
    assert_eq!(
        printed, shown,
        "docs/commands/doctor.md shows another output than `doctor` prints"
    );
}

fn solution_rule(recipe: &str) -> Rule {
    let body = serde_json::json!({"solution": {
        "name": "shop-up", "solutionArn": SOLUTION, "performHPO": false, "performAutoML": false,
        "performAutoTraining": false,
        "recipeArn": format!("arn:aws:personalize:::recipe/{recipe}"),
        "datasetGroupArn": "arn:aws:personalize:us-east-1:123456789012:dataset-group/shop",
        "solutionConfig": {}, "status": "ACTIVE",
        "creationDateTime": 1.7e9, "lastUpdatedDateTime": 1.7e9,
        "latestSolutionVersion": {
            "solutionVersionArn": format!("{SOLUTION}/1a2b3c4d"), "status": "ACTIVE",
            "trainingMode": "FULL", "trainingType": "MANUAL",
            "creationDateTime": 1.7e9, "lastUpdatedDateTime": 1.7e9
        }
    }})
    .to_string();
    mock!(Client::describe_solution)
        .match_requests(|r| r.solution_arn() == Some(SOLUTION))
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build()
}

type CapturedTraining = Arc<Mutex<Vec<(String, String)>>>;

fn create_version_rule(captured: &CapturedTraining) -> Rule {
    let c = captured.clone();
    mock!(Client::create_solution_version).then_compute_output(move |r| {
        c.lock().unwrap().push((
            r.solution_arn().unwrap_or_default().to_string(),
            r.training_mode().map(|m| m.as_str().to_string()).unwrap_or_default(),
        ));
        aws_sdk_personalize::operation::create_solution_version::CreateSolutionVersionOutput::builder()
            .solution_version_arn(SOLUTION_VERSION)
            .build()
    })
}

fn version_rule(statuses: &[(&str, Option<&str>)]) -> Rule {
    let mut seq = mock!(Client::describe_solution_version).sequence();
    for (status, reason) in statuses {
        let mut v = serde_json::json!({
            "name": "8f1c0a2b", "solutionVersionArn": SOLUTION_VERSION, "solutionArn": SOLUTION,
            "recipeArn": "arn:aws:personalize:::recipe/aws-user-personalization",
            "trainingMode": "FULL", "trainingType": "MANUAL", "status": status,
            "creationDateTime": 1.764e9, "lastUpdatedDateTime": 1.764e9
        });
        if let Some(r) = reason {
            v["failureReason"] = (*r).into();
        }
        seq = seq.http_status(
            200,
            Some(serde_json::json!({"solutionVersion": v}).to_string()),
        );
    }
    seq.build()
}

#[test]
fn train_watches_the_solution_version_with_the_import_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let clock = Arc::new(ManualClock::new());
    let captured = CapturedTraining::default();
    let create = create_version_rule(&captured);
    let describe = version_rule(&[
        ("CREATE PENDING", None),
        ("CREATE IN_PROGRESS", None),
        ("ACTIVE", None),
    ]);
    let c = clients(&[&create, &describe], &clock);
    assert_eq!(run(&["train", SOLUTION], &c), exit::SUCCESS.0);
    assert_eq!(
        captured.lock().unwrap().as_slice(),
        [(SOLUTION.to_string(), "FULL".to_string())]
    );
    assert_eq!(describe.num_calls(), 3);
    assert_eq!(
        clock.sleeps(),
        [5, 10].map(std::time::Duration::from_secs).to_vec()
    );

    // CREATE FAILED: exit 4 with the reason.
    let failed = version_rule(&[(
        "CREATE FAILED",
        Some("Create failed. Dataset has fewer than 25 users with at least 2 interactions each."),
    )]);
    let c = clients(&[&create, &failed], &clock);
    let outcome = run_outcome(&["train", SOLUTION], &c);
    assert_eq!(outcome.code, exit::IMPORT_FAILED);
    assert!(
        outcome.failure.unwrap().notes[0].contains("fewer than 25 users"),
        "the failureReason is shown"
    );

    // UPDATE where the recipe does not support it: refused, nothing created.
    let sims = solution_rule("aws-sims");
    let c = clients(&[&create, &sims], &clock);
    let outcome = run_outcome(&["train", SOLUTION, "--training-mode", "update"], &c);
    assert_eq!(outcome.code, exit::IMPORT_REFUSED);
    assert!(
        outcome
            .failure
            .unwrap()
            .message
            .contains("trains only in FULL mode"),
        "the reason is the recipe"
    );
    assert_eq!(captured.lock().unwrap().len(), 2);
}

#[test]
fn run_retrains_only_when_asked_and_only_after_the_import_is_active() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let root = dir.path().join("s3");
    let server = BackgroundServer::start(&root, BUCKET, ServerOptions::default());
    let csv = dir.path().join("interactions.csv");
    interactions(&csv, 0);
    let captured = Captured::default();
    let (dataset, schema, list, create) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[]),
        create_rule(&captured),
    );
    let trained = CapturedTraining::default();
    let (solution, create_version) = (
        solution_rule("aws-user-personalization"),
        create_version_rule(&trained),
    );
    let versions = version_rule(&[("CREATE IN_PROGRESS", None), ("ACTIVE", None)]);
    let clock = Arc::new(ManualClock::new());

    // The import fails: nothing is trained.
    let failed = describe_rule(&[(
        "CREATE FAILED",
        Some("Input CSV is missing the following columns: [TIMESTAMP]"),
    )]);
    let c = clients(
        &[
            &dataset,
            &schema,
            &list,
            &create,
            &failed,
            &solution,
            &create_version,
            &versions,
        ],
        &clock,
    );
    let mut args = run_args(server.endpoint(), csv.to_str().unwrap());
    args.extend(["--retrain", SOLUTION]);
    assert_eq!(run(&args, &c), exit::IMPORT_FAILED.0);
    assert!(trained.lock().unwrap().is_empty());

    // ACTIVE: the solution is trained, FULL since interactions were imported.
    let active = describe_rule(&[("ACTIVE", None)]);
    let c = clients(
        &[
            &dataset,
            &schema,
            &list,
            &create,
            &active,
            &solution,
            &create_version,
            &versions,
        ],
        &clock,
    );
    assert_eq!(run(&args, &c), exit::SUCCESS.0);
    assert_eq!(
        trained.lock().unwrap().as_slice(),
        [(SOLUTION.to_string(), "FULL".to_string())]
    );
    assert_eq!(versions.num_calls(), 2);

    // Without --retrain, nothing is trained.
    let active = describe_rule(&[("ACTIVE", None)]);
    let c = clients(
        &[
            &dataset,
            &schema,
            &list,
            &create,
            &active,
            &solution,
            &create_version,
        ],
        &clock,
    );
    assert_eq!(
        run(&run_args(server.endpoint(), csv.to_str().unwrap()), &c),
        exit::SUCCESS.0
    );
    assert_eq!(trained.lock().unwrap().len(), 1);
}

#[test]
fn doctor_and_import_dry_runs_list_the_access_calls() {
    let dir = tempfile::tempdir().unwrap();
    let out = offline_binary(dir.path())
        .args([
            "doctor",
            "--dry-run",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--location",
            "s3://imports/team/",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reqs = requests(&out.stdout);
    assert_eq!(reqs[0]["operation"], "DescribeDataset");
    assert_eq!(access_ops(&reqs[1..]), ACCESS_OPS);
    // --skip-access-check: only the job's request.
    let out = offline_binary(dir.path())
        .args([
            "import",
            "--dry-run",
            "--skip-access-check",
            "--dataset-arn",
            DATASET,
            "--role-arn",
            ROLE,
            "--from",
            "s3://imports/etl/day1/",
            "--mode",
            "incremental",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        access_ops(&requests(&out.stdout)),
        ["CreateDatasetImportJob"]
    );
}

#[test]
fn plan_and_run_with_a_dataset_arn_read_the_dataset_groups_models() {
    let dir = tempfile::tempdir().unwrap();
    aws_env(dir.path());
    let csv = dir.path().join("today.csv");
    interactions(&csv, 23);
    let (dataset, schema, list) = (
        dataset_rule("ACTIVE"),
        schema_rule(),
        list_rule(&[("ACTIVE", "FULL")]),
    );
    let solutions = mock!(Client::list_solutions)
        .match_requests(|r| {
            r.dataset_group_arn()
                == Some("arn:aws:personalize:us-east-1:123456789012:dataset-group/shop")
        })
        .sequence()
        .http_status(
            200,
            Some(
                serde_json::json!({"solutions": [{
                    "name": "shop-up", "solutionArn": SOLUTION, "status": "ACTIVE",
                    "recipeArn": "arn:aws:personalize:::recipe/aws-user-personalization",
                    "creationDateTime": 1.7e9, "lastUpdatedDateTime": 1.7e9
                }]})
                .to_string(),
            ),
        )
        .repeatedly()
        .build();
    let solution = solution_rule("aws-user-personalization");
    let clock = Arc::new(ManualClock::new());
    let mut c = clients(&[&dataset, &schema, &list, &solutions, &solution], &clock);
    let captured = Arc::new(Mutex::new(Vec::new()));
    c.stdout = Some(captured.clone());
    let code = run(
        &[
            "plan",
            "--dataset-arn",
            DATASET,
            "--mode",
            "incremental",
            csv.to_str().unwrap(),
        ],
        &c,
    );
    assert_eq!(code, exit::SUCCESS.0);
    assert_eq!((solutions.num_calls(), solution.num_calls()), (1, 1));
    // One line per kind of new data the interactions bring: the interactions, and the users
    // and items (at most, the existing data being unknown) that the model may not have seen.
    let printed = String::from_utf8(captured.lock().unwrap().clone()).unwrap();
    for line in [
        "  solution `shop-up`, aws-user-personalization: new interactions: needs a new solution version (`preflight train`)",
        "  solution `shop-up`, aws-user-personalization: new users: popular items at first",
        "  solution `shop-up`, aws-user-personalization: new items: automatic update within about 2 hours",
    ] {
        assert!(printed.contains(line), "{line}\n{printed}");
    }
}
