//! PF214 `impression-too-long`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an IMPRESSION value longer than 1,000 characters, `|` separators included.
    ///
    /// ## Why is this bad?
    /// IMPRESSION lists the item IDs the user was shown, separated by `|`, in at most 1,000 characters
    /// including the separators. A longer value fails the job with
    /// `Length cannot be more than 1000 characters for IMPRESSION`. Impressions are not used for
    /// training, only to guide exploration, and their order has no effect, so a shorter list loses little.
    /// (PutEvents allows at most 25 impression items; no count is documented for CSV.)
    ///
    /// ## Example
    /// Here the IMPRESSION cell lists 250 item IDs, about 1,700 characters:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,IMPRESSION
    /// u1,i1,1596238243,i1|i2|i3|...|i250
    /// ```
    ///
    /// Use instead (the items actually shown on screen):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,IMPRESSION
    /// u1,i1,1596238243,i1|i2|i3|i4|i5
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF214 = "PF214", "impression-too-long", Field, Error;
}

/// An IMPRESSION longer than 1,000 characters.
#[derive(Debug, Clone, Copy)]
pub struct ImpressionTooLong {
    /// Its length in characters.
    pub chars: usize,
}

impl Violation for ImpressionTooLong {
    const RULE: &'static Rule = &PF214;
    fn message(&self) -> String {
        format!(
            "`IMPRESSION` is {} characters long; the limit is 1000 including `|`",
            self.chars
        )
    }
    fn help(&self) -> Option<String> {
        Some("list fewer impressed items".into())
    }
}
