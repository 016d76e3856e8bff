//! PF217 `interaction-timestamp-not-positive`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an interaction TIMESTAMP that is zero or negative.
    ///
    /// ## Why is this bad?
    /// TIMESTAMP is Unix epoch seconds, so 0 is 1 January 1970 and negative values are earlier.
    /// No real interaction happened then: the value is a missing time filled with 0 or a broken
    /// conversion. The row imports as the oldest event in the dataset and distorts recency.
    /// Not documented; preflight's default is an error for interactions (for CREATION_TIMESTAMP, where
    /// old dates can be real, PF218 only warns).
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,0
    /// u2,i7,-1
    /// ```
    ///
    /// Use instead (the real event time, or drop rows whose time is unknown):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// u2,i7,1596238301
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF217 = "PF217", "interaction-timestamp-not-positive", Field, Error;
}

/// An interaction TIMESTAMP of zero or less.
#[derive(Debug, Clone, Copy)]
pub struct InteractionTimestampNotPositive<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// The value parsed as an integer: seconds since the Unix epoch if the unit is right.
    pub seconds: i64,
}

impl Violation for InteractionTimestampNotPositive<'_> {
    const RULE: &'static Rule = &PF217;
    fn message(&self) -> String {
        format!(
            "`{}` is {}, at or before 1970-01-01",
            self.name, self.seconds
        )
    }
    fn help(&self) -> Option<String> {
        Some("a zero or negative timestamp is usually a missing value; write the real time in epoch seconds".into())
    }
}
