//! PF305 `event-type-variants`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags event types that differ only in case or surrounding spaces (`Click`, `click `).
    ///
    /// ## Why is this bad?
    /// Event type strings must be exactly the same for every event of one type, so `Click`, `click` and
    /// `click ` are three event types. They split the signal for event-type filtering and eat into the
    /// limit of 10 event types plus metadata columns, beyond which training fails.
    /// Whether Personalize ignores case is not documented; preflight's default is a warning.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,Click
    /// u2,i7,1596238301,"click "
    /// u3,i2,1596238399,CLICK
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,click
    /// u2,i7,1596238301,click
    /// u3,i2,1596238399,click
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF305 = "PF305", "event-type-variants", Dataset, Warning, fix = Unsafe;
}

/// Event types that differ only in case or surrounding spaces.
#[derive(Debug, Clone)]
pub struct EventTypeVariants<'a> {
    /// The variants and their records, sorted.
    pub variants: Vec<(&'a [u8], u64)>,
}

/// What makes two event types variants of one another: the same text once surrounding spaces
/// are trimmed and letters lowercased (`Click`, `click `).
pub(crate) fn variant_key(event_type: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(event_type)
        .trim()
        .to_lowercase()
        .into_bytes()
}

/// The fix: the spelling every variant of a group is written as, the most frequent one (on a
/// tie, a spelling without surrounding spaces, then the first in byte order).
pub(crate) fn unified_spelling<'a>(variants: &[(&'a [u8], u64)]) -> Option<&'a [u8]> {
    let padded = |t: &[u8]| t.first().is_some_and(u8::is_ascii_whitespace) || t.last().is_some_and(u8::is_ascii_whitespace);
    variants
        .iter()
        .min_by(|a, b| {
            b.1.cmp(&a.1)
                .then(padded(a.0).cmp(&padded(b.0)))
                .then(a.0.cmp(b.0))
        })
        .map(|(t, _)| *t)
}

impl Violation for EventTypeVariants<'_> {
    const RULE: &'static Rule = &PF305;
    fn message(&self) -> String {
        let list: Vec<String> = self
            .variants
            .iter()
            .map(|(t, n)| format!("{} ({n})", quote_value(t, 30)))
            .collect();
        format!(
            "event types {} differ only in case or spaces",
            list.join(", ")
        )
    }
    fn help(&self) -> Option<String> {
        Some("write each event type one way; variants count as separate types".into())
    }
}
