//! PF224 `id-unsafe-characters`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::{quote_value, Applicability};

declare_rule! {
    /// ## What it does
    /// Flags an ID with a double quote, a control character, or leading or trailing spaces.
    ///
    /// ## Why is this bad?
    /// The docs ask for no `"` or special characters in USER_ID, ITEM_ID and ACTION_ID values.
    /// Spaces are worse because they are invisible: `i1` and `i1 ` are different IDs, so an item in the
    /// Items dataset and the same item in the interactions no longer join, and both show up with
    /// "no interactions" (the 2023 Data Insights flagged such ID mismatches).
    /// How the import treats such IDs is not documented; preflight's default is a warning.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1 ,1596238243
    /// u2,"i\"7",1596238301
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// u2,i7,1596238301
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF224 = "PF224", "id-unsafe-characters", Field, Warning, fix = Unsafe;
}

/// An ID with quotes, control characters or surrounding spaces.
#[derive(Debug, Clone, Copy)]
pub struct IdUnsafeCharacters<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// The value as read: unquoted and unescaped, not necessarily UTF-8.
    pub value: &'a [u8],
}

/// The fix: an ID with spaces or tabs around it, trimmed, when what is left is a plain ID (not
/// empty, no quote, no control character). An ID with quotes or control characters inside is
/// left for the user: which bytes are meant is not certain.
pub(crate) fn trimmed_id(value: &[u8]) -> Option<&[u8]> {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !blank(b))?;
    let end = value.len() - value.iter().rev().position(|b| !blank(b))?;
    let inner = &value[start..end];
    let changed = start > 0 || end < value.len();
    (changed && !inner.iter().any(|&b| b == b'"' || b < 0x20)).then_some(inner)
}

impl Violation for IdUnsafeCharacters<'_> {
    const RULE: &'static Rule = &PF224;
    fn fix(&self) -> Option<Applicability> {
        trimmed_id(self.value).map(|_| Applicability::Unsafe)
    }
    fn message(&self) -> String {
        format!(
            "`{}` {} has quotes, control characters or surrounding spaces",
            self.name,
            quote_value(self.value, 60)
        )
    }
    fn help(&self) -> Option<String> {
        Some("strip spaces and remove quotes from IDs; otherwise the same ID differs between datasets and records no longer join".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_surrounding_blanks_are_trimmed() {
        assert_eq!(trimmed_id(b" u1\t"), Some(&b"u1"[..]));
        assert_eq!(trimmed_id(b"u 1 "), Some(&b"u 1"[..]));
        assert_eq!(trimmed_id(b"u1"), None);
        assert_eq!(trimmed_id(b"   "), None);
        assert_eq!(trimmed_id(b" \"u1\""), None);
        assert_eq!(trimmed_id(b"u\x01 "), None);
    }
}
