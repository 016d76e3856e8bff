//! PF219 `event-type-too-long`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an EVENT_TYPE value longer than 256 characters.
    ///
    /// ## Why is this bad?
    /// No length limit for EVENT_TYPE in CSV data is documented. The PutEvents API allows 1 to 256
    /// characters for an event type, and preflight applies the same limit (not documented; preflight's
    /// default). A longer value is almost always a column mix-up, such as a URL or description in the
    /// EVENT_TYPE column, and every distinct value counts as one more event type toward the limit of 10.
    ///
    /// ## Example
    /// Here the EVENT_TYPE column holds a 400-character page URL:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,shop.example.com/checkout?session=...
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,purchase
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_Event.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF219 = "PF219", "event-type-too-long", Field, Error;
}

/// An EVENT_TYPE longer than 256 characters.
#[derive(Debug, Clone, Copy)]
pub struct EventTypeTooLong {
    /// Its length in characters.
    pub chars: usize,
}

impl Violation for EventTypeTooLong {
    const RULE: &'static Rule = &PF219;
    fn message(&self) -> String {
        format!(
            "`EVENT_TYPE` is {} characters long; the limit is 256",
            self.chars
        )
    }
    fn help(&self) -> Option<String> {
        Some(
            "check the column mapping: event types are short labels like click or purchase"
                .into(),
        )
    }
}
