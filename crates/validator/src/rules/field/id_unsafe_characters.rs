//! PF224 `id-unsafe-characters`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags an ID with a double quote, a control character, or leading or trailing spaces.
    ///
    /// ## Why is this bad?
    /// The docs ask for no `"` or special characters in USER_ID, ITEM_ID and ACTION_ID values.
    /// Spaces are worse because they are invisible: `i1` and `i1 ` are different IDs, so an item in the
    /// Items dataset and the same item in the interactions no longer join, and both show up with
    /// "no interactions" (the 2023 Data Insights flagged such ID mismatches).
    /// How the import treats such IDs is not documented; preflight's default is a warning.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1 ,1596238243
    /// u2,"i\"7",1596238301
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// u2,i7,1596238301
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF224 = "PF224", "id-unsafe-characters", Field, Warning;
}
