//! PF004 `not-plain-csv`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a compressed (gzip, zip, bzip2, zstd) or Parquet file.
    ///
    /// ## Why is this bad?
    /// Dataset import jobs read CSV files; Parquet, JSON and other formats are not accepted, and
    /// compression is not mentioned anywhere in the docs. A compressed file would be read as
    /// binary garbage instead of records.
    /// Rejecting compressed input for import is not documented; preflight's default. preflight may still
    /// decompress such a file to run its local checks.
    ///
    /// ## Example
    /// ```text
    /// s3://bucket/interactions/interactions.csv.gz   (gzip)
    /// s3://bucket/items/items.parquet
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// s3://bucket/interactions/interactions.csv      (plain, uncompressed CSV)
    /// s3://bucket/items/items.csv
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    pub const PF004 = "PF004", "not-plain-csv", File, Error;
}
