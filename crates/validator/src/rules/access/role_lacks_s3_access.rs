//! PF607 `role-lacks-s3-access`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a role whose policies do not allow `s3:ListBucket` on the bucket and `s3:GetObject`
    /// on the data, or where a `Deny` applies to those requests. The role's inline and attached
    /// policies and its permissions boundary are read (ListRolePolicies, GetRolePolicy,
    /// ListAttachedRolePolicies, GetPolicy, GetPolicyVersion) and evaluated together with the
    /// bucket policy: a bucket policy statement naming the role allows too (the bucket is taken to
    /// be in the role's account), a boundary limits what the policies grant, and a `Deny` in any
    /// of them wins.
    ///
    /// ## Why is this bad?
    /// The job fails with "Insufficient privileges for accessing data in Amazon S3". Service
    /// control policies and resource control policies of an AWS Organization are not visible to
    /// these calls and are not judged.
    ///
    /// ## Example
    /// A role with only `AmazonPersonalizeFullAccess`, whose S3 permissions cover only buckets
    /// whose name contains "personalize", importing from `s3://acme-data/imports/`.
    ///
    /// Use instead: attach the policy the finding gives (the docs' role policy, narrowed to your
    /// bucket and prefix), e.g. with `aws iam put-role-policy`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html>
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    pub const PF607 = "PF607", "role-lacks-s3-access", Access, Error;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleLacksS3Access(pub AccessFacts);

impl Violation for RoleLacksS3Access {
    const RULE: &'static Rule = &PF607;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
