//! PF606 `trust-policy-without-source-conditions`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a trust policy that lets `personalize.amazonaws.com` assume the role in a statement
    /// without an `aws:SourceAccount` or `aws:SourceArn` condition.
    ///
    /// ## Why is this bad?
    /// The import works. But without those conditions Personalize acting for *another* account
    /// could be led to use the role (the cross-service confused deputy problem); the Personalize
    /// docs recommend both conditions.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
    ///  "Action": "sts:AssumeRole"}
    /// ```
    ///
    /// Use instead: the statement of the docs, which the finding gives with your account and
    /// Region (`aws:SourceAccount` your account, `aws:SourceArn`
    /// `arn:aws:personalize:REGION:ACCOUNT:*`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/cross-service-confused-deputy-prevention.html>
    pub const PF606 = "PF606", "trust-policy-without-source-conditions", Access, Warning;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustPolicyWithoutSourceConditions(pub AccessFacts);

impl Violation for TrustPolicyWithoutSourceConditions {
    const RULE: &'static Rule = &PF606;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
