//! PF601 `bucket-not-found`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a data location whose bucket does not exist (S3 answers `NoSuchBucket`).
    ///
    /// ## Why is this bad?
    /// The import job reads its data from the bucket; a job pointed at a bucket that does not
    /// exist fails. The name is often mistyped, or the bucket belongs to another stage's account.
    ///
    /// ## Example
    /// `--location s3://acme-personalise-imports/interactions/` when the bucket is
    /// `acme-personalize-imports`.
    ///
    /// Use instead: the bucket's exact name, in the dataset's region.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html>
    pub const PF601 = "PF601", "bucket-not-found", Access, Error;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketNotFound(pub AccessFacts);

impl Violation for BucketNotFound {
    const RULE: &'static Rule = &PF601;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
