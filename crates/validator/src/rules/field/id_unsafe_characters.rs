//! PF224 `id-unsafe-characters`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

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

/// An ID with quotes, control characters or surrounding spaces.
#[derive(Debug, Clone, Copy)]
pub struct IdUnsafeCharacters<'a> {
    /// The field.
    pub name: &'a str,
    /// The value.
    pub value: &'a [u8],
}

impl Violation for IdUnsafeCharacters<'_> {
    const RULE: &'static Rule = &PF224;
    fn message(&self) -> String {
        format!(
            "`{}` {} has quotes, control characters or surrounding spaces",
            self.name,
            quote_value(self.value, 60)
        )
    }
    fn help(&self) -> Option<String> {
        Some("strip spaces and remove quotes from IDs; otherwise the same ID differs between datasets and records no longer join".into())
    }
}
