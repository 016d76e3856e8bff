//! PF602 `bucket-in-other-region`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a bucket in another AWS Region than the dataset (GetBucketLocation; an empty location
    /// constraint is `us-east-1`, `EU` is `eu-west-1`).
    ///
    /// ## Why is this bad?
    /// The Personalize docs state the same-Region requirement for batch jobs' input; AWS's own
    /// import samples require the import bucket to be in the Region of the Personalize resources
    /// too. This rule takes that reading: an import job reads only from a bucket in the dataset's
    /// Region. The other bucket checks are skipped: S3 redirects their calls to the bucket's
    /// Region.
    ///
    /// ## Example
    /// A dataset `arn:aws:personalize:us-east-1:111122223333:dataset/shop/INTERACTIONS` and data in
    /// a bucket created in `eu-west-1`.
    ///
    /// Use instead: stage the data to a bucket in the dataset's Region
    /// (`preflight stage --to s3://BUCKET/PREFIX/`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/recommendations-batch.html>
    pub const PF602 = "PF602", "bucket-in-other-region", Access, Error;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketInOtherRegion(pub AccessFacts);

impl Violation for BucketInOtherRegion {
    const RULE: &'static Rule = &PF602;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
