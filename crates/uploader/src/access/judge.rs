//! The checks themselves: fetch what each needs through the traits, judge it with the policy
//! reader, word the finding.

use super::rules::{
    ACCESS_NOT_CHECKED, BUCKET_IN_OTHER_REGION, BUCKET_NOT_FOUND, BUCKET_POLICY_LACKS_PERSONALIZE,
    BUCKET_POLICY_MISSING, KMS_KEY_DENIES_ROLE, KMS_KEY_POLICY_INCOMPLETE, POLICY_NOT_EVALUATED,
    ROLE_LACKS_S3_ACCESS, ROLE_NOT_ASSUMABLE, TRUST_POLICY_WITHOUT_SOURCE_CONDITIONS,
};
use super::{
    fix, AccessError, AccessFinding, AccessReport, BucketAccess, CheckKind, CheckResult,
    Encryption, Iam, KeyInfo, Kms, Parties, Role,
};
use crate::policy::{
    evaluate_all, AllowingStatement, Context, ContextValue, Decision, Policy, Principal, Request,
    Tri,
};

/// The service principal.
pub(crate) const PERSONALIZE: &str = "personalize.amazonaws.com";

/// At most this many objects are asked how they are encrypted.
const MAX_OBJECTS_HEADED: usize = 50;

/// What Personalize's own requests (with its service principal) carry: the account and one of
/// its resource ARNs as source (which one is not documented: the job's, the dataset's or the
/// dataset group's), TLS, no VPC endpoint (Personalize does not reach VPCs), no organization.
pub(crate) fn service_context(p: &Parties) -> Context {
    let mut arns = vec![p.job_arn.clone(), p.dataset_arn.clone()];
    if let Some(g) = &p.dataset_group_arn {
        arns.push(g.clone());
    }
    Context::new()
        .is("aws:SourceAccount", &p.account)
        .with("aws:SourceArn", ContextValue::OneOf(arns))
        .is("aws:SecureTransport", "true")
        .absent("aws:SourceVpce")
        .absent("aws:SourceVpc")
        .is("aws:PrincipalIsAWSService", "true")
        .is("aws:PrincipalServiceName", PERSONALIZE)
        .absent("aws:PrincipalOrgID")
}

/// What the role's requests carry when Personalize uses it: the role as principal, TLS, no VPC
/// endpoint; for KMS, the calling account and S3 of the region as the service it comes through.
pub(crate) fn role_context(p: &Parties) -> Context {
    let suffix = if p.partition == "aws-cn" {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    Context::new()
        .is("aws:SecureTransport", "true")
        .absent("aws:SourceVpce")
        .absent("aws:SourceVpc")
        .is("aws:PrincipalArn", &p.role_arn)
        .is("aws:PrincipalAccount", &p.role_account)
        .is("aws:PrincipalIsAWSService", "false")
        .is("kms:CallerAccount", &p.role_account)
        .is("kms:ViaService", format!("s3.{}.{suffix}", p.region))
}

fn service() -> Principal {
    Principal::Service(PERSONALIZE.into())
}

/// The finding for a call that failed: access denied or another error; the check is not made.
fn not_checked(kind: CheckKind, what: &str, permission: &str, e: &AccessError) -> CheckResult {
    let (message, help) = match e {
        AccessError::Denied { message, .. } => (
            format!(
                "could not check {what}: the credentials preflight runs with may not call {} ({message})",
                e.operation()
            ),
            format!(
                "grant them `{permission}`, or check {what} yourself: when it is wrong the job fails with \"Insufficient privileges for accessing data in Amazon S3\""
            ),
        ),
        other => (
            format!("could not check {what}: {other}"),
            "run the check again; if it keeps failing, check the policy yourself".to_string(),
        ),
    };
    CheckResult::finding(
        kind,
        format!("{what}: not checked"),
        AccessFinding::new(&ACCESS_NOT_CHECKED, message).help(help),
    )
}

fn cannot_tell(kind: CheckKind, what: &str, why: &str) -> CheckResult {
    CheckResult::finding(
        kind,
        format!("{what}: cannot tell"),
        AccessFinding::new(
            &POLICY_NOT_EVALUATED,
            format!("cannot tell whether {what} allows the import: {why}"),
        )
        .help(
            "check that part of the policy yourself; preflight neither passes nor fails what it does not evaluate",
        ),
    )
}

/// The bucket policy as the checks saw it.
#[derive(Debug, Clone)]
pub(crate) enum BucketPolicy {
    /// Read: none, or this document.
    Known(Option<Policy>),
    /// Not read (a finding says why), or not a policy.
    Unknown,
}

/// The role's identity policies, as far as they could be read.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub(crate) policies: Vec<Policy>,
    pub(crate) boundary: Option<Policy>,
    pub(crate) described: String,
}

