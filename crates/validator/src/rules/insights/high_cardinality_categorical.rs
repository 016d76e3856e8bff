//! PF504 `high-cardinality-categorical`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a categorical column with more than 1000 distinct values.
    ///
    /// ## Why is this bad?
    /// A categorical column with more than 1000 distinct values is usually an identifier, a
    /// timestamp or free text marked `categorical`. Each value is a category the model has to learn
    /// from few records; free text belongs in a textual field (Items) and numbers in numeric fields.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,SIGNUP_DATE
    /// u1,2021-03-04 10:11:12
    /// u2,2021-03-04 10:13:40
    /// ```
    /// `SIGNUP_DATE` has a distinct value on almost every row.
    ///
    /// Use instead: a numeric field (epoch seconds), or a coarser category (`2021-Q1`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    pub const PF504 = "PF504", "high-cardinality-categorical", Insights, Warning;
}

/// A categorical column with more than 1,000 distinct values.
#[derive(Debug, Clone, Copy)]
pub struct HighCardinalityCategorical<'a> {
    /// The column's schema field name.
    pub name: &'a str,
    /// Distinct values counted.
    pub distinct: u64,
    /// There are more than counted.
    pub more: bool,
}

impl Violation for HighCardinalityCategorical<'_> {
    const RULE: &'static Rule = &PF504;
    fn message(&self) -> String {
        format!(
            "categorical `{}` has {}{} distinct values (more than 1000)",
            self.name,
            if self.more { "more than " } else { "" },
            self.distinct
        )
    }
    fn help(&self) -> Option<String> {
        Some("if it is an ID, a date or free text, make it numeric, textual (Items) or non-categorical".into())
    }
}
