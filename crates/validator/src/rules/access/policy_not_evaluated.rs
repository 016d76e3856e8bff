//! PF611 `policy-not-evaluated`.

use super::AccessFacts;
use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Reports a policy whose answer depends on something the checks do not evaluate: a condition
    /// operator they do not evaluate (`IpAddress`, `Date…`, `Numeric…`, `ForAnyValue:`), a
    /// condition key whose value for Personalize's request is not known (`aws:SourceIp`, a tag),
    /// a policy variable (`${aws:username}`), an element they do not know, a document that does
    /// not parse, or a grant that covers some names in the folder and not others when the files'
    /// names are not known.
    ///
    /// ## Why is this bad?
    /// The checks neither pass nor fail what they cannot evaluate: the answer is "cannot tell".
    /// When the answer is certain without that part (a `Deny` elsewhere applies, or nothing could
    /// allow the request at all) that answer is given instead.
    ///
    /// ## Example
    /// A bucket policy that denies requests from outside an IP range
    /// (`"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}`): whether Personalize's requests come
    /// from that range cannot be known.
    ///
    /// Use instead: check that part of the policy yourself.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    pub const PF611 = "PF611", "policy-not-evaluated", Access, Warning;
}

/// What the access check found (see [`AccessFacts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyNotEvaluated(pub AccessFacts);

impl Violation for PolicyNotEvaluated {
    const RULE: &'static Rule = &PF611;
    fn message(&self) -> String {
        self.0.message()
    }
    fn help(&self) -> Option<String> {
        self.0.help()
    }
}
