//! PF213 `textual-value-truncated`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a textual value longer than 20,000 characters (7,000 for Chinese or Japanese text).
    ///
    /// ## Why is this bad?
    /// Textual values are limited to 20,000 characters, or 7,000 for Chinese and Japanese.
    /// Personalize truncates longer text instead of rejecting it: the import succeeds and the end of the
    /// text silently never reaches the model. Personalize strips HTML and XML tags, entities and extra
    /// whitespace before use anyway, so removing markup first loses nothing.
    ///
    /// ## Example
    /// Here PRODUCT_DESCRIPTION holds a whole product page, 48,000 characters of HTML:
    /// ```csv
    /// ITEM_ID,PRODUCT_DESCRIPTION
    /// i1,"<div class=\"page\"><h1>Trail tent</h1>... (48,000 characters)</div>"
    /// ```
    ///
    /// Use instead (plain text, the most useful part first, under the limit):
    /// ```csv
    /// ITEM_ID,PRODUCT_DESCRIPTION
    /// i1,"Trail tent. Two-person, three-season tent, 1.9 kg, ..."
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF213 = "PF213", "textual-value-truncated", Field, Warning;
}

/// A textual value longer than Personalize keeps.
#[derive(Debug, Clone, Copy)]
pub struct TextualValueTruncated<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// Its length in characters.
    pub chars: usize,
    /// How many characters Personalize keeps: 20,000, or 7,000 for Chinese and Japanese text.
    pub limit: usize,
    /// Mostly Chinese or Japanese text (a lower limit).
    pub cjk: bool,
}

impl Violation for TextualValueTruncated<'_> {
    const RULE: &'static Rule = &PF213;
    fn message(&self) -> String {
        format!(
            "textual `{}` is {} characters long; Personalize keeps only the first {}{}",
            self.name,
            self.chars,
            self.limit,
            if self.cjk {
                " of Chinese or Japanese text"
            } else {
                ""
            }
        )
    }
    fn help(&self) -> Option<String> {
        Some("shorten the text to its most useful part; the rest is silently dropped".into())
    }
}
