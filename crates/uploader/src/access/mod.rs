//! The access checks before an import: will Personalize be allowed to read the data?
//!
//! The most common `CREATE FAILED` after the data itself is "Insufficient privileges for
//! accessing data in Amazon S3", learned after the job has waited in the queue. These checks
//! read the policies involved and judge them with [`crate::policy`] before any job is created:
//!
//! - the bucket exists and is in the dataset's region (GetBucketLocation);
//! - the bucket policy lets `personalize.amazonaws.com` list the bucket and read the data
//!   (GetBucketPolicy; no policy at all is a finding);
//! - the role's trust policy lets Personalize assume it, and limits that with the
//!   `aws:SourceAccount`/`aws:SourceArn` conditions (GetRole);
//! - the role's policies allow `s3:ListBucket` and `s3:GetObject` on the location (its inline and
//!   attached policies and permissions boundary, read and evaluated here rather than through
//!   `SimulatePrincipalPolicy`: one reader for every kind of policy, reading needs only the
//!   `Get*`/`List*` permissions that read-only roles have, and the bucket policy's effect on
//!   the role is judged the same way);
//! - with SSE-KMS (the bucket's default encryption, the staged objects, or the key staging will
//!   use), the key policy lets the role decrypt, directly or through the account's IAM policies
//!   (DescribeKey, GetKeyPolicy).
//!
//! Each outcome is a finding with a rule code ([`rules`]) and, where a policy is missing a
//! grant, the exact statement to add ([`fix`]). When a policy cannot be read (access denied)
//! the check says it could not be made (PF610); when a policy holds something the reader does
//! not evaluate, it says it cannot tell (PF611). Neither is ever a pass or a failure.
//!
//! The checks are generic over three narrow traits in domain types: [`BucketAccess`] (S3,
//! implemented for [`crate::S3Store`]), [`Iam`] and [`Kms`] (implemented in
//! [`crate::access_sdk`]). Service control policies, resource control policies and KMS grants
//! are not visible to these calls and are not judged.

pub mod fix;
mod judge;
pub mod rules;

use std::future::Future;

use serde::Serialize;

use crate::location::S3Url;
use crate::policy::{Policy, Principal};

pub use fix::{FixTarget, PolicyFix};
pub use rules::{AccessRule, Severity};

/// How a bucket or object is encrypted at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "sse", rename_all = "kebab-case")]
pub enum Encryption {
    /// No default encryption configured (or the object is not encrypted).
    None,
    /// `AES256`: S3-managed keys; nothing to grant.
    S3Managed,
    /// `aws:kms` or `aws:kms:dsse`, with a key ID, key ARN or alias; `None` is the AWS managed
    /// key `aws/s3`.
    Kms {
        /// The key as S3 names it.
        key: Option<String>,
    },
}

/// What GetRole says about a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Its ARN.
    pub arn: String,
    /// The trust policy document (decoded JSON, or as IAM sent it).
    pub trust_policy: String,
    /// The ARN of its permissions boundary, if any.
    pub permissions_boundary: Option<String>,
}

/// What DescribeKey says about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key's ARN.
    pub arn: String,
    /// An AWS managed key (`aws/s3`): its policy cannot be changed.
    pub aws_managed: bool,
}

/// A failed call of an access check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The caller may not make the call (`AccessDenied`, `AccessDeniedException`).
    #[error("{operation} `{resource}`: access denied ({message})")]
    Denied {
        /// The AWS call that failed, as the API names it (`GetBucketPolicy`, `GetRole`…).
        operation: &'static str,
        /// What it addressed.
        resource: String,
        /// The service's message.
        message: String,
    },
    /// What the call addressed does not exist (`NoSuchBucket`, `NoSuchEntity`,
    /// `NotFoundException`).
    #[error("{operation} `{resource}`: not found ({message})")]
    NotFound {
        /// The AWS call that failed, as the API names it (`GetBucketPolicy`, `GetRole`…).
        operation: &'static str,
        /// What it addressed.
        resource: String,
        /// The service's message.
        message: String,
    },
    /// Any other error answer.
    #[error("{operation} `{resource}` failed: {code}: {message}")]
    Service {
        /// The AWS call that failed, as the API names it (`GetBucketPolicy`, `GetRole`…).
        operation: &'static str,
        /// What it addressed.
        resource: String,
        /// The service's error code (`MalformedPolicy`…).
        code: String,
        /// The service's message.
        message: String,
    },
    /// No answer (connection refused, timeout, no credentials).
    #[error("{operation} `{resource}` failed: {message}")]
    Transport {
        /// The AWS call that failed, as the API names it (`GetBucketPolicy`, `GetRole`…).
        operation: &'static str,
        /// What it addressed.
        resource: String,
        /// What happened.
        message: String,
    },
}

