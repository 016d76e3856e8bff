//! PF210 `id-too-long`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a USER_ID, ITEM_ID or ACTION_ID longer than 256 characters.
    ///
    /// ## Why is this bad?
    /// IDs are limited to 256 characters, and the job fails with
    /// `Length cannot be more than 256 characters for ITEM_ID`. If no real ID is that long, the row is
    /// malformed: the docs name unquoted commas, unescaped quotes and records broken across lines as the
    /// usual cause. Full URLs or concatenated keys used as IDs also hit the limit.
    ///
    /// ## Example
    /// Here the ITEM_ID is a 300-character product URL:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,shop.example.com/catalog/outdoor/tents/...,1596238243
    /// ```
    ///
    /// Use instead (a short, stable key):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,sku-48213,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    pub const PF210 = "PF210", "id-too-long", Field, Error;
}

/// An ID longer than 256 characters.
#[derive(Debug, Clone, Copy)]
pub struct IdTooLong<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// Its length in characters.
    pub chars: usize,
}

impl Violation for IdTooLong<'_> {
    const RULE: &'static Rule = &PF210;
    fn message(&self) -> String {
        format!(
            "`{}` is {} characters long; the limit is 256",
            self.name, self.chars
        )
    }
    fn help(&self) -> Option<String> {
        Some("shorten the ID (for example, hash long keys); if IDs are short, check for a broken quote that merged fields".into())
    }
}
