//! PF204 `rfc4180-only-quoting`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a quoted field that parses only under RFC-4180 quoting: a doubled quote is followed by a comma inside the same field.
    ///
    /// ## Why is this bad?
    /// The documented escape is `\"`. Read with Personalize's backslash escaping, the doubled quote
    /// ends the field and the comma after it starts a new one, so the record gets too many fields: the
    /// job fails with a misleading length error, or values shift into the wrong columns.
    /// The distinction from PF203 is not documented; preflight's default is an error here because the
    /// record cannot be read the same way by both dialects.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,DESCRIPTION
    /// i1,"She said ""no, never"" and left"
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// ITEM_ID,DESCRIPTION
    /// i1,"She said \"no, never\" and left"
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    pub const PF204 = "PF204", "rfc4180-only-quoting", Field, Error;
}

/// A field that splits at a comma when read with backslash escaping.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rfc4180OnlyQuoting;

impl Violation for Rfc4180OnlyQuoting {
    const RULE: &'static Rule = &PF204;
    fn message(&self) -> String {
        "this field parses only with RFC-4180 doubled quotes: read with backslash escaping it splits at the comma".into()
    }
    fn help(&self) -> Option<String> {
        Some("escape quotes inside values with a backslash: \\\"".into())
    }
}
