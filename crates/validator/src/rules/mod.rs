//! Every rule, one per file, grouped by family, with its documentation.
//!
//! A rule file declares the rule's code, name, default severity and its documentation in ruff's
//! shape (*What it does / Why is this bad? / Example / References*). The same text is the rustdoc
//! of the constant and what `preflight explain CODE` prints. Codes are never reused.

use crate::diagnostic::Rule;

/// Declares a rule constant whose doc comment is also kept as a string for `preflight explain`.
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* $vis:vis const $ident:ident = $code:literal, $name:literal, $family:ident, $severity:ident;) => {
        $(#[doc = $doc])*
        $vis const $ident: Rule = Rule {
            code: $code,
            name: $name,
            family: Family::$family,
            severity: Severity::$severity,
            doc: concat!($($doc, "\n"),*),
        };
    };
}

pub mod access;
pub mod dataset;
pub mod field;
pub mod file;
pub mod header;
pub mod insights;
pub mod schema;

pub use access::*;
pub use dataset::*;
pub use field::*;
pub use file::*;
pub use header::*;
pub use insights::*;
pub use schema::*;

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &PF001, &PF002, &PF003, &PF004, &PF005, &PF006, &PF007, &PF008, &PF009, &PF010, &PF011, &PF101,
    &PF102, &PF103, &PF104, &PF105, &PF106, &PF107, &PF108, &PF109, &PF201, &PF202, &PF203, &PF204,
    &PF205, &PF206, &PF207, &PF208, &PF209, &PF210, &PF211, &PF212, &PF213, &PF214, &PF215, &PF216,
    &PF217, &PF218, &PF219, &PF220, &PF221, &PF222, &PF223, &PF224, &PF301, &PF302, &PF303, &PF304,
    &PF305, &PF306, &PF307, &PF308, &PF309, &PF310, &PF311, &PF312, &PF313, &PF314, &PF315, &PF401,
    &PF402, &PF403, &PF404, &PF405, &PF406, &PF407, &PF408, &PF409, &PF410, &PF411, &PF412, &PF413,
    &PF414, &PF415, &PF416, &PF417, &PF418, &PF419, &PF420, &PF421, &PF501, &PF502, &PF503, &PF504,
    &PF505, &PF506, &PF507, &PF508, &PF509, &PF510, &PF511, &PF512, &PF513, &PF514,
];

/// The access rules (PF6xx), in code order: checked by `preflight-uploader` before a job, not by
/// the validator's engine. Kept apart from [`ALL`] until the commands that report them (`doctor`,
/// `import`, `run`) list them; [`lookup`] already finds them, so `preflight explain` explains them.
pub static ACCESS: &[&Rule] = &[
    &PF601, &PF602, &PF603, &PF604, &PF605, &PF606, &PF607, &PF608, &PF609, &PF610, &PF611,
];

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
