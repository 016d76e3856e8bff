//! PF213 `textual-value-truncated`.

use crate::diagnostic::{Family, Rule, Severity};

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
