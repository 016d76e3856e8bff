//! PF004 `not-plain-csv`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a compressed (gzip, zip, bzip2, zstd) or Parquet file, and binary files that end up in
    /// data folders: Hadoop `.crc` checksum files and macOS `.DS_Store` files.
    ///
    /// ## Why is this bad?
    /// Dataset import jobs read CSV files; Parquet, JSON and other formats are not accepted, and
    /// compression is not mentioned anywhere in the docs. A compressed file would be read as
    /// binary garbage instead of records. The same goes for the `.crc` files Spark and Hadoop write
    /// next to each output file on a local or HDFS file system, and for `.DS_Store`: Personalize
    /// reads every first-level object of the data folder, dot-files included.
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
