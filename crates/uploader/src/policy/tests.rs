//! The policy reader against documents copied from the AWS documentation
//! (`tests/policies/README.md` names each page), and against the evaluation rules one by one.

use super::*;

const BUCKET: &str = "arn:aws:s3:::amzn-s3-demo-bucket";
const OBJECT: &str = "arn:aws:s3:::amzn-s3-demo-bucket/imports/interactions.csv";
const ROLE: &str = "arn:aws:iam::111122223333:role/PersonalizeRole";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn doc(name: &str) -> Policy {
    let text = match name {
        "personalize-bucket-policy" => {
            include_str!("../../tests/policies/personalize-bucket-policy.json")
        }
        "personalize-role-s3-policy" => {
            include_str!("../../tests/policies/personalize-role-s3-policy.json")
        }
        "personalize-trust-policy" => {
            include_str!("../../tests/policies/personalize-trust-policy.json")
        }
        "personalize-trust-policy-confused-deputy" => {
            include_str!("../../tests/policies/personalize-trust-policy-confused-deputy.json")
        }
        "personalize-key-policy" => {
            include_str!("../../tests/policies/personalize-key-policy.json")
        }
        "kms-default-key-policy" => {
            include_str!("../../tests/policies/kms-default-key-policy.json")
        }
        "kms-aws-managed-s3-key-policy" => {
            include_str!("../../tests/policies/kms-aws-managed-s3-key-policy.json")
        }
        "s3-read-only-access" => include_str!("../../tests/policies/s3-read-only-access.json"),
        "s3-deny-non-tls" => include_str!("../../tests/policies/s3-deny-non-tls.json"),
        "s3-vpc-endpoint-only" => include_str!("../../tests/policies/s3-vpc-endpoint-only.json"),
        "s3-ip-restricted" => include_str!("../../tests/policies/s3-ip-restricted.json"),
        "iam-not-resource-deny" => include_str!("../../tests/policies/iam-not-resource-deny.json"),
        other => panic!("no fixture {other}"),
    };
    Policy::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn personalize() -> Principal {
    Principal::Service("personalize.amazonaws.com".into())
}

fn role() -> Principal {
    Principal::role(ROLE).unwrap()
}

/// What Personalize's own requests carry (as the access checks build it).
fn service_context() -> Context {
    Context::new()
        .is("aws:SourceAccount", "111122223333")
        .with(
            "aws:SourceArn",
            ContextValue::OneOf(vec![
                "arn:aws:personalize:us-east-1:111122223333:dataset-import-job/j1".into(),
                "arn:aws:personalize:us-east-1:111122223333:dataset/shop/INTERACTIONS".into(),
            ]),
        )
        .is("aws:SecureTransport", "true")
        .absent("aws:SourceVpce")
}

fn role_context() -> Context {
    Context::new()
        .is("aws:SecureTransport", "true")
        .absent("aws:SourceVpce")
        .is("kms:CallerAccount", "111122223333")
        .is("kms:ViaService", "s3.us-east-1.amazonaws.com")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Allow,
    AllowViaAccount,
    Deny,
    NotAllowed,
    CannotTell,
}

fn kind(d: &Decision) -> Want {
    match d {
        Decision::Allow(st) if st.iter().any(|s| s.names_principal) => Want::Allow,
        Decision::Allow(_) => Want::AllowViaAccount,
        Decision::Deny { .. } => Want::Deny,
        Decision::NotAllowed => Want::NotAllowed,
        Decision::CannotTell(_) => Want::CannotTell,
    }
}

/// A row of the documents' table: document, principal, action, resource, context, expected.
type Row<'a> = (
    &'a str,
    Option<&'a Principal>,
    &'a str,
    Option<&'a str>,
    &'a Context,
    Want,
);

