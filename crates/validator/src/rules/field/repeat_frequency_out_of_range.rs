//! PF221 `repeat-frequency-out-of-range`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an action REPEAT_FREQUENCY outside 1 to 30 days.
    ///
    /// ## Why is this bad?
    /// REPEAT_FREQUENCY is how many days Personalize waits before recommending an action again to a user
    /// who interacted with it, and the docs cap it at 30 days. A larger value usually means the frequency was
    /// written in hours or seconds. The lower bound of 1 is not documented; it is preflight's default.
    ///
    /// ## Example
    /// Here a week was written in seconds:
    /// ```csv
    /// ACTION_ID,REPEAT_FREQUENCY,CHANNEL
    /// a1,604800,email
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// ACTION_ID,REPEAT_FREQUENCY,CHANNEL
    /// a1,7,email
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/action-dataset-requirements.html>
    pub const PF221 = "PF221", "repeat-frequency-out-of-range", Field, Error;
}

/// An action's REPEAT_FREQUENCY outside 1–30 days.
#[derive(Debug, Clone, Copy)]
pub struct RepeatFrequencyOutOfRange {
    /// The value, in days.
    pub days: i64,
}

impl Violation for RepeatFrequencyOutOfRange {
    const RULE: &'static Rule = &PF221;
    fn message(&self) -> String {
        format!(
            "`REPEAT_FREQUENCY` is {} days; it must be between 1 and 30",
            self.days
        )
    }
    fn help(&self) -> Option<String> {
        Some("use a number of days from 1 to 30".into())
    }
}
