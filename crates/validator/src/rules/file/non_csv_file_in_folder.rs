//! PF008 `non-csv-file-in-folder`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a first-level file of an input folder (local or `s3://`) whose name does not end in
    /// `.csv`: `part-00000`, `_SUCCESS`, `README.md`, dot-files such as `.part-00000.csv.crc`. Its
    /// content is then checked like any other file of the import.
    ///
    /// ## Why is this bad?
    /// Personalize reads every object at the first level of the data folder as part of the import,
    /// and only CSV is documented as input. The docs do not say that other files are skipped, so a
    /// README, a `_SUCCESS` marker written by Spark or Hadoop, or a `.crc` checksum file next to the
    /// data is read as CSV: it fails the job or adds junk records. Spark's `part-00000` files without
    /// an extension are fine once their content is valid CSV, which is why preflight checks the
    /// content of every such file (a binary file gets PF004, an empty one PF011) and `stage` uploads
    /// exactly the files it checked.
    /// This check is about the name and is not documented; preflight's default is a warning.
    ///
    /// ## Example
    /// ```text
    /// s3://bucket/items/
    ///   part-00000.csv
    ///   _SUCCESS
    ///   README.md
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// s3://bucket/items/
    ///   part-00000.csv
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    pub const PF008 = "PF008", "non-csv-file-in-folder", File, Warning;
}

/// A file of the data folder whose name does not end in `.csv`.
#[derive(Debug, Clone, Copy)]
pub struct NonCsvFileInFolder<'a> {
    /// Its name in the folder.
    pub name: &'a str,
}

impl Violation for NonCsvFileInFolder<'_> {
    const RULE: &'static Rule = &PF008;
    fn message(&self) -> String {
        format!("`{}` does not end in .csv, but Personalize reads it as part of the import all the same: its content is checked as CSV", self.name)
    }
    fn help(&self) -> Option<String> {
        Some("keep only this import's CSV files at the first level of the folder: delete the others, or move them into a sub-folder".into())
    }
}