pub(crate) async fn run<B: BucketAccess, I: Iam, K: Kms>(
    bucket: &B,
    iam: &I,
    kms: &K,
    p: &Parties,
    staging_key: Option<&str>,
) -> AccessReport {
    let mut checks = Vec::new();

    // The bucket: it exists, in the dataset's region. Elsewhere the other S3 calls would only
    // be redirected, and the job fails anyway.
    let bucket_usable = match bucket.bucket_region(&p.bucket).await {
        Ok(region) => {
            let r = judge_region(p, &region);
            let ok = r.findings.is_empty();
            checks.push(r);
            ok
        }
        Err(AccessError::NotFound { message, .. }) => {
            checks.push(CheckResult::finding(
                CheckKind::BucketRegion,
                format!("bucket `{}`: does not exist", p.bucket),
                AccessFinding::new(
                    &BUCKET_NOT_FOUND,
                    format!("the bucket `{}` does not exist ({message})", p.bucket),
                )
                .help(format!(
                    "check the bucket's name in `{}`, or create the bucket in {} and stage the data to it",
                    p.location(),
                    p.region
                )),
            ));
            false
        }
        Err(e) => {
            checks.push(not_checked(
                CheckKind::BucketRegion,
                &format!("the region of the bucket `{}`", p.bucket),
                "s3:GetBucketLocation",
                &e,
            ));
            true
        }
    };

    // The bucket policy, for the service principal.
    let bucket_policy = if bucket_usable {
        match bucket.bucket_policy(&p.bucket).await {
            Ok(None) => {
                checks.push(judge_bucket_policy(p, None));
                BucketPolicy::Known(None)
            }
            Ok(Some(text)) => match Policy::parse_encoded(&text) {
                Ok(policy) => {
                    checks.push(judge_bucket_policy(p, Some(&policy)));
                    BucketPolicy::Known(Some(policy))
                }
                Err(e) => {
                    checks.push(cannot_tell(
                        CheckKind::BucketPolicy,
                        &format!("the bucket policy of `{}`", p.bucket),
                        &e.to_string(),
                    ));
                    BucketPolicy::Unknown
                }
            },
            Err(e) => {
                checks.push(not_checked(
                    CheckKind::BucketPolicy,
                    &format!("the bucket policy of `{}`", p.bucket),
                    &format!("s3:GetBucketPolicy` on `{}", p.bucket_arn()),
                    &e,
                ));
                BucketPolicy::Unknown
            }
        }
    } else {
        checks.push(CheckResult::skipped(
            CheckKind::BucketPolicy,
            format!(
                "the bucket policy of `{}`: not checked (see the bucket above)",
                p.bucket
            ),
        ));
        BucketPolicy::Unknown
    };

    // The role: its trust policy, then its permissions.
    let role = iam.get_role(p.role_name()).await;
    let role_exists = !matches!(role, Err(AccessError::NotFound { .. }));
    checks.push(match &role {
        Ok(r) => judge_trust(p, r),
        Err(AccessError::NotFound { message, .. }) => CheckResult::finding(
            CheckKind::TrustPolicy,
            format!("role `{}`: does not exist", p.role_arn),
            AccessFinding::new(
                &ROLE_NOT_ASSUMABLE,
                format!("the role `{}` does not exist ({message})", p.role_arn),
            )
            .help(format!(
                "create the role with the trust policy of the Personalize docs and pass its ARN; the ARN's account is {}",
                p.role_account
            )),
        ),
        Err(e) => not_checked(
            CheckKind::TrustPolicy,
            &format!("the trust policy of `{}`", p.role_arn),
            &format!("iam:GetRole` on `{}", p.role_arn),
            e,
        ),
    });

    let identity = if role_exists {
        match identity_policies(iam, p, role.as_ref().ok()).await {
            Ok(id) => {
                let known_bucket = match &bucket_policy {
                    BucketPolicy::Known(b) => b.as_ref(),
                    BucketPolicy::Unknown => None,
                };
                checks.push(judge_role_s3(p, &id, known_bucket));
                Some(id)
            }
            Err(result) => {
                checks.push(*result);
                None
            }
        }
    } else {
        checks.push(CheckResult::skipped(
            CheckKind::RolePolicies,
            format!(
                "the policies of `{}`: not checked (the role does not exist)",
                p.role_arn
            ),
        ));
        None
    };

    // SSE-KMS keys.
    let (keys, mut key_results) = kms_keys(bucket, p, staging_key, bucket_usable).await;
    checks.append(&mut key_results);
    if keys.is_empty() && checks.iter().all(|c| c.kind != CheckKind::KmsKey) {
        checks.push(CheckResult::passed(
            CheckKind::KmsKey,
            format!("encryption of `{}`: no KMS key involved", p.location()),
        ));
    }
    for (key, source) in keys {
        checks.push(check_key(kms, p, &key, &source, identity.as_ref(), role_exists).await);
    }
    AccessReport { checks }
}

