//! The access checks through the real `aws-sdk-s3`, `aws-sdk-iam` and `aws-sdk-kms` clients, with
//! the services' answers mocked by `aws-smithy-mocks` in their real shapes: S3's REST-XML
//! (`LocationConstraint`, `ServerSideEncryptionConfiguration`, the policy as the body, `<Error>`
//! documents), IAM's query-protocol XML with URL-encoded policy documents (`GetRoleResponse`,
//! `ErrorResponse`), KMS's JSON 1.1 (`KeyMetadata`, `__type` errors). Every check is shown
//! passing, failing each way, unable to read what it needs (access denied), and overruled by a
//! Deny. The policies are the AWS documentation's (`tests/policies/`).

use aws_sdk_iam::config::retry::RetryConfig;
use aws_smithy_mocks::{create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use preflight_uploader::access::rules;
use preflight_uploader::{
    check_access, AccessReport, AccessRequest, CheckKind, FixTarget, S3Options, S3Store, SdkIam,
    SdkKms, Status,
};

const ACCOUNT: &str = "111122223333";
const BUCKET: &str = "amzn-s3-demo-bucket";
const ROLE: &str = "arn:aws:iam::111122223333:role/service-role/PersonalizeRole";
const DATASET: &str = "arn:aws:personalize:us-east-1:111122223333:dataset/shop/INTERACTIONS";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/policies/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The documentation's policies, with the documentation's role replaced by ours (its path).
fn doc(name: &str) -> String {
    fixture(name).replace("arn:aws:iam::111122223333:role/PersonalizeRole", ROLE)
}

/// IAM's encoding of policy documents in its XML answers.
fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn interceptor(rules: &[Rule]) -> MockResponseInterceptor {
    let mut i = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for r in rules {
        i = i.with_rule(r);
    }
    i
}

fn s3(rules: &[Rule]) -> S3Store {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .http_client(create_mock_http_client())
        .interceptor(interceptor(rules))
        .retry_config(RetryConfig::disabled())
        .build();
    S3Store::from_client(
        aws_sdk_s3::Client::from_conf(conf),
        BUCKET,
        &S3Options::default(),
    )
}

fn iam(rules: &[Rule]) -> SdkIam {
    let conf = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .http_client(create_mock_http_client())
        .interceptor(interceptor(rules))
        .retry_config(RetryConfig::disabled())
        .build();
    SdkIam::from_client(aws_sdk_iam::Client::from_conf(conf))
}

fn kms(rules: &[Rule]) -> SdkKms {
    let conf = aws_sdk_kms::Config::builder()
        .behavior_version(aws_sdk_kms::config::BehaviorVersion::latest())
        .region(aws_sdk_kms::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_kms::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .http_client(create_mock_http_client())
        .interceptor(interceptor(rules))
        .retry_config(RetryConfig::disabled())
        .build();
    SdkKms::from_client(aws_sdk_kms::Client::from_conf(conf))
}

// ---- S3 answers ---------------------------------------------------------------------------

const S3_NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

fn s3_error(code: &str, message: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>{code}</Code><Message>{message}</Message><BucketName>{BUCKET}</BucketName><RequestId>4442587FB7D0A2F9</RequestId><HostId>ZHYgWmNjZGQ=</HostId></Error>"#
    )
}

fn location(region: &str) -> Rule {
    let body = if region == "us-east-1" {
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="{S3_NS}"/>"#)
    } else {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="{S3_NS}">{region}</LocationConstraint>"#
        )
    };
    mock!(aws_sdk_s3::Client::get_bucket_location)
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build()
}

fn location_error(status: u16, code: &str, message: &str) -> Rule {
    let body = s3_error(code, message);
    mock!(aws_sdk_s3::Client::get_bucket_location)
        .sequence()
        .http_status(status, Some(body))
        .repeatedly()
        .build()
}

fn bucket_policy(json: &str) -> Rule {
    let body = json.to_string();
    mock!(aws_sdk_s3::Client::get_bucket_policy)
        .match_requests(|r| r.bucket() == Some(BUCKET))
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build()
}

fn bucket_policy_error(status: u16, code: &str, message: &str) -> Rule {
    let body = s3_error(code, message);
    mock!(aws_sdk_s3::Client::get_bucket_policy)
        .sequence()
        .http_status(status, Some(body))
        .repeatedly()
        .build()
}

fn encryption(algorithm: &str, key: Option<&str>) -> Rule {
    let key = key
        .map(|k| format!("<KMSMasterKeyID>{k}</KMSMasterKeyID>"))
        .unwrap_or_default();
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ServerSideEncryptionConfiguration xmlns="{S3_NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{algorithm}</SSEAlgorithm>{key}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>"#
    );
    mock!(aws_sdk_s3::Client::get_bucket_encryption)
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build()
}

