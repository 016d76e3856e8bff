//! The codes of the access findings (PF6xx, the `access` family).
//!
//! The rules' documentation (*What it does / Why is this bad? / Example / References*) lives with
//! every other rule in `preflight-validator` (`rules/access/`), which `preflight explain` reads;
//! this crate does not depend on the validator, so it names each rule by its code and name, and
//! a test checks that the two lists agree.

/// How serious an access finding is, before the user's `--severity` overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The check could not be made or found a risk; the job may still run.
    Warning,
    /// The job would fail ("Insufficient privileges for accessing data in Amazon S3").
    Error,
}

impl Severity {
    /// `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// An access rule: its stable code, kebab-case name and default severity.
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
pub struct AccessRule {
    /// `PF6xx`.
    pub code: &'static str,
    /// `bucket-policy-missing`.
    pub name: &'static str,
    /// The default severity.
    pub severity: Severity,
}

macro_rules! access_rules {
    ($($(#[doc = $doc:literal])* $ident:ident = $code:literal, $name:literal, $severity:ident;)*) => {
        $(
            $(#[doc = $doc])*
            pub const $ident: AccessRule = AccessRule {
                code: $code,
                name: $name,
                severity: Severity::$severity,
            };
        )*
        /// Every access rule, in code order.
        pub static RULES: &[&AccessRule] = &[$(&$ident),*];
    };
}

access_rules! {
    /// The bucket of the data location does not exist.
    BUCKET_NOT_FOUND = "PF601", "bucket-not-found", Error;
    /// The bucket is in another region than the dataset.
    BUCKET_IN_OTHER_REGION = "PF602", "bucket-in-other-region", Error;
    /// The bucket has no bucket policy at all.
    BUCKET_POLICY_MISSING = "PF603", "bucket-policy-missing", Error;
    /// The bucket policy does not let `personalize.amazonaws.com` list the bucket and read the
    /// data (or denies it).
    BUCKET_POLICY_LACKS_PERSONALIZE = "PF604", "bucket-policy-lacks-personalize", Error;
    /// The role does not exist, or its trust policy does not let Personalize assume it.
    ROLE_NOT_ASSUMABLE = "PF605", "role-not-assumable-by-personalize", Error;
    /// The trust policy lets Personalize assume the role without `aws:SourceAccount` or
    /// `aws:SourceArn` conditions.
    TRUST_POLICY_WITHOUT_SOURCE_CONDITIONS =
        "PF606", "trust-policy-without-source-conditions", Warning;
    /// The role's policies do not allow `s3:GetObject` and `s3:ListBucket` on the location (or a
    /// policy denies it).
    ROLE_LACKS_S3_ACCESS = "PF607", "role-lacks-s3-access", Error;
    /// The data is encrypted with a KMS key the role may not decrypt with.
    KMS_KEY_DENIES_ROLE = "PF608", "kms-key-denies-role", Error;
    /// The key policy does not grant what the Personalize docs ask for besides the role's
    /// decryption (`personalize.amazonaws.com`, `kms:GenerateDataKey`).
    KMS_KEY_POLICY_INCOMPLETE = "PF609", "kms-key-policy-incomplete", Warning;
    /// A check could not be made: reading what it needs failed (access denied, an error).
    ACCESS_NOT_CHECKED = "PF610", "access-not-checked", Warning;
    /// A policy holds something the checks do not evaluate, and the answer depends on it.
    POLICY_NOT_EVALUATED = "PF611", "policy-not-evaluated", Warning;
}

/// Finds an access rule by code.
pub fn lookup(code: &str) -> Option<&'static AccessRule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code))
}
