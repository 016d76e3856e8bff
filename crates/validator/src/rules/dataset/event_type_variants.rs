//! PF305 `event-type-variants`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags event types that differ only in case or surrounding spaces (`Click`, `click `).
    ///
    /// ## Why is this bad?
    /// Event type strings must be exactly the same for every event of one type, so `Click`, `click` and
    /// `click ` are three event types. They split the signal for event-type filtering and eat into the
    /// limit of 10 event types plus metadata columns, beyond which training fails.
    /// Whether Personalize ignores case is not documented; preflight's default is a warning.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,Click
    /// u2,i7,1596238301,"click "
    /// u3,i2,1596238399,CLICK
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,click
    /// u2,i7,1596238301,click
    /// u3,i2,1596238399,click
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF305 = "PF305", "event-type-variants", Dataset, Warning;
}
