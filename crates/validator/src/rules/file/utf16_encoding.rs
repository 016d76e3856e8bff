//! PF003 `utf16-encoding`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a file that starts with a UTF-16 or UTF-32 byte order mark.
    ///
    /// ## Why is this bad?
    /// Personalize requires UTF-8 for any data with non-ASCII characters, and UTF-16 is not UTF-8: every
    /// ASCII character is stored as two bytes, one of them NUL. Not a single header name then matches
    /// the schema, so the file cannot be imported.
    /// Such files come from Excel's "Unicode Text" export or Windows PowerShell's `Out-File`.
    ///
    /// ## Example
    /// The first bytes of a UTF-16LE file, a byte order mark and then `USER_ID` with a NUL after each letter:
    /// ```text
    /// FF FE 55 00 53 00 45 00 52 00 5F 00 49 00 44 00 ...
    /// ```
    ///
    /// Use instead (convert, e.g. `iconv -f UTF-16 -t UTF-8 in.csv > out.csv`):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF003 = "PF003", "utf16-encoding", File, Error;
}

/// A file that starts with a UTF-16 byte order mark.
#[derive(Debug, Clone, Copy, Default)]
pub struct Utf16Encoding;

impl Violation for Utf16Encoding {
    const RULE: &'static Rule = &PF003;
    fn message(&self) -> String {
        "the file is UTF-16 (it starts with a UTF-16 byte order mark)".into()
    }
    fn help(&self) -> Option<String> {
        Some("re-save the file as UTF-8 (for example `iconv -f utf-16 -t utf-8`)".into())
    }
}