fn encryption_error(status: u16, code: &str, message: &str) -> Rule {
    let body = s3_error(code, message);
    mock!(aws_sdk_s3::Client::get_bucket_encryption)
        .sequence()
        .http_status(status, Some(body))
        .repeatedly()
        .build()
}

fn head_object(sse: &'static str, key: Option<&'static str>) -> Rule {
    mock!(aws_sdk_s3::Client::head_object)
        .sequence()
        .http_response(move || {
            let mut r = Response::new(StatusCode::try_from(200).unwrap(), SdkBody::empty());
            r.headers_mut().insert("Content-Length", "1234");
            r.headers_mut()
                .insert("ETag", "\"9b2cf535f27731c974343645a3985328\"");
            r.headers_mut().insert("x-amz-server-side-encryption", sse);
            if let Some(k) = key {
                r.headers_mut()
                    .insert("x-amz-server-side-encryption-aws-kms-key-id", k);
            }
            r
        })
        .repeatedly()
        .build()
}

// ---- IAM answers --------------------------------------------------------------------------

const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

fn iam_ok(operation: &str, result: &str) -> String {
    format!(
        r#"<{operation}Response xmlns="{IAM_NS}">
  <{operation}Result>{result}</{operation}Result>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</{operation}Response>"#
    )
}

fn iam_error(code: &str, message: &str) -> String {
    format!(
        r#"<ErrorResponse xmlns="{IAM_NS}">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
  <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
</ErrorResponse>"#
    )
}

fn get_role(trust: &str, boundary: Option<&str>) -> Rule {
    let boundary = boundary
        .map(|b| {
            format!(
                "<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>{b}</PermissionsBoundaryArn></PermissionsBoundary>"
            )
        })
        .unwrap_or_default();
    let body = iam_ok(
        "GetRole",
        &format!(
            "<Role><Path>/service-role/</Path><AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration><RoleId>AROADBQP57FF2AEXAMPLE</RoleId><RoleName>PersonalizeRole</RoleName><Arn>{ROLE}</Arn><CreateDate>2024-11-13T16:45:56Z</CreateDate>{boundary}</Role>",
            url_encode(trust)
        ),
    );
    mock!(aws_sdk_iam::Client::get_role)
        .match_requests(|r| r.role_name() == Some("PersonalizeRole"))
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build()
}

fn get_role_error(status: u16, code: &str, message: &str) -> Rule {
    let body = iam_error(code, message);
    mock!(aws_sdk_iam::Client::get_role)
        .sequence()
        .http_status(status, Some(body))
        .repeatedly()
        .build()
}

/// The role's inline policies (name, document) and attached ones (ARN, document).
fn role_policies(inline: &[(&str, String)], attached: &[(&str, String)]) -> Vec<Rule> {
    let names: String = inline
        .iter()
        .map(|(n, _)| format!("<member>{n}</member>"))
        .collect();
    let list_inline = iam_ok(
        "ListRolePolicies",
        &format!("<PolicyNames>{names}</PolicyNames><IsTruncated>false</IsTruncated>"),
    );
    let members: String = attached
        .iter()
        .map(|(arn, _)| {
            format!(
                "<member><PolicyName>{}</PolicyName><PolicyArn>{arn}</PolicyArn></member>",
                arn.rsplit('/').next().unwrap()
            )
        })
        .collect();
    let list_attached = iam_ok(
        "ListAttachedRolePolicies",
        &format!("<AttachedPolicies>{members}</AttachedPolicies><IsTruncated>false</IsTruncated>"),
    );
    let mut rules = vec![
        mock!(aws_sdk_iam::Client::list_role_policies)
            .sequence()
            .http_status(200, Some(list_inline))
            .repeatedly()
            .build(),
        mock!(aws_sdk_iam::Client::list_attached_role_policies)
            .sequence()
            .http_status(200, Some(list_attached))
            .repeatedly()
            .build(),
    ];
    for (name, document) in inline {
        let name = name.to_string();
        let body = iam_ok(
            "GetRolePolicy",
            &format!(
                "<PolicyName>{name}</PolicyName><RoleName>PersonalizeRole</RoleName><PolicyDocument>{}</PolicyDocument>",
                url_encode(document)
            ),
        );
        rules.push(
            mock!(aws_sdk_iam::Client::get_role_policy)
                .match_requests(move |r| r.policy_name() == Some(name.as_str()))
                .sequence()
                .http_status(200, Some(body))
                .repeatedly()
                .build(),
        );
    }
    for (arn, document) in attached {
        rules.extend(managed_policy(arn, document));
    }
    rules
}

