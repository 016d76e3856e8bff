//! PF509 `interaction-ids-missing-from-dataset`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::text::pct;

declare_rule! {
    /// ## What it does
    /// Flags interaction ITEM_IDs that the Items dataset lacks, USER_IDs that the Users dataset lacks, and ACTION_IDs that the Actions dataset lacks (when that dataset is analysed in the same run).
    ///
    /// ## Why is this bad?
    /// Interactions with an item (or user) that has no metadata record train as if the item had no
    /// metadata: metadata-aware recipes lose their advantage for it, and filters on its attributes
    /// exclude it. Many missing IDs usually mean the two exports are from different days, or an ID
    /// column was transformed in only one of them (see PF511). The finding gives the count and share
    /// of distinct IDs missing and of interactions they account for.
    ///
    /// ## Example
    /// Interactions with `ITEM_ID` `i9` while items.csv has only `i1` to `i8`.
    ///
    /// Use instead: export the Items (or Users) dataset from the same snapshot as the interactions.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF509 = "PF509", "interaction-ids-missing-from-dataset", Insights, Warning;
}

/// Interaction IDs that the dataset they refer to lacks.
#[derive(Debug, Clone, Copy)]
pub struct InteractionIdsMissingFromDataset<'a> {
    /// USER_ID, ITEM_ID or ACTION_ID.
    pub field: &'a str,
    /// The dataset (API name).
    pub dataset: &'a str,
    /// Distinct interaction IDs the dataset lacks.
    pub missing_ids: u64,
    /// Distinct interaction IDs.
    pub ids: u64,
    /// Interactions with such an ID.
    pub missing_interactions: u64,
    /// All interactions of the interactions dataset (what the share is of).
    pub interactions: u64,
}

impl Violation for InteractionIdsMissingFromDataset<'_> {
    const RULE: &'static Rule = &PF509;
    fn message(&self) -> String {
        format!(
            "{} of {} distinct {}s in the interactions ({}) are not in the {} dataset; {} of {} interactions ({}) have one",
            self.missing_ids,
            self.ids,
            self.field,
            pct(self.missing_ids, self.ids),
            self.dataset,
            self.missing_interactions,
            self.interactions,
            pct(self.missing_interactions, self.interactions)
        )
    }
    fn help(&self) -> Option<String> {
        Some(format!(
            "export the {} dataset from the same snapshot as the interactions, and check both use the same {}s",
            self.dataset, self.field
        ))
    }
}
