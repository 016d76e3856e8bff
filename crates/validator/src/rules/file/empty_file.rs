//! PF001 `empty-file`.

use crate::diagnostic::{Diagnostic, Family, Rule, Severity};
use crate::rules::hooks::{FileCx, FileHook};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a file with no bytes at all, not even a header.
    ///
    /// ## Why is this bad?
    /// Every import file must start with a header row that maps its columns to the schema fields.
    /// A zero-byte file has none, so nothing in it can be mapped; it usually comes from a failed
    /// export or a placeholder object left in the data folder.
    /// What Personalize does with an empty object in the data location is not documented; preflight's
    /// default is to report it as an error.
    ///
    /// ## Example
    /// ```text
    /// s3://bucket/interactions/part-0000.csv   (0 bytes)
    /// ```
    ///
    /// Use instead (or delete the file):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    pub const PF001 = "PF001", "empty-file", File, Error;
}

/// An input file of 0 bytes, named on its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyFile;

impl Violation for EmptyFile {
    const RULE: &'static Rule = &PF001;
    fn message(&self) -> String {
        "the file is empty".into()
    }
    fn help(&self) -> Option<String> {
        Some("remove the empty file from the import, or write the header and records".into())
    }
}

/// Detection: a file named on its own (not a folder's) with no bytes.
impl FileHook for EmptyFile {
    fn check_file(cx: &FileCx<'_>, out: &mut Vec<Diagnostic>) {
        if cx.head.is_empty() && !cx.in_folder {
            out.push(EmptyFile.diagnostic().in_file(cx.file));
        }
    }
}
