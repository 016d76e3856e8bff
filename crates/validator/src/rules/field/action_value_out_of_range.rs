//! PF220 `action-value-out-of-range`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an action VALUE outside 1 to 10.
    ///
    /// ## Why is this bad?
    /// VALUE is the action's value to your business, and the docs say it should be between 1 and 10.
    /// What Personalize does with a value outside that range is not documented; preflight reports an
    /// error so the scale is fixed before import. A common cause is a price or margin written into the
    /// column instead of a score.
    ///
    /// ## Example
    /// ```csv
    /// ACTION_ID,VALUE,CHANNEL
    /// a1,49,email
    /// ```
    ///
    /// Use instead (the business value mapped onto 1 to 10):
    /// ```csv
    /// ACTION_ID,VALUE,CHANNEL
    /// a1,8,email
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/action-dataset-requirements.html>
    pub const PF220 = "PF220", "action-value-out-of-range", Field, Error;
}

/// An action's VALUE outside 1–10.
#[derive(Debug, Clone, Copy)]
pub struct ActionValueOutOfRange {
    /// The parsed VALUE (the docs ask for 1 to 10).
    pub value: i64,
}

impl Violation for ActionValueOutOfRange {
    const RULE: &'static Rule = &PF220;
    fn message(&self) -> String {
        format!(
            "action `VALUE` is {}; it must be between 1 and 10",
            self.value
        )
    }
    fn help(&self) -> Option<String> {
        Some("rescale values to 1–10".into())
    }
}
