//! PF608 `kms-key-denies-role`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags data encrypted with an SSE-KMS key (the bucket's default encryption, the staged
    /// objects' own, or the key staging writes with) that the role may not use for
    /// `kms:Decrypt`: the key does not exist, its key policy neither names the role nor leaves
    /// the decision to the account's IAM policies (the `arn:aws:iam::ACCOUNT:root` principal), the
    /// key policy leaves it to IAM and no policy of the role allows it, or a `Deny` applies.
    ///
    /// ## Why is this bad?
    /// Reading an SSE-KMS object decrypts it with the key; without `kms:Decrypt` the read fails
    /// and the job fails with "Insufficient privileges for accessing data in Amazon S3". The role's
    /// requests are taken to come through S3 of the Region (`kms:ViaService`) from the role's
    /// account (`kms:CallerAccount`), which is what the AWS managed key `aws/s3` checks. KMS
    /// grants are not read.
    ///
    /// ## Example
    /// A bucket whose default encryption is a customer managed key with the default key policy,
    /// and a role whose policies allow only S3 actions.
    ///
    /// Use instead: the statement the finding gives: in the key policy (naming the role and
    /// Personalize, as the docs' example does), or, when the key policy leaves it to IAM, in the
    /// role's policies.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html>
    /// - <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html>
    pub const PF608 = "PF608", "kms-key-denies-role", Access, Error;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKeyDeniesRole(pub AccessFacts);

impl Violation for KmsKeyDeniesRole {
    const RULE: &'static Rule = &PF608;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
