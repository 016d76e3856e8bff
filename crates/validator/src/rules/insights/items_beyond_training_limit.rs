//! PF512 `items-beyond-training-limit`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::text::{thousands, Holds};

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

/// More items than training considers.
#[derive(Debug, Clone, Copy)]
pub struct ItemsBeyondTrainingLimit {
    /// Distinct item IDs training would consider, counted from what was read (see `holds`).
    pub items: u64,
    /// How they are known.
    pub holds: Holds,
    /// Items training considers.
    pub limit: u64,
    /// Items the v2 recipes consider.
    pub limit_v2: u64,
}

impl Violation for ItemsBeyondTrainingLimit {
    const RULE: &'static Rule = &PF512;
    fn message(&self) -> String {
        format!(
            "{} {} items; training considers at most {} of them ({} with User-Personalization-v2 and Personalized-Ranking-v2), picked by Personalize with an emphasis on new items and items with recent interactions, and only those can be recommended",
            self.holds.phrase(),
            thousands(self.items),
            thousands(self.limit),
            thousands(self.limit_v2)
        )
    }
    fn help(&self) -> Option<String> {
        Some(if self.items <= self.limit_v2 {
            format!(
                "nothing to fix if that is intended; otherwise train with User-Personalization-v2 or Personalized-Ranking-v2 (they consider up to {}), or import only the items you want recommended",
                thousands(self.limit_v2)
            )
        } else {
            format!(
                "nothing to fix if that is intended; otherwise import only the items you want recommended (even the v2 recipes consider at most {})",
                thousands(self.limit_v2)
            )
        })
    }
}
