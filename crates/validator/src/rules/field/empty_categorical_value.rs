//! PF223 `empty-categorical-value`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags an empty value inside a categorical `|` list (`Action||Drama`, `Action|`).
    ///
    /// ## Why is this bad?
    /// Several categories go in one cell, separated by `|`. An empty entry between or after separators
    /// is a typo or a list joined with a missing element. What Personalize does with it is not
    /// documented: it may become an empty category of its own or be dropped. Not documented; preflight's
    /// default is a warning. (A wholly empty cell is a different case: allowed when the field is
    /// nullable, PF206 otherwise.)
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,GENRES
    /// i1,Action||Drama
    /// i2,Comedy|
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// ITEM_ID,GENRES
    /// i1,Action|Drama
    /// i2,Comedy
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF223 = "PF223", "empty-categorical-value", Field, Warning;
}

/// An empty value in a categorical `|` list.
#[derive(Debug, Clone, Copy)]
pub struct EmptyCategoricalValue<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// The value as read: unquoted and unescaped, not necessarily UTF-8.
    pub value: &'a [u8],
}

impl Violation for EmptyCategoricalValue<'_> {
    const RULE: &'static Rule = &PF223;
    fn message(&self) -> String {
        format!(
            "categorical `{}` {} has an empty value in its `|` list",
            self.name,
            quote_value(self.value, 60)
        )
    }
    fn help(&self) -> Option<String> {
        Some("remove the extra `|`".into())
    }
}
