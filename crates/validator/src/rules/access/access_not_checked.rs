//! PF610 `access-not-checked`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Reports an access check that could not be made: reading what it needs failed. Most often
    /// the credentials preflight runs with may not read the policy (`AccessDenied` from
    /// GetBucketPolicy, GetRole, GetKeyPolicy…); also an error answer or no answer.
    ///
    /// ## Why is this bad?
    /// It is not a failure of the import, and it is never taken for a pass: the check simply
    /// was not made, and a wrong policy would still fail the job after its wait. The finding names
    /// the permission that would let the check run.
    ///
    /// ## Example
    /// A CI role with `personalize:*` and `s3:PutObject` but without `s3:GetBucketPolicy`.
    ///
    /// Use instead: grant the read-only permissions the checks use (`s3:GetBucketLocation`,
    /// `s3:GetBucketPolicy`, `s3:GetEncryptionConfiguration`, `iam:GetRole`,
    /// `iam:ListRolePolicies`, `iam:GetRolePolicy`, `iam:ListAttachedRolePolicies`,
    /// `iam:GetPolicy`, `iam:GetPolicyVersion`, `kms:DescribeKey`, `kms:GetKeyPolicy`), or check
    /// the policy yourself and turn the rule off (`--severity PF610=off`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html>
    pub const PF610 = "PF610", "access-not-checked", Access, Warning;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessNotChecked(pub AccessFacts);

impl Violation for AccessNotChecked {
    const RULE: &'static Rule = &PF610;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