fn judge_region(p: &Parties, region: &str) -> CheckResult {
    if region == p.region {
        return CheckResult::passed(
            CheckKind::BucketRegion,
            format!("bucket `{}`: in {region}, the dataset's region", p.bucket),
        );
    }
    CheckResult::finding(
        CheckKind::BucketRegion,
        format!("bucket `{}`: in {region}, not in {}", p.bucket, p.region),
        AccessFinding::new(
            &BUCKET_IN_OTHER_REGION,
            format!(
                "the bucket `{}` is in {region}; the dataset is in {}, and Personalize imports only from a bucket in the dataset's region",
                p.bucket, p.region
            ),
        )
        .help(format!(
            "stage the data to a bucket in {} (`preflight stage --to s3://BUCKET/PREFIX/`)",
            p.region
        )),
    )
}

/// Evaluates one action on several keys and keeps the answer that matters most: a deny, then a
/// missing grant, then "cannot tell". With stand-in keys, a grant for some names and not for
/// others cannot be judged.
fn worst(results: Vec<(String, Decision)>, stand_ins: bool) -> (Decision, Option<String>) {
    if let Some((k, d)) = results
        .iter()
        .find(|(_, d)| matches!(d, Decision::Deny { .. }))
    {
        return (d.clone(), Some(k.clone()));
    }
    let allowed = results.iter().filter(|(_, d)| d.is_allow()).count();
    if let Some((k, d)) = results.iter().find(|(_, d)| *d == Decision::NotAllowed) {
        if stand_ins && allowed > 0 {
            return (
                Decision::CannotTell(
                    "it allows reading some names in the folder and not others; pass the files' names to check them"
                        .into(),
                ),
                None,
            );
        }
        return (d.clone(), Some(k.clone()));
    }
    if let Some((k, d)) = results
        .iter()
        .find(|(_, d)| matches!(d, Decision::CannotTell(_)))
    {
        return (d.clone(), Some(k.clone()));
    }
    results
        .into_iter()
        .next()
        .map_or((Decision::NotAllowed, None), |(k, d)| (d, Some(k)))
}

