//! PF215 `timestamp-in-milliseconds`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a timestamp with 13 or more digits, or one later than 2100-01-01 when read as seconds.
    ///
    /// ## Why is this bad?
    /// Personalize expects Unix epoch seconds (1596238243 is 31 July 2020). What it does with
    /// milliseconds is not documented: the value is a valid `long`, so the import is expected to succeed
    /// while placing every event tens of thousands of years in the future. That silently breaks recency:
    /// which interactions count as the most recent (the ones kept for training) and how old items are.
    /// AWS's own samples divide JavaScript millisecond timestamps by 1000. The error is preflight's default.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243000
    /// ```
    ///
    /// Use instead (divide by 1000):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF215 = "PF215", "timestamp-in-milliseconds", Field, Error;
}
