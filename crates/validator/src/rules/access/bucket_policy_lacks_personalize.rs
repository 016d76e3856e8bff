//! PF604 `bucket-policy-lacks-personalize`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a bucket policy that does not let `personalize.amazonaws.com` do `s3:ListBucket` on
    /// the bucket and `s3:GetObject` on the data (the files when known, else any name in the
    /// folder), or whose `Deny` statement applies to Personalize's requests.
    ///
    /// ## Why is this bad?
    /// The job fails with "Insufficient privileges for accessing data in Amazon S3". The policy is
    /// read as IAM evaluates it: an explicit `Deny` overrides every `Allow`, nothing is allowed
    /// unless a statement allows it, actions match case-insensitively and resources
    /// case-sensitively, with `*` and `?` wildcards. Personalize's requests are taken to come
    /// over TLS, from no VPC endpoint (Personalize does not reach VPCs, so a bucket that allows
    /// only VPC access cannot be used), with `aws:SourceAccount` your account; which ARN it sends as
    /// `aws:SourceArn` is not documented, so a condition that holds for some of its ARNs (the job,
    /// the dataset, the dataset group) and not others cannot be judged (PF611).
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
    ///  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}
    /// ```
    /// lacks `s3:ListBucket` on `arn:aws:s3:::amzn-s3-demo-bucket`.
    ///
    /// Use instead: add the statement the finding gives (the docs' statement, with your bucket and
    /// prefix). For a `Deny`, narrow that statement so that it does not apply to Personalize and
    /// its role: an added `Allow` does not override it.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html>
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    pub const PF604 = "PF604", "bucket-policy-lacks-personalize", Access, Error;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketPolicyLacksPersonalize(pub AccessFacts);

impl Violation for BucketPolicyLacksPersonalize {
    const RULE: &'static Rule = &PF604;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
