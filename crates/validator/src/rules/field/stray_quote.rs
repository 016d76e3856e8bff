//! PF205 `stray-quote`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a double quote inside an unquoted field, or text after a closing quote.
    ///
    /// ## Why is this bad?
    /// In Personalize's dialect a `"` may only open or close a quoted field, or appear escaped as `\"`
    /// inside one. A bare quote in a value (a screen size like `27"`) or text after the closing quote
    /// breaks the CSV structure: fields run together and the job fails with the misleading
    /// `Length cannot be more than ...` error, which the docs attribute to badly escaped quotes.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,SCREEN,DESCRIPTION
    /// i1,27" monitor,"Matte" finish
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// ITEM_ID,SCREEN,DESCRIPTION
    /// i1,"27\" monitor","\"Matte\" finish"
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF205 = "PF205", "stray-quote", Field, Error;
}

/// A quote where none may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrayQuote {
    /// Inside a field that does not start with a quote.
    InUnquotedField,
    /// Text after the closing quote of a field.
    AfterClosingQuote,
}

impl Violation for StrayQuote {
    const RULE: &'static Rule = &PF205;
    fn message(&self) -> String {
        match self {
            StrayQuote::InUnquotedField => "double quote inside an unquoted field",
            StrayQuote::AfterClosingQuote => "text after the closing quote of a field",
        }
        .into()
    }
    fn help(&self) -> Option<String> {
        Some(
            match self {
                StrayQuote::InUnquotedField => {
                    "quote the whole field and escape the inner quote: \"…\\\"…\""
                }
                StrayQuote::AfterClosingQuote => {
                    "quote the whole field and escape inner quotes with a backslash"
                }
            }
            .into(),
        )
    }
}
