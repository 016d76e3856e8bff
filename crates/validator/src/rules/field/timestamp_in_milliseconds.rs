//! PF215 `timestamp-in-milliseconds`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags an interaction TIMESTAMP or a CREATION_TIMESTAMP with 13 or more digits, or one later
    /// than 2100-01-01 when read as seconds; and an action expiry (EXPIRATION_TIMESTAMP) with 13 or
    /// more digits.
    ///
    /// ## Why is this bad?
    /// Personalize expects Unix epoch seconds (1596238243 is 31 July 2020). What it does with
    /// milliseconds is not documented: the value is a valid `long`, so the import is expected to succeed
    /// while placing every event tens of thousands of years in the future. That silently breaks recency:
    /// which interactions count as the most recent (the ones kept for training) and how old items are.
    /// AWS's own samples divide JavaScript millisecond timestamps by 1000. The error is preflight's default.
    ///
    /// The help proposes a division only when it gives a plausible time: by 1000 for milliseconds
    /// (13 digits, or 12 for dates before September 2001), by 1,000,000 for microseconds, by
    /// 1,000,000,000 for nanoseconds. A 10-digit value after 2100 is not milliseconds (divided by
    /// 1000 it falls in 1970): the finding then asks where the value comes from instead.
    ///
    /// An action's expiry far in the future is a normal way to say "never expires", so a 10- to
    /// 12-digit EXPIRATION_TIMESTAMP (up to the year 33658) is accepted; 13 digits or more are
    /// still taken for milliseconds.
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
