//! PF503 `too-many-categories`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags a categorical column with more than 30 distinct categories (values of `|` lists are counted one by one).
    ///
    /// ## Why is this bad?
    /// Personalize's Data insights flags categorical columns with more than 30 categories: many rare
    /// categories carry little signal each and are often free text or an ID marked categorical by
    /// mistake. It is information: genres or brands can legitimately have hundreds.
    ///
    /// ## Example
    /// A `COLOR` column with 45 distinct values such as `red`, `Red`, `rot`, `crimson`.
    ///
    /// Use instead: map variants to one spelling, or group rare categories.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    pub const PF503 = "PF503", "too-many-categories", Insights, Info;
}

/// A categorical column with more than 30 categories.
#[derive(Debug, Clone)]
pub struct TooManyCategories<'a> {
    /// The column's schema field name.
    pub name: &'a str,
    /// Categories counted.
    pub categories: u64,
    /// There are more than counted.
    pub more: bool,
    /// The most frequent categories and their records.
    pub top: Vec<(&'a str, u64)>,
}

impl Violation for TooManyCategories<'_> {
    const RULE: &'static Rule = &PF503;
    fn message(&self) -> String {
        let top: Vec<String> = self
            .top
            .iter()
            .map(|(label, n)| format!("{} ({n})", quote_value(label.as_bytes(), 40)))
            .collect();
        format!(
            "categorical `{}` has {}{} categories (more than 30); the most frequent: {}",
            self.name,
            if self.more { "more than " } else { "" },
            self.categories,
            top.join(", ")
        )
    }
    fn help(&self) -> Option<String> {
        Some("map spelling variants to one value and group rare categories, unless the column really has this many".into())
    }
}
