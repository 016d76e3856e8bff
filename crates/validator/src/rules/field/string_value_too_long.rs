//! PF212 `string-value-too-long`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a non-categorical, non-textual string value longer than 1,000 characters.
    ///
    /// ## Why is this bad?
    /// Non-categorical string values in Items, Users and Actions data are limited to 1,000 characters;
    /// a longer value fails the job with `Length cannot be more than 1000 characters for COLUMN_NAME`.
    /// Such a field is only used for filtering anyway. Long free text belongs in the Items dataset's one
    /// textual field (up to 20,000 characters), which is also the only way text reaches the model.
    ///
    /// ## Example
    /// Here NOTES is a plain `string` field and the value is 1,500 characters long:
    /// ```csv
    /// ITEM_ID,GENRES,NOTES
    /// i1,Drama,"Editorial notes: ... (1,500 characters)"
    /// ```
    ///
    /// Use instead (shorten it, or make it the textual field of an Items schema):
    /// ```csv
    /// ITEM_ID,GENRES,NOTES
    /// i1,Drama,"Staff pick, autumn 2020"
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF212 = "PF212", "string-value-too-long", Field, Error;
}

/// A string value longer than 1,000 characters.
#[derive(Debug, Clone, Copy)]
pub struct StringValueTooLong<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// Its length in characters.
    pub chars: usize,
}

impl Violation for StringValueTooLong<'_> {
    const RULE: &'static Rule = &PF212;
    fn message(&self) -> String {
        format!(
            "`{}` is {} characters long; string values are limited to 1000",
            self.name, self.chars
        )
    }
    fn help(&self) -> Option<String> {
        Some(
            "shorten the value, or make the field textual (Items only) if it is free text".into(),
        )
    }
}
