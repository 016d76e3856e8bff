//! PF011 `empty-file-in-folder`.

use crate::diagnostic::{Diagnostic, Family, Rule, Severity};
use crate::rules::hooks::{FileCx, FileHook};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a zero-byte file (or S3 object) at the first level of a data folder, such as the
    /// `_SUCCESS` marker Spark and Hadoop write when a job succeeds.
    ///
    /// ## Why is this bad?
    /// When the data location is a folder, Personalize reads every object at its first level as
    /// part of the import, whatever its name. An empty object has no header row, so nothing in it
    /// maps to the schema. What the import job does with it is not documented: it may skip it, or
    /// the job may fail on a file without the schema's columns.
    /// Because the failure is not certain and Spark's `_SUCCESS` marker sits in nearly every folder
    /// an ETL job writes, preflight's default is a warning, not an error (an error would block
    /// imports Personalize may well run); raise it with `--severity PF011=error` to insist on clean
    /// folders. An empty file named on the command line, not found in a folder, is PF001.
    ///
    /// ## Example
    /// ```text
    /// s3://bucket/interactions/
    ///   part-00000-5c2f….csv
    ///   part-00001-5c2f….csv
    ///   _SUCCESS                (0 bytes)
    /// ```
    ///
    /// Use instead: delete the marker before importing (or stop Spark from writing it with
    /// `spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs=false`):
    /// ```text
    /// s3://bucket/interactions/
    ///   part-00000-5c2f….csv
    ///   part-00001-5c2f….csv
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/bulk-data-import-step.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF011 = "PF011", "empty-file-in-folder", File, Warning;
}

/// An empty object at the first level of the data folder.
#[derive(Debug, Clone, Copy)]
pub struct EmptyFileInFolder<'a> {
    /// Its name in the folder.
    pub name: &'a str,
}

impl Violation for EmptyFileInFolder<'_> {
    const RULE: &'static Rule = &PF011;
    fn message(&self) -> String {
        format!("`{}` is empty (0 bytes), and Personalize reads every first-level object of the folder as part of the import", self.name)
    }
    fn help(&self) -> Option<String> {
        let spark = if self.name == "_SUCCESS" {
            " (Spark writes it when a job succeeds; `spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs=false` turns it off)"
        } else {
            ""
        };
        Some(format!(
            "delete it, or move it into a sub-folder, before importing{spark}; `stage` and `run` can name the data files instead of the folder (`out/part-*`)"
        ))
    }
}

/// Detection: a folder's first-level object with no bytes.
impl FileHook for EmptyFileInFolder<'_> {
    fn check_file(cx: &FileCx<'_>, out: &mut Vec<Diagnostic>) {
        if cx.head.is_empty() && cx.in_folder {
            let name = cx.file.rsplit('/').next().unwrap_or(cx.file);
            out.push(EmptyFileInFolder { name }.diagnostic().in_file(cx.file));
        }
    }
}
