//! PF006 `blank-line`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an empty line.
    ///
    /// ## Why is this bad?
    /// Each line is one record. Whether Personalize skips empty lines is not documented; preflight's
    /// default is to treat a blank line as a record with one empty field, which has the wrong number of
    /// fields and empty required values, and to report it as an error.
    /// A blank line in the middle of a file usually marks files concatenated by hand or a truncated export.
    /// The single newline at the end of the last record is not a blank line.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    ///
    /// u2,i7,1596238301
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
    pub const PF006 = "PF006", "blank-line", File, Error, fix = Safe;
}

/// An empty line among the records.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlankLine;

impl Violation for BlankLine {
    const RULE: &'static Rule = &PF006;
    fn message(&self) -> String {
        "blank line".into()
    }
    fn help(&self) -> Option<String> {
        Some("remove the empty line: Personalize reads it as a record with one empty field".into())
    }
}