/// `s3:ListBucket` on the bucket and `s3:GetObject` on the data, judged by `decide`; returns
/// the worse of the two, what it is about (`s3:GetObject on arn:…`) and the (action, resource)
/// that decided it.
fn list_and_read(
    p: &Parties,
    decide: impl Fn(&str, &str) -> Decision,
) -> (Decision, String, (&'static str, String)) {
    let list = decide("s3:ListBucket", &p.bucket_arn());
    let (keys, stand_ins) = p.object_keys();
    let reads: Vec<(String, Decision)> = keys
        .iter()
        .map(|k| (p.object_arn(k), decide("s3:GetObject", &p.object_arn(k))))
        .collect();
    let (read, read_arn) = worst(reads, stand_ins);
    let read_what = match &read_arn {
        Some(arn) => format!("s3:GetObject on `{arn}`"),
        None => format!("s3:GetObject on the objects in `{}`", p.location()),
    };
    let list_what = format!("s3:ListBucket on `{}`", p.bucket_arn());
    let list_key = ("s3:ListBucket", p.bucket_arn());
    let read_key = (
        "s3:GetObject",
        read_arn.unwrap_or_else(|| p.object_arn(&p.object_keys().0[0])),
    );
    match (&list, &read) {
        (Decision::Deny { .. }, _) => (list, list_what, list_key),
        (_, Decision::Deny { .. }) => (read, read_what, read_key),
        (Decision::NotAllowed, Decision::NotAllowed) => {
            (list, format!("{list_what} and {read_what}"), list_key)
        }
        (Decision::NotAllowed, _) => (list, list_what, list_key),
        (_, Decision::NotAllowed) => (read, read_what, read_key),
        (Decision::CannotTell(_), _) => (list, list_what, list_key),
        (_, Decision::CannotTell(_)) => (read, read_what, read_key),
        _ => (list, format!("{list_what} and {read_what}"), list_key),
    }
}

fn sid_text(sid: &Option<String>) -> String {
    match sid {
        Some(s) if !s.is_empty() => format!("the statement `{s}`"),
        _ => "a statement without a Sid".into(),
    }
}

pub(crate) fn judge_bucket_policy(p: &Parties, policy: Option<&Policy>) -> CheckResult {
    let what = format!("the bucket policy of `{}`", p.bucket);
    let Some(policy) = policy else {
        return CheckResult::finding(
            CheckKind::BucketPolicy,
            format!("{what}: none"),
            AccessFinding::new(
                &BUCKET_POLICY_MISSING,
                format!(
                    "the bucket `{}` has no bucket policy: Personalize needs one that lets {PERSONALIZE} list the bucket and read the data",
                    p.bucket
                ),
            )
            .with_fix(fix::bucket_policy(p, true)),
        );
    };
    let ctx = service_context(p);
    let svc = service();
    let (decision, about, _) = list_and_read(p, |action, resource| {
        policy.evaluate(&Request {
            principal: Some(&svc),
            action,
            resource: Some(resource),
            context: &ctx,
        })
    });
    match decision {
        Decision::Allow(_) => CheckResult::passed(
            CheckKind::BucketPolicy,
            format!(
                "{what}: lets {PERSONALIZE} list the bucket and read `{}`",
                p.location()
            ),
        ),
        Decision::Deny { sid } => CheckResult::finding(
            CheckKind::BucketPolicy,
            format!("{what}: denies {PERSONALIZE}"),
            AccessFinding::new(
                &BUCKET_POLICY_LACKS_PERSONALIZE,
                format!(
                    "{what} denies {PERSONALIZE} {about}: {} applies to its requests",
                    sid_text(&sid)
                ),
            )
            .help(format!(
                "narrow {} so that it does not apply to {PERSONALIZE} and the role `{}` (Personalize reads over the internet, never through a VPC endpoint); adding an Allow does not override a Deny",
                sid_text(&sid),
                p.role_arn
            )),
        ),
        Decision::NotAllowed => CheckResult::finding(
            CheckKind::BucketPolicy,
            format!("{what}: does not allow {PERSONALIZE}"),
            AccessFinding::new(
                &BUCKET_POLICY_LACKS_PERSONALIZE,
                format!("{what} does not allow {PERSONALIZE} {about}"),
            )
            .with_fix(fix::bucket_policy(p, false)),
        ),
        Decision::CannotTell(why) => cannot_tell(CheckKind::BucketPolicy, &what, &why),
    }
}

fn unprotected(st: &[AllowingStatement]) -> bool {
    st.iter().any(|s| {
        !s.condition_keys
            .iter()
            .any(|k| k == "aws:sourceaccount" || k == "aws:sourcearn")
    })
}

pub(crate) fn judge_trust(p: &Parties, role: &Role) -> CheckResult {
    let what = format!("the trust policy of `{}`", p.role_arn);
    let policy = match Policy::parse_encoded(&role.trust_policy) {
        Ok(policy) => policy,
        Err(e) => return cannot_tell(CheckKind::TrustPolicy, &what, &e.to_string()),
    };
    let ctx = service_context(p);
    let svc = service();
    let d = policy.evaluate(&Request {
        principal: Some(&svc),
        action: "sts:AssumeRole",
        resource: None,
        context: &ctx,
    });
    match d {
        Decision::Allow(st) if unprotected(&st) => CheckResult::finding(
            CheckKind::TrustPolicy,
            format!("{what}: lets {PERSONALIZE} assume the role, without source conditions"),
            AccessFinding::new(
                &TRUST_POLICY_WITHOUT_SOURCE_CONDITIONS,
                format!(
                    "{what} lets {PERSONALIZE} assume the role without an `aws:SourceAccount` or `aws:SourceArn` condition: Personalize acting for another account could be led to use it (the confused deputy problem)"
                ),
            )
            .with_fix(fix::trust_policy(p)),
        ),
        Decision::Allow(_) => CheckResult::passed(
            CheckKind::TrustPolicy,
            format!("{what}: lets {PERSONALIZE} of account {} assume the role", p.account),
        ),
        Decision::Deny { sid } => CheckResult::finding(
            CheckKind::TrustPolicy,
            format!("{what}: denies {PERSONALIZE}"),
            AccessFinding::new(
                &ROLE_NOT_ASSUMABLE,
                format!(
                    "{what} denies {PERSONALIZE} sts:AssumeRole ({} applies)",
                    sid_text(&sid)
                ),
            )
            .help(format!(
                "narrow {} so that it does not apply to {PERSONALIZE} of account {}",
                sid_text(&sid),
                p.account
            )),
        ),
        Decision::NotAllowed => CheckResult::finding(
            CheckKind::TrustPolicy,
            format!("{what}: does not let {PERSONALIZE} assume the role"),
            AccessFinding::new(
                &ROLE_NOT_ASSUMABLE,
                format!(
                    "{what} does not let {PERSONALIZE} assume the role for a job in account {} and {}",
                    p.account, p.region
                ),
            )
            .with_fix(fix::trust_policy(p)),
        ),
        Decision::CannotTell(why) => cannot_tell(CheckKind::TrustPolicy, &what, &why),
    }
}

/// Reads the role's inline and attached policies and its permissions boundary; a failure is the
/// role check's result.
async fn identity_policies<I: Iam>(
    iam: &I,
    p: &Parties,
    role: Option<&Role>,
) -> Result<Identity, Box<CheckResult>> {
    let what = format!("the policies of `{}`", p.role_arn);
    let name = p.role_name();
    let fail = |permission: &str, e: &AccessError| {
        Box::new(not_checked(
            CheckKind::RolePolicies,
            &what,
            &format!("{permission}` on `{}", p.role_arn),
            e,
        ))
    };
    let parse = |label: &str, text: &str| {
        Policy::parse_encoded(text).map_err(|e| {
            Box::new(cannot_tell(
                CheckKind::RolePolicies,
                &what,
                &format!("{label}: {e}"),
            ))
        })
    };
    let mut policies = Vec::new();
    let inline = iam
        .list_role_policies(name)
        .await
        .map_err(|e| fail("iam:ListRolePolicies", &e))?;
    for n in &inline {
        let text = iam
            .get_role_policy(name, n)
            .await
            .map_err(|e| fail("iam:GetRolePolicy", &e))?;
        policies.push(parse(&format!("the inline policy `{n}`"), &text)?);
    }
    let attached = iam
        .list_attached_role_policies(name)
        .await
        .map_err(|e| fail("iam:ListAttachedRolePolicies", &e))?;
    let managed = |arn: String| async move {
        let version = iam
            .get_policy(&arn)
            .await
            .map_err(|e| fail("iam:GetPolicy", &e))?;
        let text = iam
            .get_policy_version(&arn, &version)
            .await
            .map_err(|e| fail("iam:GetPolicyVersion", &e))?;
        parse(&format!("the policy `{arn}`"), &text)
    };
    for arn in &attached {
        policies.push(managed(arn.clone()).await?);
    }
    let boundary = match role.and_then(|r| r.permissions_boundary.clone()) {
        Some(arn) => Some(managed(arn).await?),
        None => None,
    };
    Ok(Identity {
        policies,
        boundary,
        described: format!(
            "{} inline and {} attached polic{}{}",
            inline.len(),
            attached.len(),
            if attached.len() == 1 { "y" } else { "ies" },
            if role.is_some_and(|r| r.permissions_boundary.is_some()) {
                ", and a permissions boundary"
            } else {
                ""
            }
        ),
    })
}

/// How the resource's own policy counts for a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResourcePolicy {
    /// A bucket policy: naming the role grants (same account), the role's own policies grant too.
    Bucket,
    /// A key policy: it must allow; naming the role grants, naming the account leaves the
    /// decision to the role's IAM policies.
    Key,
}

