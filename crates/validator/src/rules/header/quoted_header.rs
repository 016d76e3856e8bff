//! PF102 `quoted-header`.

use crate::diagnostic::{Diagnostic, Family, Rule, Severity};
use crate::rules::hooks::{HeaderCx, HeaderHook};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags a header cell wrapped in double quotes.
    ///
    /// ## Why is this bad?
    /// The docs state that header names must not be quoted with `"`. A quoted name is at risk of being
    /// read with its quotes, so it no longer matches the schema field and the column counts as missing.
    /// Writers that quote every cell produce this, e.g. pandas with `quoting=csv.QUOTE_ALL` or R's `write.csv`.
    /// Values may still be quoted where needed; only the header must be bare.
    ///
    /// ## Example
    /// ```csv
    /// "USER_ID","ITEM_ID","TIMESTAMP"
    /// "u1","i1",1596238243
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// "u1","i1",1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF102 = "PF102", "quoted-header", Header, Error, fix = Safe;
}

/// A header cell in quotes.
#[derive(Debug, Clone, Copy)]
pub struct QuotedHeader<'a> {
    /// The cell as written, quotes included.
    pub cell: &'a [u8],
    /// The name inside the quotes.
    pub name: &'a str,
}

/// Detection: every header cell written in quotes.
impl HeaderHook for QuotedHeader<'_> {
    fn check_header(cx: &HeaderCx<'_>, out: &mut Vec<Diagnostic>) {
        for (i, span) in cx.fields.spans.iter().enumerate() {
            if span.quoted {
                let found = QuotedHeader {
                    cell: &cx.line[span.raw_start..span.raw_end],
                    name: &cx.names[i],
                };
                out.push(found.diagnostic().at(cx.at(i)).with_snippet(cx.snippet(i)));
            }
        }
    }
}

impl Violation for QuotedHeader<'_> {
    const RULE: &'static Rule = &PF102;
    fn message(&self) -> String {
        format!("header cell {} is quoted", quote_value(self.cell, 80))
    }
    fn help(&self) -> Option<String> {
        Some(format!("write the name without quotes: {}", self.name))
    }
}
