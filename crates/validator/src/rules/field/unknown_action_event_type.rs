//! PF222 `unknown-action-event-type`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::engine::columns::{Check, StrKind};
use crate::rules::hooks::{Column, FieldCx, FieldHook, FieldOut};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags an action interaction EVENT_TYPE other than Taken, Not taken (or NOT_TAKEN) or Viewed, compared case-insensitively.
    ///
    /// ## Why is this bad?
    /// The docs spell these event types inconsistently (`Taken`, `Not Taken`, `Viewed` in the API;
    /// `Not taken` on the data page; `TAKEN`, `NOT_TAKEN`, `VIEWED` on the recipe page), and the exact
    /// accepted spelling is not documented. Next-Best-Action gives an action a non-zero score only after
    /// it has at least 50 TAKEN and 50 NOT_TAKEN or VIEWED interactions within 6 weeks of the latest one,
    /// so another event type (`accepted`, `click`) likely counts for nothing. Not documented; preflight's
    /// default is a warning.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ACTION_ID,EVENT_TYPE,TIMESTAMP
    /// u1,a1,accepted,1596238243
    /// u1,a2,dismissed,1596238301
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ACTION_ID,EVENT_TYPE,TIMESTAMP
    /// u1,a1,Taken,1596238243
    /// u1,a2,Not taken,1596238301
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/action-interactions-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-next-best-action.html>
    pub const PF222 = "PF222", "unknown-action-event-type", Field, Warning;
}

/// An action interaction's EVENT_TYPE that Next-Best-Action does not know.
#[derive(Debug, Clone, Copy)]
pub struct UnknownActionEventType<'a> {
    /// The value as read: unquoted and unescaped, not necessarily UTF-8.
    pub value: &'a [u8],
}

/// Detection: EVENT_TYPE values of action interactions, compared without case with the spellings
/// the docs use.
impl FieldHook for UnknownActionEventType<'_> {
    fn wants(column: &Column) -> bool {
        column.check == Check::Str(StrKind::EventType { action: true })
    }

    fn check_field(cx: &FieldCx<'_>, out: &mut FieldOut<'_>) {
        let known: [&[u8]; 4] = [b"taken", b"not taken", b"not_taken", b"viewed"];
        if !known.iter().any(|k| cx.value.eq_ignore_ascii_case(k)) {
            out.report(|| UnknownActionEventType { value: cx.value });
        }
    }
}

impl Violation for UnknownActionEventType<'_> {
    const RULE: &'static Rule = &PF222;
    fn message(&self) -> String {
        format!(
            "action interaction `EVENT_TYPE` {} is not Taken, Not taken or Viewed",
            quote_value(self.value, 60)
        )
    }
    fn help(&self) -> Option<String> {
        Some(
            "use Taken, Not taken or Viewed: Next-Best-Action scores actions only from these"
                .into(),
        )
    }
}
