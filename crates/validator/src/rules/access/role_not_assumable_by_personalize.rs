//! PF605 `role-not-assumable-by-personalize`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a role that does not exist, or whose trust policy does not let
    /// `personalize.amazonaws.com` do `sts:AssumeRole` for a job of this account and Region (a
    /// missing statement, another service, a condition naming another account, or a `Deny`).
    ///
    /// ## Why is this bad?
    /// Personalize reads the data as the role it is given. If it cannot assume the role, the job
    /// fails.
    ///
    /// ## Example
    /// A role created for EC2 (`"Principal": {"Service": "ec2.amazonaws.com"}`) passed as
    /// `--role-arn`.
    ///
    /// Use instead: add the trust statement the finding gives, with your account and Region:
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
    ///  "Action": "sts:AssumeRole",
    ///  "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"},
    ///                "StringLike": {"aws:SourceArn": "arn:aws:personalize:us-east-1:111122223333:*"}}}
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/set-up-required-permissions.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/cross-service-confused-deputy-prevention.html>
    pub const PF605 = "PF605", "role-not-assumable-by-personalize", Access, Error;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleNotAssumableByPersonalize(pub AccessFacts);

impl Violation for RoleNotAssumableByPersonalize {
    const RULE: &'static Rule = &PF605;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
