//! PF306 `missing-domain-event-type`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a domain dataset where an event type a use case needs has fewer than 1,000 events.
    ///
    /// ## Why is this bad?
    /// Domain use cases need 1,000 events of a given type: ECOMMERCE `View` (Most viewed, Customers who
    /// viewed X) and `Purchase` (Best sellers, Frequently bought together), VIDEO_ON_DEMAND `Watch`
    /// (Because you watched X, Most popular). Otherwise creating the recommender fails with
    /// `Dataset has fewer than 1000 interactions after filtering by event type: <event type>`.
    /// Event types are case-sensitive as far as is known, so `view` does not count as `View`.
    /// It is a warning because not every use case needs every type.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,product_view
    /// u1,i1,1596238301,order
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,View
    /// u1,i1,1596238301,Purchase
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF306 = "PF306", "missing-domain-event-type", Dataset, Warning;
}