fn managed_policy(arn: &str, document: &str) -> Vec<Rule> {
    let (a, b) = (arn.to_string(), arn.to_string());
    let get = iam_ok(
        "GetPolicy",
        &format!(
            "<Policy><PolicyName>{}</PolicyName><DefaultVersionId>v3</DefaultVersionId><PolicyId>ANPAJ4LQ7H4EXAMPLE</PolicyId><Path>/</Path><Arn>{arn}</Arn><AttachmentCount>1</AttachmentCount><CreateDate>2015-02-06T18:40:58Z</CreateDate><IsAttachable>true</IsAttachable><UpdateDate>2023-08-10T21:31:39Z</UpdateDate></Policy>",
            arn.rsplit('/').next().unwrap()
        ),
    );
    let version = iam_ok(
        "GetPolicyVersion",
        &format!(
            "<PolicyVersion><Document>{}</Document><IsDefaultVersion>true</IsDefaultVersion><VersionId>v3</VersionId><CreateDate>2023-08-10T21:31:39Z</CreateDate></PolicyVersion>",
            url_encode(document)
        ),
    );
    vec![
        mock!(aws_sdk_iam::Client::get_policy)
            .match_requests(move |r| r.policy_arn() == Some(a.as_str()))
            .sequence()
            .http_status(200, Some(get))
            .repeatedly()
            .build(),
        mock!(aws_sdk_iam::Client::get_policy_version)
            .match_requests(move |r| {
                r.policy_arn() == Some(b.as_str()) && r.version_id() == Some("v3")
            })
            .sequence()
            .http_status(200, Some(version))
            .repeatedly()
            .build(),
    ]
}

// ---- KMS answers --------------------------------------------------------------------------

fn describe_key(manager: &str) -> Rule {
    let body = serde_json::json!({"KeyMetadata": {
        "AWSAccountId": ACCOUNT,
        "Arn": KEY,
        "CreationDate": 1.7e9,
        "Enabled": true,
        "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
        "KeyManager": manager,
        "KeyState": "Enabled",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": false,
        "Origin": "AWS_KMS",
        "Description": ""
    }})
    .to_string();
    mock!(aws_sdk_kms::Client::describe_key)
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build()
}

fn key_policy(document: &str) -> Rule {
    let body = serde_json::json!({"Policy": document, "PolicyName": "default"}).to_string();
    mock!(aws_sdk_kms::Client::get_key_policy)
        .match_requests(|r| r.key_id() == Some(KEY) && r.policy_name() == Some("default"))
        .sequence()
        .http_status(200, Some(body))
        .repeatedly()
        .build()
}

fn kms_error(code: &str, message: &str) -> Rule {
    let body = serde_json::json!({"__type": code, "message": message}).to_string();
    mock!(aws_sdk_kms::Client::get_key_policy)
        .sequence()
        .http_status(400, Some(body))
        .repeatedly()
        .build()
}

// ---- The world ----------------------------------------------------------------------------

/// The bucket policy of the docs, for our bucket.
fn good_bucket_policy() -> String {
    doc("personalize-bucket-policy")
}

/// A healthy setup: the docs' bucket policy, trust policy with confused-deputy conditions, role
/// policy, SSE-S3 default encryption. Each test puts its own answers first (the first matching
/// rule answers).
fn healthy_s3() -> Vec<Rule> {
    vec![
        location("us-east-1"),
        bucket_policy(&good_bucket_policy()),
        encryption("AES256", None),
    ]
}

fn healthy_iam() -> Vec<Rule> {
    let mut rules = vec![get_role(
        &doc("personalize-trust-policy-confused-deputy"),
        None,
    )];
    rules.extend(role_policies(
        &[(
            "PersonalizeS3BucketAccessPolicy",
            doc("personalize-role-s3-policy"),
        )],
        &[],
    ));
    rules
}

fn request() -> AccessRequest {
    AccessRequest {
        dataset_arn: DATASET.into(),
        dataset_group_arn: Some(
            "arn:aws:personalize:us-east-1:111122223333:dataset-group/shop".into(),
        ),
        role_arn: ROLE.into(),
        location: preflight_uploader::S3Url::parse(&format!(
            "s3://{BUCKET}/imports/interactions/run-1/"
        ))
        .unwrap(),
        job_name: "preflight-interactions-20251124T160000Z-0a1b2c3d".into(),
        objects: vec![],
        staging_kms_key: None,
        grant_prefix: Some("imports/".into()),
    }
}

async fn check_with(
    s3_rules: Vec<Rule>,
    iam_rules: Vec<Rule>,
    kms_rules: Vec<Rule>,
    req: &AccessRequest,
) -> AccessReport {
    let mut s = s3_rules;
    s.extend(healthy_s3());
    let mut i = iam_rules;
    i.extend(healthy_iam());
    check_access(&s3(&s), &iam(&i), &kms(&kms_rules), req)
        .await
        .unwrap()
}

async fn check(s3_rules: Vec<Rule>, iam_rules: Vec<Rule>, kms_rules: Vec<Rule>) -> AccessReport {
    check_with(s3_rules, iam_rules, kms_rules, &request()).await
}