/// Which policy decided.
#[derive(Debug, Clone, PartialEq, Eq)]
enum By {
    RolePolicies,
    Boundary,
    Resource,
}

/// The role's decision from its identity policies, its boundary and the resource's policy.
fn decide_role(
    identity: Option<&Identity>,
    resource: Option<&Policy>,
    kind: ResourcePolicy,
    request: &Request<'_>,
) -> (Decision, By) {
    let id = identity.map(|i| {
        evaluate_all(
            &i.policies,
            &Request {
                principal: None,
                ..*request
            },
        )
    });
    let boundary = identity.and_then(|i| i.boundary.as_ref()).map(|b| {
        b.evaluate(&Request {
            principal: None,
            ..*request
        })
    });
    let res = resource.map(|r| r.evaluate(request));
    for (d, by) in [
        (&id, By::RolePolicies),
        (&boundary, By::Boundary),
        (&res, By::Resource),
    ] {
        if let Some(d @ Decision::Deny { .. }) = d {
            return (d.clone(), by);
        }
    }
    let allow = |d: &Option<Decision>, named_only: bool| match d {
        Some(Decision::Allow(st)) if !named_only || st.iter().any(|s| s.names_principal) => {
            Tri::Yes
        }
        Some(Decision::CannotTell(why)) => Tri::Unknown(why.clone()),
        Some(_) => Tri::No,
        None => Tri::Unknown("the role's policies could not be read".into()),
    };
    let id_allow = match &id {
        None => Tri::Unknown("the role's policies could not be read".into()),
        Some(_) => allow(&id, false),
    };
    let granted = match kind {
        ResourcePolicy::Bucket => {
            let res_named = match &res {
                None => Tri::No,
                Some(_) => allow(&res, true),
            };
            any2(id_allow, res_named)
        }
        ResourcePolicy::Key => {
            let named = allow(&res, true);
            let via_account = all2(allow(&res, false), id_allow);
            any2(named, via_account)
        }
    };
    let bounded = match &boundary {
        None => granted.clone(),
        Some(_) => all2(granted.clone(), allow(&boundary, false)),
    };
    let by = if granted == Tri::No {
        if kind == ResourcePolicy::Key && !matches!(res, Some(Decision::Allow(_))) {
            By::Resource
        } else {
            By::RolePolicies
        }
    } else {
        By::Boundary
    };
    let unknown = [&id, &boundary, &res].into_iter().find_map(|d| match d {
        Some(Decision::CannotTell(why)) => Some(why.clone()),
        _ => None,
    });
    match (bounded, unknown) {
        (Tri::No, _) => (Decision::NotAllowed, by),
        (Tri::Yes, None) => {
            let mut st = Vec::new();
            for d in [&id, &res].into_iter().flatten() {
                if let Decision::Allow(s) = d {
                    st.extend(s.iter().cloned());
                }
            }
            (Decision::Allow(st), By::RolePolicies)
        }
        (Tri::Unknown(why), _) | (Tri::Yes, Some(why)) => (Decision::CannotTell(why), by),
    }
}