impl AccessError {
    /// The operation that failed.
    pub fn operation(&self) -> &'static str {
        match self {
            AccessError::Denied { operation, .. }
            | AccessError::NotFound { operation, .. }
            | AccessError::Service { operation, .. }
            | AccessError::Transport { operation, .. } => operation,
        }
    }
}

/// The S3 calls the checks make about the bucket and the data.
pub trait BucketAccess: Send + Sync {
    /// GetBucketLocation: the bucket's region (`us-east-1` for an empty constraint).
    fn bucket_region(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<String, AccessError>> + Send;

    /// GetBucketPolicy: the policy document, `None` when the bucket has none.
    fn bucket_policy(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<String>, AccessError>> + Send;

    /// GetBucketEncryption: the default encryption of new objects.
    fn bucket_encryption(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Encryption, AccessError>> + Send;

    /// HeadObject: how one object is encrypted.
    fn object_encryption(
        &self,
        bucket: &str,
        key: &str,
    ) -> impl Future<Output = Result<Encryption, AccessError>> + Send;
}

/// The IAM calls the checks make about the role.
pub trait Iam: Send + Sync {
    /// GetRole (by name).
    fn get_role(&self, role_name: &str) -> impl Future<Output = Result<Role, AccessError>> + Send;

    /// ListRolePolicies, every page: the names of the role's inline policies.
    fn list_role_policies(
        &self,
        role_name: &str,
    ) -> impl Future<Output = Result<Vec<String>, AccessError>> + Send;

    /// GetRolePolicy: one inline policy's document.
    fn get_role_policy(
        &self,
        role_name: &str,
        policy_name: &str,
    ) -> impl Future<Output = Result<String, AccessError>> + Send;

    /// ListAttachedRolePolicies, every page: the ARNs of the managed policies attached.
    fn list_attached_role_policies(
        &self,
        role_name: &str,
    ) -> impl Future<Output = Result<Vec<String>, AccessError>> + Send;

    /// GetPolicy: a managed policy's default version ID.
    fn get_policy(
        &self,
        policy_arn: &str,
    ) -> impl Future<Output = Result<String, AccessError>> + Send;

    /// GetPolicyVersion: a managed policy version's document.
    fn get_policy_version(
        &self,
        policy_arn: &str,
        version_id: &str,
    ) -> impl Future<Output = Result<String, AccessError>> + Send;
}

/// The KMS calls the checks make about an SSE-KMS key.
pub trait Kms: Send + Sync {
    /// DescribeKey (a key ID, ARN, alias name or alias ARN).
    fn describe_key(
        &self,
        key_id: &str,
    ) -> impl Future<Output = Result<KeyInfo, AccessError>> + Send;

    /// GetKeyPolicy (policy name `default`).
    fn get_key_policy(
        &self,
        key_arn: &str,
    ) -> impl Future<Output = Result<String, AccessError>> + Send;
}

/// What to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    /// The dataset the job imports into (its ARN gives the partition, region and account).
    pub dataset_arn: String,
    /// The dataset group, when known (DescribeDataset): one of the ARNs Personalize may send as
    /// `aws:SourceArn`.
    pub dataset_group_arn: Option<String>,
    /// The role the job passes to Personalize.
    pub role_arn: String,
    /// The data location.
    pub location: S3Url,
    /// The job's name (its ARN is what Personalize may send as `aws:SourceArn`).
    pub job_name: String,
    /// The keys of the objects the job will read, when known (after staging): their own
    /// encryption is checked, and the policies are judged on their ARNs.
    pub objects: Vec<String>,
    /// The KMS key staging will write with (`--sse kms:KEY`), if any.
    pub staging_kms_key: Option<String>,
    /// The prefix the proposed statements grant (`team/imports/`: a grant that outlives this
    /// run's folder); the location's folder when `None`.
    pub grant_prefix: Option<String>,
}

/// The parties of a request, parsed once: who reads what, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parties {
    pub(crate) partition: String,
    pub(crate) region: String,
    pub(crate) account: String,
    pub(crate) dataset_arn: String,
    pub(crate) dataset_group_arn: Option<String>,
    pub(crate) job_arn: String,
    pub(crate) role_arn: String,
    pub(crate) role: Principal,
    pub(crate) role_account: String,
    pub(crate) bucket: String,
    pub(crate) location_key: String,
    pub(crate) grant_prefix: String,
    pub(crate) objects: Vec<String>,
}

impl Parties {
    pub(crate) fn parse(r: &AccessRequest) -> Result<Parties, String> {
        let parts: Vec<&str> = r.dataset_arn.splitn(6, ':').collect();
        if parts.len() != 6
            || parts[0] != "arn"
            || parts[2] != "personalize"
            || parts[1].is_empty()
            || parts[3].is_empty()
            || parts[4].is_empty()
        {
            return Err(format!(
                "`{}` is not a Personalize dataset ARN (arn:aws:personalize:REGION:ACCOUNT:dataset/GROUP/TYPE)",
                r.dataset_arn
            ));
        }
        let role = Principal::role(&r.role_arn).ok_or_else(|| {
            format!(
                "`{}` is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
                r.role_arn
            )
        })?;
        let Principal::Role {
            account: role_account,
            ..
        } = &role
        else {
            unreachable!("Principal::role makes roles")
        };
        let role_account = role_account.clone();
        let folder = match r.location.key.rfind('/') {
            Some(i) => r.location.key[..=i].to_string(),
            None => String::new(),
        };
        let mut grant_prefix = r.grant_prefix.clone().unwrap_or(folder);
        if grant_prefix.starts_with('/') {
            grant_prefix.remove(0);
        }
        Ok(Parties {
            partition: parts[1].to_string(),
            region: parts[3].to_string(),
            account: parts[4].to_string(),
            dataset_arn: r.dataset_arn.clone(),
            dataset_group_arn: r.dataset_group_arn.clone(),
            job_arn: format!(
                "arn:{}:personalize:{}:{}:dataset-import-job/{}",
                parts[1], parts[3], parts[4], r.job_name
            ),
            role_arn: r.role_arn.clone(),
            role,
            role_account,
            bucket: r.location.bucket.clone(),
            location_key: r.location.key.clone(),
            grant_prefix,
            objects: r.objects.clone(),
        })
    }

