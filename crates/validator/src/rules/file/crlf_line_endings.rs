//! PF005 `crlf-line-endings`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a file whose lines end with CRLF (`\r\n`).
    ///
    /// ## Why is this bad?
    /// Line endings are not documented; preflight's default is a warning, because many real files have
    /// CRLF and may import fine. If the `\r` is not stripped, though, it becomes part of the last
    /// column's value: an EVENT_TYPE of `click\r` is a different event type from `click`, and a
    /// TIMESTAMP of `1596238243\r` is not an integer.
    /// Files written on Windows or by Excel usually have CRLF endings.
    ///
    /// ## Example
    /// Here `<CR>` stands for the invisible carriage return before each line feed:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE<CR>
    /// u1,i1,1596238243,click<CR>
    /// ```
    ///
    /// Use instead (LF only, e.g. after `dos2unix`):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,click
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF005 = "PF005", "crlf-line-endings", File, Warning, fix = Safe;
}

/// Lines ending in `\r\n`.
#[derive(Debug, Clone, Copy)]
pub struct CrlfLineEndings {
    /// How many.
    pub lines: u64,
    /// The first one's line number.
    pub first: u64,
}

impl Violation for CrlfLineEndings {
    const RULE: &'static Rule = &PF005;
    fn message(&self) -> String {
        format!(
            "{} line{} end with CRLF (\\r\\n), the first on line {}",
            self.lines,
            if self.lines == 1 { "" } else { "s" },
            self.first
        )
    }
    fn help(&self) -> Option<String> {
        Some("convert the file to LF line endings (for example `dos2unix FILE`)".into())
    }
}
