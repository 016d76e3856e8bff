//! PF004 `not-plain-csv`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

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

/// What a file that is not plain CSV is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPlainCsv {
    /// gzip.
    Gzip,
    /// A zip archive.
    Zip,
    /// bzip2.
    Bzip2,
    /// zstd.
    Zstd,
    /// An Apache Parquet file (it starts with `PAR1`).
    Parquet,
    /// A Hadoop checksum file (`.crc`).
    HadoopChecksum,
    /// A macOS Finder file (`.DS_Store`).
    FinderFile,
}

impl Violation for NotPlainCsv {
    const RULE: &'static Rule = &PF004;
    fn message(&self) -> String {
        let what = match self {
            NotPlainCsv::Gzip => "gzip-compressed",
            NotPlainCsv::Zip => "a zip archive",
            NotPlainCsv::Bzip2 => "bzip2-compressed",
            NotPlainCsv::Zstd => "zstd-compressed",
            NotPlainCsv::Parquet => "a Parquet file",
            NotPlainCsv::HadoopChecksum => "a Hadoop checksum file (`.crc`, written by Spark or Hadoop next to each file on a local or HDFS file system)",
            NotPlainCsv::FinderFile => "a macOS Finder file (`.DS_Store`)",
        };
        format!("the file is {what}")
    }
    fn help(&self) -> Option<String> {
        Some(
            match self {
                NotPlainCsv::Gzip => {
                    "decompress it (`gunzip`) before importing: Personalize reads plain CSV"
                }
                NotPlainCsv::Zip => "extract the CSV files before importing",
                NotPlainCsv::Bzip2 | NotPlainCsv::Zstd => "decompress it before importing",
                NotPlainCsv::Parquet => "export the data as CSV: dataset import jobs read CSV only",
                NotPlainCsv::HadoopChecksum => "delete the `.crc` files from the folder before staging or importing it: they are not data",
                NotPlainCsv::FinderFile => {
                    "delete it from the folder before staging or importing it: it is not data"
                }
            }
            .into(),
        )
    }
}
