//! PF304 `too-many-event-types`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags interactions whose distinct event types plus optional metadata columns exceed 10.
    ///
    /// ## Why is this bad?
    /// In an Item interactions dataset the number of distinct event types plus optional metadata
    /// columns may be at most 10 (EVENT_TYPE and EVENT_VALUE count toward it). The import succeeds, but
    /// a model trained with more than 10 unique event types fails (2023 Data Insights).
    /// Spelling variants count separately (see PF305), so `Click` and `click` use up two.
    ///
    /// ## Example
    /// An interactions file whose EVENT_TYPE column has 12 distinct values: `view`, `click`, `hover`,
    /// `scroll`, `share`, `like`, `add_to_cart`, `remove_from_cart`, `wishlist`, `checkout`,
    /// `purchase`, `return`.
    ///
    /// Use instead: keep the few event types that signal interest (for example `view`, `add_to_cart`,
    /// `purchase`), map or drop the rest before import, and count optional metadata columns in the 10.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF304 = "PF304", "too-many-event-types", Dataset, Error;
}
