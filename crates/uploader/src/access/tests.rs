//! The request's parties and the proposed statements (the checks themselves are tested through
//! the SDK adapters with mocked answers, in `tests/access.rs`).

use super::*;

fn request() -> AccessRequest {
    AccessRequest {
        dataset_arn: "arn:aws:personalize:eu-west-1:111122223333:dataset/shop/INTERACTIONS".into(),
        dataset_group_arn: Some(
            "arn:aws:personalize:eu-west-1:111122223333:dataset-group/shop".into(),
        ),
        role_arn: "arn:aws:iam::111122223333:role/service-role/PersonalizeRole".into(),
        location: S3Url::parse("s3://shop-imports/team/interactions/run-1/").unwrap(),
        job_name: "preflight-interactions-1".into(),
        objects: vec![],
        staging_kms_key: None,
        grant_prefix: Some("team/interactions/".into()),
    }
}

#[test]
fn parties_come_from_the_arns() {
    let p = Parties::parse(&request()).unwrap();
    assert_eq!(p.partition, "aws");
    assert_eq!(p.region, "eu-west-1");
    assert_eq!(p.account, "111122223333");
    assert_eq!(p.role_name(), "PersonalizeRole");
    assert_eq!(
        p.job_arn,
        "arn:aws:personalize:eu-west-1:111122223333:dataset-import-job/preflight-interactions-1"
    );
    assert_eq!(p.bucket_arn(), "arn:aws:s3:::shop-imports");
    assert_eq!(p.grant_pattern(), "team/interactions/*");
    // A folder without known objects is judged on two stand-in names.
    let (keys, stand_ins) = p.object_keys();
    assert!(stand_ins);
    assert_eq!(keys.len(), 2);
    assert!(keys
        .iter()
        .all(|k| k.starts_with("team/interactions/run-1/")));
    // The files, when known, are judged themselves.
    let mut r = request();
    r.objects = vec!["team/interactions/run-1/a.csv".into()];
    assert_eq!(
        Parties::parse(&r).unwrap().object_keys(),
        (vec!["team/interactions/run-1/a.csv".to_string()], false)
    );
    // Without a grant prefix, the location's folder is granted.
    let mut r = request();
    r.grant_prefix = None;
    r.location = S3Url::parse("s3://shop-imports/team/items.csv").unwrap();
    let p = Parties::parse(&r).unwrap();
    assert_eq!(p.grant_pattern(), "team/*");
    assert_eq!(p.object_keys(), (vec!["team/items.csv".to_string()], false));
    // China: another partition.
    let mut r = request();
    r.dataset_arn = "arn:aws-cn:personalize:cn-north-1:111122223333:dataset/shop/ITEMS".into();
    assert_eq!(
        Parties::parse(&r).unwrap().bucket_arn(),
        "arn:aws-cn:s3:::shop-imports"
    );
}

#[test]
fn bad_arns_are_refused() {
    let mut r = request();
    r.dataset_arn = "arn:aws:s3:::bucket".into();
    assert!(Parties::parse(&r)
        .unwrap_err()
        .contains("not a Personalize dataset ARN"));
    let mut r = request();
    r.role_arn = "arn:aws:iam::111122223333:user/alice".into();
    assert!(Parties::parse(&r)
        .unwrap_err()
        .contains("not an IAM role ARN"));
    assert!(planned_calls(&r).is_err());
}

#[test]
fn fixes_carry_the_users_names() {
    let p = Parties::parse(&request()).unwrap();
    let b = fix::bucket_policy(&p, true);
    assert_eq!(
        b.document,
        serde_json::json!({
            "Version": "2012-10-17",
            "Id": "PersonalizeS3BucketAccessPolicy",
            "Statement": [{
                "Sid": "PersonalizeS3BucketAccessPolicy",
                "Effect": "Allow",
                "Principal": {"Service": "personalize.amazonaws.com"},
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": ["arn:aws:s3:::shop-imports", "arn:aws:s3:::shop-imports/team/interactions/*"]
            }]
        })
    );
    assert!(b
        .instruction()
        .contains("put-bucket-policy --bucket shop-imports"));
    let t = fix::trust_policy(&p);
    assert_eq!(
        t.document["Condition"]["StringEquals"]["aws:SourceAccount"],
        "111122223333"
    );
    assert_eq!(
        t.document["Condition"]["StringLike"]["aws:SourceArn"],
        "arn:aws:personalize:eu-west-1:111122223333:*"
    );
    assert!(t.instruction().contains("--role-name PersonalizeRole"));
    let k = fix::key_policy(&p, "arn:aws:kms:eu-west-1:111122223333:key/k1");
    assert_eq!(
        k.document["Principal"]["AWS"],
        "arn:aws:iam::111122223333:role/service-role/PersonalizeRole"
    );
    let r = fix::role_policy(&p, Some("arn:aws:kms:eu-west-1:111122223333:key/k1"));
    assert_eq!(
        r.document["Statement"][0]["Resource"],
        "arn:aws:kms:eu-west-1:111122223333:key/k1"
    );
    // Every proposed document is itself a policy the reader accepts, and it grants what the
    // check asks for.
    for f in [&b, &r] {
        crate::policy::Policy::parse(&f.json()).unwrap();
    }
    let stmt = crate::policy::Policy::parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        t.json()
    ))
    .unwrap();
    assert!(stmt
        .evaluate(&crate::policy::Request {
            principal: Some(&crate::policy::Principal::Service(
                "personalize.amazonaws.com".into()
            )),
            action: "sts:AssumeRole",
            resource: None,
            context: &judge::service_context(&p),
        })
        .is_allow());
}

#[test]
fn the_dry_run_lists_the_calls() {
    let mut r = request();
    r.objects = vec!["team/interactions/run-1/a.csv".into()];
    let calls = planned_calls(&r).unwrap();
    let ops: Vec<&str> = calls.iter().map(|c| c.operation).collect();
    assert_eq!(
        &ops[..3],
        ["GetBucketLocation", "GetBucketPolicy", "GetRole"]
    );
    assert!(calls
        .iter()
        .any(|c| c.operation == "HeadObject"
            && c.target == "shop-imports/team/interactions/run-1/a.csv"));
    assert!(!ops.contains(&"GetBucketEncryption"));
    assert!(calls.iter().any(|c| c.target == "PersonalizeRole"));
}

#[test]
fn codes_are_unique_and_in_order() {
    let mut prev = "";
    for r in rules::RULES {
        assert!(r.code > prev, "{}", r.code);
        assert!(r.code.starts_with("PF6"), "{}", r.code);
        prev = r.code;
    }
    assert_eq!(
        rules::lookup("pf603").unwrap().name,
        "bucket-policy-missing"
    );
}