fn any2(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
        (Tri::Unknown(w), _) | (_, Tri::Unknown(w)) => Tri::Unknown(w),
        _ => Tri::No,
    }
}

fn all2(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::No, _) | (_, Tri::No) => Tri::No,
        (Tri::Unknown(w), _) | (_, Tri::Unknown(w)) => Tri::Unknown(w),
        _ => Tri::Yes,
    }
}

pub(crate) fn judge_role_s3(
    p: &Parties,
    identity: &Identity,
    bucket_policy: Option<&Policy>,
) -> CheckResult {
    let what = format!("the policies of `{}`", p.role_arn);
    let ctx = role_context(p);
    let decide = |action: &str, resource: &str| {
        decide_role(
            Some(identity),
            bucket_policy,
            ResourcePolicy::Bucket,
            &Request {
                principal: Some(&p.role),
                action,
                resource: Some(resource),
                context: &ctx,
            },
        )
    };
    let (decision, about, (action, resource)) =
        list_and_read(p, |action, resource| decide(action, resource).0);
    let by = decide(action, &resource).1;
    match decision {
        Decision::Allow(_) => CheckResult::passed(
            CheckKind::RolePolicies,
            format!(
                "{what} ({}): allow listing the bucket and reading `{}`",
                identity.described,
                p.location()
            ),
        ),
        Decision::Deny { sid } => {
            let source = match by {
                By::Resource => format!("the bucket policy of `{}`", p.bucket),
                By::Boundary => "the role's permissions boundary".to_string(),
                By::RolePolicies => format!("a policy of the role ({})", identity.described),
            };
            CheckResult::finding(
                CheckKind::RolePolicies,
                format!("{what}: denied"),
                AccessFinding::new(
                    &ROLE_LACKS_S3_ACCESS,
                    format!(
                        "the role `{}` is denied {about}: {} in {source} applies",
                        p.role_arn,
                        sid_text(&sid)
                    ),
                )
                .help(format!(
                    "narrow {} in {source} so that it does not apply to the role; adding an Allow does not override a Deny",
                    sid_text(&sid)
                )),
            )
        }
        Decision::NotAllowed => {
            let message = if by == By::Boundary {
                format!(
                    "the permissions boundary of `{}` does not allow {about}: a boundary limits what the role's policies grant",
                    p.role_arn
                )
            } else {
                format!(
                    "no policy of the role `{}` ({}) allows {about}",
                    p.role_arn, identity.described
                )
            };
            let mut f = AccessFinding::new(&ROLE_LACKS_S3_ACCESS, message)
                .with_fix(fix::role_policy(p, None));
            if by == By::Boundary {
                f.help = format!(
                    "allow these actions in the permissions boundary too; {}",
                    f.help
                );
            }
            CheckResult::finding(
                CheckKind::RolePolicies,
                format!("{what}: do not allow reading the data"),
                f,
            )
        }
        Decision::CannotTell(why) => cannot_tell(CheckKind::RolePolicies, &what, &why),
    }
}