    pub(crate) fn role_name(&self) -> &str {
        fix::role_name(&self.role_arn)
    }

    pub(crate) fn bucket_arn(&self) -> String {
        format!("arn:{}:s3:::{}", self.partition, self.bucket)
    }

    pub(crate) fn object_arn(&self, key: &str) -> String {
        format!("arn:{}:s3:::{}/{}", self.partition, self.bucket, key)
    }

    /// What the proposed statements grant under the bucket: `prefix*` (`*` at the root).
    pub(crate) fn grant_pattern(&self) -> String {
        format!("{}*", self.grant_prefix)
    }

    /// The object keys the read is judged on, and whether they are stand-ins: the objects when
    /// known, the key of a one-file location, else two made-up names in the folder (the job
    /// reads every first-level object; a policy that allows one name and not the other cannot
    /// be judged without the real names).
    pub(crate) fn object_keys(&self) -> (Vec<String>, bool) {
        if !self.objects.is_empty() {
            return (self.objects.clone(), false);
        }
        if !self.location_key.is_empty() && !self.location_key.ends_with('/') {
            return (vec![self.location_key.clone()], false);
        }
        (
            vec![
                format!("{}data.csv", self.location_key),
                format!("{}part-00000", self.location_key),
            ],
            true,
        )
    }

    /// `s3://bucket/key`.
    pub(crate) fn location(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.location_key)
    }
}

/// One finding of an access check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessFinding {
    /// The rule (code, name, default severity).
    pub rule: &'static AccessRule,
    /// What is wrong.
    pub message: String,
    /// How to fix it (one sentence; the statement itself is in [`AccessFinding::fix`]).
    pub help: String,
    /// The policy statement to add, when a grant is missing.
    pub fix: Option<PolicyFix>,
}

impl AccessFinding {
    pub(crate) fn new(rule: &'static AccessRule, message: impl Into<String>) -> AccessFinding {
        AccessFinding {
            rule,
            message: message.into(),
            help: String::new(),
            fix: None,
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> AccessFinding {
        self.help = help.into();
        self
    }

    pub(crate) fn with_fix(mut self, fix: PolicyFix) -> AccessFinding {
        self.help = fix.instruction();
        self.fix = Some(fix);
        self
    }

    /// The help line followed by the statement's JSON, for formats that show text only.
    pub fn help_with_fix(&self) -> String {
        match &self.fix {
            Some(f) => format!("{}:\n{}", self.help, f.json()),
            None => self.help.clone(),
        }
    }
}

/// Which check a result is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// The bucket exists, in the dataset's region.
    BucketRegion,
    /// The bucket policy lets Personalize list and read.
    BucketPolicy,
    /// The role's trust policy lets Personalize assume it.
    TrustPolicy,
    /// The role's policies let it list and read.
    RolePolicies,
    /// An SSE-KMS key lets the role decrypt.
    KmsKey,
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Nothing found.
    Passed,
    /// Only warnings (including "could not check" and "cannot tell").
    Warned,
    /// An error: the job would fail.
    Failed,
    /// Not made (see [`CheckResult::summary`]), with no finding of its own.
    Skipped,
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// Which check.
    pub kind: CheckKind,
    /// What it looked at and concluded, one line ("the bucket policy of `b` lets Personalize
    /// list the bucket and read `p/`").
    pub summary: String,
    /// Whether it was skipped.
    pub skipped: bool,
    /// What the check found (empty when it passed).
    pub findings: Vec<AccessFinding>,
}

impl CheckResult {
    pub(crate) fn passed(kind: CheckKind, summary: impl Into<String>) -> CheckResult {
        CheckResult {
            kind,
            summary: summary.into(),
            skipped: false,
            findings: Vec::new(),
        }
    }