fn codes(r: &AccessReport) -> Vec<&'static str> {
    r.findings().map(|f| f.rule.code).collect()
}

fn status(r: &AccessReport, kind: CheckKind) -> Status {
    r.checks
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| c.status())
        .max_by_key(|s| match s {
            Status::Passed => 0,
            Status::Skipped => 1,
            Status::Warned => 2,
            Status::Failed => 3,
        })
        .unwrap_or_else(|| panic!("no {kind:?} check in {r:#?}"))
}

fn finding<'a>(r: &'a AccessReport, code: &str) -> &'a preflight_uploader::AccessFinding {
    r.findings()
        .find(|f| f.rule.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", r.checks))
}

// ---- The tests ----------------------------------------------------------------------------

#[tokio::test]
async fn the_documented_setup_passes_every_check() {
    let r = check(vec![], vec![], vec![]).await;
    assert!(codes(&r).is_empty(), "{:#?}", r.checks);
    for kind in [
        CheckKind::BucketRegion,
        CheckKind::BucketPolicy,
        CheckKind::TrustPolicy,
        CheckKind::RolePolicies,
        CheckKind::KmsKey,
    ] {
        assert_eq!(status(&r, kind), Status::Passed, "{kind:?}");
    }
    assert!(!r.has_errors());
    let summaries: Vec<&str> = r.checks.iter().map(|c| c.summary.as_str()).collect();
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("1 inline and 0 attached policies")),
        "{summaries:?}"
    );
}

#[tokio::test]
async fn a_missing_bucket_is_an_error_and_stops_the_bucket_checks() {
    let r = check(
        vec![location_error(
            404,
            "NoSuchBucket",
            "The specified bucket does not exist",
        )],
        vec![],
        vec![],
    )
    .await;
    assert_eq!(codes(&r), ["PF601"]);
    assert_eq!(status(&r, CheckKind::BucketPolicy), Status::Skipped);
    // The role is still checked.
    assert_eq!(status(&r, CheckKind::TrustPolicy), Status::Passed);
}

#[tokio::test]
async fn a_bucket_in_another_region_is_an_error() {
    let r = check(vec![location("eu-west-1")], vec![], vec![]).await;
    let f = finding(&r, "PF602");
    assert!(
        f.message.contains("eu-west-1") && f.message.contains("us-east-1"),
        "{}",
        f.message
    );
    assert_eq!(f.rule.severity, rules::Severity::Error);
    // S3 redirects a call made in the wrong region and names the bucket's region.
    let redirect = mock!(aws_sdk_s3::Client::get_bucket_location)
        .sequence()
        .http_response(|| {
            let mut r = Response::new(
                StatusCode::try_from(301).unwrap(),
                SdkBody::from(s3_error("PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint.")),
            );
            r.headers_mut().insert("x-amz-bucket-region", "ap-south-1");
            r
        })
        .repeatedly()
        .build();
    let r = check(vec![redirect], vec![], vec![]).await;
    assert!(finding(&r, "PF602").message.contains("ap-south-1"));
}

#[tokio::test]
async fn no_bucket_policy_is_an_error_with_the_whole_policy_to_add() {
    let r = check(
        vec![bucket_policy_error(
            404,
            "NoSuchBucketPolicy",
            "The bucket policy does not exist",
        )],
        vec![],
        vec![],
    )
    .await;
    assert_eq!(codes(&r), ["PF603"]);
    let f = finding(&r, "PF603");
    let fix = f.fix.as_ref().unwrap();
    assert!(fix.whole_document);
    assert_eq!(
        fix.target,
        FixTarget::BucketPolicy {
            bucket: BUCKET.into()
        }
    );
    assert_eq!(
        fix.document["Statement"][0]["Resource"],
        serde_json::json!([
            "arn:aws:s3:::amzn-s3-demo-bucket",
            "arn:aws:s3:::amzn-s3-demo-bucket/imports/*"
        ])
    );
    assert!(f
        .help_with_fix()
        .contains("put-bucket-policy --bucket amzn-s3-demo-bucket"));
}

