//! PF510 `records-without-interactions`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::DatasetType;
use crate::text::pct;

declare_rule! {
    /// ## What it does
    /// Flags items, users or actions of their dataset that no interaction in the same run mentions.
    ///
    /// ## Why is this bad?
    /// Personalize's Data insights reports the share of items and users with no interactions. Such
    /// items can be recommended only through exploration (cold start) or by metadata-aware recipes,
    /// and users without interactions get popularity-based recommendations. A high share often means
    /// the interactions export covers a shorter period than the catalogue, or the IDs do not match
    /// (see PF511).
    ///
    /// ## Example
    /// items.csv lists 1000 items and the interactions mention 120 of them: 880 (88%) have no
    /// interactions.
    ///
    /// Use instead: import more history, or check that both files use the same IDs.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    pub const PF510 = "PF510", "records-without-interactions", Insights, Info;
}

/// Items, users or actions that no interaction mentions.
#[derive(Debug, Clone, Copy)]
pub struct RecordsWithoutInteractions<'a> {
    /// USER_ID, ITEM_ID or ACTION_ID.
    pub field: &'a str,
    /// The dataset of the records.
    pub dataset: DatasetType,
    /// The interactions dataset.
    pub interactions: DatasetType,
    /// Records without interactions.
    pub without: u64,
    /// All the dataset's IDs.
    pub ids: u64,
}

impl Violation for RecordsWithoutInteractions<'_> {
    const RULE: &'static Rule = &PF510;
    fn message(&self) -> String {
        let noun = match self.dataset {
            DatasetType::Users => "users",
            DatasetType::Actions => "actions",
            _ => "items",
        };
        format!(
            "{} of {} {noun} ({}) have no interactions in the {} dataset",
            self.without,
            self.ids,
            pct(self.without, self.ids),
            self.interactions.api_name()
        )
    }
    fn help(&self) -> Option<String> {
        Some(format!(
            "import more interaction history, or check that both files use the same {}s",
            self.field
        ))
    }
}
