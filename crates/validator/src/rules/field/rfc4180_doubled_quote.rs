//! PF203 `rfc4180-doubled-quote`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a doubled quote (`""`) inside a quoted field.
    ///
    /// ## Why is this bad?
    /// Personalize documents backslash escaping inside quoted fields: `\"` for a quote and `\\` for a
    /// backslash. RFC-4180 doubling (`""`), which Excel and most CSV writers produce, is not documented:
    /// read with backslash escaping, the value may keep both quotes or end at the first one.
    /// Not documented; preflight's default is a warning, or PF204 (an error) when the field parses only
    /// under RFC-4180 rules. With pandas, write `to_csv(..., doublequote=False, escapechar="\\")`.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,DESCRIPTION
    /// i1,"The ""best"" film of the year"
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// ITEM_ID,DESCRIPTION
    /// i1,"The \"best\" film of the year"
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    pub const PF203 = "PF203", "rfc4180-doubled-quote", Field, Warning, fix = Safe;
}

/// `""` inside a quoted field.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rfc4180DoubledQuote;

impl Violation for Rfc4180DoubledQuote {
    const RULE: &'static Rule = &PF203;
    fn message(&self) -> String {
        "doubled quote `\"\"` inside a quoted field".into()
    }
    fn help(&self) -> Option<String> {
        Some(
            "escape quotes inside values with a backslash: \\\" (Personalize's documented escape)"
                .into(),
        )
    }
}
