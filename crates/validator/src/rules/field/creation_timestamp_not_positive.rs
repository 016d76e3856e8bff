//! PF218 `creation-timestamp-not-positive`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a CREATION_TIMESTAMP or expiry timestamp that is zero or negative.
    ///
    /// ## Why is this bad?
    /// Personalize uses CREATION_TIMESTAMP to tell new items and actions from old ones. A zero usually
    /// means "unknown" filled with 0, which makes the item look more than 50 years old, and an expiry
    /// of 0 means the action has long expired. Dates before 1970 can be real (a film released in 1959),
    /// so this is only a warning; not documented, preflight's default.
    /// CREATION_TIMESTAMP is a non-nullable `long`, so an unknown date needs an estimate, not an empty cell.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,CREATION_TIMESTAMP,GENRES
    /// i1,0,Drama
    /// ```
    ///
    /// Use instead (the release time, or the time the item was first seen):
    /// ```csv
    /// ITEM_ID,CREATION_TIMESTAMP,GENRES
    /// i1,1596238243,Drama
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html>
    pub const PF218 = "PF218", "creation-timestamp-not-positive", Field, Warning;
}
