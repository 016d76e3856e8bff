//! PF307 `duplicate-id`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags an item, user or action ID that appears more than once in one import.
    ///
    /// ## Why is this bad?
    /// Items, users and actions are stored by ID: a record with an existing ID replaces the stored one,
    /// so only one record per ID survives. Which of two duplicates in one import wins is not documented;
    /// preflight's default is a warning, and its plan assumes the last one wins, in file order and then
    /// row order. Duplicates usually come from an export that joined a one-to-many table.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,GENRES
    /// i1,Action
    /// i1,Crime
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// ITEM_ID,GENRES
    /// i1,Action|Crime
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/updating-datasets.html>
    pub const PF307 = "PF307", "duplicate-id", Dataset, Warning, fix = Unsafe;
}

/// An ID seen again.
#[derive(Debug, Clone, Copy)]
pub struct DuplicateId<'a> {
    /// The ID column.
    pub name: &'a str,
    /// The ID.
    pub id: &'a [u8],
    /// Where it is first: `line 3`, `line 3 of a.csv`.
    pub first: &'a str,
}

impl Violation for DuplicateId<'_> {
    const RULE: &'static Rule = &PF307;
    fn message(&self) -> String {
        format!(
            "`{}` {} appears again (first on {})",
            self.name,
            quote_value(self.id, 60),
            self.first
        )
    }
    fn help(&self) -> Option<String> {
        Some("keep one record per ID; Personalize keeps only one of them (this tool assumes the last)".into())
    }
}
