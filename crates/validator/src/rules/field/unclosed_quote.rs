//! PF202 `unclosed-quote`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a quoted field that is still open at the end of the line.
    ///
    /// ## Why is this bad?
    /// Each record must be on one line; quoted values may not span lines, and the docs say to remove
    /// newlines from text. A quote still open at the end of a line means a newline cut the value or the
    /// closing quote is missing. Personalize then runs the fields together and fails with the
    /// `Length cannot be more than ...` message, which the docs list for records broken across lines.
    /// preflight reports an error at that line and reads the next line as a new record (not documented;
    /// preflight's default).
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,DESCRIPTION
    /// i1,"First line of the description
    /// second line"
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// ITEM_ID,DESCRIPTION
    /// i1,"First line of the description second line"
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    pub const PF202 = "PF202", "unclosed-quote", Field, Error;
}

/// A quote still open at the end of the line.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnclosedQuote;

impl Violation for UnclosedQuote {
    const RULE: &'static Rule = &PF202;
    fn message(&self) -> String {
        "quote opened here is still open at the end of the line".into()
    }
    fn help(&self) -> Option<String> {
        Some("close the quote; a record must fit on one line (remove line breaks from text), and escape quotes inside values as \\\"".into())
    }
}