/// The KMS keys the data is (or will be) encrypted with, and where each was seen; failures to
/// read the encryption are results of their own.
async fn kms_keys<B: BucketAccess>(
    bucket: &B,
    p: &Parties,
    staging_key: Option<&str>,
    bucket_usable: bool,
) -> (Vec<(String, String)>, Vec<CheckResult>) {
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut results = Vec::new();
    let mut add = |key: Option<String>, source: String| {
        let key = key.unwrap_or_else(|| "alias/aws/s3".to_string());
        if !keys.iter().any(|(k, _)| *k == key) {
            keys.push((key, source));
        }
    };
    if let Some(k) = staging_key {
        add(Some(k.to_string()), "the key staging writes with".into());
    }
    if !bucket_usable {
        return (keys, results);
    }
    if !p.objects.is_empty() {
        for key in p.objects.iter().take(MAX_OBJECTS_HEADED) {
            match bucket.object_encryption(&p.bucket, key).await {
                Ok(Encryption::Kms { key: k }) => add(k, format!("the object `{key}`")),
                Ok(_) => {}
                Err(e) => results.push(not_checked(
                    CheckKind::KmsKey,
                    &format!("the encryption of `s3://{}/{key}`", p.bucket),
                    &format!("s3:GetObject` on `{}", p.object_arn(key)),
                    &e,
                )),
            }
        }
    } else if staging_key.is_none() {
        match bucket.bucket_encryption(&p.bucket).await {
            Ok(Encryption::Kms { key }) => add(key, "the bucket's default encryption".into()),
            Ok(_) => {}
            Err(e) => results.push(not_checked(
                CheckKind::KmsKey,
                &format!("the default encryption of `{}`", p.bucket),
                &format!("s3:GetEncryptionConfiguration` on `{}", p.bucket_arn()),
                &e,
            )),
        }
    }
    (keys, results)
}

async fn check_key<K: Kms>(
    kms: &K,
    p: &Parties,
    key: &str,
    source: &str,
    identity: Option<&Identity>,
    role_exists: bool,
) -> CheckResult {
    let what = format!("the KMS key `{key}` ({source})");
    let info = match kms.describe_key(key).await {
        Ok(info) => info,
        Err(AccessError::NotFound { message, .. }) => {
            return CheckResult::finding(
                CheckKind::KmsKey,
                format!("{what}: does not exist"),
                AccessFinding::new(
                    &KMS_KEY_DENIES_ROLE,
                    format!("{what} does not exist in {} ({message}): data encrypted with it cannot be read", p.region),
                )
                .help("encrypt the data with a key that exists in the dataset's region (or with SSE-S3)"),
            )
        }
        Err(e) => return not_checked(CheckKind::KmsKey, &what, &format!("kms:DescribeKey` on `{key}"), &e),
    };
    let what = format!("the key policy of `{}` ({source})", info.arn);
    let text = match kms.get_key_policy(&info.arn).await {
        Ok(t) => t,
        Err(e) => {
            return not_checked(
                CheckKind::KmsKey,
                &what,
                &format!("kms:GetKeyPolicy` on `{}", info.arn),
                &e,
            )
        }
    };
    let policy = match Policy::parse_encoded(&text) {
        Ok(policy) => policy,
        Err(e) => return cannot_tell(CheckKind::KmsKey, &what, &e.to_string()),
    };
    if !role_exists {
        return CheckResult::skipped(
            CheckKind::KmsKey,
            format!("{what}: not checked (the role does not exist)"),
        );
    }
    judge_key(p, &info, &policy, identity, &what)
}