    pub(crate) fn skipped(kind: CheckKind, summary: impl Into<String>) -> CheckResult {
        CheckResult {
            skipped: true,
            ..CheckResult::passed(kind, summary)
        }
    }

    pub(crate) fn finding(
        kind: CheckKind,
        summary: impl Into<String>,
        finding: AccessFinding,
    ) -> CheckResult {
        CheckResult {
            findings: vec![finding],
            ..CheckResult::passed(kind, summary)
        }
    }

    /// How it ended.
    pub fn status(&self) -> Status {
        match self.findings.iter().map(|f| f.rule.severity).max() {
            Some(Severity::Error) => Status::Failed,
            Some(Severity::Warning) => Status::Warned,
            None if self.skipped => Status::Skipped,
            None => Status::Passed,
        }
    }
}

/// Every check made, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AccessReport {
    /// One result per check, in the order they ran.
    pub checks: Vec<CheckResult>,
}

impl AccessReport {
    /// Every finding, in check order.
    pub fn findings(&self) -> impl Iterator<Item = &AccessFinding> {
        self.checks.iter().flat_map(|c| c.findings.iter())
    }

    /// Whether a finding at error level (by default severity) says the job would fail.
    pub fn has_errors(&self) -> bool {
        self.findings().any(|f| f.rule.severity == Severity::Error)
    }
}

/// One call a check makes, for `--dry-run`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedCall {
    /// `s3`, `iam` or `kms`.
    pub service: &'static str,
    /// The operation (`GetBucketPolicy`).
    pub operation: &'static str,
    /// What it addresses.
    pub target: String,
}

/// The calls [`check_access`] makes for a request, in order, as far as they are known before
/// any answer (the policies a role has and the keys involved are found on the way; they are
/// listed as `(each …)`).
pub fn planned_calls(request: &AccessRequest) -> Result<Vec<PlannedCall>, String> {
    let p = Parties::parse(request)?;
    let call = |service, operation, target: String| PlannedCall {
        service,
        operation,
        target,
    };
    let mut calls = vec![
        call("s3", "GetBucketLocation", p.bucket.clone()),
        call("s3", "GetBucketPolicy", p.bucket.clone()),
        call("iam", "GetRole", p.role_name().to_string()),
        call("iam", "ListRolePolicies", p.role_name().to_string()),
        call("iam", "GetRolePolicy", "(each inline policy)".into()),
        call("iam", "ListAttachedRolePolicies", p.role_name().to_string()),
        call(
            "iam",
            "GetPolicy",
            "(each attached policy, and the permissions boundary)".into(),
        ),
        call(
            "iam",
            "GetPolicyVersion",
            "(each attached policy, and the permissions boundary)".into(),
        ),
    ];
    if p.objects.is_empty() {
        calls.push(call("s3", "GetBucketEncryption", p.bucket.clone()));
    }
    for key in &p.objects {
        calls.push(call("s3", "HeadObject", format!("{}/{key}", p.bucket)));
    }
    if let Some(k) = &request.staging_kms_key {
        calls.push(call("kms", "DescribeKey", k.clone()));
    }
    calls.push(call(
        "kms",
        "DescribeKey",
        "(each SSE-KMS key found)".into(),
    ));
    calls.push(call(
        "kms",
        "GetKeyPolicy",
        "(each SSE-KMS key found)".into(),
    ));
    Ok(calls)
}

/// Runs every check for a request. `Err` only for a request whose ARNs do not parse; every
/// failed call is a finding of its check.
pub async fn check_access<B: BucketAccess, I: Iam, K: Kms>(
    bucket: &B,
    iam: &I,
    kms: &K,
    request: &AccessRequest,
) -> Result<AccessReport, String> {
    let p = Parties::parse(request)?;
    Ok(judge::run(bucket, iam, kms, &p, request.staging_kms_key.as_deref()).await)
}

/// Parses a policy document as the checks do (IAM's URL-encoded form included).
pub fn parse_policy(text: &str) -> Result<Policy, crate::policy::PolicyError> {
    Policy::parse_encoded(text)
}

#[cfg(test)]
mod tests;
