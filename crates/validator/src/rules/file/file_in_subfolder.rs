//! PF007 `file-in-subfolder`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags files in sub-folders of an input folder.
    ///
    /// ## Why is this bad?
    /// When the data location is a folder (ending in `/`), Personalize imports only the files at its first
    /// level and ignores sub-folders. The job succeeds, but the rows in sub-folders are silently missing,
    /// and in FULL mode they are also gone from the dataset, because FULL replaces all bulk data.
    /// (Data deletion jobs do read sub-folders, which makes the difference easy to miss.)
    /// preflight applies the same rule to local directories; the warning is not documented, it is
    /// preflight's default.
    ///
    /// ## Example
    /// ```text
    /// s3://bucket/interactions/
    ///   2024-01.csv
    ///   2024-02/part-0000.csv          (not imported)
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// s3://bucket/interactions/
    ///   2024-01.csv
    ///   2024-02-part-0000.csv
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    pub const PF007 = "PF007", "file-in-subfolder", File, Warning;
}

/// Files in a sub-folder of the data folder.
#[derive(Debug, Clone, Copy)]
pub struct FileInSubfolder<'a> {
    /// How many files the sub-folder holds (at any depth).
    pub files: u64,
    /// The sub-folder, as shown to the user.
    pub folder: &'a str,
}

impl Violation for FileInSubfolder<'_> {
    const RULE: &'static Rule = &PF007;
    fn message(&self) -> String {
        format!(
            "{} file(s) in the sub-folder `{}` will not be imported",
            self.files, self.folder
        )
    }
    fn help(&self) -> Option<String> {
        Some("Personalize reads only the first level of the data folder: move the files up, or import the sub-folder as its own job".into())
    }
}
