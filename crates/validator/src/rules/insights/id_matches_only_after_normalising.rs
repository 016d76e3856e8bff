//! PF511 `id-matches-only-after-normalising`.

use crate::diagnostic::{Family, Rule, Severity};

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