#[tokio::test]
async fn a_bucket_policy_without_list_bucket_is_an_error_with_the_statement_to_add() {
    let only_get = good_bucket_policy().replace(
        r#""s3:GetObject",
                "s3:ListBucket""#,
        r#""s3:GetObject""#,
    );
    assert!(!only_get.contains("ListBucket"));
    let r = check(vec![bucket_policy(&only_get)], vec![], vec![]).await;
    assert_eq!(codes(&r), ["PF604"]);
    let f = finding(&r, "PF604");
    assert!(
        f.message
            .contains("s3:ListBucket on `arn:aws:s3:::amzn-s3-demo-bucket`"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("GetObject"), "{}", f.message);
    let fix = f.fix.as_ref().unwrap();
    assert!(!fix.whole_document);
    assert_eq!(
        fix.document["Principal"]["Service"],
        "personalize.amazonaws.com"
    );
    assert_eq!(
        fix.document["Action"],
        serde_json::json!(["s3:GetObject", "s3:ListBucket"])
    );
}

#[tokio::test]
async fn a_bucket_policy_for_another_prefix_is_an_error_naming_the_object() {
    let other_prefix = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"personalize.amazonaws.com"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::amzn-s3-demo-bucket"},{"Effect":"Allow","Principal":{"Service":"personalize.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/exports/*"}]}"#;
    let mut req = request();
    req.objects = vec!["imports/interactions/run-1/interactions.csv".into()];
    let r = check_with(
        vec![bucket_policy(other_prefix), head_object("AES256", None)],
        vec![],
        vec![],
        &req,
    )
    .await;
    let f = finding(&r, "PF604");
    assert!(
        f.message.contains(
            "s3:GetObject on `arn:aws:s3:::amzn-s3-demo-bucket/imports/interactions/run-1/interactions.csv`"
        ),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn a_deny_in_the_bucket_policy_overrides_its_allow() {
    // The docs' Personalize statement plus the docs' VPC-endpoint-only statement.
    let mut policy: serde_json::Value = serde_json::from_str(&good_bucket_policy()).unwrap();
    let vpc: serde_json::Value = serde_json::from_str(&fixture("s3-vpc-endpoint-only")).unwrap();
    policy["Statement"]
        .as_array_mut()
        .unwrap()
        .push(vpc["Statement"][0].clone());
    let r = check(vec![bucket_policy(&policy.to_string())], vec![], vec![]).await;
    let f = finding(&r, "PF604");
    assert!(f.message.contains("denies"), "{}", f.message);
    assert!(
        f.message.contains("Access-to-specific-VPCE-only"),
        "{}",
        f.message
    );
    assert!(f.fix.is_none(), "an Allow cannot fix a Deny");
    assert!(f.help.contains("VPC endpoint"), "{}", f.help);
    // The same statement denies the role's own reads.
    let role = finding(&r, "PF607");
    assert!(role.message.contains("bucket policy"), "{}", role.message);
}

#[tokio::test]
async fn a_deny_in_the_role_policies_overrides_an_attached_allow() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoImportsFolder","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/imports/*"}]}"#;
    let iam_rules = role_policies(
        &[("Guardrail", deny.to_string())],
        &[(
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            fixture("s3-read-only-access"),
        )],
    );
    let r = check(vec![], iam_rules, vec![]).await;
    assert_eq!(codes(&r), ["PF607"]);
    let f = finding(&r, "PF607");
    assert!(f.message.contains("NoImportsFolder"), "{}", f.message);
    assert!(f.message.contains("is denied"), "{}", f.message);
}

#[tokio::test]
async fn an_attached_managed_policy_is_read_and_counts() {
    let iam_rules = role_policies(
        &[],
        &[(
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            fixture("s3-read-only-access"),
        )],
    );
    let r = check(vec![], iam_rules, vec![]).await;
    assert!(codes(&r).is_empty(), "{:#?}", r.checks);
    assert_eq!(status(&r, CheckKind::RolePolicies), Status::Passed);
}

#[tokio::test]
async fn role_policies_that_do_not_allow_reading_are_an_error_with_a_policy_to_attach() {
    let unrelated = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"personalize:*","Resource":"*"}]}"#;
    let iam_rules = role_policies(&[("PersonalizeAll", unrelated.to_string())], &[]);
    let r = check(vec![], iam_rules, vec![]).await;
    assert_eq!(codes(&r), ["PF607"]);
    let f = finding(&r, "PF607");
    assert!(f.message.contains("s3:ListBucket"), "{}", f.message);
    let fix = f.fix.as_ref().unwrap();
    assert_eq!(
        fix.target,
        FixTarget::RolePolicy {
            role_arn: ROLE.into()
        }
    );
    assert!(
        f.help
            .contains("put-role-policy --role-name PersonalizeRole"),
        "{}",
        f.help
    );
    assert_eq!(
        fix.document["Statement"][0]["Resource"][1],
        "arn:aws:s3:::amzn-s3-demo-bucket/imports/*"
    );
}

#[tokio::test]
async fn a_permissions_boundary_limits_what_the_role_policies_grant() {
    let boundary_arn = "arn:aws:iam::111122223333:policy/OnlyPersonalize";
    let boundary = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"personalize:*","Resource":"*"}]}"#;
    let mut iam_rules = vec![get_role(
        &doc("personalize-trust-policy-confused-deputy"),
        Some(boundary_arn),
    )];
    iam_rules.extend(managed_policy(boundary_arn, boundary));
    let r = check(vec![], iam_rules, vec![]).await;
    let f = finding(&r, "PF607");
    assert!(f.message.contains("permissions boundary"), "{}", f.message);
}

#[tokio::test]
async fn a_role_that_does_not_exist_is_an_error() {
    let r = check(
        vec![],
        vec![get_role_error(
            404,
            "NoSuchEntity",
            "The role with name PersonalizeRole cannot be found.",
        )],
        vec![],
    )
    .await;
    assert_eq!(codes(&r), ["PF605"]);
    assert!(finding(&r, "PF605").message.contains("does not exist"));
    assert_eq!(status(&r, CheckKind::RolePolicies), Status::Skipped);
}

#[tokio::test]
async fn a_trust_policy_for_another_service_is_an_error_with_the_statement_to_add() {
    let ec2 =
        doc("personalize-trust-policy").replace("personalize.amazonaws.com", "ec2.amazonaws.com");
    let r = check(vec![], vec![get_role(&ec2, None)], vec![]).await;
    assert_eq!(codes(&r), ["PF605"]);
    let fix = finding(&r, "PF605").fix.as_ref().unwrap();
    assert_eq!(
        fix.document["Condition"]["StringEquals"]["aws:SourceAccount"],
        ACCOUNT
    );
    assert_eq!(
        fix.document["Condition"]["StringLike"]["aws:SourceArn"],
        "arn:aws:personalize:us-east-1:111122223333:*"
    );
}

#[tokio::test]
async fn a_trust_policy_for_another_account_is_an_error() {
    let other = doc("personalize-trust-policy-confused-deputy").replace(ACCOUNT, "444455556666");
    let r = check(vec![], vec![get_role(&other, None)], vec![]).await;
    assert_eq!(codes(&r), ["PF605"]);
}

#[tokio::test]
async fn a_trust_policy_without_source_conditions_is_a_warning() {
    let r = check(
        vec![],
        vec![get_role(&doc("personalize-trust-policy"), None)],
        vec![],
    )
    .await;
    assert_eq!(codes(&r), ["PF606"]);
    assert_eq!(status(&r, CheckKind::TrustPolicy), Status::Warned);
    assert!(!r.has_errors());
}

#[tokio::test]
async fn access_denied_while_reading_a_policy_is_a_warning_never_a_pass_or_a_failure() {
    // S3: GetBucketPolicy.
    let r = check(
        vec![bucket_policy_error(403, "AccessDenied", "Access Denied")],
        vec![],
        vec![],
    )
    .await;
    assert_eq!(codes(&r), ["PF610"]);
    assert_eq!(status(&r, CheckKind::BucketPolicy), Status::Warned);
    let f = finding(&r, "PF610");
    assert!(
        f.message.contains("could not check the bucket policy"),
        "{}",
        f.message
    );
    assert!(f.help.contains("s3:GetBucketPolicy"), "{}", f.help);
    assert!(!r.has_errors());
    // IAM: GetRole and ListRolePolicies.
    let denied = "User: arn:aws:sts::111122223333:assumed-role/ci/gh is not authorized to perform: iam:GetRole on resource: role PersonalizeRole because no identity-based policy allows the iam:GetRole action";
    let r = check(
        vec![],
        vec![get_role_error(403, "AccessDenied", denied)],
        vec![],
    )
    .await;
    assert!(codes(&r).contains(&"PF610"), "{:?}", codes(&r));
    assert_eq!(status(&r, CheckKind::TrustPolicy), Status::Warned);
    assert!(finding(&r, "PF610")
        .message
        .contains("is not authorized to perform: iam:GetRole"));
    let list_denied = mock!(aws_sdk_iam::Client::list_role_policies)
        .sequence()
        .http_status(
            403,
            Some(iam_error(
                "AccessDenied",
                "not authorized to perform: iam:ListRolePolicies",
            )),
        )
        .repeatedly()
        .build();
    let r = check(vec![], vec![list_denied], vec![]).await;
    assert_eq!(codes(&r), ["PF610"]);
    assert_eq!(status(&r, CheckKind::RolePolicies), Status::Warned);
    // S3: GetBucketEncryption.
    let r = check(
        vec![encryption_error(403, "AccessDenied", "Access Denied")],
        vec![],
        vec![],
    )
    .await;
    assert_eq!(codes(&r), ["PF610"]);
    assert_eq!(status(&r, CheckKind::KmsKey), Status::Warned);
    // KMS: GetKeyPolicy.
    let r = check(
        vec![encryption("aws:kms", Some(KEY))],
        vec![],
        vec![
            describe_key("CUSTOMER"),
            kms_error("AccessDeniedException", "User: arn:aws:sts::111122223333:assumed-role/ci/gh is not authorized to perform: kms:GetKeyPolicy on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access"),
        ],
    )
    .await;
    assert_eq!(codes(&r), ["PF610"]);
    assert!(finding(&r, "PF610").help.contains("kms:GetKeyPolicy"));
}

#[tokio::test]
async fn what_the_reader_cannot_evaluate_is_a_warning() {
    // The docs' IP allow-list next to the Personalize statement.
    let mut policy: serde_json::Value = serde_json::from_str(&good_bucket_policy()).unwrap();
    let ip: serde_json::Value = serde_json::from_str(&fixture("s3-ip-restricted")).unwrap();
    policy["Statement"]
        .as_array_mut()
        .unwrap()
        .push(ip["Statement"][0].clone());
    let r = check(vec![bucket_policy(&policy.to_string())], vec![], vec![]).await;
    let f = finding(&r, "PF611");
    assert!(f.message.contains("aws:SourceIp"), "{}", f.message);
    assert!(!r.has_errors(), "{:?}", codes(&r));
}

#[tokio::test]
async fn sse_kms_with_the_documented_key_policy_passes() {
    let r = check(
        vec![encryption("aws:kms", Some(KEY))],
        vec![],
        vec![
            describe_key("CUSTOMER"),
            key_policy(&doc("personalize-key-policy")),
        ],
    )
    .await;
    assert!(codes(&r).is_empty(), "{:#?}", r.checks);
    assert_eq!(status(&r, CheckKind::KmsKey), Status::Passed);
}

#[tokio::test]
async fn a_key_policy_that_does_not_name_the_role_is_an_error_with_the_statement_to_add() {
    let other = doc("personalize-key-policy").replace(ROLE, "arn:aws:iam::111122223333:role/Other");
    let r = check(
        vec![encryption("aws:kms", Some(KEY))],
        vec![],
        vec![describe_key("CUSTOMER"), key_policy(&other)],
    )
    .await;
    assert_eq!(codes(&r), ["PF608"]);
    let fix = finding(&r, "PF608").fix.as_ref().unwrap();
    assert_eq!(
        fix.target,
        FixTarget::KeyPolicy {
            key_arn: KEY.into()
        }
    );
    assert_eq!(fix.document["Principal"]["AWS"], ROLE);
}

#[tokio::test]
async fn the_default_key_policy_leaves_it_to_the_role_policies() {
    // The key policy delegates to IAM; the role's policies allow only S3: the role cannot
    // decrypt, and the fix goes into the role's policies.
    let r = check(
        vec![encryption("aws:kms", Some(KEY))],
        vec![],
        vec![
            describe_key("CUSTOMER"),
            key_policy(&doc("kms-default-key-policy")),
        ],
    )
    .await;
    assert_eq!(codes(&r), ["PF608"]);
    let f = finding(&r, "PF608");
    assert!(f.message.contains("IAM policies"), "{}", f.message);
    let fix = f.fix.as_ref().unwrap();
    assert_eq!(
        fix.target,
        FixTarget::RolePolicy {
            role_arn: ROLE.into()
        }
    );
    assert_eq!(fix.document["Statement"][0]["Resource"], KEY);
    // With kms:Decrypt in the role's policies the role can read; the key policy still lacks
    // the service principal the docs ask for: a warning.
    let kms_role = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey","kms:DescribeKey","kms:ListGrants"],"Resource":"*"}]}"#;
    let iam_rules = role_policies(
        &[
            (
                "PersonalizeS3BucketAccessPolicy",
                doc("personalize-role-s3-policy"),
            ),
            ("Kms", kms_role.to_string()),
        ],
        &[],
    );
    let r = check(
        vec![encryption("aws:kms", Some(KEY))],
        iam_rules,
        vec![
            describe_key("CUSTOMER"),
            key_policy(&doc("kms-default-key-policy")),
        ],
    )
    .await;
    assert_eq!(codes(&r), ["PF609"]);
    assert!(finding(&r, "PF609")
        .message
        .contains("personalize.amazonaws.com"));
    assert!(!r.has_errors());
}

#[tokio::test]
async fn the_staged_objects_encryption_is_what_counts() {
    // The bucket's default is SSE-S3, but the staged object was written with a KMS key whose
    // policy names another role.
    let mut req = request();
    req.objects = vec!["imports/interactions/run-1/interactions.csv".into()];
    let other = doc("personalize-key-policy").replace(ROLE, "arn:aws:iam::111122223333:role/Other");
    let r = check_with(
        vec![head_object("aws:kms", Some(KEY))],
        vec![],
        vec![describe_key("CUSTOMER"), key_policy(&other)],
        &req,
    )
    .await;
    assert_eq!(codes(&r), ["PF608"]);
    assert!(finding(&r, "PF608")
        .message
        .contains("the object `imports/interactions/run-1/interactions.csv`"));
}

#[tokio::test]
async fn the_aws_managed_s3_key_lets_the_role_decrypt() {
    let managed = fixture("kms-aws-managed-s3-key-policy");
    let r = check(
        vec![encryption("aws:kms", None)],
        vec![],
        vec![describe_key("AWS"), key_policy(&managed)],
    )
    .await;
    // The role reads through S3 in its own account; whether the service principal may use the
    // key depends on a condition the checks cannot resolve for it: a warning, not an error.
    assert!(!r.has_errors(), "{:#?}", r.checks);
    assert_eq!(codes(&r), ["PF611"]);
}

// ---- The fault wrappers of the access traits ----------------------------------------------

mod faults {
    use super::*;
    use preflight_uploader::fault::{Fault, FaultPlan, FaultyIam, FaultyKms, FaultyStore};
    use std::sync::Arc;
    use std::time::Duration;

    /// A healthy world with an SSE-KMS bucket whose key policy is the docs'.
    fn world() -> (Vec<Rule>, Vec<Rule>, Vec<Rule>) {
        let mut s = vec![encryption("aws:kms", Some(KEY))];
        s.extend(healthy_s3());
        // One inline and one attached policy, so that every IAM call is made.
        let mut i = vec![get_role(
            &doc("personalize-trust-policy-confused-deputy"),
            None,
        )];
        i.extend(role_policies(
            &[(
                "PersonalizeS3BucketAccessPolicy",
                doc("personalize-role-s3-policy"),
            )],
            &[(
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                fixture("s3-read-only-access"),
            )],
        ));
        let k = vec![
            describe_key("CUSTOMER"),
            key_policy(&doc("personalize-key-policy")),
        ];
        (s, i, k)
    }

    fn kind_of(operation: &str) -> CheckKind {
        match operation {
            "GetBucketLocation" => CheckKind::BucketRegion,
            "GetBucketPolicy" => CheckKind::BucketPolicy,
            "GetRole" => CheckKind::TrustPolicy,
            "ListRolePolicies"
            | "GetRolePolicy"
            | "ListAttachedRolePolicies"
            | "GetPolicy"
            | "GetPolicyVersion" => CheckKind::RolePolicies,
            _ => CheckKind::KmsKey,
        }
    }

    async fn run(plan: Arc<FaultPlan>) -> AccessReport {
        let (s, i, k) = world();
        let store =
            FaultyStore::new(super::s3(&s), plan.clone()).with_timeout(Duration::from_millis(10));
        let iam =
            FaultyIam::new(super::iam(&i), plan.clone()).with_timeout(Duration::from_millis(10));
        let kms = FaultyKms::new(super::kms(&k), plan).with_timeout(Duration::from_millis(10));
        check_access(&store, &iam, &kms, &request()).await.unwrap()
    }

    #[tokio::test]
    async fn every_call_failed_every_way_is_a_warning_about_its_check() {
        let counting = Arc::new(FaultPlan::new());
        let clean = run(counting.clone()).await;
        assert!(codes(&clean).is_empty(), "{:#?}", clean.checks);
        let ops: Vec<&str> = counting.calls().iter().map(|c| c.operation).collect();
        assert_eq!(
            ops,
            [
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
            ]
        );
        let kinds = [
            ("an error answer", Fault::internal_error()),
            (
                "access denied",
                Fault::Service {
                    code: "AccessDenied".into(),
                    status: 403,
                },
            ),
            ("a dropped connection", Fault::Transport { applied: false }),
            ("no answer", Fault::Hang),
        ];
        for (name, fault) in &kinds {
            for (n, op) in ops.iter().enumerate() {
                let plan = Arc::new(FaultPlan::new().fail_nth(None, n + 1, fault.clone()));
                let r = run(plan).await;
                let what = format!("{op} failed with {name}");
                assert_eq!(codes(&r), ["PF610"], "{what}: {:#?}", r.checks);
                assert_eq!(status(&r, kind_of(op)), Status::Warned, "{what}");
                assert!(!r.has_errors(), "{what}");
                if *fault == Fault::Hang {
                    assert!(finding(&r, "PF610").message.contains("timed out"), "{what}");
                }
            }
        }
    }
}

/// The codes the checks report are the validator's access rules (where their documentation,
/// which `preflight explain` prints, lives): same codes, names and default severities.
#[test]
fn the_codes_are_the_validators_access_rules() {
    use preflight_validator::rules::{lookup, ACCESS};
    assert_eq!(rules::RULES.len(), ACCESS.len());
    for r in rules::RULES {
        let v = lookup(r.code).unwrap_or_else(|| panic!("{} is not a validator rule", r.code));
        assert_eq!(v.name, r.name, "{}", r.code);
        assert_eq!(v.family.as_str(), "access", "{}", r.code);
        assert_eq!(v.severity.as_str(), r.severity.as_str(), "{}", r.code);
    }
}
