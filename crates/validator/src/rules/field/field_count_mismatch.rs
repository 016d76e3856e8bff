//! PF201 `field-count-mismatch`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a record whose number of fields differs from the header's.
    ///
    /// ## Why is this bad?
    /// Every record needs exactly one value per header column. A mismatch is usually a comma inside an
    /// unquoted value or a broken quote, so values run into the neighbouring columns. The job then fails
    /// with a misleading `Length cannot be more than ... characters for COLUMN_NAME`, which the docs
    /// attribute to unquoted or badly escaped text and records broken across lines, or wrong values
    /// import into the wrong fields.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,GENRES,DESCRIPTION
    /// i1,Comedy|Drama,A funny, sad film
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// ITEM_ID,GENRES,DESCRIPTION
    /// i1,Comedy|Drama,"A funny, sad film"
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF201 = "PF201", "field-count-mismatch", Field, Error;
}

/// A record with another number of fields than the header.
#[derive(Debug, Clone, Copy)]
pub struct FieldCountMismatch {
    /// The record's fields.
    pub fields: usize,
    /// The header's columns.
    pub columns: usize,
}

impl Violation for FieldCountMismatch {
    const RULE: &'static Rule = &PF201;
    fn message(&self) -> String {
        format!(
            "the record has {} field{}, the header has {}",
            self.fields,
            if self.fields == 1 { "" } else { "s" },
            self.columns
        )
    }
    fn help(&self) -> Option<String> {
        Some(
            if self.fields > self.columns {
                "quote values that contain commas (\"a, b\"), and escape quotes inside them as \\\""
            } else {
                "add the missing values (leave them empty between commas if the field is nullable)"
            }
            .into(),
        )
    }
}
