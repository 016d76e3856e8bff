//! PF207 `invalid-integer`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::{quote_value, Applicability};
use crate::values::{parse_int, IntError};

declare_rule! {
    /// ## What it does
    /// Flags a value of an `int` or `long` field that is not an integer literal in range (`1596238243.0`, `12 `, `1e5`).
    ///
    /// ## Why is this bad?
    /// An `int` or `long` value must be a plain integer that fits the type. Exports that pass through
    /// floating point (pandas turns a column with a missing value into `1596238243.0`), ISO dates in
    /// TIMESTAMP, exponents and padding spaces cannot be read as the schema type, so the import fails.
    /// Rejecting `1596238243.0` is not documented; preflight's default is an error, since it is not an
    /// integer literal.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243.0
    /// u2,i7,2020-07-31T23:30:43Z
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// u2,i7,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF207 = "PF207", "invalid-integer", Field, Error, fix = Safe;
}

/// A value of an `int` or `long` field that is not one.
#[derive(Debug, Clone, Copy)]
pub struct InvalidInteger<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// The value as read: unquoted and unescaped, not necessarily UTF-8.
    pub value: &'a [u8],
    /// 32 (`int`) or 64 (`long`).
    pub bits: u32,
    /// What is wrong with it.
    pub error: IntError,
}

impl InvalidInteger<'_> {
    fn ty(&self) -> &'static str {
        if self.bits == 32 {
            "int"
        } else {
            "long"
        }
    }
}

/// The fix: an integer written with a zero fraction (`1596238243.0`, `-7.000`) is the integer
/// before the point, when that fits the type. Any other decimal (`1.5`) changes value when cut,
/// so it is not repaired.
pub(crate) fn without_zero_fraction(value: &[u8], bits: u32) -> Option<&[u8]> {
    let dot = memchr::memchr(b'.', value)?;
    let (int, frac) = (&value[..dot], &value[dot + 1..]);
    let digits = int.strip_prefix(b"-").unwrap_or(int);
    let ok = !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && !frac.is_empty()
        && frac.iter().all(|&b| b == b'0')
        && parse_int(int, bits).is_ok();
    ok.then_some(int)
}

impl Violation for InvalidInteger<'_> {
    const RULE: &'static Rule = &PF207;
    fn fix(&self) -> Option<Applicability> {
        (self.error == IntError::Decimal && without_zero_fraction(self.value, self.bits).is_some())
            .then_some(Applicability::Safe)
    }
    fn message(&self) -> String {
        let what = match self.error {
            IntError::Decimal => "is a decimal, not an integer",
            IntError::Exponent => "uses an exponent",
            IntError::Whitespace => "has surrounding spaces",
            IntError::Range => "is out of range",
            IntError::Syntax => "is not an integer",
        };
        format!(
            "`{}` value {} {what} (`{}`)",
            self.name,
            quote_value(self.value, 60),
            self.ty()
        )
    }
    fn help(&self) -> Option<String> {
        let ty = self.ty();
        Some(match self.error {
            IntError::Decimal => format!(
                "write it without the fraction, e.g. `{}`",
                String::from_utf8_lossy(self.value)
                    .split('.')
                    .next()
                    .unwrap_or("")
            ),
            IntError::Exponent => "write the integer in full digits".to_string(),
            IntError::Whitespace => "remove the spaces".to_string(),
            IntError::Range => format!(
                "{} `{ty}` holds {}",
                if self.bits == 32 { "an" } else { "a" },
                if self.bits == 32 {
                    "-2147483648 to 2147483647"
                } else {
                    "-9223372036854775808 to 9223372036854775807"
                }
            ),
            IntError::Syntax => {
                if self.name.contains("TIMESTAMP") {
                    "write Unix epoch seconds, e.g. 1596238243".to_string()
                } else {
                    format!("write a whole number, or change the field's type from `{ty}`")
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_zero_fraction_is_repaired() {
        assert_eq!(without_zero_fraction(b"1596238243.0", 64), Some(&b"1596238243"[..]));
        assert_eq!(without_zero_fraction(b"-7.000", 32), Some(&b"-7"[..]));
        for v in [&b"1.5"[..], b"1.", b".0", b"1e3", b"1.0e3", b"abc.0", b"99999999999.0"] {
            assert_eq!(without_zero_fraction(v, 32), None, "{}", String::from_utf8_lossy(v));
        }
        let found = |value| InvalidInteger { name: "TIMESTAMP", value, bits: 64, error: IntError::Decimal };
        assert_eq!(found(b"1.0").fix(), Some(Applicability::Safe));
        assert_eq!(found(b"1.5").fix(), None);
    }
}
