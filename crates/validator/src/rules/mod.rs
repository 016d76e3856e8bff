//! Every rule, one per file, grouped by family, with its documentation and its wording.
//!
//! A rule file holds everything about its rule (ruff's model):
//! - the rule's code, name, default severity and documentation in ruff's shape (*What it does /
//!   Why is this bad? / Example / References*), declared with `declare_rule!`: the same text is
//!   the rustdoc of the constant and what `preflight explain CODE` prints;
//! - what it found, as a type of facts implementing [`Violation`], which words the message and
//!   the help the user reads.
//!
//! The checks only detect: they fill in the facts and leave the wording to the rule, and in the
//! hot loop they do so only for a finding that will be kept. A new rule is one file in the
//! family's folder (and one fixture folder in `testdata/rules/`): `build.rs` lists the files in
//! each family's module and every rule in [`ALL`]. Codes are never reused.

pub use crate::diagnostic::Applicability;
use crate::diagnostic::{Diagnostic, Rule};
pub use crate::text::Holds;

/// What a rule found: the facts a check detected, worded by the rule (ruff's `Violation`).
///
/// A check builds one only for a finding that is kept (the per-rule cap decides),
/// so wording costs nothing for the findings that are only counted. The location and the source
/// snippet are the check's: it knows where it looked.
///
/// Fixes: a rule that `preflight fix` can repair declares it (`fix = Safe` or `fix = Unsafe` in
/// `declare_rule!`) and holds the repair itself in its file (a function the fixer calls);
/// [`Violation::fix`] says whether this finding is repaired, attached by
/// [`Violation::diagnostic`], so that neither the checks nor the rules without a fix change.
pub trait Violation {
    /// The rule whose findings this type words.
    const RULE: &'static Rule;

    /// What is wrong, quoting the value.
    fn message(&self) -> String;

    /// How to fix it.
    fn help(&self) -> Option<String>;

    /// Whether `preflight fix` repairs this finding: the rule's declared fix by default; a rule
    /// whose fix applies only to some findings (a `long` written `1.5` is not repaired, `1.0`
    /// is) says so here.
    fn fix(&self) -> Option<Applicability> {
        Self::RULE.fix
    }

    /// The finding, with the rule's default severity and no location yet.
    fn diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::new(Self::RULE, self.message());
        d.help = self.help();
        d.fix = self.fix();
        d
    }
}

/// Declares a rule constant whose doc comment is also kept as a string for `preflight explain`.
/// A fixable rule adds `fix = Safe` or `fix = Unsafe` after its severity.
macro_rules! declare_rule {
    (@fix) => { None };
    (@fix $fix:ident) => { Some($crate::diagnostic::Applicability::$fix) };
    ($(#[doc = $doc:literal])* $vis:vis const $ident:ident = $code:literal, $name:literal, $family:ident, $severity:ident $(, fix = $fix:ident)?;) => {
        $(#[doc = $doc])*
        $vis const $ident: Rule = Rule {
            code: $code,
            name: $name,
            family: Family::$family,
            severity: Severity::$severity,
            doc: concat!($($doc, "\n"),*),
            fix: declare_rule!(@fix $($fix)?),
        };
    };
}

pub mod access;
pub mod dataset;
pub mod field;
pub mod file;
pub mod header;
pub(crate) mod hooks;
pub mod insights;
pub mod schema;

pub use access::*;
pub use dataset::*;
pub use field::*;
pub use file::*;
pub use header::*;
pub use insights::*;
pub use schema::*;

/// Every rule, in code order (generated from the rule files).
pub static ALL: &[&Rule] = include!(concat!(env!("OUT_DIR"), "/rules_all.rs"));

/// The access rules (PF6xx), in code order (generated from the rule files): found by
/// `preflight-uploader`'s access checks before a job (`doctor`, `import`, `run`), never by the
/// engine, so kept apart from [`ALL`]; [`lookup`] finds them, so `preflight explain` explains them.
pub static ACCESS: &[&Rule] = include!(concat!(env!("OUT_DIR"), "/rules_access_all.rs"));

/// Finds a rule by code (`PF215`, case-insensitive) or by name (`timestamp-in-milliseconds`).
pub fn lookup(code_or_name: &str) -> Option<&'static Rule> {
    let q = code_or_name.trim();
    ALL.iter()
        .chain(ACCESS)
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(q) || r.name == q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Family;

    #[test]
    fn codes_are_unique_sorted_and_match_their_family() {
        let mut prev = "";
        for r in ALL.iter().chain(ACCESS) {
            assert!(r.code > prev, "{} out of order or repeated", r.code);
            prev = r.code;
            let digit = r.code.as_bytes()[2];
            let family = match digit {
                b'0' => "file",
                b'1' => "header",
                b'2' => "field",
                b'3' => "dataset",
                b'4' => "schema",
                b'5' => "insights",
                b'6' => "access",
                _ => panic!("bad code {}", r.code),
            };
            assert_eq!(r.family.as_str(), family, "{}", r.code);
        }
    }

    #[test]
    fn every_rule_is_documented_in_ruffs_shape() {
        for r in ALL.iter().chain(ACCESS) {
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## References",
            ] {
                assert!(r.doc.contains(section), "{} lacks `{section}`", r.code);
            }
            assert!(r.reference().is_some(), "{} has no reference link", r.code);
            assert!(!r.summary().is_empty(), "{} has no summary", r.code);
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} name is not kebab-case",
                r.code
            );
        }
    }

    #[test]
    fn lookup_by_code_and_name() {
        assert_eq!(lookup("pf215").unwrap().name, "timestamp-in-milliseconds");
        assert_eq!(lookup("timestamp-in-milliseconds").unwrap().code, "PF215");
        assert!(lookup("PF999").is_none());
        assert_eq!(lookup("pf603").unwrap().name, "bucket-policy-missing");
        assert_eq!(lookup("policy-not-evaluated").unwrap().code, "PF611");
    }

    #[test]
    fn access_rules_are_kept_apart_from_the_engines() {
        assert!(ACCESS.iter().all(|r| r.family == Family::Access));
        assert!(ALL.iter().all(|r| r.family != Family::Access));
    }
}
