//! PF603 `bucket-policy-missing`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a bucket that has no bucket policy at all (S3 answers `NoSuchBucketPolicy`).
    ///
    /// ## Why is this bad?
    /// The Personalize docs require both a policy on the role *and* a bucket policy that lets the
    /// service principal `personalize.amazonaws.com` list the bucket and read the data. A missing
    /// bucket policy is one of the causes of the job failing, after its wait in the queue, with
    /// "Insufficient privileges for accessing data in Amazon S3". This rule takes the docs at their
    /// word; if your account's setup imports without one, lower it with
    /// `--severity PF603=warning`.
    ///
    /// ## Example
    /// A new bucket with only the role's policy attached to the role.
    ///
    /// Use instead: the bucket policy of the docs, which the finding gives with your bucket and
    /// prefix filled in:
    /// ```json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Id": "PersonalizeS3BucketAccessPolicy",
    ///   "Statement": [{
    ///     "Sid": "PersonalizeS3BucketAccessPolicy",
    ///     "Effect": "Allow",
    ///     "Principal": {"Service": "personalize.amazonaws.com"},
    ///     "Action": ["s3:GetObject", "s3:ListBucket"],
    ///     "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/imports/*"]
    ///   }]
    /// }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html>
    pub const PF603 = "PF603", "bucket-policy-missing", Access, Error;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketPolicyMissing(pub AccessFacts);

impl Violation for BucketPolicyMissing {
    const RULE: &'static Rule = &PF603;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
