//! PF216 `timestamp-in-future`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags a timestamp later than now plus one day.
    ///
    /// ## Why is this bad?
    /// Events cannot happen in the future, so the value is a unit, time-zone or test-data mistake.
    /// The import succeeds, but the rows count as the newest interactions: they are kept first when only
    /// the most recent interactions are used for training, and they skew recency and item age.
    /// Not documented; preflight's default is a warning (one day of slack absorbs clock and time-zone skew).
    ///
    /// ## Example
    /// Here 2524608000 is 1 January 2050:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,2524608000
    /// ```
    ///
    /// Use instead (the real event time in epoch seconds):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF216 = "PF216", "timestamp-in-future", Field, Warning;
}

/// A timestamp more than a day after now.
#[derive(Debug, Clone, Copy)]
pub struct TimestampInFuture<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// The value as read: unquoted and unescaped, not necessarily UTF-8.
    pub value: &'a [u8],
    /// Whole days after now.
    pub days: i64,
}

impl Violation for TimestampInFuture<'_> {
    const RULE: &'static Rule = &PF216;
    fn message(&self) -> String {
        format!(
            "`{}` {} is in the future ({} day{} from now)",
            self.name,
            quote_value(self.value, 30),
            self.days,
            if self.days == 1 { "" } else { "s" }
        )
    }
    fn help(&self) -> Option<String> {
        Some("check the clock or the unit of the source system; future events count as the most recent".into())
    }
}
