//! PF506 `all-distinct-attribute`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a categorical item, user or action attribute whose value differs in every record.
    ///
    /// ## Why is this bad?
    /// When every record has its own category, no two items (or users) share one, so the column
    /// cannot group them and Personalize finds nothing in it to train on. It is usually an ID, a
    /// name or a timestamp marked categorical. Numeric columns may legitimately be all distinct
    /// (prices) and are not judged. Only columns with at least 10 values are judged.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,SKU
    /// i1,SKU-0001
    /// i2,SKU-0002
    /// i3,SKU-0003
    /// ```
    ///
    /// Use instead: drop the column or mark it non-categorical (it can still be used in filters).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    pub const PF506 = "PF506", "all-distinct-attribute", Insights, Warning;
}

/// A categorical attribute with a different value in every record.
#[derive(Debug, Clone, Copy)]
pub struct AllDistinctAttribute<'a> {
    /// The column's schema field name.
    pub name: &'a str,
    /// Records with a value.
    pub filled: u64,
    /// What the records are: `items`, `users`, `actions` or `records`.
    pub what: &'a str,
}

impl Violation for AllDistinctAttribute<'_> {
    const RULE: &'static Rule = &PF506;
    fn message(&self) -> String {
        format!(
            "categorical `{}` has a different value in each of its {} {}: it groups nothing",
            self.name, self.filled, self.what
        )
    }
    fn help(&self) -> Option<String> {
        Some("drop the column or make it non-categorical; categories help only when items (or users) share them".into())
    }
}
