//! Rules of the access family (PF6xx): whether Personalize will be allowed to read the data.
//!
//! These rules are not raised by the engine: `preflight-uploader`'s access checks (bucket, role,
//! trust and key policies), run before a job, find them and name each finding by its code. The
//! uploader does not depend on this crate; its findings become diagnostics here, through each
//! rule's [`Violation`], with [`diagnostic`]. The facts of an access finding are the account's
//! own policies as the check evaluated them, so the check words them ([`AccessFacts`]) and the
//! rule renders them, with the exact policy statement to add when a grant is missing.
//!
//! One file per rule; the list below is generated from the files of this folder by `build.rs`,
//! which keeps the access rules out of `rules::ALL` (the engine's rules) and lists them in
//! `rules::ACCESS`.

use crate::diagnostic::Diagnostic;
use crate::rules::Violation;

include!(concat!(env!("OUT_DIR"), "/rules_access.rs"));

/// What an access check found, as `preflight-uploader` reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessFacts {
    /// What is wrong, naming the bucket, role, key or policy statement.
    pub message: String,
    /// How to fix it (one sentence), if the check knows.
    pub help: String,
    /// The policy statement or document to add (JSON), when a grant is missing.
    pub statement: Option<String>,
}

impl AccessFacts {
    fn message(&self) -> String {
        self.message.clone()
    }

    fn help(&self) -> Option<String> {
        match (self.help.trim(), &self.statement) {
            ("", None) => None,
            ("", Some(s)) => Some(format!("add this policy statement:\n{s}")),
            (h, None) => Some(h.to_string()),
            (h, Some(s)) => Some(format!("{h}:\n{s}")),
        }
    }
}

/// The diagnostic of an access finding with code `code` (`PF6xx`), worded by its rule; `None`
/// for a code that is not an access rule.
pub fn diagnostic(code: &str, facts: AccessFacts) -> Option<Diagnostic> {
    Some(match code.to_ascii_uppercase().as_str() {
        "PF601" => BucketNotFound(facts).diagnostic(),
        "PF602" => BucketInOtherRegion(facts).diagnostic(),
        "PF603" => BucketPolicyMissing(facts).diagnostic(),
        "PF604" => BucketPolicyLacksPersonalize(facts).diagnostic(),
        "PF605" => RoleNotAssumableByPersonalize(facts).diagnostic(),
        "PF606" => TrustPolicyWithoutSourceConditions(facts).diagnostic(),
        "PF607" => RoleLacksS3Access(facts).diagnostic(),
        "PF608" => KmsKeyDeniesRole(facts).diagnostic(),
        "PF609" => KmsKeyPolicyIncomplete(facts).diagnostic(),
        "PF610" => AccessNotChecked(facts).diagnostic(),
        "PF611" => PolicyNotEvaluated(facts).diagnostic(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_access_rule_words_its_findings() {
        for r in crate::rules::ACCESS {
            let facts = AccessFacts {
                message: "m".into(),
                help: "h".into(),
                statement: Some("{}".into()),
            };
            let d = diagnostic(r.code, facts).unwrap_or_else(|| panic!("{}", r.code));
            assert_eq!(d.rule.code, r.code);
            assert_eq!(d.severity, r.severity);
            assert_eq!(d.help.as_deref(), Some("h:\n{}"));
        }
        assert!(diagnostic("PF215", AccessFacts::default()).is_none());
    }
}
