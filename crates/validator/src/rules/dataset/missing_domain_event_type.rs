//! PF306 `missing-domain-event-type`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::schema::Domain;

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

/// Fewer than 1,000 events of the type a domain's use cases need.
#[derive(Debug, Clone, Copy)]
pub struct MissingDomainEventType<'a> {
    /// Events of that type.
    pub events: u64,
    /// The event type.
    pub event_type: &'a str,
    /// The dataset group's domain, whose use cases need the event type.
    pub domain: Domain,
    /// The use cases that need it.
    pub use_cases: &'a str,
}

impl Violation for MissingDomainEventType<'_> {
    const RULE: &'static Rule = &PF306;
    fn message(&self) -> String {
        format!(
            "{} `{}` events; the {} use cases {} need at least 1000",
            self.events, self.event_type, self.domain, self.use_cases
        )
    }
    fn help(&self) -> Option<String> {
        let ty = self.event_type;
        Some(format!(
            "import more `{ty}` events (spelled exactly `{ty}`) before creating those recommenders"
        ))
    }
}
