//! PF609 `kms-key-policy-incomplete`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an SSE-KMS key that the role may decrypt with, but whose policy does not grant what
    /// the Personalize docs also ask for: `kms:GenerateDataKey` for the role, and `kms:Decrypt` and
    /// `kms:GenerateDataKey` for `personalize.amazonaws.com`.
    ///
    /// ## Why is this bad?
    /// Reading the data needs the role's `kms:Decrypt`, which is there (PF608 covers its absence).
    /// The docs ask for the rest too; whether an import fails without them is not documented, so
    /// this is a warning. An AWS managed key's policy cannot be changed: use a customer managed key
    /// or SSE-S3.
    ///
    /// ## Example
    /// The default key policy (`"Principal": {"AWS": "arn:aws:iam::111122223333:root"}`) with
    /// `kms:Decrypt` in the role's policies: the service principal is not named.
    ///
    /// Use instead: add the docs' key policy statement, which the finding gives with your role.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html>
    pub const PF609 = "PF609", "kms-key-policy-incomplete", Access, Warning;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKeyPolicyIncomplete(pub AccessFacts);

impl Violation for KmsKeyPolicyIncomplete {
    const RULE: &'static Rule = &PF609;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
