//! PF304 `too-many-event-types`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;
use crate::schema::spec;

declare_rule! {
    /// ## What it does
    /// Flags Item interactions whose distinct event types plus the schema's metadata fields that
    /// count toward the limit (EVENT_TYPE, EVENT_VALUE and every custom metadata field) exceed 10.
    ///
    /// ## Why is this bad?
    /// In an Item interactions dataset the number of distinct event types plus metadata fields may
    /// be at most 10. The docs name the fields that count: EVENT_TYPE and EVENT_VALUE, along with the
    /// custom metadata fields of the schema; the other reserved fields (IMPRESSION,
    /// RECOMMENDATION_ID, EVENT_ATTRIBUTION_SOURCE) and the required ones do not. So a schema with
    /// EVENT_TYPE, EVENT_VALUE and one custom field leaves room for 7 event types. The import
    /// succeeds, but a model trained with more than 10 unique event types fails (2023 Data
    /// Insights). Spelling variants count separately (see PF305), so `Click` and `click` use up two.
    ///
    /// ## Example
    /// A schema with EVENT_TYPE, EVENT_VALUE and DEVICE (3 fields that count) and an interactions
    /// file whose EVENT_TYPE column has 8 distinct values: `view`, `click`, `hover`, `share`, `like`,
    /// `add_to_cart`, `wishlist`, `purchase` (8 + 3 = 11).
    ///
    /// Use instead: keep the few event types that signal interest (for example `view`, `add_to_cart`,
    /// `purchase`) and map or drop the rest before import, so that event types plus those fields stay
    /// at or below 10.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-dataset-requirements.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF304 = "PF304", "too-many-event-types", Dataset, Error;
}

/// More distinct event types plus metadata fields than 10.
#[derive(Debug, Clone)]
pub struct TooManyEventTypes<'a> {
    /// Distinct event types counted.
    pub distinct: usize,
    /// There are more than counted.
    pub more: bool,
    /// The schema's fields that count toward the limit.
    pub fields: &'a [String],
    /// The most frequent event types and their records, most frequent first.
    pub top: Vec<(&'a [u8], u64)>,
}

impl Violation for TooManyEventTypes<'_> {
    const RULE: &'static Rule = &PF304;
    fn message(&self) -> String {
        let more = if self.more { "more than " } else { "" };
        let fields = self.fields.len();
        let shown: Vec<String> = self
            .top
            .iter()
            .map(|(t, n)| format!("{} ({n})", quote_value(t, 30)))
            .collect();
        format!(
            "{more}{} distinct event types plus {fields} metadata field{} of the schema{} make {more}{}, over the limit of 10: {}",
            self.distinct,
            if fields == 1 { "" } else { "s" },
            if fields == 0 {
                String::new()
            } else {
                format!(" ({})", self.fields.join(", "))
            },
            self.distinct + fields,
            shown.join(", ")
        )
    }
    fn help(&self) -> Option<String> {
        Some(
            match spec::MAX_EVENT_TYPES_PLUS_METADATA.saturating_sub(self.fields.len()) {
                0 => "the schema's metadata fields alone reach the limit: a schema with fewer of them is needed (see PF415)".to_string(),
                n => format!("keep at most {n} distinct event types: merge or drop rare ones (and spelling variants) before importing"),
            },
        )
    }
}
