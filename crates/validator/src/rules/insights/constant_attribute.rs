//! PF505 `constant-attribute`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an item, user or action attribute that has the same value in every record.
    ///
    /// ## Why is this bad?
    /// A metadata column whose value never changes cannot tell one item (or user) from another, so
    /// Personalize finds nothing in it to train on. It usually means the export wrote a default.
    /// Empty values are not counted; a column with values in fewer than 2 records is not judged.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,CURRENCY
    /// i1,USD
    /// i2,USD
    /// i3,USD
    /// ```
    ///
    /// Use instead: drop the column, or export the real values.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF505 = "PF505", "constant-attribute", Insights, Warning;
}

/// An attribute with the same value in every record that has one.
#[derive(Debug, Clone, Copy)]
pub struct ConstantAttribute<'a> {
    /// The column's schema field name.
    pub name: &'a str,
    /// Records with a value.
    pub filled: u64,
    /// What the records are: `items`, `users`, `actions` or `records`.
    pub what: &'a str,
}

impl Violation for ConstantAttribute<'_> {
    const RULE: &'static Rule = &PF505;
    fn message(&self) -> String {
        format!(
            "`{}` has the same value in all {} {} that have one",
            self.name, self.filled, self.what
        )
    }
    fn help(&self) -> Option<String> {
        Some("drop the column or export its real values: a constant tells the model nothing".into())
    }
}