pub(crate) fn judge_key(
    p: &Parties,
    info: &KeyInfo,
    policy: &Policy,
    identity: Option<&Identity>,
    what: &str,
) -> CheckResult {
    let ctx = role_context(p);
    let role_may = |action: &str| {
        decide_role(
            identity,
            Some(policy),
            ResourcePolicy::Key,
            &Request {
                principal: Some(&p.role),
                action,
                resource: Some(&info.arn),
                context: &ctx,
            },
        )
    };
    let (decrypt, by) = role_may("kms:Decrypt");
    let managed_help = "this is an AWS managed key, whose policy cannot be changed: encrypt the data with a customer managed key (`--sse kms:KEY`) or with SSE-S3";
    match decrypt {
        Decision::Allow(_) => {}
        Decision::Deny { sid } => {
            let source = match by {
                By::Resource => "the key policy",
                By::Boundary => "the role's permissions boundary",
                By::RolePolicies => "a policy of the role",
            };
            return CheckResult::finding(
                CheckKind::KmsKey,
                format!("{what}: denies the role"),
                AccessFinding::new(
                    &KMS_KEY_DENIES_ROLE,
                    format!(
                        "the role `{}` is denied kms:Decrypt on `{}`: {} in {source} applies, so it cannot read data encrypted with the key",
                        p.role_arn,
                        info.arn,
                        sid_text(&sid)
                    ),
                )
                .help(format!("narrow {} in {source} so that it does not apply to the role", sid_text(&sid))),
            );
        }
        Decision::NotAllowed => {
            let delegated = matches!(
                policy.evaluate(&Request {
                    principal: Some(&p.role),
                    action: "kms:Decrypt",
                    resource: Some(&info.arn),
                    context: &ctx,
                }),
                Decision::Allow(_)
            );
            let mut f = AccessFinding::new(
                &KMS_KEY_DENIES_ROLE,
                if delegated {
                    format!(
                        "{what} leaves kms:Decrypt to the account's IAM policies, and no policy of the role `{}` allows it: the role cannot read data encrypted with the key",
                        p.role_arn
                    )
                } else {
                    format!(
                        "{what} does not let the role `{}` use kms:Decrypt: the role cannot read data encrypted with the key",
                        p.role_arn
                    )
                },
            );
            f = if delegated {
                f.with_fix(fix::role_policy(p, Some(&info.arn)))
            } else if info.aws_managed {
                f.help(managed_help)
            } else {
                f.with_fix(fix::key_policy(p, &info.arn))
            };
            return CheckResult::finding(
                CheckKind::KmsKey,
                format!("{what}: the role may not decrypt"),
                f,
            );
        }
        Decision::CannotTell(why) => return cannot_tell(CheckKind::KmsKey, what, &why),
    }
    // The role can decrypt, which reading needs. The Personalize docs also ask for
    // kms:GenerateDataKey and for the service principal in the key policy.
    let mut missing = Vec::new();
    if !role_may("kms:GenerateDataKey").0.is_allow() {
        missing.push(format!("kms:GenerateDataKey for the role `{}`", p.role_arn));
    }
    let sctx = service_context(p);
    let svc = service();
    let mut unknown = None;
    for action in ["kms:Decrypt", "kms:GenerateDataKey"] {
        match policy.evaluate(&Request {
            principal: Some(&svc),
            action,
            resource: Some(&info.arn),
            context: &sctx,
        }) {
            Decision::Allow(_) => {}
            Decision::CannotTell(why) => {
                unknown.get_or_insert(why);
            }
            _ => {
                missing.push(format!("{action} for {PERSONALIZE}"));
            }
        }
    }
    if !missing.is_empty() {
        let f = AccessFinding::new(
            &KMS_KEY_POLICY_INCOMPLETE,
            format!(
                "{what} lets the role decrypt, but does not grant {} as the Personalize docs ask",
                missing.join(", ")
            ),
        );
        let f = if info.aws_managed {
            f.help(managed_help)
        } else {
            f.with_fix(fix::key_policy(p, &info.arn))
        };
        return CheckResult::finding(CheckKind::KmsKey, format!("{what}: incomplete"), f);
    }
    if let Some(why) = unknown {
        return cannot_tell(
            CheckKind::KmsKey,
            &format!("{what} (for {PERSONALIZE})"),
            &why,
        );
    }
    CheckResult::passed(
        CheckKind::KmsKey,
        format!("{what}: lets the role and {PERSONALIZE} use the key"),
    )
}
