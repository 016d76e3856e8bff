//! PF512 `items-beyond-training-limit`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a dataset with more than 750,000 distinct items: the Items dataset (counting also the
    /// item IDs of the Item interactions it lacks, when both are analysed together), or the Item
    /// interactions when no Items dataset is given. `plan` counts the Items dataset after the job.
    ///
    /// ## Why is this bad?
    /// Training considers at most 750,000 items (5 million for User-Personalization-v2 and
    /// Personalized-Ranking-v2, counting the items of both the Items and the Item interactions
    /// datasets). Beyond that, Personalize decides which items to include, with an emphasis on new
    /// items and items with recent interactions, and only items considered in training can appear in
    /// recommendations. The import succeeds and nothing says which items were left out.
    /// This is information, not a defect: nothing to fix if a subset is what you want.
    ///
    /// ## Example
    /// An Items dataset of 1,200,000 products, trained with User-Personalization: about 450,000 of
    /// them can never be recommended.
    ///
    /// Use instead: train with User-Personalization-v2 or Personalized-Ranking-v2 (up to 5 million
    /// items), or import only the items you want recommended (for example, drop discontinued ones).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF512 = "PF512", "items-beyond-training-limit", Insights, Info;
}
