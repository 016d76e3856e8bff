//! PF218 `creation-timestamp-not-positive`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::text::day_label;

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

/// A CREATION_TIMESTAMP or an expiry of zero or less.
#[derive(Debug, Clone, Copy)]
pub struct CreationTimestampNotPositive<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// The value parsed as an integer: seconds since the Unix epoch if the unit is right.
    pub seconds: i64,
    /// The field is an action's expiry (nullable: empty means it does not expire).
    pub expiry: bool,
}

impl Violation for CreationTimestampNotPositive<'_> {
    const RULE: &'static Rule = &PF218;
    fn message(&self) -> String {
        format!(
            "`{}` is {}, at or before 1970-01-01",
            self.name, self.seconds
        )
    }
    /// An item's CREATION_TIMESTAMP before 1970 can be real (a film from 1959), and an expiry is
    /// nullable: empty means the action does not expire.
    fn help(&self) -> Option<String> {
        let (name, n) = (self.name, self.seconds);
        Some(if self.expiry {
            format!("leave `{name}` empty if the action does not expire (the field is nullable); otherwise write the expiry in epoch seconds")
        } else if n < 0 {
            format!(
                "{n} is {} in epoch seconds: keep it if that is the real date; otherwise write the real time",
                day_label(n.div_euclid(86_400))
            )
        } else {
            "0 usually stands for an unknown date: write the real time in epoch seconds (an estimate if need be)".into()
        })
    }
}
