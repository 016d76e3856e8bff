//! PF008 `non-csv-file-in-folder`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags first-level files in an input folder whose name does not end in `.csv`.
    ///
    /// ## Why is this bad?
    /// Personalize reads the files at the first level of the data folder, and only CSV is documented as
    /// input. The docs do not say that other files are skipped, so a README, a `_SUCCESS` marker written
    /// by Spark or Hadoop, or a `.crc` checksum file next to the data may be read as CSV and fail the
    /// job or add junk records.
    /// This check is not documented; preflight's default is a warning.
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
