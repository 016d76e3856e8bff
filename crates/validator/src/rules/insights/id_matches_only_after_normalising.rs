//! PF511 `id-matches-only-after-normalising`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags IDs of one dataset that match an ID of another only after trimming spaces or changing case (`ABC ` vs `abc`): a join key bug.
    ///
    /// ## Why is this bad?
    /// Personalize compares IDs byte for byte, so `Item-1` in the interactions and `item-1` in the
    /// Items dataset are two different items: the interactions train an item without metadata and
    /// the item with metadata has no interactions. Such near matches almost always come from one
    /// export trimming or lower-casing IDs and the other not. The finding counts them and shows
    /// examples.
    ///
    /// ## Example
    /// Interactions with `ITEM_ID` `B07XJ8C8F5 ` (trailing space) while items.csv has `B07XJ8C8F5`.
    ///
    /// Use instead: normalise IDs the same way in every export (trim, and keep the source's case).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF511 = "PF511", "id-matches-only-after-normalising", Insights, Warning;
}

/// Interaction IDs that match an ID of the dataset only after trimming or changing case.
#[derive(Debug, Clone, Copy)]
pub struct IdMatchesOnlyAfterNormalising<'a> {
    /// USER_ID, ITEM_ID or ACTION_ID.
    pub field: &'a str,
    /// The dataset (API name).
    pub dataset: &'a str,
    /// Such interaction IDs.
    pub ids: u64,
    /// Interactions with one.
    pub interactions: u64,
    /// Examples: (interaction ID, dataset ID).
    pub examples: &'a [(String, String)],
}

impl Violation for IdMatchesOnlyAfterNormalising<'_> {
    const RULE: &'static Rule = &PF511;
    fn message(&self) -> String {
        let shown: Vec<String> = self
            .examples
            .iter()
            .map(|(x, y)| {
                format!(
                    "{} vs {}",
                    quote_value(x.as_bytes(), 60),
                    quote_value(y.as_bytes(), 60)
                )
            })
            .collect();
        let eg = if shown.is_empty() {
            String::new()
        } else {
            format!(", e.g. {}", shown.join(", "))
        };
        format!(
            "{} {}s of the interactions ({} interactions) match an ID of the {} dataset only after trimming spaces or changing case{eg}",
            self.ids, self.field, self.interactions, self.dataset
        )
    }
    fn help(&self) -> Option<String> {
        Some("normalise IDs the same way in every export: Personalize compares them byte for byte".into())
    }
}
