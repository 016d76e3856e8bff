//! PF109 `header-differs-between-files`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags a file whose header differs from the first file's header in the same import.
    ///
    /// ## Why is this bad?
    /// When an import reads several CSV files from a folder, the docs require every file's header to match.
    /// One job reads all files against one schema, so a file with an added, renamed or reordered column
    /// cannot match it. This usually happens when an export's columns change halfway through a backfill.
    ///
    /// ## Example
    /// ```text
    /// s3://bucket/items/part-0.csv   header: ITEM_ID,GENRES,CREATION_TIMESTAMP
    /// s3://bucket/items/part-1.csv   header: ITEM_ID,CREATION_TIMESTAMP,GENRES
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// s3://bucket/items/part-0.csv   header: ITEM_ID,GENRES,CREATION_TIMESTAMP
    /// s3://bucket/items/part-1.csv   header: ITEM_ID,GENRES,CREATION_TIMESTAMP
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    pub const PF109 = "PF109", "header-differs-between-files", Header, Error;
}

/// A file whose header differs from the first file's.
#[derive(Debug, Clone, Copy)]
pub struct HeaderDiffersBetweenFiles<'a> {
    /// This file's header line.
    pub header: &'a [u8],
    /// The first file with a header.
    pub first_file: &'a str,
    /// Its header's names.
    pub first_header: &'a [String],
}

impl Violation for HeaderDiffersBetweenFiles<'_> {
    const RULE: &'static Rule = &PF109;
    fn message(&self) -> String {
        format!(
            "the header {} differs from the header of `{}`",
            quote_value(self.header, 120),
            self.first_file
        )
    }
    fn help(&self) -> Option<String> {
        Some(format!(
            "every file of one import must have the same header: {}",
            self.first_header.join(",")
        ))
    }
}
