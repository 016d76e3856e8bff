//! PF503 `too-many-categories`.

use crate::diagnostic::{Family, Rule, Severity};

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