#[test]
fn documents_from_the_aws_docs() {
    let svc = personalize();
    let r = role();
    let other_role = Principal::role("arn:aws:iam::111122223333:role/Other").unwrap();
    let foreign_role = Principal::role("arn:aws:iam::444455556666:role/PersonalizeRole").unwrap();
    let ec2 = Principal::Service("ec2.amazonaws.com".into());
    let sctx = service_context();
    let rctx = role_context();
    // (document, principal, action, resource, context, expected)
    #[rustfmt::skip]
    let table: Vec<Row> = vec![
        // The bucket policy of the Personalize S3 access page.
        ("personalize-bucket-policy", Some(&svc), "s3:GetObject", Some(OBJECT), &sctx, Want::Allow),
        ("personalize-bucket-policy", Some(&svc), "s3:ListBucket", Some(BUCKET), &sctx, Want::Allow),
        ("personalize-bucket-policy", Some(&svc), "s3:PutObject", Some(OBJECT), &sctx, Want::NotAllowed),
        ("personalize-bucket-policy", Some(&svc), "s3:GetObject", Some("arn:aws:s3:::other-bucket/x.csv"), &sctx, Want::NotAllowed),
        ("personalize-bucket-policy", Some(&r), "s3:GetObject", Some(OBJECT), &rctx, Want::NotAllowed),
        // The role policy of the same page (an identity policy: no principal).
        ("personalize-role-s3-policy", None, "s3:GetObject", Some(OBJECT), &rctx, Want::Allow),
        ("personalize-role-s3-policy", None, "s3:ListBucket", Some(BUCKET), &rctx, Want::Allow),
        ("personalize-role-s3-policy", None, "s3:ListBucket", Some("arn:aws:s3:::amzn-s3-demo-bucket-2"), &rctx, Want::NotAllowed),
        // Actions are case-insensitive, resources are not.
        ("personalize-role-s3-policy", None, "S3:GETOBJECT", Some(OBJECT), &rctx, Want::Allow),
        ("personalize-role-s3-policy", None, "s3:GetObject", Some("arn:aws:s3:::AMZN-S3-DEMO-BUCKET/x"), &rctx, Want::NotAllowed),
        // Trust policies (no resource).
        ("personalize-trust-policy", Some(&svc), "sts:AssumeRole", None, &sctx, Want::Allow),
        ("personalize-trust-policy", Some(&ec2), "sts:AssumeRole", None, &sctx, Want::NotAllowed),
        ("personalize-trust-policy-confused-deputy", Some(&svc), "sts:AssumeRole", None, &sctx, Want::Allow),
        // KMS key policies.
        ("personalize-key-policy", Some(&r), "kms:Decrypt", Some(KEY), &rctx, Want::Allow),
        ("personalize-key-policy", Some(&svc), "kms:GenerateDataKey", Some(KEY), &sctx, Want::Allow),
        ("personalize-key-policy", Some(&other_role), "kms:Decrypt", Some(KEY), &rctx, Want::NotAllowed),
        ("personalize-key-policy", Some(&r), "kms:Encrypt", Some(KEY), &rctx, Want::NotAllowed),
        ("kms-default-key-policy", Some(&r), "kms:Decrypt", Some(KEY), &rctx, Want::AllowViaAccount),
        ("kms-default-key-policy", Some(&foreign_role), "kms:Decrypt", Some(KEY), &rctx, Want::NotAllowed),
        ("kms-default-key-policy", Some(&svc), "kms:Decrypt", Some(KEY), &sctx, Want::NotAllowed),
        ("kms-aws-managed-s3-key-policy", Some(&r), "kms:Decrypt", Some(KEY), &rctx, Want::Allow),
        // The service's own calls carry no kms:CallerAccount the checks know of.
        ("kms-aws-managed-s3-key-policy", Some(&svc), "kms:Decrypt", Some(KEY), &sctx, Want::CannotTell),
        // AWS managed policies with wildcards in actions.
        ("s3-read-only-access", None, "s3:GetObject", Some(OBJECT), &rctx, Want::Allow),
        ("s3-read-only-access", None, "s3:ListBucket", Some(BUCKET), &rctx, Want::Allow),
        ("s3-read-only-access", None, "s3:PutObject", Some(OBJECT), &rctx, Want::NotAllowed),
        // Bucket policies that deny: TLS only (Personalize uses TLS), VPC only (Personalize
        // is not in a VPC), an IP allow-list (Personalize's address is not known).
        ("s3-deny-non-tls", Some(&svc), "s3:GetObject", Some(OBJECT), &sctx, Want::NotAllowed),
        ("s3-vpc-endpoint-only", Some(&svc), "s3:GetObject", Some(OBJECT), &sctx, Want::Deny),
        ("s3-vpc-endpoint-only", Some(&r), "s3:ListBucket", Some(BUCKET), &rctx, Want::Deny),
        ("s3-ip-restricted", Some(&svc), "s3:GetObject", Some(OBJECT), &sctx, Want::NotAllowed),
        // NotResource: denies everything outside the payroll folder.
        ("iam-not-resource-deny", None, "s3:GetObject", Some("arn:aws:s3:::HRBucket/Payroll/2024.csv"), &rctx, Want::NotAllowed),
        ("iam-not-resource-deny", None, "s3:GetObject", Some(OBJECT), &rctx, Want::Deny),
    ];
    let mut failures = Vec::new();
    for (name, principal, action, resource, context, want) in &table {
        let req = Request {
            principal: *principal,
            action,
            resource: *resource,
            context,
        };
        let got = doc(name).evaluate(&req);
        if kind(&got) != *want {
            failures.push(format!(
                "{name}: {principal:?} {action} {resource:?}: want {want:?}, got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Two policies evaluated together, as a role's policies are.
fn both(a: &str, b: &str, principal: Option<&Principal>, action: &str, resource: &str) -> Decision {
    let ctx = match principal {
        Some(Principal::Service(_)) => service_context(),
        _ => role_context(),
    };
    evaluate_all(
        &[doc(a), doc(b)],
        &Request {
            principal,
            action,
            resource: Some(resource),
            context: &ctx,
        },
    )
}

#[test]
fn an_explicit_deny_overrides_an_allow() {
    let svc = personalize();
    // The Personalize bucket policy allows; the VPC-endpoint-only statement denies.
    let d = both(
        "personalize-bucket-policy",
        "s3-vpc-endpoint-only",
        Some(&svc),
        "s3:GetObject",
        OBJECT,
    );
    assert_eq!(
        d,
        Decision::Deny {
            sid: Some("Access-to-specific-VPCE-only".into())
        }
    );
    // The order of the documents does not matter.
    let d = both(
        "s3-vpc-endpoint-only",
        "personalize-bucket-policy",
        Some(&svc),
        "s3:ListBucket",
        BUCKET,
    );
    assert!(matches!(d, Decision::Deny { .. }), "{d:?}");
    // A deny that does not apply (TLS only) leaves the allow standing.
    let d = both(
        "personalize-bucket-policy",
        "s3-deny-non-tls",
        Some(&svc),
        "s3:GetObject",
        OBJECT,
    );
    assert!(d.is_allow(), "{d:?}");
    // Identity policies: an allow-all managed policy and a NotResource deny.
    let d = both(
        "s3-read-only-access",
        "iam-not-resource-deny",
        None,
        "s3:GetObject",
        OBJECT,
    );
    assert_eq!(d, Decision::Deny { sid: None });
}

#[test]
fn what_the_reader_cannot_evaluate_is_never_a_pass_or_a_failure() {
    let svc = personalize();
    // An IP allow-list on top of an allow: Personalize's source address is not known.
    let d = both(
        "personalize-bucket-policy",
        "s3-ip-restricted",
        Some(&svc),
        "s3:GetObject",
        OBJECT,
    );
    match d {
        Decision::CannotTell(why) => assert!(why.contains("aws:SourceIp"), "{why}"),
        other => panic!("{other:?}"),
    }
    // …but with no allow at all, the answer is certain whatever that deny does.
    let d = doc("s3-ip-restricted").evaluate(&Request {
        principal: Some(&svc),
        action: "s3:GetObject",
        resource: Some(OBJECT),
        context: &service_context(),
    });
    assert_eq!(d, Decision::NotAllowed);
}

fn one(
    statement: &str,
    principal: Option<&Principal>,
    action: &str,
    resource: Option<&str>,
    ctx: &Context,
) -> Decision {
    let p = Policy::parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":{statement}}}"#
    ))
    .unwrap();
    p.evaluate(&Request {
        principal,
        action,
        resource,
        context: ctx,
    })
}

#[test]
fn principal_forms() {
    let svc = personalize();
    let r = role();
    let ctx = Context::new();
    let allow = |principal: &str, who: &Principal| {
        kind(&one(
            &format!(
                r#"{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"*"}}"#
            ),
            Some(who),
            "s3:GetObject",
            Some(OBJECT),
            &ctx,
        ))
    };
    #[rustfmt::skip]
    let table: Vec<(&str, &Principal, Want)> = vec![
        (r#""*""#, &svc, Want::Allow),
        (r#""*""#, &r, Want::Allow),
        (r#"{"AWS":"*"}"#, &svc, Want::Allow),
        (r#"{"Service":"personalize.amazonaws.com"}"#, &svc, Want::Allow),
        (r#"{"Service":["ec2.amazonaws.com","personalize.amazonaws.com"]}"#, &svc, Want::Allow),
        (r#"{"Service":"ec2.amazonaws.com"}"#, &svc, Want::NotAllowed),
        (r#"{"Service":"personalize.amazonaws.com"}"#, &r, Want::NotAllowed),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/PersonalizeRole"}"#, &r, Want::Allow),
        (r#"{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:role/PersonalizeRole"]}"#, &r, Want::Allow),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/Other"}"#, &r, Want::NotAllowed),
        (r#"{"AWS":"111122223333"}"#, &r, Want::AllowViaAccount),
        (r#"{"AWS":"arn:aws:iam::111122223333:root"}"#, &r, Want::AllowViaAccount),
        (r#"{"AWS":"arn:aws:iam::444455556666:root"}"#, &r, Want::NotAllowed),
        (r#"{"AWS":"arn:aws:iam::111122223333:root"}"#, &svc, Want::NotAllowed),
        (r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/PersonalizeRole/session"}"#, &r, Want::CannotTell),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/personalizerole"}"#, &r, Want::CannotTell),
        (r#"{"Federated":"cognito-identity.amazonaws.com"}"#, &r, Want::NotAllowed),
        (r#"{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#, &svc, Want::NotAllowed),
    ];
    for (principal, who, want) in table {
        assert_eq!(allow(principal, who), want, "{principal} for {who:?}");
    }
    // A role path is part of the ARN.
    let with_path =
        Principal::role("arn:aws:iam::111122223333:role/service-role/PersonalizeRole").unwrap();
    assert_eq!(
        allow(
            r#"{"AWS":"arn:aws:iam::111122223333:role/service-role/PersonalizeRole"}"#,
            &with_path
        ),
        Want::Allow
    );
    assert_eq!(
        allow(
            r#"{"AWS":"arn:aws:iam::111122223333:role/PersonalizeRole"}"#,
            &with_path
        ),
        Want::NotAllowed
    );
    // NotPrincipal: a deny for everyone except the role.
    let d = one(
        r#"[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},
            {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/PersonalizeRole"},"Action":"s3:*","Resource":"*"}]"#,
        Some(&svc),
        "s3:GetObject",
        Some(OBJECT),
        &ctx,
    );
    assert_eq!(kind(&d), Want::Deny);
    let d = one(
        r#"[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},
            {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/PersonalizeRole"},"Action":"s3:*","Resource":"*"}]"#,
        Some(&r),
        "s3:GetObject",
        Some(OBJECT),
        &ctx,
    );
    assert_eq!(kind(&d), Want::Allow);
}

#[test]
fn actions_resources_and_their_negations() {
    let ctx = Context::new();
    let check = |statement: &str, action: &str, resource: &str| {
        kind(&one(statement, None, action, Some(resource), &ctx))
    };
    #[rustfmt::skip]
    let table: Vec<(&str, &str, &str, Want)> = vec![
        (r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#, "s3:GetObject", OBJECT, Want::Allow),
        (r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#, "s3:ListBucket", BUCKET, Want::Allow),
        (r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}"#, "s3:ListBucket", BUCKET, Want::NotAllowed),
        (r#"{"Effect":"Allow","Action":"s3:?etObject","Resource":"*"}"#, "s3:GetObject", OBJECT, Want::Allow),
        (r#"{"Effect":"Allow","Action":"s3:GetObjec?","Resource":"*"}"#, "s3:GetObjects", OBJECT, Want::NotAllowed),
        (r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#, "s3:GetObject", OBJECT, Want::Allow),
        (r#"{"Effect":"Allow","NotAction":["s3:Put*","s3:Delete*"],"Resource":"*"}"#, "s3:PutObject", OBJECT, Want::NotAllowed),
        (r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/imports/*"}"#, "s3:GetObject", OBJECT, Want::Allow),
        (r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/exports/*"}"#, "s3:GetObject", OBJECT, Want::NotAllowed),
        (r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-?ucket/*"}"#, "s3:GetObject", OBJECT, Want::Allow),
        (r#"{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::amzn-s3-demo-bucket/secret/*"}"#, "s3:GetObject", OBJECT, Want::Allow),
        (r#"{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}"#, "s3:GetObject", OBJECT, Want::NotAllowed),
        // A policy variable cannot be resolved.
        (r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*"}"#, "s3:GetObject", OBJECT, Want::CannotTell),
        // An element the reader does not know.
        (r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Extra":1}"#, "s3:GetObject", OBJECT, Want::CannotTell),
    ];
    for (statement, action, resource, want) in table {
        assert_eq!(
            check(statement, action, resource),
            want,
            "{statement} {action} {resource}"
        );
    }
}

#[test]
fn conditions() {
    let svc = personalize();
    let ctx = service_context();
    let check = |condition: &str| {
        kind(&one(
            &format!(
                r#"{{"Effect":"Allow","Principal":{{"Service":"personalize.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{condition}}}"#
            ),
            Some(&svc),
            "sts:AssumeRole",
            None,
            &ctx,
        ))
    };
    #[rustfmt::skip]
    let table: Vec<(&str, Want)> = vec![
        (r#"{"StringEquals":{"aws:SourceAccount":"111122223333"}}"#, Want::Allow),
        (r#"{"StringEquals":{"aws:sourceaccount":"111122223333"}}"#, Want::Allow),
        (r#"{"StringEquals":{"aws:SourceAccount":["444455556666","111122223333"]}}"#, Want::Allow),
        (r#"{"StringEquals":{"aws:SourceAccount":"444455556666"}}"#, Want::NotAllowed),
        (r#"{"StringNotEquals":{"aws:SourceAccount":"444455556666"}}"#, Want::Allow),
        (r#"{"StringLike":{"aws:SourceArn":"arn:aws:personalize:us-east-1:111122223333:*"}}"#, Want::Allow),
        (r#"{"ArnLike":{"aws:SourceArn":"arn:aws:personalize:*:111122223333:*"}}"#, Want::Allow),
        (r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:personalize:us-west-2:111122223333:*"}}"#, Want::NotAllowed),
        (r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:personalize:us-west-2:*"}}"#, Want::Allow),
        // Holds for the import job's ARN, not for the dataset's: which one the service sends is
        // not documented.
        (r#"{"ArnLike":{"aws:SourceArn":"arn:aws:personalize:us-east-1:111122223333:dataset-import-job/*"}}"#, Want::CannotTell),
        // Both conditions of one block must hold.
        (r#"{"StringEquals":{"aws:SourceAccount":"111122223333"},"StringLike":{"aws:SourceArn":"arn:aws:personalize:us-west-2:111122223333:*"}}"#, Want::NotAllowed),
        (r#"{"Bool":{"aws:SecureTransport":"true"}}"#, Want::Allow),
        (r#"{"Bool":{"aws:SecureTransport":false}}"#, Want::NotAllowed),
        // Absent keys: positive operators fail, negated ones and IfExists hold, Null says so.
        (r#"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#, Want::NotAllowed),
        (r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#, Want::Allow),
        (r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#, Want::Allow),
        (r#"{"Null":{"aws:SourceVpce":"true"}}"#, Want::Allow),
        (r#"{"Null":{"aws:SourceAccount":"true"}}"#, Want::NotAllowed),
        (r#"{"IpAddress":{"aws:SourceVpce":"10.0.0.0/8"}}"#, Want::NotAllowed),
        // Unknown keys, operators the reader does not evaluate, set operators, variables.
        (r#"{"StringEquals":{"aws:PrincipalTag/team":"data"}}"#, Want::CannotTell),
        (r#"{"NumericLessThan":{"aws:SourceAccount":"5"}}"#, Want::CannotTell),
        (r#"{"ForAnyValue:StringEquals":{"aws:SourceAccount":"111122223333"}}"#, Want::CannotTell),
        (r#"{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}"#, Want::CannotTell),
        (r#"{"StringEqualsAnything":{"aws:SourceAccount":"1"}}"#, Want::CannotTell),
    ];
    for (condition, want) in table {
        assert_eq!(check(condition), want, "{condition}");
    }
}

#[test]
fn allowing_statements_report_their_condition_keys() {
    let d = doc("personalize-trust-policy-confused-deputy").evaluate(&Request {
        principal: Some(&personalize()),
        action: "sts:AssumeRole",
        resource: None,
        context: &service_context(),
    });
    let Decision::Allow(st) = d else {
        panic!("{d:?}")
    };
    assert_eq!(st.len(), 1);
    assert!(st[0].names_principal);
    assert_eq!(st[0].condition_keys, ["aws:sourceaccount", "aws:sourcearn"]);
}

#[test]
fn statement_shapes_and_bad_documents() {
    // One statement as an object (the NotResource example) parses like a list of one.
    assert_eq!(doc("iam-not-resource-deny").len(), 1);
    for bad in [
        "",
        "[]",
        "{}",
        r#"{"Statement":"x"}"#,
        r#"{"Statement":[{"Action":"s3:*"}]}"#,
        r#"{"Statement":[{"Effect":"allow","Action":"s3:*"}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*"}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Principal":"someone","Action":"s3:*"}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Action":{"a":1}}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":[]}]}"#,
    ] {
        assert!(Policy::parse(bad).is_err(), "{bad}");
    }
    // A resource policy statement without a principal cannot be judged.
    let d = one(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#,
        Some(&personalize()),
        "s3:GetObject",
        Some(OBJECT),
        &Context::new(),
    );
    assert_eq!(kind(&d), Want::CannotTell);
}

#[test]
fn url_encoded_documents_as_iam_returns_them() {
    let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22personalize.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
    let p = Policy::parse_encoded(encoded).unwrap();
    assert_eq!(p, doc("personalize-trust-policy"));
    // A plain document parses as it is; `+` and a stray `%` survive.
    assert_eq!(percent_decode("a+b%2Bc%"), "a+b+c%");
    assert_eq!(percent_decode("%zz%4"), "%zz%4");
    assert!(Policy::parse_encoded("%7Bnot json").is_err());
}

#[test]
fn glob_matches_like_iam() {
    for (p, t, want) in [
        ("*", "", true),
        ("*", "anything", true),
        ("a*c", "abc", true),
        ("a*c", "ac", true),
        ("a*c", "abd", false),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
        ("*/*", "bucket/key", true),
        ("*/*", "bucket", false),
        ("a**b", "axxb", true),
        ("ab", "abc", false),
    ] {
        assert_eq!(glob(p, t), want, "{p} {t}");
    }
}
